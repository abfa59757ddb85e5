"""Per-sample genome metrics: counts by variant type, Ti/Tv, het/hom, missingness, GQ and DP.

Counts over non-reference calls come from the call table; missingness and mean GQ/DP need
the homozygous-reference genotypes too, which ingest counted while reading the file
(``manifest.json`` → ``stats``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from genopath.genome.store import StoredGenome

_TRANSITIONS = "('AG', 'GA', 'CT', 'TC')"


@dataclass(frozen=True)
class SampleMetrics:
    """Metrics of one genome.

    Attributes
    ----------
    sites
        Variant rows of the source file after splitting (every genotype, reference included).
    n_snv, n_mnv, n_insertion, n_deletion, n_complex
        Non-reference called genotypes by variant type.
    n_het, n_hom_alt, n_hemi
        Diploid heterozygous, diploid homozygous-ALT and haploid ALT genotypes.
    n_transitions, n_transversions, titv
        Over non-reference SNV genotypes (A↔G, C↔T are transitions); Ti/Tv their ratio.
    het_hom_ratio
        ``n_het / n_hom_alt``.
    missing, missingness
        No-call genotypes at variant sites, and their fraction of ``sites``.
    mean_gq, mean_dp
        Over called genotypes (reference included); ``None`` when the file has no GQ/DP.
    """

    sites: int
    n_snv: int
    n_mnv: int
    n_insertion: int
    n_deletion: int
    n_complex: int
    n_het: int
    n_hom_alt: int
    n_hemi: int
    n_transitions: int
    n_transversions: int
    titv: float | None
    het_hom_ratio: float | None
    missing: int
    missingness: float | None
    mean_gq: float | None
    mean_dp: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sample_metrics(genome: StoredGenome) -> SampleMetrics:
    """Compute :class:`SampleMetrics` of a stored genome."""
    sql = f"""
        SELECT
          count(*) FILTER (WHERE variant_type = 'snv') AS n_snv,
          count(*) FILTER (WHERE variant_type = 'mnv') AS n_mnv,
          count(*) FILTER (WHERE variant_type = 'insertion') AS n_insertion,
          count(*) FILTER (WHERE variant_type = 'deletion') AS n_deletion,
          count(*) FILTER (WHERE variant_type = 'complex') AS n_complex,
          count(*) FILTER (WHERE call_genotype_1 != -2 AND call_genotype_0 != call_genotype_1) AS n_het,
          count(*) FILTER (WHERE call_genotype_1 != -2 AND call_genotype_0 = call_genotype_1) AS n_hom_alt,
          count(*) FILTER (WHERE call_genotype_1 = -2) AS n_hemi,
          count(*) FILTER (WHERE variant_type = 'snv' AND variant_ref || variant_alt IN {_TRANSITIONS}) AS n_ts,
          count(*) FILTER (WHERE variant_type = 'snv' AND variant_ref || variant_alt NOT IN {_TRANSITIONS}) AS n_tv
        FROM read_parquet('{str(genome.calls_path).replace("'", "''")}')
        WHERE call_dosage >= 1
    """
    with duckdb.connect() as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    snv, mnv, ins, dele, cx, het, hom, hemi, ts, tv = (int(v) for v in row)
    stats = genome.manifest["stats"]
    sites, missing = int(stats["sites"]), int(stats["missing"])
    return SampleMetrics(
        sites=sites,
        n_snv=snv,
        n_mnv=mnv,
        n_insertion=ins,
        n_deletion=dele,
        n_complex=cx,
        n_het=het,
        n_hom_alt=hom,
        n_hemi=hemi,
        n_transitions=ts,
        n_transversions=tv,
        titv=ts / tv if tv else None,
        het_hom_ratio=het / hom if hom else None,
        missing=missing,
        missingness=missing / sites if sites else None,
        mean_gq=stats["gq_sum"] / stats["gq_n"] if stats["gq_n"] else None,
        mean_dp=stats["dp_sum"] / stats["dp_n"] if stats["dp_n"] else None,
    )
