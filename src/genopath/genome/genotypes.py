"""Joint genotypes of a family's members over the union of their variant sites.

Each member's call table stores only non-reference and no-call genotypes, so a site another
member carries is reference for this member when absent from their table — unless the genome
has gVCF callable intervals and the site lies outside them, in which case it is missing.
Calls below ``min_gq`` count as missing. Only autosomes are assembled: kinship and Mendelian
checks are defined on diploid, sex-independent chromosomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np

from genopath.genome.calls import AUTOSOMES
from genopath.genome.store import StoredGenome


@dataclass(frozen=True)
class JointGenotypes:
    """Alt-allele dosages of several genomes at the same sites.

    Attributes
    ----------
    barcodes
        Column order of ``dosage``.
    dosage
        int8 array (sites × members): 0, 1, 2 ALT alleles, -1 missing or below the GQ floor.
    snv
        bool per site: REF and ALT are single bases.
    """

    barcodes: tuple[str, ...]
    dosage: np.ndarray
    snv: np.ndarray

    def column(self, barcode: str) -> np.ndarray:
        return self.dosage[:, self.barcodes.index(barcode)]


def _quote(path: object) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def joint_genotypes(genomes: Sequence[StoredGenome], *, min_gq: int) -> JointGenotypes:
    """Assemble the autosomal dosages of ``genomes`` over the union of their sites."""
    autosomes = ", ".join(f"'{c}'" for c in AUTOSOMES)
    parts, joins, columns = [], [], []
    for i, genome in enumerate(genomes):
        parts.append(
            f"m{i} AS (SELECT variant_chrom c, variant_position p, variant_ref r, variant_alt a, "
            f"min(CASE WHEN call_dosage IS NULL OR coalesce(call_GQ, {min_gq}) < {min_gq} THEN -1 "
            f"ELSE call_dosage END) d FROM read_parquet({_quote(genome.calls_path)}) "
            f"WHERE variant_chrom IN ({autosomes}) GROUP BY ALL)"
        )
        joins.append(f"LEFT JOIN m{i} USING (c, p, r, a)")
        callable_path = genome.callable_path
        absent = "0"
        if callable_path is not None:
            absent = (
                f"CASE WHEN EXISTS (SELECT 1 FROM read_parquet({_quote(callable_path)}) iv WHERE "
                "iv.interval_chrom = u.c AND u.p BETWEEN iv.interval_start AND iv.interval_end) THEN 0 ELSE -1 END"
            )
        columns.append(f"coalesce(m{i}.d, {absent})::TINYINT AS d{i}")
    union = " UNION ".join(f"SELECT c, p, r, a FROM m{i}" for i in range(len(genomes)))
    sql = (
        f"WITH {', '.join(parts)}, u AS ({union}) "
        f"SELECT (length(u.r) = 1 AND length(u.a) = 1) AS snv, {', '.join(columns)} FROM u {' '.join(joins)}"
    )
    with duckdb.connect() as con:
        table = con.sql(sql).to_arrow_table()
    assert table is not None
    dosage = (
        np.column_stack(
            [table.column(f"d{i}").to_numpy(zero_copy_only=False) for i in range(len(genomes))]
        ).astype(np.int8)
        if table.num_rows
        else np.zeros((0, len(genomes)), dtype=np.int8)
    )
    snv = table.column("snv").to_numpy(zero_copy_only=False).astype(bool)
    return JointGenotypes(tuple(g.barcode for g in genomes), dosage, snv)
