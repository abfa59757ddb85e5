"""Gene and transcript tables: MANE, GENCODE genes, gnomAD constraint and the ACMG SF list."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from genopath.resources.builders.tables import BuildInput, read_delimited, sort_by_position, write_parquet
from genopath.resources.progress import Progress

#: Columns of ``mane/<version>/exons.parquet`` (as the mirror's derived TSV header).
EXON_COLUMNS = (
    "chrom", "exon_start0", "exon_end", "strand", "exon_number", "cds_start0", "cds_end",
    "gene_symbol", "hgnc_id", "ncbi_gene_id", "ensembl_gene", "ensembl_transcript",
    "refseq_transcript", "ensembl_protein", "refseq_protein", "mane_status", "ensembl_exon",
)  # fmt: skip
_TRANSCRIPT_KEYS = (
    "chrom", "strand", "gene_symbol", "hgnc_id", "ncbi_gene_id", "ensembl_gene", "ensembl_transcript",
    "refseq_transcript", "ensembl_protein", "refseq_protein", "mane_status",
)  # fmt: skip
#: Columns of ``mane/<version>/transcripts.parquet``.
TRANSCRIPT_COLUMNS = (
    "chrom", "tx_start0", "tx_end", "strand", "cds_start0", "cds_end", "gene_symbol", "hgnc_id",
    "ncbi_gene_id", "ensembl_gene", "ensembl_transcript", "refseq_transcript", "ensembl_protein",
    "refseq_protein", "mane_status", "exon_count",
)  # fmt: skip
_INT = pa.int64()


def build_mane(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``exons.parquet``, ``transcripts.parquet`` and ``summary.parquet``.

    ``exons.parquet`` has one row per exon of each MANE Select transcript, with the columns of
    the mirror's TSV (:data:`EXON_COLUMNS`): 0-based half-open ``exon_start0``/``exon_end``,
    ``cds_start0``/``cds_end`` the coding part of the exon including the stop codon (null for
    a wholly non-coding exon), identifiers versioned. Sorted by chrom (karyotype order),
    ``ensembl_transcript``, ``exon_start0``. ``transcripts.parquet`` has one row per
    transcript (:data:`TRANSCRIPT_COLUMNS`): span, CDS span (null if non-coding) and
    ``exon_count``. ``summary.parquet`` is the MANE summary (Select and Plus Clinical), see
    :func:`read_mane_summary`.
    """
    progress.begin("MANE exons")
    exons = read_delimited(
        source.get("_exons_cds.tsv.gz"),
        delimiter="\t",
        types={
            c: _INT
            for c in ("exon_start0", "exon_end", "exon_number", "cds_start0", "cds_end", "ncbi_gene_id")
        },
        null_values=["."],
    ).select(list(EXON_COLUMNS))
    exons = sort_by_position(exons, "chrom", "ensembl_transcript", "exon_start0")
    write_parquet(exons, out / "exons.parquet")
    write_parquet(_transcripts(exons), out / "transcripts.parquet")
    write_parquet(read_mane_summary(source.get("summary.txt.gz")), out / "summary.parquet")
    progress.end()


def _transcripts(exons: pa.Table) -> pa.Table:
    grouped = exons.group_by(list(_TRANSCRIPT_KEYS), use_threads=False).aggregate(
        [
            ("exon_start0", "min"),
            ("exon_end", "max"),
            ("cds_start0", "min"),
            ("cds_end", "max"),
            ("exon_number", "count"),
        ]
    )
    names = {
        "exon_start0_min": "tx_start0",
        "exon_end_max": "tx_end",
        "cds_start0_min": "cds_start0",
        "cds_end_max": "cds_end",
        "exon_number_count": "exon_count",
    }
    renamed = grouped.rename_columns([names.get(n, n) for n in grouped.column_names])
    renamed = renamed.select(list(TRANSCRIPT_COLUMNS))
    return sort_by_position(renamed, "chrom", "tx_start0", "ensembl_transcript")


def read_mane_summary(path: Path) -> pa.Table:
    """The MANE summary as a table.

    Columns: ``ncbi_gene_id`` (int, ``GeneID:`` dropped), ``ensembl_gene``, ``hgnc_id``,
    ``gene_symbol``, ``name``, ``refseq_transcript``, ``refseq_protein``,
    ``ensembl_transcript``, ``ensembl_protein``, ``mane_status`` (``MANE Select`` or
    ``MANE Plus Clinical``), ``chrom`` (``chr17``), ``tx_start0``, ``tx_end`` (0-based
    half-open; the summary's ``chr_start`` is 1-based), ``strand``.
    """
    raw = read_delimited(path, delimiter="\t", types={"chr_start": _INT, "chr_end": _INT})
    return pa.table(
        {
            "ncbi_gene_id": pc.cast(pc.replace_substring(raw["NCBI_GeneID"], "GeneID:", ""), _INT),
            "ensembl_gene": raw["Ensembl_Gene"],
            "hgnc_id": raw["HGNC_ID"],
            "gene_symbol": raw["symbol"],
            "name": raw["name"],
            "refseq_transcript": raw["RefSeq_nuc"],
            "refseq_protein": raw["RefSeq_prot"],
            "ensembl_transcript": raw["Ensembl_nuc"],
            "ensembl_protein": raw["Ensembl_prot"],
            "mane_status": raw["MANE_status"],
            "chrom": pa.array([_refseq_chrom(a) for a in raw["GRCh38_chr"].to_pylist()], pa.string()),
            "tx_start0": pc.subtract(raw["chr_start"], 1),
            "tx_end": raw["chr_end"],
            "strand": raw["chr_strand"],
        }
    )


def _refseq_chrom(accession: str) -> str:
    # NC_000001.11 … NC_000022.11 are chr1 … chr22, NC_000023 chrX, NC_000024 chrY, NC_012920 chrM.
    if accession.startswith("NC_012920"):
        return "chrM"
    number = int(accession.split("_")[1].split(".")[0])
    return {23: "chrX", 24: "chrY"}.get(number, f"chr{number}")


def build_gencode(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``genes.parquet``: one row per GENCODE gene.

    Columns: ``chrom``, ``start0``, ``end`` (0-based half-open), ``gene_name``, ``gene_id``
    (versioned, ``ENSG….N``), ``gene_id_unversioned``, ``strand``, ``gene_type`` (GENCODE
    biotype). Sorted by chrom (karyotype order), start0, gene_id.
    """
    progress.begin("GENCODE genes")
    raw = read_delimited(source.get("genes.tsv.gz"), delimiter="\t", types={"start": _INT, "end": _INT})
    genes = pa.table(
        {
            "chrom": raw["contig"],
            "start0": raw["start"],
            "end": raw["end"],
            "gene_name": raw["gene_name"],
            "gene_id": raw["gene_id"],
            "gene_id_unversioned": pc.replace_substring_regex(raw["gene_id"], r"\.\d+$", ""),
            "strand": raw["strand"],
            "gene_type": raw["gene_type"],
        }
    )
    write_parquet(sort_by_position(genes, "chrom", "start0", "gene_id"), out / "genes.parquet")
    progress.end()


def build_constraint(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``genes.parquet``: gnomAD v4.1 constraint of each MANE Select gene.

    Columns: ``ensembl_gene``, ``ensembl_transcript`` (unversioned), ``gene_symbol``,
    ``hgnc_id`` (joined from the MANE summary's MANE Select row of the gene; null when MANE
    v1.5 lacks it), ``pli`` (pLI), ``loeuf`` (upper bound of the LoF o/e 90 % CI),
    ``oe_lof``, ``oe_lof_lower``, ``oe_mis`` (missense o/e), ``mis_z`` (missense z-score).
    Sorted by gene_symbol, ensembl_gene.

    References
    ----------
    Karczewski KJ et al. Nature 2020;581:434-443 (the metrics); gnomAD v4.1 release.
    """
    progress.begin("gnomAD constraint")
    floats = ("Gnomad_oe_lof_score", "Gnomad_oe_ci_lower", "Gnomad_oe_ci_upper", "Gnomad_pLI_score")
    raw = read_delimited(
        source.get("constraint_mane_select.csv.gz"),
        delimiter=",",
        types={c: pa.float64() for c in (*floats, "Gnomad_oe_mis_score", "Gnomad_mis_z_score")},
        null_values=["", "NA", "NaN", "nan"],
    )
    summary = read_mane_summary(source.get("summary.txt.gz"))
    select = summary.filter(pc.equal(summary["mane_status"], "MANE Select"))
    by_gene = {
        g.split(".")[0]: (s, h)
        for g, s, h in zip(
            select["ensembl_gene"].to_pylist(),
            select["gene_symbol"].to_pylist(),
            select["hgnc_id"].to_pylist(),
            strict=True,
        )
    }
    genes = raw["Ensembl_gene_id"].to_pylist()
    table = pa.table(
        {
            "ensembl_gene": raw["Ensembl_gene_id"],
            "ensembl_transcript": raw["Ensembl_transcript_id"],
            "gene_symbol": pa.array([by_gene.get(g, (None, None))[0] for g in genes], pa.string()),
            "hgnc_id": pa.array([by_gene.get(g, (None, None))[1] for g in genes], pa.string()),
            "pli": raw["Gnomad_pLI_score"],
            "loeuf": raw["Gnomad_oe_ci_upper"],
            "oe_lof": raw["Gnomad_oe_lof_score"],
            "oe_lof_lower": raw["Gnomad_oe_ci_lower"],
            "oe_mis": raw["Gnomad_oe_mis_score"],
            "mis_z": raw["Gnomad_mis_z_score"],
        }
    )
    order = pc.sort_indices(table, sort_keys=[("gene_symbol", "ascending"), ("ensembl_gene", "ascending")])
    write_parquet(table.take(order), out / "genes.parquet")
    progress.end()


#: Columns of ``acmg_sf/<version>/genes.parquet`` (the source TSV's, in order).
ACMG_COLUMNS = (
    "hgnc_id", "ensembl_gene_id", "ncbi_gene_id", "gene_symbol", "mim_gene_id", "disease_phenotype",
    "disorder_mim", "phenotype_category", "inheritance", "sf_list_version", "variants_to_report",
)  # fmt: skip


def build_acmg_sf(source: BuildInput, out: Path, progress: Progress) -> None:
    """Write ``genes.parquet``: the ACMG SF list, one row per gene–phenotype pair, columns as in
    the source TSV (:data:`ACMG_COLUMNS`); ``ncbi_gene_id`` int64, everything else strings
    (``sf_list_version`` such as ``"3.0"`` stays a string).

    References
    ----------
    Lee K et al. ACMG SF v3.3 list for reporting of secondary findings. Genet Med 2025.
    """
    progress.begin("ACMG SF list")
    table = read_delimited(source.get(".tsv"), delimiter="\t", types={"ncbi_gene_id": _INT})
    write_parquet(table.select(list(ACMG_COLUMNS)), out / "genes.parquet")
    progress.end()
