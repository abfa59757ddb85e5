"""Annotate a VCF: one row per distinct variant, with consequences, ClinVar, frequencies, constraint.

The pipeline reads each record with cyvcf2 (htslib), splits ALT alleles, checks REF against the
reference FASTA when one is configured (a mismatch is flagged per variant and counted, never
fatal), left-normalises indels, then either reads the consequence a pre-annotated file carries
(VEP ``CSQ``, SnpEff ``ANN``, bcftools ``BCSQ``) or computes it on the MANE Select transcripts.
Outputs are written to a temporary file and moved into place, stamped with the genopath version
and the version of every resource used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import genopath
from genopath.annotation import so
from genopath.annotation.consequence import Annotator, Change, Result, shift
from genopath.annotation.knowledge import Clinvar, ClinvarRecord, Key
from genopath.annotation.model import TranscriptConsequence, choose
from genopath.annotation.reference import Reference, canonical_chrom
from genopath.annotation.transcripts import Transcript, TranscriptIndex
from genopath.core.errors import GenopathError, InputError
from genopath.resources.contigs import chrom_sort_key, vcf_build

#: Variant-level values read from pre-annotated files, by output column.
FREQUENCY_FIELDS = {
    "max_af": ("MAX_AF",),
    "gnomade_af": ("gnomADe_AF", "gnomAD_AF"),
    "gnomadg_af": ("gnomADg_AF",),
    "gnomadg_eas_af": ("gnomADg_EAS_AF", "gnomAD_EAS_AF"),
}


@dataclass
class Sources:
    """Everything annotation reads, with the versions to stamp on its outputs."""

    transcripts: TranscriptIndex
    reference: Reference | None = None
    clinvar: Clinvar | None = None
    constraint: dict[str, tuple[float | None, float | None]] | None = None
    gene_diseases: dict[str, list[str]] | None = None
    cohort: dict[Key, tuple[int, int]] | None = None
    versions: dict[str, str] = field(default_factory=dict)


@dataclass
class Summary:
    """What an annotation run saw and did."""

    records: int = 0
    alleles: int = 0
    variants: int = 0
    skipped_symbolic: int = 0
    ref_mismatch: int = 0
    without_sequence: int = 0
    source: str = "genopath"
    impacts: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "alleles": self.alleles,
            "variants": self.variants,
            "skipped_symbolic": self.skipped_symbolic,
            "ref_mismatch": self.ref_mismatch,
            "without_sequence": self.without_sequence,
            "annotation_source": self.source,
            "impacts": dict(self.impacts),
        }


def variant_id(chrom: str, pos: int, ref: str, alt: str) -> int:
    """A compact signed 64-bit ID of a variant key, for joins (never shown to users)."""
    digest = hashlib.blake2b(f"{chrom}:{pos}:{ref}:{alt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# ---------------------------------------------------------------------------------------------
# reading


@dataclass(slots=True)
class Site:
    """One distinct ALT allele, normalised."""

    chrom: str
    pos: int
    ref: str
    alt: str
    change: Change
    ref_mismatch: bool = False
    af_input: float | None = None
    annotations: list[TranscriptConsequence] | None = None


_CONTIG = re.compile(r"^##contig=<.*?ID=([^,>]+).*?length=(\d+)", re.MULTILINE)


def header_contigs(header: str) -> dict[str, int]:
    """Contig lengths declared in a VCF header."""
    return {m[1]: int(m[2]) for m in _CONTIG.finditer(header)}


def _refuse_build(header: str, contigs: dict[str, int], path: Path) -> None:
    vcf_build(contigs, header.splitlines(), str(path))


def normalise(
    reference: Reference | None, chrom: str, pos: int, ref: str, alt: str
) -> tuple[Key, Change, bool]:
    """The variant key (left-normalised when sequence is available), its change and REF check."""
    mismatch = False
    if reference is not None:
        seq = reference.fetch(chrom, pos - 1, pos - 1 + len(ref))
        if seq is not None and seq != ref.upper():
            mismatch = True
    change = Change.from_vcf(pos, ref, alt)
    if reference is not None and not mismatch and not (change.dele and change.ins):
        change = shift(reference, chrom, change, -1)
        anchor = reference.fetch(chrom, change.start - 2, change.start - 1)
        if anchor is not None:
            return (chrom, change.start - 1, anchor + change.dele, anchor + change.ins), change, mismatch
    # without sequence: the trimmed alleles, keeping one anchor base for indels
    r, a = ref.upper(), alt.upper()
    while len(r) > 1 and len(a) > 1 and r[-1] == a[-1]:
        r, a = r[:-1], a[:-1]
    p = pos
    while len(r) > 1 and len(a) > 1 and r[0] == a[0]:
        r, a, p = r[1:], a[1:], p + 1
    return (chrom, p, r, a), change, mismatch


def read_sites(
    path: Path,
    reference: Reference | None,
    mane_transcripts: Sequence[str] = (),
    use_file_annotation: bool = True,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[Key, Site], Summary, str]:
    """Distinct normalised ALT alleles of a VCF, with any annotation it carries."""
    from cyvcf2 import VCF

    from genopath.annotation import readers

    path = Path(path)
    if not path.exists():
        raise InputError(f"VCF {path} does not exist")
    try:
        vcf = VCF(str(path), lazy=True, threads=1)
    except Exception as e:  # cyvcf2 raises bare Exception for a bad header
        raise InputError(f"cannot read {path} as a VCF ({e}); is it a complete, uncorrupted VCF?") from e
    header = vcf.raw_header
    contigs = header_contigs(header)
    _refuse_build(header, contigs, path)
    reader = None
    summary = Summary()
    if use_file_annotation and readers.detect(header):
        reader = readers.AnnotationReader.from_header(header, mane_transcripts=mane_transcripts)
        summary.source = reader.source
        info_key = {"vep": "CSQ", "snpeff": "ANN", "bcftools": "BCSQ"}[reader.source]
    sites: dict[Key, Site] = {}
    try:
        for rec in vcf:
            summary.records += 1
            if progress is not None and summary.records % 20000 == 0:
                progress(20000)
            chrom = canonical_chrom(rec.CHROM)
            alts: list[str] = rec.ALT
            per_alt: list[list[TranscriptConsequence]] | None = None
            if reader is not None:
                raw = rec.INFO.get(info_key)
                if raw:
                    per_alt = reader.parse(str(raw), rec.REF, alts, where=f"{rec.CHROM}:{rec.POS}")
            afs = rec.INFO.get("AF")
            for i, alt in enumerate(alts):
                summary.alleles += 1
                if not alt or alt[0] in "<*." or "[" in alt or "]" in alt:
                    summary.skipped_symbolic += 1
                    continue
                key, change, mismatch = normalise(reference, chrom, rec.POS, rec.REF, alt)
                if key in sites:
                    continue
                af: float | None = None
                if afs is not None:
                    try:
                        af = float(afs[i] if isinstance(afs, tuple | list) else afs)
                    except (TypeError, ValueError, IndexError):
                        af = None
                site = Site(key[0], key[1], key[2], key[3], change, mismatch, af)
                if per_alt is not None:
                    site.annotations = per_alt[i]
                sites[key] = site
    except GenopathError:
        raise
    except Exception as e:  # htslib read errors surface as bare exceptions
        raise InputError(f"{path} is truncated or corrupt after {summary.records} records: {e}") from e
    finally:
        vcf.close()
    if progress is not None:
        progress(summary.records % 20000)
    summary.variants = len(sites)
    return sites, summary, header


# ---------------------------------------------------------------------------------------------
# annotating


def _choose_results(results: list[Result]) -> Result | None:
    if not results:
        return None
    return min(
        results,
        key=lambda r: (so.rank(r.consequences[0]), r.distance or 0, r.transcript.transcript_id),
    )


def _float(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return max(float(v) for v in value.replace("&", ",").split(",") if v not in ("", "."))
    except ValueError:
        return None


COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("chrom", pa.string()),
    ("pos", pa.int64()),
    ("ref", pa.string()),
    ("alt", pa.string()),
    ("variant_id", pa.int64()),
    ("gene_symbol", pa.string()),
    ("hgnc_id", pa.string()),
    ("gene_id", pa.string()),
    ("transcript", pa.string()),
    ("refseq_transcript", pa.string()),
    ("mane_select", pa.bool_()),
    ("consequence", pa.string()),
    ("most_severe", pa.string()),
    ("impact", pa.string()),
    ("hgvs_c", pa.string()),
    ("hgvs_p", pa.string()),
    ("exon", pa.string()),
    ("intron", pa.string()),
    ("protein_position", pa.int64()),
    ("aa_ref", pa.string()),
    ("aa_alt", pa.string()),
    ("other_genes", pa.list_(pa.string())),
    ("annotation_source", pa.string()),
    ("sequence_available", pa.bool_()),
    ("ref_mismatch", pa.bool_()),
    ("af_input", pa.float64()),
    ("max_af", pa.float64()),
    ("gnomade_af", pa.float64()),
    ("gnomadg_af", pa.float64()),
    ("gnomadg_eas_af", pa.float64()),
    ("local_ac", pa.int64()),
    ("local_an", pa.int64()),
    ("local_af", pa.float64()),
    ("clinvar_id", pa.int64()),
    ("clinvar_significance", pa.string()),
    ("clinvar_class", pa.string()),
    ("clinvar_stars", pa.int64()),
    ("clinvar_conditions", pa.string()),
    ("clinvar_release", pa.string()),
    ("clinvar_same_aa", pa.list_(pa.string())),
    ("clinvar_same_codon", pa.list_(pa.string())),
    ("pli", pa.float64()),
    ("loeuf", pa.float64()),
    ("diseases", pa.list_(pa.string())),
    ("revel", pa.float64()),
    ("spliceai_max", pa.float64()),
    ("cadd_phred", pa.float64()),
)
SCHEMA = pa.schema([pa.field(n, t) for n, t in COLUMNS])


class VariantAnnotator:
    """Annotates normalised sites with consequences and joined knowledge."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.annotator = Annotator(sources.reference)
        #: (transcript ID, ClinVar record key) → (altered residue if missense, codon, HGVS p.)
        self._clinvar_aa: dict[tuple[str, Key], tuple[str, int | None, str | None]] = {}

    def consequences(self, site: Site) -> list[Result]:
        change = site.change
        lo = change.start - 1 if change.is_insertion else change.start
        hi = change.start if change.is_insertion else change.end
        out = []
        for tx in self.sources.transcripts.near(site.chrom, lo, hi):
            r = self.annotator.consequence(tx, site.chrom, change)
            if r is not None:
                if site.ref_mismatch:
                    r.sequence_available = False
                out.append(r)
        return out

    def _residue_matches(self, site: Site, tx: Transcript, res: Result) -> tuple[list[str], list[str]]:
        """ClinVar P/LP variants at the same codon: same amino-acid change (PS1), other (PM5)."""
        clinvar = self.sources.clinvar
        if (
            clinvar is None
            or res.codon_index is None
            or res.aa_alt is None
            or "missense_variant" not in res.terms
        ):
            return [], []
        first = tx.cds_cdna_start + 3 * res.codon_index
        positions = {tx.genomic(first + k) for k in range(3)}
        same_aa: list[str] = []
        same_codon: list[str] = []
        for p in sorted(positions):
            for ref, alt, rec in clinvar.pathogenic_at.get((site.chrom, p), ()):
                key = (site.chrom, p, ref, alt)
                if key == (site.chrom, site.pos, site.ref, site.alt):
                    continue
                aa = self._clinvar_aa.get((tx.transcript_id, key))
                if aa is None:
                    other = self.annotator.consequence(tx, site.chrom, Change.from_vcf(p, ref, alt))
                    aa = (
                        (("missense_variant" in other.terms and other.aa_alt) or "")
                        if other is not None
                        else "",
                        other.codon_index if other is not None else None,
                        other.hgvs_p if other is not None else None,
                    )
                    self._clinvar_aa[tx.transcript_id, key] = aa
                aa_alt, codon, hgvs_p = aa
                if not aa_alt or codon != res.codon_index:
                    continue
                label = f"{p}:{ref}:{alt}|{hgvs_p}|{rec.significance}|{rec.variation_id}"
                (same_aa if aa_alt == res.aa_alt else same_codon).append(label)
        return same_aa, same_codon

    def _file_residue_matches(self, site: Site) -> tuple[list[str], list[str]]:
        """PS1/PM5 matches of a variant annotated by another tool as missense.

        The residue is taken from genopath's own consequence on the MANE transcript (the one the
        ClinVar records are placed on), so it needs the reference FASTA; without it, or when the
        variant is not missense there, there are no matches.
        """
        clinvar = self.sources.clinvar
        if (
            clinvar is None
            or not clinvar.pathogenic_at
            or not any("missense_variant" in c.consequences for c in site.annotations or ())
        ):
            return [], []
        own = _choose_results(self.consequences(site))
        if own is None:
            return [], []
        return self._residue_matches(site, own.transcript, own)

    def row(self, site: Site) -> dict[str, Any]:
        src = self.sources
        row: dict[str, Any] = {
            "chrom": site.chrom,
            "pos": site.pos,
            "ref": site.ref,
            "alt": site.alt,
            "variant_id": variant_id(site.chrom, site.pos, site.ref, site.alt),
            "ref_mismatch": site.ref_mismatch,
            "af_input": site.af_input,
            "other_genes": [],
            "clinvar_same_aa": [],
            "clinvar_same_codon": [],
            "diseases": [],
        }
        gene: str | None = None
        if site.annotations is not None:
            tc = choose(site.annotations)
            row["annotation_source"] = tc.source if tc else "file"
            row["sequence_available"] = True
            if tc is not None:
                gene = tc.gene_symbol
                row.update(
                    gene_symbol=tc.gene_symbol,
                    gene_id=tc.gene_id,
                    transcript=tc.transcript,
                    mane_select=tc.mane_select,
                    consequence="&".join(tc.consequences),
                    most_severe=tc.most_severe,
                    impact=tc.impact,
                    hgvs_c=tc.hgvs_c,
                    hgvs_p=tc.hgvs_p,
                    exon=tc.exon,
                    intron=tc.intron,
                    protein_position=tc.protein_position,
                )
                row["other_genes"] = sorted(
                    {c.gene_symbol for c in site.annotations if c.gene_symbol and c.gene_symbol != gene}
                )
                extras = tc.extras
                for column, names in FREQUENCY_FIELDS.items():
                    row[column] = next((_float(extras.get(n)) for n in names if extras.get(n)), None)
                row["revel"] = _float(extras.get("REVEL"))
                row["cadd_phred"] = _float(extras.get("CADD_PHRED"))
                spliceai = [_float(v) for k, v in extras.items() if k.startswith("SpliceAI_pred_DS")]
                row["spliceai_max"] = max((v for v in spliceai if v is not None), default=None)
                row["clinvar_same_aa"], row["clinvar_same_codon"] = self._file_residue_matches(site)
            else:
                row.update(
                    consequence="intergenic_variant", most_severe="intergenic_variant", impact="MODIFIER"
                )
        else:
            results = self.consequences(site)
            best = _choose_results(results)
            row["annotation_source"] = "genopath"
            if best is None:
                row.update(
                    consequence="intergenic_variant",
                    most_severe="intergenic_variant",
                    impact="MODIFIER",
                    sequence_available=True,
                )
            else:
                tx = best.transcript
                gene = tx.gene_symbol
                terms = best.consequences
                row.update(
                    gene_symbol=tx.gene_symbol,
                    hgnc_id=tx.hgnc_id,
                    gene_id=tx.gene_id,
                    transcript=tx.transcript_id,
                    refseq_transcript=tx.refseq_transcript,
                    mane_select=tx.mane_status == "MANE Select",
                    consequence="&".join(terms),
                    most_severe=terms[0],
                    impact=so.impact_of(terms),
                    hgvs_c=best.hgvs_c,
                    hgvs_p=best.hgvs_p,
                    exon=best.exon,
                    intron=best.intron,
                    protein_position=best.protein_position,
                    aa_ref=best.aa_ref,
                    aa_alt=best.aa_alt,
                    sequence_available=best.sequence_available,
                )
                row["other_genes"] = sorted(
                    {
                        r.transcript.gene_symbol
                        for r in results
                        if r is not best and r.distance is None and r.transcript.gene_symbol != gene
                    }
                )
                same_aa, same_codon = self._residue_matches(site, tx, best)
                row["clinvar_same_aa"], row["clinvar_same_codon"] = same_aa, same_codon
        # knowledge joins
        key = (site.chrom, site.pos, site.ref, site.alt)
        if src.clinvar is not None:
            rec: ClinvarRecord | None = src.clinvar.exact.get(key)
            if rec is not None:
                row.update(
                    clinvar_id=rec.variation_id,
                    clinvar_significance=rec.significance,
                    clinvar_class=rec.sig_class,
                    clinvar_stars=rec.stars,
                    clinvar_conditions=rec.conditions,
                    clinvar_release=rec.release,
                )
        if src.cohort is not None:
            counts = src.cohort.get(key)
            if counts is not None:
                ac, an = counts
                row.update(local_ac=ac, local_an=an, local_af=(ac / an if an else None))
        if gene:
            if src.constraint is not None:
                pli, loeuf = src.constraint.get(gene, (None, None))
                row.update(pli=pli, loeuf=loeuf)
            if src.gene_diseases is not None:
                row["diseases"] = src.gene_diseases.get(gene, [])
        return row


def annotate_sites(
    sites: dict[Key, Site], sources: Sources, progress: Callable[[int], None] | None = None
) -> tuple[pa.Table, Summary]:
    """Annotate distinct sites, sorted by position, as a table with :data:`SCHEMA`."""
    annotator = VariantAnnotator(sources)
    columns: dict[str, list[Any]] = {name: [] for name, _ in COLUMNS}
    summary = Summary()
    order = sorted(sites, key=lambda k: (chrom_sort_key(k[0]), k[1], k[2], k[3]))
    for n, key in enumerate(order, 1):
        row = annotator.row(sites[key])
        for name in columns:
            columns[name].append(row.get(name))
        summary.impacts[row.get("impact") or "MODIFIER"] += 1
        summary.ref_mismatch += bool(row["ref_mismatch"])
        summary.without_sequence += row.get("sequence_available") is False
        if progress is not None and n % 20000 == 0:
            progress(20000)
    if progress is not None:
        progress(len(order) % 20000)
    summary.variants = len(order)
    return pa.Table.from_pydict(columns, schema=SCHEMA), summary


# ---------------------------------------------------------------------------------------------
# writing


def provenance(sources: Sources, input_path: Path, summary: Summary) -> dict[str, Any]:
    return {
        "genopath_version": genopath.__version__,
        "resources": dict(sorted(sources.versions.items())),
        "input": str(input_path),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "summary": summary.as_dict(),
    }


@contextmanager
def _atomic_target(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out``, moved onto ``out`` only when the block succeeds."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(table: pa.Table, out: Path, meta: dict[str, Any]) -> None:
    """Write the annotation table with its provenance as the file's ``genopath`` key-value
    metadata (see :func:`write_parquet_chunks`)."""
    write_parquet_chunks(table.schema, [table], out, meta)


def write_parquet_chunks(
    schema: pa.Schema, tables: Iterable[pa.Table], out: Path, meta: dict[str, Any]
) -> None:
    """Write tables of ``schema`` one after another (a row group or more each) into one Parquet
    file with the provenance in its key-value metadata (``genopath``, read back as the schema
    metadata by :func:`read_provenance`).

    The Arrow schema is not stored in the file: it reads back with the Parquet types, so a
    dictionary column (``schema`` may have them for columns of few values) reads as plain
    strings. A second thread writes each table while the iterable builds the next (Arrow's
    writer releases the GIL); nothing is left at ``out`` unless every table is written.
    """
    names = set(schema.names)
    with _atomic_target(out) as tmp, ThreadPoolExecutor(1, thread_name_prefix="genopath-parquet") as pool:
        writer = pq.ParquetWriter(
            tmp,
            schema,
            store_schema=False,
            compression="zstd",
            # dictionaries where values repeat; min/max statistics where readers prune by them
            # (both cost time on the near-unique HGVS and ID columns, for no gain)
            use_dictionary=[name for name in _DICTIONARY_COLUMNS if name in names],
            write_statistics=[name for name in _STATISTICS_COLUMNS if name in names],
        )
        pending: Future[None] | None = None
        try:
            for table in tables:
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, table)
            if pending is not None:
                pending.result()
            writer.add_key_value_metadata({"genopath": json.dumps(meta)})
        except BaseException:
            if pending is not None:
                wait([pending])  # the table in hand is written (or failed) before the file closes
            with suppress(Exception):  # the first error is the one to report
                writer.close()
            raise
        writer.close()


_DICTIONARY_COLUMNS = (
    "chrom", "gene_symbol", "hgnc_id", "gene_id", "transcript", "refseq_transcript", "consequence",
    "most_severe", "impact", "exon", "intron", "annotation_source", "clinvar_significance",
    "clinvar_class", "clinvar_conditions", "clinvar_release",
)  # fmt: skip
_STATISTICS_COLUMNS = ("chrom", "pos", "variant_id", "gene_symbol", "impact")


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance stamped on an annotation Parquet file."""
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"genopath")
    return json.loads(raw) if raw else {}


CSQ_FIELDS = (
    "Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature", "HGVSc", "HGVSp", "EXON", "INTRON",
    "Protein_position", "MANE_SELECT", "HGNC_ID", "CLIN_SIG", "ClinVar_ID", "ClinVar_stars", "pLI", "LOEUF",
    "MAX_AF", "gnomADg_EAS_AF", "REF_MISMATCH",
)  # fmt: skip


def _csq_value(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return (
        text.replace("|", "/").replace(",", "%2C").replace(";", "%3B").replace("=", "%3D").replace(" ", "_")
    )


def write_vcf(
    input_path: Path, table: pa.Table, out: Path, meta: dict[str, Any], reference: Reference | None
) -> None:
    """Copy the input VCF with a VEP-style ``CSQ`` INFO field holding genopath's annotation."""
    from cyvcf2 import VCF, Writer

    rows = {
        (r["chrom"], r["pos"], r["ref"], r["alt"]): r
        for r in table.select(
            ["chrom", "pos", "ref", "alt", "consequence", "impact", "gene_symbol", "gene_id", "transcript",
             "hgvs_c", "hgvs_p", "exon", "intron", "protein_position", "mane_select", "hgnc_id",
             "clinvar_significance", "clinvar_id", "clinvar_stars", "pli", "loeuf", "max_af", "gnomadg_eas_af",
             "ref_mismatch"]
        ).to_pylist()
    }  # fmt: skip
    vcf = VCF(str(input_path))
    # a file that already carries VEP's CSQ keeps it; genopath's own goes in GENOPATH_CSQ then
    tag = "GENOPATH_CSQ" if re.search(r"^##INFO=<ID=CSQ,", vcf.raw_header, re.MULTILINE) else "CSQ"
    with _atomic_target(out) as tmp:
        vcf.add_info_to_header(
            {
                "ID": tag,
                "Number": ".",
                "Type": "String",
                "Description": "Consequence annotations from genopath "
                f"{meta['genopath_version']} ({', '.join(f'{k} {v}' for k, v in meta['resources'].items())}). "
                f"Format: {'|'.join(CSQ_FIELDS)}",
            }
        )
        mode = "wz" if out.suffix == ".gz" else "w"
        writer = Writer(str(tmp), vcf, mode=mode)
        for rec in vcf:
            chrom = canonical_chrom(rec.CHROM)
            entries = []
            for alt in rec.ALT:
                if not alt or alt[0] in "<*." or "[" in alt or "]" in alt:
                    continue
                key, _, _ = normalise(reference, chrom, rec.POS, rec.REF, alt)
                r = rows.get(key)
                if r is None:
                    continue
                values = [
                    alt, r["consequence"], r["impact"], r["gene_symbol"], r["gene_id"], r["transcript"],
                    f"{r['transcript']}:{r['hgvs_c']}" if r["hgvs_c"] else None, r["hgvs_p"], r["exon"],
                    r["intron"], r["protein_position"], "YES" if r["mane_select"] else None, r["hgnc_id"],
                    r["clinvar_significance"], r["clinvar_id"], r["clinvar_stars"], r["pli"], r["loeuf"],
                    r["max_af"], r["gnomadg_eas_af"], "YES" if r["ref_mismatch"] else None,
                ]  # fmt: skip
                entries.append("|".join(_csq_value(v) for v in values))
            if entries:
                rec.INFO[tag] = ",".join(entries)
            writer.write_record(rec)
        writer.close()
    vcf.close()
