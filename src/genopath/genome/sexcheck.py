"""Sex check: non-PAR chrX heterozygosity and non-PAR chrY calls against the registered sex.

A male has one X: outside the pseudo-autosomal regions his chrX calls are hemizygous or
homozygous, so the heterozygous fraction is near 0; a female's is like an autosome's
(≈0.5-0.6 in WGS). Non-PAR chrY calls come from a Y chromosome; a female should have almost
none (a few mapping artefacts). PARs are GRCh38's (:data:`genopath.genome.calls.PAR_REGIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from genopath.genome.calls import PAR_REGIONS
from genopath.genome.store import StoredGenome


@dataclass(frozen=True)
class SexEvidence:
    """What the genome says about sex.

    Attributes
    ----------
    x_calls
        Non-PAR chrX non-reference calls with GQ ≥ the floor (or no GQ).
    x_het
        Of those, diploid heterozygous calls.
    x_het_fraction
        ``x_het / x_calls`` (``None`` without chrX calls).
    y_calls
        Non-PAR chrY non-reference calls with GQ ≥ the floor (or no GQ).
    """

    x_calls: int
    x_het: int
    x_het_fraction: float | None
    y_calls: int


def _outside_par(chrom: str) -> str:
    ranges = " AND ".join(f"variant_position NOT BETWEEN {a} AND {b}" for a, b in PAR_REGIONS[chrom])
    return f"(variant_chrom = '{chrom}' AND {ranges})"


def sex_evidence(genome: StoredGenome, *, min_gq: int) -> SexEvidence:
    """Count the chrX and chrY evidence of one genome."""
    path = str(genome.calls_path).replace("'", "''")
    sql = f"""
        SELECT
          count(*) FILTER (WHERE {_outside_par("chrX")}) AS x_calls,
          count(*) FILTER (WHERE {_outside_par("chrX")} AND call_genotype_1 != -2
                           AND call_genotype_0 != call_genotype_1) AS x_het,
          count(*) FILTER (WHERE {_outside_par("chrY")}) AS y_calls
        FROM read_parquet('{path}')
        WHERE call_dosage >= 1 AND coalesce(call_GQ, {min_gq}) >= {min_gq}
    """
    with duckdb.connect() as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    x_calls, x_het, y_calls = (int(v) for v in row)
    return SexEvidence(x_calls, x_het, x_het / x_calls if x_calls else None, y_calls)
