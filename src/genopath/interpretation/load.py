"""Load a family's VCF into the candidate table and the filter trace (DESIGN §6, stages 1–4).

:func:`load_family` reads a joint-called family VCF once, genome-wide, and keeps the variants an
affected sequenced member carries that pass quality, consequence and the loosest frequency bound.
Every removed variant that an affected member carries gets one trace row with the first stage
that removed it and a concrete reason; variants no affected member carries are only counted.

Stages, in order:

1. **genotype** — no affected sequenced member carries the ALT (counted, never listed).
2. **quality** — FILTER not ``PASS``/``.``; then on the call of the proband (or, when the proband
   does not carry the ALT, of the first affected carrier): GQ < 20, DP < 10, heterozygous allele
   balance outside 0.2–0.8 (:class:`QualityThresholds`).
3. **consequence** — kept when any transcript consequence of the ALT is HIGH or MODERATE impact
   or a splice-region term (``splice_region_variant``, ``splice_donor_5th_base_variant``,
   ``splice_donor_region_variant``, ``splice_polypyrimidine_tract_variant``), or when ClinVar
   calls the exact variant pathogenic or likely pathogenic, whatever its consequence. The
   built-in annotator's ``coding_sequence_variant`` without reference sequence (protein effect
   unknown) is kept too.
4. **frequency** — ``pop_af`` (the maximum over every population source and the local cohort)
   above ``max_af`` (0.05, the ClinVar P/LP rescue ceiling), or above 0.02 (the loosest
   mode-specific bound, compound heterozygous) unless ClinVar P/LP. Mode-specific bounds are
   applied later, by segregation.

``pop_af`` takes INFO/AF only when it is a population frequency: in a joint-called family VCF
INFO/AF is AC/AN over the file's own samples (⅙ for one heterozygote in a trio), recognised by
INFO/AN ≤ 2 × samples or, without AN, by equality with the family's AC/AN.

How it stays fast on a whole genome (≈5M records, ≈15 s on two cores): the text is inflated by
``bgzip -dc`` (BCF is converted by ``bcftools view``) and parsed by Arrow's streaming CSV reader
in a second thread; multi-allelic records are split, and genotypes, FORMAT fields and the
``CSQ``/``ANN``/``BCSQ`` entries decoded with array operations (Arrow compute, and NumPy over
list offsets), so the genotype, quality and consequence decisions and their trace reasons never
loop over records in Python. Frequencies the file carries (VEP) pre-filter the survivors of the
consequence stage the same way. Only the remaining variants (thousands) are parsed by
:mod:`genopath.annotation.readers` and annotated by
:func:`genopath.annotation.pipeline.annotate_sites`, which decides again, exactly, per ALT.
A VCF without annotation goes through the built-in annotator
(:func:`genopath.annotation.fastpath.annotate_records`) after the quality stage; variants
farther than 5 kb from every MANE transcript are intergenic without annotating them.

Multi-allelic records are split as ``bcftools norm -m -any`` does (a ``1/2`` call is
heterozygous for each ALT; its allele balance counts all the record's reads); alleles are
trimmed like :func:`genopath.annotation.pipeline.normalise` without a reference, so variant keys
match those of ``genopath annotate``. Chromosome names are normalised (``1`` → ``chr1``);
GRCh37 and unknown builds are refused from the header's contig lengths.

References
----------
GQ ≥ 20, DP ≥ 10 and heterozygous allele balance ≥ 0.2 are gnomAD's "adj" genotype criteria
(Karczewski et al., Nature 581:434, 2020); the symmetric upper bound 0.8 is DESIGN §6's. Impact
classes follow VEP's consequence table
(https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html).
"""

from __future__ import annotations

import gzip
import json
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

import genopath
from genopath.annotation import fastpath, readers, so
from genopath.annotation.knowledge import Key
from genopath.annotation.pipeline import FREQUENCY_FIELDS, SCHEMA, Site, Sources, annotate_sites, normalise
from genopath.annotation.reference import Reference
from genopath.annotation.sources import (
    OPTIONAL,
    cohort_sites,
    load_sources,
    mane_transcript_ids,
    open_reference,
)
from genopath.annotation.transcripts import FLANK, TranscriptIndex
from genopath.core.errors import ConfigurationError, InputError, PedigreeError
from genopath.core.settings import Settings
from genopath.genome.header import read_header
from genopath.interpretation.model import (
    EXTRA_COLUMNS,
    GENOTYPE_FIELDS,
    STAGES,
    TRACE_SCHEMA,
    Family,
    Member,
    genotype_column,
)
from genopath.registry.pedigree import Pedigree
from genopath.registry.terms import AffectedStatus
from genopath.resources import SILENT, Progress, installed, require
from genopath.resources.contigs import GRCH38_LENGTHS, normalise_chrom

__all__ = ["CANDIDATE_AF", "KEPT_TERMS", "Loaded", "QualityThresholds", "build_family", "load_family"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
BOOL = npt.NDArray[np.bool_]

#: SO terms the consequence stage keeps: every HIGH and MODERATE term, and the splice-region terms.
KEPT_TERMS: frozenset[str] = frozenset(
    {t for t, impact, _ in so.TERMS if impact in ("HIGH", "MODERATE")}
    | {
        "splice_region_variant",
        "splice_donor_5th_base_variant",
        "splice_donor_region_variant",
        "splice_polypyrimidine_tract_variant",
    }
)
#: The loosest mode-specific frequency bound (compound heterozygous, DESIGN §6); ClinVar P/LP
#: variants are kept up to ``max_af`` instead.
CANDIDATE_AF = 0.02
#: Population-frequency columns of the annotation table that make up ``pop_af`` (with ``af_input``).
POPULATION_COLUMNS = ("max_af", "gnomade_af", "gnomadg_af", "gnomadg_eas_af", "local_af")
PATHOGENIC = ("P", "LP")

_BLOCK_BYTES = 16 << 20
_NONE_RANK = len(so.TERMS) + 1  # rank of "no consequence for this allele"
_RANK_SHIFT = np.int64(1) << np.int64(32)


@dataclass(frozen=True)
class QualityThresholds:
    """Genotype-quality thresholds of the quality stage (DESIGN §6; gnomAD's "adj" criteria).

    Attributes
    ----------
    gq
        Minimum genotype quality (GQ); a call below it is removed. Absent GQ passes.
    dp
        Minimum read depth (DP); absent DP passes.
    het_ab
        Inclusive range of ALT reads / all reads (from AD) a heterozygous call must lie in.
    """

    gq: int = 20
    dp: int = 10
    het_ab: tuple[float, float] = (0.2, 0.8)


@dataclass
class Loaded:
    """What :func:`load_family` found.

    Attributes
    ----------
    family
        The family as analysed (genotype column ``i`` is ``family.sequenced[i]``).
    candidates
        One row per distinct surviving variant, sorted by chromosome (chr1 … chr22, X, Y, M),
        position, REF, ALT: every column of :data:`genopath.annotation.pipeline.SCHEMA`, then
        :data:`~genopath.interpretation.model.EXTRA_COLUMNS` (``filter``, ``pop_af``,
        ``pop_af_source``), then ``gt_i``, ``ploidy_i``, ``gq_i``, ``dp_i``, ``ab_i`` per
        sequenced member (:func:`~genopath.interpretation.model.genotype_column`). The schema
        metadata key ``genopath`` holds JSON provenance: ``genopath_version``, ``resources``,
        ``annotation_source``, ``samples`` (VCF sample per genotype column), ``input``,
        ``proband``, ``quality`` and ``max_af``.
    trace
        :data:`~genopath.interpretation.model.TRACE_SCHEMA`: one row per removed variant that an
        affected member carries (stages ``quality``, ``consequence``, ``frequency``), with a
        one-line reason; same metadata as ``candidates``.
    counts
        ``records`` (VCF records read), ``variants`` (distinct ALT alleles after splitting,
        symbolic alleles excluded), ``genotype``, ``quality``, ``consequence``, ``frequency``
        (removed at each stage) and ``candidates``; ``variants`` is their sum.
    annotation_source
        ``vep``, ``snpeff``, ``bcftools`` (the file's annotation) or ``genopath`` (built in).
    resources
        Versions of the resources used (``mane``, ``clinvar``, ``constraint``, ``hpo`` …).
    """

    family: Family
    candidates: pa.Table
    trace: pa.Table
    counts: dict[str, int]
    annotation_source: str
    resources: dict[str, str]


# ---------------------------------------------------------------------------------------------
# the family


def build_family(
    pedigree: Pedigree | Sequence[Pedigree], vcf_samples: Sequence[str], *, proband: str | None = None
) -> Family:
    """The family to analyse, from a PED (one family or all of a file's) and the VCF's samples.

    VCF sample names must be PED individual IDs. PED members absent from the VCF are kept as
    unsequenced members (their genotypes are unknown).

    Parameters
    ----------
    pedigree
        One family, or every family of a PED file (:func:`genopath.registry.pedigree.read_ped`).
    vcf_samples
        The sample columns of the VCF.
    proband
        ``INDIVIDUAL`` or ``FAMILY:INDIVIDUAL``. Default: the pedigree's proband, else its only
        affected member. Required when the PED holds several families.

    Raises
    ------
    InputError
        A VCF sample is not in the PED (naming them); the proband is not in the VCF.
    PedigreeError
        Several families and no proband chosen; the proband is unknown, ambiguous or not
        affected; no proband can be chosen by default.
    """
    pedigrees = [pedigree] if isinstance(pedigree, Pedigree) else list(pedigree)
    if not pedigrees:
        raise PedigreeError("the pedigree holds no family; give a PED file with the family of the proband")
    individuals = {m.individual_id for p in pedigrees for m in p.members}
    strays = [s for s in vcf_samples if s not in individuals]
    if strays:
        raise InputError(
            f"VCF sample{'s' if len(strays) > 1 else ''} {', '.join(strays)} "
            f"{'are' if len(strays) > 1 else 'is'} not in the pedigree; individuals in the pedigree: "
            f"{', '.join(sorted(individuals))}. VCF sample names must be the PED individual IDs "
            "(rename them with `bcftools reheader --samples`, or fix the PED)"
        )
    chosen = _choose_pedigree(pedigrees, proband)
    samples = set(vcf_samples)
    proband_id = chosen.proband
    assert proband_id is not None
    member = chosen.member(proband_id)
    if proband_id not in samples:
        raise InputError(
            f"proband {proband_id} of family {chosen.family_id} is not a sample of the VCF "
            f"(samples: {', '.join(vcf_samples) or 'none'}); the proband must be sequenced"
        )
    if member.affected is not AffectedStatus.AFFECTED:
        raise PedigreeError(
            f"proband {proband_id} of family {chosen.family_id} is {member.affected.value} in the PED; "
            "the proband must be affected (phenotype 2 in column 6)"
        )
    members = tuple(
        Member(
            individual_id=m.individual_id,
            sample=m.individual_id if m.individual_id in samples else None,
            father=m.father_id,
            mother=m.mother_id,
            sex=m.sex,
            affected=m.affected,
        )
        for m in chosen.members
    )
    return Family(family_id=chosen.family_id, proband=proband_id, members=members)


def _choose_pedigree(pedigrees: list[Pedigree], proband: str | None) -> Pedigree:
    """The family holding ``proband`` (``[FAMILY:]INDIVIDUAL``), with its proband set."""
    if proband is None:
        if len(pedigrees) > 1:
            names = ", ".join(p.family_id for p in pedigrees)
            raise PedigreeError(
                f"the PED holds {len(pedigrees)} families ({names}); choose one by naming its proband "
                "(--proband FAMILY:INDIVIDUAL)"
            )
        return pedigrees[0].with_default_proband()
    family_id, _, individual = proband.rpartition(":")
    found = [
        p
        for p in pedigrees
        if (not family_id or p.family_id == family_id)
        and any(m.individual_id == individual for m in p.members)
    ]
    if not found:
        raise PedigreeError(
            f"proband {proband} is not in the PED; families: "
            + "; ".join(f"{p.family_id} ({', '.join(m.individual_id for m in p.members)})" for p in pedigrees)
        )
    if len(found) > 1:
        raise PedigreeError(
            f"individual {individual} is in several families ({', '.join(p.family_id for p in found)}); "
            "name the proband as FAMILY:INDIVIDUAL"
        )
    return Pedigree(found[0].family_id, found[0].members, individual)


# ---------------------------------------------------------------------------------------------
# loading


def load_family(
    settings: Settings,
    vcf: Path,
    family: Family,
    *,
    fasta: Path | None = None,
    quality: QualityThresholds = QualityThresholds(),
    max_af: float = 0.05,
    progress: Progress = SILENT,
) -> Loaded:
    """Read ``vcf`` and keep the variants worth interpreting for ``family`` (see the module doc).

    Parameters
    ----------
    settings
        The data home: ``mane`` must be installed; ClinVar, constraint, HPO and the local cohort
        are joined when present.
    vcf
        Joint-called GRCh38 VCF (plain, bgzipped, or BCF) with the family's samples; annotated by
        VEP (``CSQ``), SnpEff (``ANN``) or ``bcftools csq`` (``BCSQ``), or not annotated.
    family
        From :func:`build_family`; its sequenced members' samples must be in the VCF.
    fasta
        Reference FASTA for the built-in annotator (default: the installed ``reference``).
    quality
        Genotype-quality thresholds.
    max_af
        Population frequency above which every variant is removed (ClinVar P/LP included).
    progress
        Progress reporting.

    Returns
    -------
    Loaded
        Candidate table, trace, counts, annotation source and resource versions.

    Raises
    ------
    InputError
        The VCF is missing, unreadable, truncated or corrupt (naming the file), not on GRCh38,
        lacks the family's samples, or has no annotation while no reference is configured.
    ResourceMissing
        ``mane`` is not installed.
    """
    vcf = Path(vcf)
    header = read_header(vcf)  # missing/corrupt file, no samples, GRCh37 or unknown build → InputError
    members = family.sequenced
    if not members or members[0].individual_id != family.proband:
        raise InputError(
            f"proband {family.proband} of family {family.family_id} has no VCF sample; the proband must be "
            "sequenced (build the family with build_family from the VCF's samples)"
        )
    absent = [str(m.sample) for m in members if m.sample not in header.samples]
    if absent:
        raise InputError(
            f"sample{'s' if len(absent) > 1 else ''} {', '.join(absent)} of family {family.family_id} "
            f"{'are' if len(absent) > 1 else 'is'} not in VCF {vcf} (its samples: {', '.join(header.samples)}); "
            "build the family with build_family from this VCF's samples"
        )
    require(settings, "mane")
    with _vcf_text(vcf) as (text, stream):
        layout = _Layout.from_header(text, settings, vcf)
        reference: Reference | None = None
        ref_version: str | None = None
        if layout is None:
            reference, ref_version = open_reference(settings, fasta)
            if reference is None:
                raise InputError(
                    f"VCF {vcf} has no CSQ/ANN/BCSQ annotation and no reference FASTA is configured; pass "
                    "--fasta, install the reference resource (`genopath resources build --fasta …`), or "
                    "annotate with VEP"
                )
        try:
            clinvar = _ClinvarKeys.load(settings)
            decoder = _Decoder(vcf, family, text, layout, quality, clinvar, max_af, len(header.samples))
            progress.begin(f"reading {vcf.name}")
            _stream(stream, decoder, progress)
            progress.end()
            if layout is not None:
                annotated, sources = _annotate_file(settings, decoder, layout, progress)
            else:
                annotated, sources = _annotate_builtin(settings, decoder, reference, ref_version, progress)
        finally:
            if reference is not None:
                reference.close()
    return _finish(decoder, annotated, sources, family, vcf, quality, max_af, layout)


# ---------------------------------------------------------------------------------------------
# reading the VCF text


@contextmanager
def _vcf_text(path: Path) -> Iterator[tuple[str, _Stream]]:
    """The header text and a byte stream positioned at the first record (plain, bgzip or BCF).

    Compressed input is inflated by ``bgzip -dc`` in its own process (it fails on a truncated
    file); BCF is converted by ``bcftools view``.
    """
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as g:
                magic = g.read(4)
        except (OSError, EOFError) as e:
            raise InputError(f"VCF {path} is not a readable gzip/bgzip file: {e}") from e
        command = ["bgzip", "-dc", "-@", "2", str(path)]
    else:
        command = ["cat", str(path)]
    if magic[:3] == b"BCF":
        command = ["bcftools", "view", "--no-version", "-Ov", str(path)]
    if shutil.which(command[0]) is None:
        raise ConfigurationError(f"{command[0]} is not on PATH; install htslib/bcftools (`make system-deps`)")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        handle = proc.stdout
        try:
            stream = _Stream(path, handle, proc, err)
            lines = []
            for raw in handle:
                lines.append(raw.decode("utf-8", "replace"))
                if raw.startswith(b"#CHROM"):
                    break
                if not raw.startswith(b"##"):
                    raise InputError(f"VCF {path} has no #CHROM header line before its records")
            else:
                stream.check("the header ends before its #CHROM line")
            yield "".join(lines), stream
        finally:
            if proc.poll() is None:  # stopped early: end the decompressor first, so reads return
                proc.kill()
            handle.close()
            proc.wait()


@dataclass
class _Stream:
    path: Path
    handle: IO[bytes]
    proc: subprocess.Popen[bytes]
    err: IO[bytes]

    def check(self, detail: str = "") -> None:
        """Raise :class:`InputError` when the decompressor failed or the text is malformed (``detail``)."""
        if detail and self.proc.poll() is None:  # nobody reads its output any more
            self.proc.kill()
        code = self.proc.wait()
        if code != 0 or detail:
            self.err.seek(0)
            said = " ".join(self.err.read().decode("utf-8", "replace").split())[-300:]
            reason = "; ".join(x for x in (detail, said) if x) or f"exit status {code}"
            raise InputError(
                f"VCF {self.path} could not be read to the end (truncated or corrupt): {reason}; "
                "check the file (`bgzip -t` tests a compressed one) or ask for it again"
            )


def _stream(stream: _Stream, decoder: _Decoder, progress: Progress) -> None:
    """Parse the records with Arrow in a reader thread while this thread decodes the batches.

    Arrow's parsing and compute release the GIL, so reading the next batch overlaps decoding
    this one (the two cores of a small server both work).
    """
    if not stream.handle.peek(1):  # type: ignore[attr-defined]  # a VCF without records
        stream.check()
        return
    try:  # the first block is parsed on opening
        reader = pacsv.open_csv(
            stream.handle,
            read_options=pacsv.ReadOptions(column_names=decoder.column_names, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False),
            convert_options=decoder.convert_options(),
        )
    except pa.ArrowException as e:
        stream.check(str(e).splitlines()[0])
        raise
    batches: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def offer(item: pa.RecordBatch | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in reader:
                if not offer(batch):
                    return  # the decoding thread stopped (an error): the file is closed after us
            offer(None)
        except BaseException as e:  # handed to the decoding thread
            offer(e)

    thread = threading.Thread(target=read, name="genopath-vcf-reader", daemon=True)
    thread.start()
    try:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                stream.check(str(item).splitlines()[0] if str(item) else type(item).__name__)
                raise item
            if item.num_rows:
                try:
                    decoder.decode(item)
                except InputError as e:
                    raise InputError(f"VCF {stream.path}: {e.message}") from e
                progress.advance(item.num_rows)
    finally:
        stop.set()
    thread.join()
    stream.check()


# ---------------------------------------------------------------------------------------------
# the file's annotation, read with array operations


@dataclass(frozen=True)
class _Layout:
    """Where the consequence, gene and allele sit in the entries of the file's annotation."""

    reader: readers.AnnotationReader
    consequence: int
    gene: int | None
    allele: int | None

    @property
    def source(self) -> str:
        return self.reader.source

    @property
    def tag(self) -> str:
        return self.reader.tag

    @staticmethod
    def from_header(text: str, settings: Settings, path: Path) -> _Layout | None:
        if readers.detect(text) is None:
            return None
        reader = readers.AnnotationReader.from_header(text, mane_transcript_ids(settings), where=str(path))
        if isinstance(reader, readers.VepCsqReader):
            fields = reader.fields
            gene = fields.index("SYMBOL") if "SYMBOL" in fields else None
            return _Layout(reader, fields.index("Consequence"), gene, fields.index("Allele"))
        if isinstance(reader, readers.BcftoolsCsqReader):
            fields = reader.fields
            return _Layout(reader, fields.index("Consequence"), fields.index("gene"), None)
        return _Layout(reader, 1, 3, 0)  # SnpEff ANN: Allele|Annotation|Annotation_Impact|Gene_Name|…

    def terms(self, consequence: str) -> list[str]:
        """SO terms of one entry's consequence field (the readers' mapping of tool names)."""
        names = [n for n in consequence.split("&") if n]
        if self.source == "snpeff":
            return [t for n in names for t in readers.SNPEFF_TERMS.get(n, (n,))]
        if self.source == "bcftools":
            return [readers.BCSQ_TERMS.get(n.lstrip("*"), n.lstrip("*")) for n in names]
        return names


@dataclass
class _Consequences:
    """Per row: the most severe term of the ALT's entries (``None``: no entry) and its gene."""

    term: pa.Array  # dictionary-encoded term names, null when no entry
    kept: BOOL
    gene: pa.Array


def _entry_consequences(
    layout: _Layout, values: pa.Array, expected: tuple[pa.Array, pa.Array] | None
) -> _Consequences:
    """Most severe consequence and its gene per row of raw annotation ``values`` (null = none).

    ``expected`` (two allele spellings per row, null for rows of biallelic records) restricts the
    entries of a split multi-allelic record to its ALT (VEP/SnpEff ``Allele``); a row whose entries
    match neither spelling keeps all of them, so the decision is never narrower than the file's.
    """
    n = len(values)
    entries = pc.split_pattern(values, ",")
    e_offsets, e_values = _list_parts(entries)
    counts = np.diff(e_offsets)
    last = max(layout.consequence, layout.gene or 0, layout.allele or 0)
    fields = pc.split_pattern(e_values, "|", max_splits=last + 1)
    conseq = _element(fields, layout.consequence)
    if layout.source == "bcftools":  # '@POS' entries point at another record's compound call
        conseq = pc.if_else(pc.starts_with(e_values, "@"), pa.scalar(None, pa.string()), conseq)
    encoded = pc.dictionary_encode(conseq)
    names: list[str] = []
    lookup: dict[str, int] = {}
    codes = []
    for text in encoded.dictionary.to_pylist():
        terms = layout.terms(text)
        top = min(terms, key=lambda t: (so.rank(t), t)) if terms else None
        if top is None:
            codes.append(_NONE_RANK * (1 << 16))
            continue
        if top not in lookup:
            lookup[top] = len(names)
            names.append(top)
        codes.append(so.rank(top) * (1 << 16) + lookup[top])
    table = np.array([*codes, _NONE_RANK * (1 << 16)], dtype=np.int64)
    entry_code = table[encoded.indices.fill_null(len(codes)).to_numpy(zero_copy_only=False)]
    entry_row = np.repeat(np.arange(n), counts)
    if expected is not None and layout.allele is not None and len(entry_code):
        allele = _element(fields, layout.allele)
        multi = pc.is_valid(expected[0]).to_numpy(zero_copy_only=False)[entry_row]
        if multi.any():
            idx = pa.array(entry_row)
            match = pc.or_(
                pc.equal(allele, pc.take(expected[0], idx)), pc.equal(allele, pc.take(expected[1], idx))
            )
            own = pc.fill_null(match, False).to_numpy(zero_copy_only=False)
            mine = np.where(multi & ~own, _NONE_RANK * (1 << 16), entry_code)
            best_mine = _segment_min(mine, e_offsets, counts)
            best_all = _segment_min(entry_code, e_offsets, counts)
            best = np.where((best_mine >> 32) >= _NONE_RANK * (1 << 16), best_all, best_mine)
        else:
            best = _segment_min(entry_code, e_offsets, counts)
    else:
        best = _segment_min(entry_code, e_offsets, counts)
    code = best >> 32
    rank = code >> 16
    found = rank < _NONE_RANK
    term_ids = np.where(found, code & 0xFFFF, 0).astype(np.int32)
    dictionary = pa.array(names or [""], pa.string())
    term = pa.DictionaryArray.from_arrays(pa.array(term_ids, mask=~found), dictionary)
    kept_names = np.array([t in KEPT_TERMS for t in (names or [""])], dtype=np.bool_)
    kept = found & kept_names[term_ids]
    gene_idx = np.where(found, best & 0xFFFFFFFF, 0)
    if layout.gene is None or not len(e_values):
        gene = pa.nulls(n, pa.string())
    else:
        genes = _element(fields, layout.gene)
        gene = pc.take(genes, pa.array(gene_idx, mask=~found))
        gene = pc.if_else(pc.equal(gene, ""), pa.scalar(None, pa.string()), gene)
    return _Consequences(term, kept, gene)


def _segment_min(codes: I64, offsets: I64, counts: I64) -> I64:
    """Per row, ``code << 32 | entry index`` of its smallest code (first on ties); huge when empty."""
    keyed = (codes.astype(np.int64) << np.int64(32)) | np.arange(len(codes), dtype=np.int64)
    out = np.full(len(counts), np.iinfo(np.int64).max, dtype=np.int64)
    nonempty = counts > 0
    if nonempty.any():
        out[nonempty] = np.minimum.reduceat(keyed, offsets[:-1][nonempty])
    return out


def _list_parts(lists: pa.Array) -> tuple[I64, pa.Array]:
    """Offsets (from 0, nulls as empty) and flat values of a list array."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    offsets = np.asarray(lists.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    offsets = offsets - offsets[0]
    if lists.null_count:
        counts = np.diff(offsets)
        counts[~pc.is_valid(lists).to_numpy(zero_copy_only=False)] = 0
        flat = lists.flatten()  # values of null lists are skipped by flatten
        offsets = np.concatenate([[0], np.cumsum(counts)])
        return offsets, flat
    return offsets, lists.flatten()


def _element(lists: pa.Array, k: int | I64) -> pa.Array:
    """Element ``k`` (per row or for all) of each list; null when the list is shorter or null."""
    return _element_at(*_list_parts(lists), k)


# ---------------------------------------------------------------------------------------------
# ClinVar pathogenic keys, for the consequence rescue


_CHROM_CODE = {c: i + 1 for i, c in enumerate(GRCH38_LENGTHS)}


def _chrom_code(name: str) -> int:
    code = _CHROM_CODE.get(name)
    if code is None:
        code = _CHROM_CODE[name] = len(_CHROM_CODE) + 1
    return code


def _position_codes(chrom: pa.Array | pa.ChunkedArray, pos: I64) -> I64:
    """``chromosome code << 32 | position`` per row (``chrom`` dictionary-encoded or not)."""
    if isinstance(chrom, pa.ChunkedArray):
        chrom = chrom.combine_chunks()
    if not isinstance(chrom, pa.DictionaryArray):
        chrom = pc.dictionary_encode(chrom)
    table = np.array([_chrom_code(str(c)) for c in chrom.dictionary.to_pylist()] + [0], dtype=np.int64)
    codes = table[chrom.indices.fill_null(len(table) - 1).to_numpy(zero_copy_only=False)]
    return np.asarray((codes << np.int64(32)) | pos.astype(np.int64), dtype=np.int64)


@dataclass
class _ClinvarKeys:
    """Variant keys ClinVar calls P/LP in any installed release (a superset of the newest call)."""

    positions: pa.Array
    keys: set[Key]
    versions: dict[str, str]

    @staticmethod
    def load(settings: Settings) -> _ClinvarKeys:
        keys: set[Key] = set()
        versions = {}
        have = installed(settings)
        for name in ("clinvar", "clinvar_2star"):
            res = have.get(name)
            if res is None:
                continue
            table = pq.read_table(
                res.path / "variants.parquet",
                columns=["chrom", "pos", "ref", "alt"],
                filters=[("sig_class", "in", list(PATHOGENIC))],
            )
            d = table.to_pydict()
            keys.update(zip(d["chrom"], d["pos"], d["ref"], d["alt"], strict=True))
            versions[name] = res.version
        codes = sorted({(_chrom_code(c) << 32) | p for c, p, _, _ in keys})
        return _ClinvarKeys(pa.array(codes, pa.int64()), keys, versions)

    def match(self, chrom: pa.Array, pos: I64, ref: pa.Array, alt: pa.Array) -> BOOL:
        """Whether each key is a P/LP key (exact match after trimming)."""
        out = np.zeros(len(pos), dtype=np.bool_)
        if not self.keys or not len(pos):
            return out
        hit = pc.is_in(pa.array(_position_codes(chrom, pos)), value_set=self.positions)
        rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
        if len(rows):
            idx = pa.array(rows)
            found = zip(
                pc.take(chrom, idx).cast(pa.string()).to_pylist(),
                pos[rows].tolist(),
                pc.take(ref, idx).to_pylist(),
                pc.take(alt, idx).to_pylist(),
                strict=True,
            )
            out[rows] = [k in self.keys for k in found]
        return out


# ---------------------------------------------------------------------------------------------
# decoding batches: the genotype, quality and consequence stages, and a frequency pre-filter


class _Reasons:
    """Trace reasons of one batch as codes into a growing list of distinct strings."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, text: str) -> int:
        found = self._codes.get(text)
        if found is None:
            found = self._codes[text] = len(self.texts)
            self.texts.append(text)
        return found

    def array(self, codes: I64) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32)), pa.array(self.texts or [""], pa.string())
        )


_TRACE_NAMES = ("chrom", "pos", "ref", "alt", "gene_symbol", "stage", "reason")
_STAGE_DICTIONARY = pa.array(STAGES, pa.string())


@dataclass
class _Decoder:
    """Decodes Arrow batches of VCF text; keeps the trace rows and the survivors."""

    path: Path
    family: Family
    header_text: str
    layout: _Layout | None
    quality: QualityThresholds
    clinvar: _ClinvarKeys
    max_af: float
    n_vcf_samples: int
    records: int = 0
    genotype: int = 0
    trace: list[pa.Table] = field(default_factory=list)
    survivors: list[pa.Table] = field(default_factory=list)

    def __post_init__(self) -> None:
        columns = self.header_text.rstrip("\r\n").rsplit("\n", 1)[-1].lstrip("#").rstrip("\r").split("\t")
        self.column_names = [f"c{i}" for i in range(len(columns))]
        members = self.family.sequenced
        self.sample_columns = [f"c{columns.index(str(m.sample))}" for m in members]
        self.affected = [i for i, m in enumerate(members) if m.affected is AffectedStatus.AFFECTED]
        self.names = [m.individual_id for m in members]
        self.frequency_fields = _frequency_fields(self.layout)

    def convert_options(self) -> pacsv.ConvertOptions:
        dict_str = pa.dictionary(pa.int32(), pa.string())
        types: dict[str, pa.DataType] = {
            "c0": dict_str,  # CHROM
            "c1": pa.int64(),  # POS
            "c3": pa.string(),  # REF
            "c4": pa.string(),  # ALT
            "c6": dict_str,  # FILTER
            "c7": pa.string(),  # INFO
            "c8": dict_str,  # FORMAT
        }
        types |= {c: pa.string() for c in self.sample_columns}
        return pacsv.ConvertOptions(
            column_types=types,
            include_columns=list(types),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

    def decode(self, batch: pa.RecordBatch) -> None:
        """Run the genotype, quality and consequence stages (and the frequency pre-filter) on a batch."""
        self.records += batch.num_rows
        alt_text = batch.column("c4")
        row, allele, alt = _split_alleles(alt_text)
        real = ~pc.match_substring_regex(alt, r"^[<*.]|\[|\]|^$").to_numpy(zero_copy_only=False)
        if not real.all():  # symbolic alleles (<DEL>, *, breakends) and records without ALT
            row, allele, alt = row[real], allele[real], alt.filter(pa.array(real))
        formats = _format_indexes(batch.column("c8"))
        samples = [batch.column(c) for c in self.sample_columns]
        gts = [_gt_counts(s, formats["GT"], row, allele) for s in samples]
        carried = np.zeros(len(row), dtype=np.bool_)
        for i in self.affected:
            carried |= gts[i][0] >= 1
        self.genotype += int((~carried).sum())
        if not carried.any():
            return
        keep = np.flatnonzero(carried)
        row, allele, alt = row[keep], allele[keep], alt.take(pa.array(keep))
        gts = [(g[keep], p[keep]) for g, p in gts]
        idx = pa.array(row)
        rows = _Rows(
            chrom=_normalised_chroms(batch.column("c0")).take(idx),
            vcf_pos=batch.column("c1").to_numpy(zero_copy_only=False)[row],
            vcf_ref=batch.column("c3").take(idx),
            vcf_alts=alt_text.take(idx),
            alt=alt,
            allele=allele,
            info=batch.column("c7").take(idx),
            filt=batch.column("c6").take(idx),
        )
        rows.trim()
        decider = np.full(len(row), -1, dtype=np.int64)
        for i in self.affected:  # the proband (index 0, always affected) first
            decider = np.where((decider < 0) & (gts[i][0] >= 1), i, decider)
        reasons = _Reasons()
        code = self._quality(rows.filt, samples, formats, row, allele, gts, decider, reasons)
        passed = code < 0
        annotation = (
            _info_value(rows.info, self.layout.tag) if self.layout else pa.nulls(len(row), pa.string())
        )
        gene = pa.nulls(len(row), pa.string())
        survive = passed
        if self.layout is not None:
            conseq = _entry_consequences(self.layout, annotation, rows.expected_alleles(self.layout))
            gene = conseq.gene
            rescued = passed & ~conseq.kept
            rescued[rescued] = self.clinvar.match(*rows.keys(rescued))
            survive = passed & (conseq.kept | rescued)
            removed = np.flatnonzero(passed & ~survive)
            if len(removed):
                code[removed] = _consequence_codes(conseq.term.take(pa.array(removed)), reasons)
        stage = np.where(passed, STAGES.index("consequence"), STAGES.index("quality")).astype(np.int8)
        if survive.any():
            survive = self._frequency(rows, survive, annotation, gts, code, stage, reasons)
        gone = np.flatnonzero(code >= 0)
        if len(gone):
            self.trace.append(rows.trace(gone, gene, stage, code, reasons))
        if survive.any():
            self.survivors.append(
                self._survivor_table(rows, np.flatnonzero(survive), annotation, samples, formats, row, gts)
            )

    def _quality(
        self,
        filt: pa.DictionaryArray,
        samples: list[pa.Array],
        formats: dict[str, I64],
        row: I64,
        allele: I64,
        gts: list[tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]],
        decider: I64,
        reasons: _Reasons,
    ) -> I64:
        """Reason code of the first failing quality check per row (-1: passed).

        FILTER first, then GQ, DP and heterozygous allele balance of the deciding member's call
        (the proband's when it carries the ALT). Reasons name the member when it is not the proband.
        """
        q = self.quality
        n = len(row)
        out = np.full(n, -1, dtype=np.int64)
        names = [str(v) for v in filt.dictionary.to_pylist()]
        bad = np.array([v not in ("PASS", ".") for v in names] + [False], dtype=np.bool_)
        filt_idx = filt.indices.fill_null(len(names)).to_numpy(zero_copy_only=False)
        if bad[filt_idx].any():
            table = np.array([reasons.code(f"FILTER {v}") for v in names] + [-1], dtype=np.int64)
            out = np.where(bad[filt_idx], table[filt_idx], out)
        gq, dp, ab = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        het = np.zeros(n, dtype=np.bool_)
        for i in np.unique(decider).tolist():
            sel = np.flatnonzero(decider == i)
            calls = _call_values(samples[i], formats, row[sel], allele[sel])
            gq[sel], dp[sel], ab[sel] = calls
            het[sel] = (gts[i][0][sel] == 1) & (gts[i][1][sel] == 2)
        who = ["" if i == 0 else f" in {name}" for i, name in enumerate(self.names)]
        checks: tuple[tuple[BOOL, F64, Callable[[float], str]], ...] = (
            (gq < q.gq, gq, lambda v: f"GQ {v:g} < {q.gq}"),
            (dp < q.dp, dp, lambda v: f"DP {v:g} < {q.dp}"),
            (
                het & ((ab < q.het_ab[0]) | (ab > q.het_ab[1])),
                np.round(ab, 2),
                lambda v: f"het allele balance {v:.2f} outside {q.het_ab[0]:g}–{q.het_ab[1]:g}",
            ),
        )
        for fails, value, text in checks:
            todo = np.flatnonzero(fails & (out < 0))
            if not len(todo):
                continue
            pairs, inverse = np.unique(
                np.stack([value[todo], decider[todo].astype(np.float64)]), axis=1, return_inverse=True
            )
            codes = np.array(
                [reasons.code(text(v) + who[int(d)]) for v, d in pairs.T.tolist()], dtype=np.int64
            )
            out[todo] = codes[inverse.reshape(-1)]
        return out

    def _frequency(
        self,
        rows: _Rows,
        survive: BOOL,
        annotation: pa.Array,
        gts: list[tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]],
        code: I64,
        stage: npt.NDArray[np.int8],
        reasons: _Reasons,
    ) -> BOOL:
        """Remove survivors whose population frequency certainly exceeds the loosest bound.

        Uses a lower bound of the final ``pop_af``: INFO/AF when it is a population frequency,
        and the file's frequency fields (VEP) as :func:`annotate_sites` will read them, taking
        the entry with the lowest value. Split multi-allelic rows use INFO/AF only (the entries
        of the other ALTs share the field). Removed rows get their trace code and stage. Without
        file annotation only INFO/AF is read here: frequency is decided after the annotator.
        """
        at = np.flatnonzero(survive)
        info = _Info(rows.info.take(pa.array(at)))
        af = _floats(info.number("AF", rows.allele[at]))
        an = _floats(info.number("AN", None))
        rows.af = np.full(len(survive), np.nan)
        rows.af[at] = af
        rows.af_population = np.zeros(len(survive), dtype=np.bool_)
        population = self._af_is_population(af, an, [(g[at], p[at]) for g, p in gts])
        rows.af_population[at] = population
        if self.layout is None:  # the consequence is not known yet: no frequency decision before it
            return survive
        bound = np.where(population, af, np.nan)
        source = np.full(len(at), "af_input", dtype=object)
        if self.frequency_fields:
            single = ~rows.multi()[at]
            value, column = _file_frequency(self.frequency_fields, annotation.take(pa.array(at)))
            value = np.where(single, value, np.nan)
            higher = ~np.isnan(value) & ~(value <= bound)  # also where bound is NaN
            bound = np.where(higher, value, bound)
            source = np.where(higher, column, source)
        chrom, pos, ref, alt = rows.keys(survive)
        plp = self.clinvar.match(chrom, pos, ref, alt)
        limit = np.where(plp, self.max_af, min(CANDIDATE_AF, self.max_af))
        common = ~np.isnan(bound) & (bound > limit)
        if common.any():
            gone = at[common]
            code[gone] = [
                reasons.code(f"population AF {v:.3g} ({s}) > {lim:g}")
                for v, s, lim in zip(
                    bound[common].tolist(), source[common].tolist(), limit[common].tolist(), strict=True
                )
            ]
            stage[gone] = STAGES.index("frequency")
            survive = survive.copy()
            survive[gone] = False
        return survive

    def _af_is_population(
        self, af: F64, an: F64, gts: list[tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]]
    ) -> BOOL:
        """Whether INFO/AF is a population frequency rather than the frequency among this VCF's samples.

        A joint-called family VCF's INFO/AF is AC/AN over its own samples (⅙ for one heterozygote
        in a trio) and says nothing about the population. It is taken as in-sample when INFO/AN
        is at most twice the number of samples, or, without AN, when it equals AC/AN over the
        family's genotypes.
        """
        in_sample = an <= 2 * self.n_vcf_samples
        no_an = np.isnan(an)
        if no_an.any():
            ac = np.zeros(len(af))
            total = np.zeros(len(af))
            for gt, ploidy in gts:
                called = gt >= 0
                ac += np.where(called, gt, 0)
                total += np.where(called, ploidy, 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                own = np.abs(af - ac / total) < 0.005
            in_sample |= no_an & own
        return ~in_sample & ~np.isnan(af)

    def _survivor_table(
        self,
        rows: _Rows,
        at: I64,
        annotation: pa.Array,
        samples: list[pa.Array],
        formats: dict[str, I64],
        row: I64,
        gts: list[tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]],
    ) -> pa.Table:
        idx = pa.array(at)
        columns: dict[str, Any] = {
            "chrom": rows.chrom.take(idx).cast(pa.string()),
            "pos": pa.array(rows.pos[at]),
            "ref": rows.ref.take(idx),
            "alt": rows.alt_key.take(idx),
            "vcf_pos": pa.array(rows.vcf_pos[at]),
            "vcf_ref": rows.vcf_ref.take(idx),
            "vcf_alts": rows.vcf_alts.take(idx),
            "allele": pa.array(rows.allele[at]),
            "filter": rows.filt.take(idx).cast(pa.string()),
            "af": pa.array(rows.af[at], mask=np.isnan(rows.af[at])),
            "af_population": pa.array(rows.af_population[at]),
            "annotation": annotation.take(idx),
        }
        for i, sample in enumerate(samples):
            gq, dp, ab = _call_values(sample, formats, row[at], rows.allele[at])
            columns |= {
                genotype_column("gt", i): pa.array(gts[i][0][at]),
                genotype_column("ploidy", i): pa.array(gts[i][1][at]),
                genotype_column("gq", i): pa.array(np.minimum(gq, 32767), mask=np.isnan(gq)).cast(pa.int16()),
                genotype_column("dp", i): pa.array(np.minimum(dp, 2**31 - 1), mask=np.isnan(dp)).cast(
                    pa.int32()
                ),
                genotype_column("ab", i): pa.array(ab.astype(np.float32), mask=np.isnan(ab)),
            }
        return pa.table(columns)


@dataclass
class _Rows:
    """The carried rows of one batch (one per split ALT) and their variant keys."""

    chrom: pa.DictionaryArray
    vcf_pos: I64
    vcf_ref: pa.Array
    vcf_alts: pa.Array
    alt: pa.Array
    allele: I64
    info: pa.Array
    filt: pa.DictionaryArray
    pos: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ref: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    alt_key: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    af: F64 = field(default_factory=lambda: np.zeros(0))
    af_population: BOOL = field(default_factory=lambda: np.zeros(0, np.bool_))

    def trim(self) -> None:
        """Variant keys as :func:`genopath.annotation.pipeline.normalise` spells them without a reference."""
        self.pos, self.ref, self.alt_key = _trim(self.chrom, self.vcf_pos, self.vcf_ref, self.alt)

    def keys(self, mask: BOOL) -> tuple[pa.Array, I64, pa.Array, pa.Array]:
        m = pa.array(mask)
        return self.chrom.filter(m), self.pos[mask], self.ref.filter(m), self.alt_key.filter(m)

    def multi(self) -> BOOL:
        """Rows split from a multi-allelic record."""
        return np.asarray(
            pc.match_substring(self.vcf_alts, ",").to_numpy(zero_copy_only=False), dtype=np.bool_
        )

    def expected_alleles(self, layout: _Layout) -> tuple[pa.Array, pa.Array] | None:
        """The ``Allele`` spellings of each split ALT (VEP form, and the ALT itself); null when biallelic."""
        multi = self.multi()
        if layout.allele is None or not multi.any():
            return None
        at = np.flatnonzero(multi)
        refs = self.vcf_ref.take(pa.array(at)).to_pylist()
        alts = self.vcf_alts.take(pa.array(at)).to_pylist()
        vep: list[str | None] = [None] * len(multi)
        own: list[str | None] = [None] * len(multi)
        for r, a, i in zip(refs, alts, at.tolist(), strict=True):
            options = a.split(",")
            k = int(self.allele[i]) - 1
            own[i] = options[k]
            vep[i] = readers.vep_allele_strings(r, options)[k] if layout.source == "vep" else options[k]
        return pa.array(vep, pa.string()), pa.array(own, pa.string())

    def trace(
        self, at: I64, gene: pa.Array, stage: npt.NDArray[np.int8], code: I64, reasons: _Reasons
    ) -> pa.Table:
        idx = pa.array(at)
        return pa.table(
            [
                self.chrom.take(idx),
                pa.array(self.pos[at]),
                self.ref.take(idx),
                self.alt_key.take(idx),
                gene.take(idx),
                pa.DictionaryArray.from_arrays(pa.array(stage[at]), _STAGE_DICTIONARY),
                reasons.array(code[at]),
            ],
            names=list(_TRACE_NAMES),
        )


# -- batch helpers ------------------------------------------------------------------------------


def _split_alleles(alt: pa.Array) -> tuple[I64, I64, pa.Array]:
    """Split ALT lists: the source row, the allele number (1-based) and the ALT of each allele."""
    n = len(alt)
    if not pc.any(pc.match_substring(alt, ",")).as_py():
        return np.arange(n, dtype=np.int64), np.ones(n, dtype=np.int64), alt
    offsets, values = _list_parts(pc.split_pattern(alt, ","))
    counts = np.diff(offsets)
    row = np.repeat(np.arange(n, dtype=np.int64), counts)
    allele = np.arange(len(row), dtype=np.int64) - np.repeat(offsets[:-1], counts) + 1
    return row, allele, values


def _format_indexes(formats: pa.Array) -> dict[str, I64]:
    """Per row, the position of GT, GQ, DP and AD in the FORMAT column (-1 when absent)."""
    if not isinstance(formats, pa.DictionaryArray):
        formats = pc.dictionary_encode(formats)
    layouts = [str(f).split(":") for f in formats.dictionary.to_pylist()]
    codes = formats.indices.fill_null(len(layouts)).to_numpy(zero_copy_only=False)
    out = {}
    for name in ("GT", "GQ", "DP", "AD"):
        table = np.array([f.index(name) if name in f else -1 for f in layouts] + [-1], dtype=np.int64)
        out[name] = table[codes]
    return out


def _gt_counts(
    column: pa.Array, gt_index: I64, row: I64, allele: I64
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    """ALT count of each split row's allele (-1: missing) and ploidy, from one sample's GT.

    GT is the first FORMAT field (VCF 4.x). The first four characters of a sample field hold the
    whole GT for every call with single-digit alleles (``0/1:``, ``1:3…``, ``./.``); the rare
    longer GTs (``0/10``, ``0/1/2``) are split out separately.
    """
    prefix = pc.dictionary_encode(pc.utf8_slice_codeunits(column, 0, 4))
    texts: list[str | None] = []
    long_codes = []
    for k, text in enumerate(prefix.dictionary.to_pylist()):
        head, colon, _ = text.partition(":")
        texts.append(head if colon or len(text) < 4 else None)
        if not colon and len(text) == 4:
            long_codes.append(k)
    codes = prefix.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    if long_codes:  # GTs of four characters or more: read them whole
        rows = np.flatnonzero(np.isin(codes, long_codes))
        whole = _element(pc.split_pattern(column.take(pa.array(rows)), ":", max_splits=1), 0).to_pylist()
        lookup = {t: i for i, t in enumerate(texts) if t is not None}
        for r, text in zip(rows.tolist(), whole, strict=True):
            if text not in lookup:
                lookup[text] = len(texts)
                texts.append(text)
            codes[r] = lookup[text]
    count, ploidy = _gt_tables(texts, int(allele.max(initial=1)))
    codes = np.where(gt_index == 0, codes, len(texts))  # no GT in this FORMAT: missing
    return count[codes[row], allele].astype(np.int8), ploidy[codes[row]].astype(np.int8)


def _gt_tables(
    texts: list[str | None], max_allele: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    """ALT count of each allele number (columns 0…max) and ploidy per distinct GT (+1 row: absent).

    The count is -1 when no allele is called, or when the call is partly missing and does not
    include the allele (``./0``); ``./1`` counts 1. A haploid call has ploidy 1.
    """
    count = np.full((len(texts) + 1, max_allele + 1), -1, dtype=np.int16)
    ploidy = np.full(len(texts) + 1, 2, dtype=np.int16)
    for k, text in enumerate(texts):
        if text is None:
            continue
        try:
            alleles = [-1 if a in (".", "") else int(a) for a in text.replace("|", "/").split("/")]
        except ValueError as e:
            raise InputError(f"genotype {text!r} is not a VCF GT value (e.g. 0/1, 1|0, ./.)") from e
        ploidy[k] = 1 if len(alleles) == 1 else 2
        called = [a for a in alleles if a >= 0]
        if not called:
            continue
        for a in range(max_allele + 1):
            c = sum(x == a for x in called)
            count[k, a] = c if c or len(called) == len(alleles) else -1
    return count, ploidy


def _call_values(column: pa.Array, formats: dict[str, I64], row: I64, allele: I64) -> tuple[F64, F64, F64]:
    """GQ, DP and allele balance of one sample on the given split rows (NaN when absent).

    Allele balance is the ALT's reads over all reads of the record (AD), so a ``1/2`` call is
    balanced for each ALT.
    """
    fields = pc.split_pattern(column.take(pa.array(row)), ":")
    offsets, values = _list_parts(fields)
    gq = _floats(_numbers(_element_at(offsets, values, formats["GQ"][row]), "GQ"))
    dp = _floats(_numbers(_element_at(offsets, values, formats["DP"][row]), "DP"))
    ad = _element_at(offsets, values, formats["AD"][row])
    a_offsets, a_values = _list_parts(pc.split_pattern(ad, ","))
    counts = np.diff(a_offsets)
    reads = np.nan_to_num(_floats(_numbers(a_values, "AD")), nan=0.0)
    total = np.zeros(len(counts))
    nonempty = counts > 0
    if nonempty.any():
        total[nonempty] = np.add.reduceat(reads, a_offsets[:-1][nonempty])
    valid = (allele < counts) & (total > 0)
    alt_reads = reads[np.where(valid, a_offsets[:-1] + allele, 0)] if len(reads) else np.zeros(len(row))
    ab = np.where(valid, alt_reads / np.where(valid, total, 1.0), np.nan)
    return gq, dp, ab


def _element_at(offsets: I64, values: pa.Array, k: int | I64) -> pa.Array:
    counts = np.diff(offsets)
    index = np.broadcast_to(np.asarray(k, dtype=np.int64), counts.shape)
    valid = (index >= 0) & (index < counts)
    return pc.take(values, pa.array(offsets[:-1] + np.where(valid, index, 0), mask=~valid))


def _numbers(values: pa.Array, name: str) -> pa.Array:
    """Numbers written as text, as float64 (``.`` and absent → null)."""
    values = pc.if_else(pc.equal(values, "."), pa.scalar(None, pa.string()), values)
    try:
        return pc.cast(values, pa.float64())
    except pa.ArrowInvalid as e:
        raise InputError(f"FORMAT/{name} holds a value that is not a number: {e}") from e


def _floats(values: pa.Array) -> F64:
    """A float64 NumPy copy (null → NaN)."""
    return np.array(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _normalised_chroms(column: pa.Array) -> pa.DictionaryArray:
    """``1`` → ``chr1`` (dictionary-encoded)."""
    if not isinstance(column, pa.DictionaryArray):
        column = pc.dictionary_encode(column)
    names = pa.array([normalise_chrom(str(c)) for c in column.dictionary.to_pylist()], pa.string())
    return pa.DictionaryArray.from_arrays(column.indices, names)


def _trim(chrom: pa.Array, pos: I64, ref: pa.Array, alt: pa.Array) -> tuple[I64, pa.Array, pa.Array]:
    """Upper-case alleles; REF and ALT both longer than one base trimmed like ``normalise``."""
    ref_u, alt_u = pc.utf8_upper(ref), pc.utf8_upper(alt)
    both = pc.and_(pc.greater(pc.utf8_length(ref), 1), pc.greater(pc.utf8_length(alt), 1))
    rows = np.flatnonzero(both.to_numpy(zero_copy_only=False))
    if not len(rows):
        return pos, ref_u, alt_u
    pos = pos.copy()
    idx = pa.array(rows)
    c = pc.take(chrom, idx).cast(pa.string()).to_pylist()
    r, a = pc.take(ref_u, idx).to_pylist(), pc.take(alt_u, idx).to_pylist()
    new_ref, new_alt = ref_u.to_pylist(), alt_u.to_pylist()
    for k, i in enumerate(rows.tolist()):
        (_, p, nr, na), _, _ = normalise(None, c[k], int(pos[i]), r[k], a[k])
        pos[i], new_ref[i], new_alt[i] = p, nr, na
    return pos, pa.array(new_ref, pa.string()), pa.array(new_alt, pa.string())


def _consequence_codes(term: pa.DictionaryArray, reasons: _Reasons) -> I64:
    names = term.dictionary.to_pylist()
    table = np.array(
        [reasons.code(f"consequence {t} ({so.IMPACT.get(t, 'MODIFIER').lower()})") for t in names]
        + [reasons.code("no consequence annotated for this allele")],
        dtype=np.int64,
    )
    return np.asarray(
        table[term.indices.fill_null(len(names)).to_numpy(zero_copy_only=False)], dtype=np.int64
    )


def _frequency_fields(layout: _Layout | None) -> list[tuple[str, list[int]]]:
    """(output column, positions of its VEP fields in preference order) for the file's frequencies."""
    if layout is None or not isinstance(layout.reader, readers.VepCsqReader):
        return []
    fields = layout.reader.fields
    out = []
    for column, names in FREQUENCY_FIELDS.items():
        positions = [fields.index(n) for n in names if n in fields]
        if positions:
            out.append((column, positions))
    return out


def _file_frequency(columns: list[tuple[str, list[int]]], values: pa.Array) -> tuple[F64, npt.NDArray[Any]]:
    """Lower bound of the frequency ``annotate_sites`` will read from the file, and its column.

    Per entry, each column takes its first non-empty VEP field (as ``annotate_sites`` does) and
    the entry's value is the largest; per row, the smallest over its entries (NaN when an entry
    has none, since that entry may be the one chosen).
    """
    n = len(values)
    e_offsets, entries = _list_parts(pc.split_pattern(values, ","))
    counts = np.diff(e_offsets)
    parts = pc.split_pattern(entries, "|")
    p_offsets, p_values = _list_parts(parts)
    m = len(entries)
    best = np.full(m, np.nan)
    which = np.full(m, "", dtype=object)
    for column, positions in columns:
        value = np.full(m, np.nan)
        for k in reversed(positions):  # the first non-empty field wins
            text = _element_at(p_offsets, p_values, k)
            present = pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)
            value = np.where(present, _max_number(text), value)
        higher = ~np.isnan(value) & ~(value <= best)
        best = np.where(higher, value, best)
        which = np.where(higher, column, which)
    out = np.full(n, np.nan)
    source = np.full(n, "", dtype=object)
    rows = np.flatnonzero(counts > 0)
    if len(rows):
        filled = np.where(np.isnan(best), -np.inf, best)  # an entry without frequency: no bound
        low = np.full(n, -np.inf)
        low[rows] = np.minimum.reduceat(filled, e_offsets[:-1][rows])
        entry_row = np.repeat(np.arange(n), counts)
        lowest = np.flatnonzero(filled == low[entry_row])
        _, first = np.unique(entry_row[lowest], return_index=True)
        chosen = lowest[first]
        out = np.where(np.isinf(low), np.nan, low)
        source[entry_row[chosen]] = which[chosen]
    return out, source


def _max_number(text: pa.Array) -> F64:
    """The largest number of each ``&``-separated field, as ``pipeline._float`` reads it.

    VEP joins the values of co-located variants with ``&``; empty parts and ``.`` are skipped,
    and a field with any other non-number is unreadable (NaN).
    """
    offsets, parts = _list_parts(pc.split_pattern(text, "&"))
    numeric = pc.fill_null(pc.match_substring_regex(parts, r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"), False)
    blank = pc.fill_null(pc.is_in(parts, value_set=pa.array(["", "."])), True)
    values = _floats(pc.if_else(numeric, parts, pa.scalar(None, pa.string())))
    bad = ~numeric.to_numpy(zero_copy_only=False) & ~blank.to_numpy(zero_copy_only=False)
    counts = np.diff(offsets)
    out = np.full(len(counts), np.nan)
    rows = np.flatnonzero(counts > 0)
    if len(rows):
        starts = offsets[:-1][rows]
        out[rows] = np.fmax.reduceat(values, starts)
        out[rows[np.add.reduceat(bad.astype(np.int64), starts) > 0]] = np.nan
    return out


def _info_value(info: pa.Array, key: str) -> pa.Array:
    """The raw value of INFO ``key`` per row (null when absent), without splitting every item."""
    value = _element(pc.split_pattern(info, f";{key}=", max_splits=1), 1)
    first = pc.starts_with(info, f"{key}=")
    if pc.any(first).as_py():
        value = pc.if_else(first, pc.utf8_slice_codeunits(info, len(key) + 1), value)
    # drop the keys after this one (Arrow's split searches much faster than match_substring)
    return _element(pc.split_pattern(value, ";", max_splits=1), 0)


class _Info:
    """INFO values of some rows: ``KEY=value`` items found with one split per row."""

    def __init__(self, info: pa.Array) -> None:
        self._offsets, self._items = _list_parts(pc.split_pattern(info, ";"))
        self._rows = np.repeat(np.arange(len(info), dtype=np.int64), np.diff(self._offsets))
        self._n = len(info)

    def value(self, key: str) -> pa.Array:
        """The raw value of ``key`` per row; null when absent."""
        hits = np.flatnonzero(pc.starts_with(self._items, key + "=").to_numpy(zero_copy_only=False))
        where = np.full(self._n, -1, dtype=np.int64)
        where[self._rows[hits][::-1]] = np.arange(len(hits) - 1, -1, -1)  # a row's first item wins
        values = pc.utf8_slice_codeunits(pc.take(self._items, pa.array(hits)), len(key) + 1)
        return pc.take(values, pa.array(np.maximum(where, 0), mask=where < 0))

    def number(self, key: str, allele: I64 | None) -> pa.Array:
        """Numeric value of ``key`` per row (of ``allele`` for a ``Number=A`` field), float64."""
        raw = self.value(key)
        if allele is not None:
            offsets, values = _list_parts(pc.split_pattern(raw, ","))
            raw = _element_at(offsets, values, allele - 1)
        raw = pc.if_else(pc.equal(raw, "."), pa.scalar(None, pa.string()), raw)
        try:
            return pc.cast(raw, pa.float64())
        except pa.ArrowInvalid:
            return pa.nulls(self._n, pa.float64())


# ---------------------------------------------------------------------------------------------
# annotating the survivors


def _survivors(decoder: _Decoder) -> pa.Table | None:
    if not decoder.survivors:
        return None
    return pa.concat_tables(decoder.survivors).combine_chunks()


def _annotate_file(
    settings: Settings, decoder: _Decoder, layout: _Layout, progress: Progress
) -> tuple[_Annotated, Sources]:
    """Annotate the survivors from the file's own annotation (exact per-allele parse)."""
    table = _survivors(decoder)
    if table is None:
        return _Annotated.empty(), _no_sources(settings, None)
    d = table.select(["chrom", "vcf_pos", "vcf_ref", "vcf_alts", "allele", "af", "annotation"]).to_pydict()
    sites: dict[Key, Site] = {}
    first: dict[Key, int] = {}
    worst: dict[Key, str | None] = {}
    reader = layout.reader
    for i in range(table.num_rows):
        chrom, pos, ref = d["chrom"][i], d["vcf_pos"][i], d["vcf_ref"][i]
        alts = d["vcf_alts"][i].split(",")
        alt = alts[d["allele"][i] - 1]
        key, change, mismatch = normalise(None, chrom, pos, ref, alt)
        if key in sites:
            continue
        raw = d["annotation"][i]
        site = Site(key[0], key[1], key[2], key[3], change, mismatch, d["af"][i])
        if raw:
            where = f"{decoder.path}:{chrom}:{pos}"
            site.annotations = reader.parse(raw, ref, alts, where=where)[d["allele"][i] - 1]
            terms = [t for c in site.annotations for t in c.consequences]
            worst[key] = min(terms, key=lambda t: (so.rank(t), t)) if terms else None
        sites[key] = site
        first[key] = i
    sources = load_sources(settings, {k[0] for k in sites}, None, None)
    progress.begin("annotating candidate variants", total=len(sites))
    annotated, _ = annotate_sites(sites, sources, progress.advance)
    progress.end()
    keys = _keys(annotated)
    rows = np.array([first[k] for k in keys], dtype=np.int64)
    kept_terms = np.array([(worst.get(k) in KEPT_TERMS) if k in worst else None for k in keys], dtype=object)
    return _Annotated(annotated, table.take(pa.array(rows)), kept_terms, worst), sources


def _annotate_builtin(
    settings: Settings,
    decoder: _Decoder,
    reference: Reference | None,
    ref_version: str | None,
    progress: Progress,
) -> tuple[_Annotated, Sources]:
    """Annotate the quality-passing variants with genopath's annotator, then filter by consequence."""
    table = _survivors(decoder)
    if table is None:
        return _Annotated.empty(), _no_sources(settings, ref_version)
    chroms = set(pc.unique(table.column("chrom")).to_pylist())
    sources = load_sources(settings, chroms, reference, ref_version)
    # variants beyond FLANK of every MANE transcript are intergenic: no annotation needed
    genic = _near_transcripts(sources, table)
    clinvar = decoder.clinvar.match(
        table.column("chrom").combine_chunks(),
        table.column("pos").to_numpy(),
        table.column("ref").combine_chunks(),
        table.column("alt").combine_chunks(),
    )
    far = ~genic & ~clinvar
    if far.any():
        gone = table.filter(pa.array(far))
        n = gone.num_rows
        decoder.trace.append(
            pa.table(
                [
                    gone.column("chrom"),
                    gone.column("pos"),
                    gone.column("ref"),
                    gone.column("alt"),
                    pa.nulls(n, pa.string()),
                    pa.DictionaryArray.from_arrays(
                        pa.array(np.full(n, STAGES.index("consequence"), dtype=np.int8)),
                        pa.array(STAGES, pa.string()),
                    ),
                    pa.array(["consequence intergenic_variant (modifier)"] * n, pa.string()),
                ],
                names=list(_TRACE_NAMES),
            )
        )
        table = table.filter(pa.array(~far))
    if table.num_rows == 0:
        return _Annotated.empty(), sources
    records = fastpath.Records(
        header="",
        chrom=table.column("chrom").combine_chunks(),
        pos=table.column("vcf_pos").to_numpy(),
        ref=table.column("vcf_ref").combine_chunks(),
        alt=_split_alt(table),  # the row's own ALT as written ('alt' holds the trimmed key)
        info=None,
        records=table.num_rows,
    )
    progress.begin("annotating variants", total=table.num_rows)
    annotated, _ = fastpath.annotate_records(records, sources, progress.advance)
    progress.end()
    # the key the annotator gave each row (SNVs as written, others normalised on the reference)
    row_keys = _builtin_keys(records, reference)
    first: dict[Key, int] = {}
    for i, k in enumerate(row_keys):
        first.setdefault(k, i)
    keys = _keys(annotated)
    rows = np.array([first[k] for k in keys], dtype=np.int64)
    chosen = table.take(pa.array(rows))
    annotated = annotated.set_column(
        annotated.schema.get_field_index("af_input"), "af_input", chosen.column("af")
    )
    return _Annotated(annotated, chosen, None, {}), sources


def _no_sources(settings: Settings, reference_version: str | None) -> Sources:
    """What :func:`load_sources` would stamp when there is nothing to annotate (no tables read)."""
    have = installed(settings)
    versions = {name: have[name].version for name in ("mane", *OPTIONAL) if name in have}
    if "hpo" in versions and not (have["hpo"].path / "genes_to_phenotype.txt").exists():
        del versions["hpo"]
    if reference_version is not None:
        versions["reference"] = reference_version
    cohort = cohort_sites(settings)
    if cohort.exists():
        versions["local_cohort"] = f"{pq.read_metadata(cohort).num_rows} sites"
    return Sources(TranscriptIndex([]), versions=versions)


def _split_alt(table: pa.Table) -> pa.Array:
    alts = pc.split_pattern(table.column("vcf_alts").combine_chunks(), ",")
    return _element(alts, table.column("allele").to_numpy().astype(np.int64) - 1)


def _builtin_keys(records: fastpath.Records, reference: Reference | None) -> list[Key]:
    snv = pc.match_substring_regex(records.ref, r"^[ACGTacgt]$").to_numpy(
        zero_copy_only=False
    ) & pc.match_substring_regex(records.alt, r"^[ACGTacgt]$").to_numpy(zero_copy_only=False)
    chrom = records.chrom.to_pylist()
    ref = pc.utf8_upper(records.ref).to_pylist()
    alt = pc.utf8_upper(records.alt).to_pylist()
    pos = records.pos.tolist()
    out: list[Key] = []
    for i in range(len(pos)):
        if snv[i] and ref[i] != alt[i]:
            out.append((chrom[i], pos[i], ref[i], alt[i]))
        else:
            out.append(normalise(reference, chrom[i], pos[i], ref[i], alt[i])[0])
    return out


def _near_transcripts(sources: Sources, table: pa.Table) -> BOOL:
    """Rows within :data:`FLANK` (+1 bp) of a transcript span: the only ones not intergenic."""
    chrom = np.asarray(table.column("chrom").to_numpy(), dtype=object)
    start = table.column("vcf_pos").to_numpy()
    end = start + pc.utf8_length(table.column("vcf_ref")).to_numpy(zero_copy_only=False)
    out = np.zeros(table.num_rows, dtype=np.bool_)
    for c in set(chrom.tolist()):
        txs = sources.transcripts.by_chrom.get(c, [])
        if not txs:
            continue
        spans = sorted((t.tx_start0 - FLANK - 1, t.tx_end + FLANK + 1) for t in txs)
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        lo = np.array([m[0] for m in merged])
        hi = np.array([m[1] for m in merged])
        rows = np.flatnonzero(chrom == c)
        k = np.searchsorted(lo, end[rows], side="right") - 1
        out[rows] = (k >= 0) & (start[rows] <= hi[np.maximum(k, 0)])
    return out


def _keys(table: pa.Table) -> list[Key]:
    d = table.select(["chrom", "pos", "ref", "alt"]).to_pydict()
    return list(zip(d["chrom"], d["pos"], d["ref"], d["alt"], strict=True))


@dataclass
class _Annotated:
    """Annotated survivors: annotation rows, the matching survivor rows, per-row kept flags."""

    table: pa.Table  # SCHEMA
    rows: pa.Table  # survivor columns, aligned with ``table``
    kept_terms: npt.NDArray[Any] | None  # file path: any kept term among the ALT's entries (None: no entry)
    worst: dict[Key, str | None]

    @staticmethod
    def empty() -> _Annotated:
        return _Annotated(SCHEMA.empty_table(), pa.table({}), None, {})


# ---------------------------------------------------------------------------------------------
# the exact consequence stage, frequency, and the output tables


def _finish(
    decoder: _Decoder,
    annotated: _Annotated,
    sources: Sources,
    family: Family,
    vcf: Path,
    quality: QualityThresholds,
    max_af: float,
    layout: _Layout | None,
) -> Loaded:
    table, rows = annotated.table, annotated.rows
    n = table.num_rows
    late: list[pa.Table] = []
    if n:
        clinvar_plp = pc.fill_null(pc.is_in(table.column("clinvar_class"), pa.array(PATHOGENIC)), False)
        plp = clinvar_plp.to_numpy(zero_copy_only=False)
        terms = table.column("consequence").to_pylist()
        kept = np.array([any(t in KEPT_TERMS for t in (c or "").split("&")) for c in terms], dtype=np.bool_)
        # a substitution in a CDS the reference does not cover has an unknown protein effect: kept
        unread = pc.invert(pc.fill_null(table.column("sequence_available"), True)).to_numpy(
            zero_copy_only=False
        )
        kept |= unread & np.array(["coding_sequence_variant" in (c or "") for c in terms], dtype=np.bool_)
        if annotated.kept_terms is not None:  # file annotation: any transcript of the ALT counts
            from_file = np.array([bool(v) for v in annotated.kept_terms], dtype=np.bool_)
            has_entries = np.array([v is not None for v in annotated.kept_terms], dtype=np.bool_)
            kept = np.where(has_entries, from_file, kept)
        keep_conseq = kept | plp
        reasons = []
        keys = _keys(table)
        most_severe = table.column("most_severe").to_pylist()
        for i in np.flatnonzero(~keep_conseq).tolist():
            if keys[i] in annotated.worst and annotated.worst[keys[i]] is None:
                reasons.append("no consequence annotated for this allele")
                continue
            term = annotated.worst.get(keys[i]) or most_severe[i] or "intergenic_variant"
            reasons.append(f"consequence {term} ({so.IMPACT.get(term, 'MODIFIER').lower()})")
        late.append(_trace_rows(table, ~keep_conseq, "consequence", reasons))
        pop_af, source = _pop_af(table, rows)
        threshold = np.where(plp, max_af, min(CANDIDATE_AF, max_af))
        too_common = keep_conseq & ~np.isnan(pop_af) & (pop_af > threshold)
        reasons = [
            f"population AF {pop_af[i]:.3g} ({source[i]}) > {threshold[i]:g}"
            for i in np.flatnonzero(too_common).tolist()
        ]
        late.append(_trace_rows(table, too_common, "frequency", reasons))
        keep = keep_conseq & ~too_common
        candidates = _candidate_table(table, rows, keep, pop_af, source, family)
    else:
        candidates = _candidate_table(table, rows, np.zeros(0, np.bool_), np.zeros(0), [], family)
    trace = _trace_table(decoder.trace + late, candidates)
    per_stage = np.bincount(
        trace.column("stage").combine_chunks().indices.to_numpy(zero_copy_only=False), minlength=len(STAGES)
    )
    counts = {
        "records": decoder.records,
        "genotype": decoder.genotype,
        **{stage: int(per_stage[STAGES.index(stage)]) for stage in ("quality", "consequence", "frequency")},
        "candidates": candidates.num_rows,
    }
    counts["variants"] = sum(
        counts[k] for k in ("genotype", "quality", "consequence", "frequency", "candidates")
    )
    resources = dict(sorted({**decoder.clinvar.versions, **sources.versions}.items()))
    annotation_source = layout.source if layout is not None else "genopath"
    meta = {
        "genopath_version": genopath.__version__,
        "resources": resources,
        "annotation_source": annotation_source,
        "samples": [m.sample for m in family.sequenced],
        "individuals": [m.individual_id for m in family.sequenced],
        "proband": family.proband,
        "input": str(vcf),
        "quality": {"gq": quality.gq, "dp": quality.dp, "het_ab": list(quality.het_ab)},
        "max_af": max_af,
        "counts": counts,
    }
    stamp = {b"genopath": json.dumps(meta).encode()}
    return Loaded(
        family=family,
        candidates=candidates.replace_schema_metadata(stamp),
        trace=trace.replace_schema_metadata(stamp),
        counts=counts,
        annotation_source=annotation_source,
        resources=resources,
    )


def _pop_af(table: pa.Table, rows: pa.Table) -> tuple[npt.NDArray[np.float64], list[str | None]]:
    """Maximum population frequency per row and the column it came from (NaN/None: unseen)."""
    names = ["af_input", *POPULATION_COLUMNS]
    af_input = _floats(table.column("af_input"))
    af_input[~rows.column("af_population").to_numpy(zero_copy_only=False)] = np.nan
    stack = np.stack([af_input, *(_floats(table.column(c)) for c in POPULATION_COLUMNS)])
    seen = ~np.isnan(stack)
    best = np.where(seen, stack, -1.0)
    which = np.argmax(best, axis=0)
    value = best[which, np.arange(stack.shape[1])]
    any_seen: BOOL = np.asarray(seen.any(axis=0), dtype=np.bool_)
    source = [names[int(w)] if s else None for w, s in zip(which, any_seen, strict=True)]
    return np.where(any_seen, value, np.nan), source


def _trace_rows(table: pa.Table, mask: BOOL, stage: str, reasons: list[str]) -> pa.Table:
    m = pa.array(mask)
    n = int(mask.sum())
    return pa.table(
        [
            table.column("chrom").filter(m),
            table.column("pos").filter(m),
            table.column("ref").filter(m),
            table.column("alt").filter(m),
            table.column("gene_symbol").filter(m),
            pa.DictionaryArray.from_arrays(
                pa.array(np.full(n, STAGES.index(stage), dtype=np.int8)), pa.array(STAGES, pa.string())
            ),
            pa.array(reasons, pa.string()),
        ],
        names=list(_TRACE_NAMES),
    )


def _candidate_table(
    table: pa.Table,
    rows: pa.Table,
    keep: BOOL,
    pop_af: npt.NDArray[np.float64],
    source: list[str | None],
    family: Family,
) -> pa.Table:
    members = family.sequenced
    m = pa.array(keep)
    columns = [table.column(name).filter(m) for name in SCHEMA.names]
    fields = list(SCHEMA)
    extra_types = dict(EXTRA_COLUMNS)
    n = int(keep.sum())
    extra = {
        "filter": rows.column("filter").filter(m) if n else pa.array([], pa.string()),
        "pop_af": pa.array(pop_af[keep], pa.float64(), mask=np.isnan(pop_af[keep])),
        "pop_af_source": pa.array([s for s, k in zip(source, keep, strict=True) if k], pa.string()),
    }
    for name, type_ in EXTRA_COLUMNS:
        columns.append(extra[name].cast(extra_types[name]))
        fields.append(pa.field(name, type_))
    for i in range(len(members)):
        for name, type_ in GENOTYPE_FIELDS:
            col = genotype_column(name, i)
            columns.append(rows.column(col).filter(m).cast(type_) if n else pa.array([], type_))
            fields.append(pa.field(col, type_))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _trace_table(parts: list[pa.Table], candidates: pa.Table) -> pa.Table:
    """The trace: one row per removed variant key, none for a key that is a candidate.

    A key can come twice only from duplicate records (or two records that trim to one key);
    the first in file order is kept. Duplicates are found among rows sharing a position: in a
    position-sorted VCF those are neighbours, otherwise every position is compared.
    """
    chunks = [
        pa.table(
            [
                p.column("chrom").cast(pa.string()),
                p.column("pos").cast(pa.int64()),
                p.column("ref").cast(pa.string()),
                p.column("alt").cast(pa.string()),
                p.column("gene_symbol").cast(pa.string()),
                p.column("stage"),
                p.column("reason").cast(pa.string()),
            ],
            schema=TRACE_SCHEMA,
        )
        for p in parts
        if p.num_rows
    ]
    if not chunks:
        return TRACE_SCHEMA.empty_table()
    trace = pa.concat_tables(chunks)
    codes = _position_codes(trace.column("chrom"), trace.column("pos").to_numpy())
    order = np.arange(len(codes))
    if len(codes) > 1 and not _grouped(codes):
        order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    shared = np.zeros(len(codes), dtype=np.bool_)
    if len(codes) > 1:
        same = ordered[1:] == ordered[:-1]
        shared[order[1:][same]] = True
        shared[order[:-1][same]] = True
    if candidates.num_rows:
        candidate_codes = _position_codes(candidates.column("chrom"), candidates.column("pos").to_numpy())
        shared |= pc.is_in(pa.array(codes), value_set=pa.array(candidate_codes)).to_numpy(
            zero_copy_only=False
        )
    suspects = np.flatnonzero(shared)
    if len(suspects):
        taken = set(_keys(candidates)) if candidates.num_rows else set()
        drop = np.zeros(len(codes), dtype=np.bool_)
        for r, key in zip(suspects.tolist(), _keys(trace.take(pa.array(suspects))), strict=True):
            drop[r] = key in taken
            taken.add(key)
        if drop.any():
            trace = trace.filter(pa.array(~drop))
    return trace


def _grouped(codes: I64) -> bool:
    """Whether equal positions are neighbours: each chromosome in one run, positions not decreasing."""
    chrom = codes >> np.int64(32)
    starts = np.flatnonzero(np.r_[True, chrom[1:] != chrom[:-1]])
    if len(np.unique(chrom[starts])) != len(starts):
        return False
    step = np.diff(codes)
    return bool((step[chrom[1:] == chrom[:-1]] >= 0).all())
