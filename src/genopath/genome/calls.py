"""The per-sample call tables of an ingested genome, declared once (sgkit-style names).

Every column is declared here with its Arrow type and meaning; readers, writers, QC and the
docs use these declarations. Names follow ``<entity>_<thing>``: ``variant_*`` describe the
site (after multi-allelic splitting, so every row has exactly one ALT), ``call_*`` the
sample's genotype there, ``interval_*`` a callable reference block of a gVCF.

Genotype allele codes follow sgkit: ``0`` reference, ``1`` the row's ALT, ``-1`` missing
(``.``), ``-2`` fill (the absent second allele of a haploid call such as a male chrX ``1``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    """One declared column: name, Arrow type and what it means."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = False


CALL_COLUMNS: tuple[Column, ...] = (
    Column("variant_chrom", pa.string(), "GRCh38 chromosome, chr-prefixed (chr1 … chr22, chrX, chrY, chrM)"),
    Column(
        "variant_position", pa.int64(), "1-based position of the first REF base, after left-normalisation"
    ),
    Column("variant_ref", pa.string(), "reference allele"),
    Column(
        "variant_alt", pa.string(), "the one alternate allele of the row (multi-allelic records are split)"
    ),
    Column("variant_type", pa.string(), "snv, mnv, insertion, deletion or complex (from REF/ALT lengths)"),
    Column("variant_filter", pa.string(), "VCF FILTER (PASS, a ';'-separated list, or '.' when not given)"),
    Column("call_genotype_0", pa.int8(), "first allele of GT: 0 ref, 1 alt, -1 missing"),
    Column("call_genotype_1", pa.int8(), "second allele of GT: 0, 1, -1 missing, -2 fill for haploid calls"),
    Column("call_genotype_phased", pa.bool_(), "GT written with '|'"),
    Column("call_dosage", pa.int8(), "number of ALT alleles (0-2); null when any allele is missing", True),
    Column("call_GQ", pa.int32(), "FORMAT/GQ genotype quality; null when absent", True),
    Column("call_DP", pa.int32(), "FORMAT/DP read depth; null when absent", True),
    Column("call_AD_ref", pa.int32(), "FORMAT/AD depth of the REF allele; null when absent", True),
    Column("call_AD_alt", pa.int32(), "FORMAT/AD depth of the row's ALT allele; null when absent", True),
)

INTERVAL_COLUMNS: tuple[Column, ...] = (
    Column("interval_chrom", pa.string(), "GRCh38 chromosome of a gVCF reference block"),
    Column("interval_start", pa.int64(), "first position of the block (1-based, inclusive)"),
    Column("interval_end", pa.int64(), "last position of the block (INFO/END, inclusive)"),
    Column(
        "call_GQ", pa.int32(), "FORMAT/GQ of the block (GATK: the minimum over it); null when absent", True
    ),
    Column("call_DP", pa.int32(), "FORMAT/DP (or MIN_DP) of the block; null when absent", True),
)


def _schema(columns: tuple[Column, ...]) -> pa.Schema:
    return pa.schema(
        [
            pa.field(c.name, c.type, nullable=c.nullable, metadata={"description": c.description})
            for c in columns
        ]
    )


#: Schema of ``calls.parquet``: one row per non-reference or no-call genotype of the sample
#: at a variant site. Homozygous-reference genotypes are not stored: a site absent from the
#: table is reference, unless the genome has callable intervals and the site lies outside them.
CALLS_SCHEMA = _schema(CALL_COLUMNS)

#: Schema of ``callable.parquet``: gVCF reference blocks where the sample was called reference.
INTERVALS_SCHEMA = _schema(INTERVAL_COLUMNS)

#: GRCh38 pseudo-autosomal regions (1-based, inclusive), from the GRC assembly definition.
PAR_REGIONS: dict[str, tuple[tuple[int, int], ...]] = {
    "chrX": ((10_001, 2_781_479), (155_701_383, 156_030_895)),
    "chrY": ((10_001, 2_781_479), (56_887_903, 57_217_415)),
}

#: Autosomes in karyotype order.
AUTOSOMES: tuple[str, ...] = tuple(f"chr{i}" for i in range(1, 23))
