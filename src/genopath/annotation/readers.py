"""Readers of pre-annotated VCFs: Ensembl VEP ``CSQ``, SnpEff ``ANN`` and bcftools ``BCSQ``.

Each reader turns one record's INFO value into :class:`~genopath.annotation.model.TranscriptConsequence`
objects, one list per ALT allele in ALT order, so the rest of genopath never sees which tool
annotated the file. Consequence names are mapped to the Sequence Ontology terms of
:mod:`genopath.annotation.so` where the tool uses its own name for a standard term; names with
no clear equivalent are kept as written (they rank after every known term).

Routing entries to ALTs:

* **VEP** writes ``Allele`` in Ensembl form: for indels the first base is dropped when it is
  shared by REF and *every* ALT (``-`` when nothing is left); see :func:`vep_allele_strings`.
  ``ALLELE_NUM`` (``--allele_number``) is used instead when every entry's number fits the
  record; a number beyond the record's ALTs means the VCF was split after annotation, and the
  ``Allele`` strings are matched instead. The full ALT string is also accepted.
* **SnpEff** writes the full ALT. Entries for alleles not among the ALTs (cancer-mode
  ``ALT-REF`` forms) are skipped.
* **bcftools csq** does not say which ALT an entry belongs to, so genopath requires biallelic
  records (``bcftools norm -m-``) for ``BCSQ``. Entries ``@POS`` ("annotated at the record at
  POS": the second site of a haplotype-aware compound call) are skipped, because the combined
  consequence is reported once, at that first site. A leading ``*`` ("downstream of a stop
  introduced by another variant on the same haplotype") is dropped: genopath reads BCSQ at the
  site level, as VEP and SnpEff report it.

Entries that match no ALT are skipped: after ``bcftools norm -m-`` every split record carries
the entries of its siblings.

References
----------
Ensembl VEP output format: https://www.ensembl.org/info/docs/tools/vep/vep_formats.html;
``Bio::EnsEMBL::VEP::Parser::VCF`` (allele trimming). SnpEff ANN specification:
https://pcingola.github.io/SnpEff/adds/VCFannotationformat_v1.0.pdf. bcftools csq:
Danecek & McCarthy, Bioinformatics 33:2037 (2017) and ``man bcftools`` (1.16).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Final, NamedTuple
from urllib.parse import unquote

from genopath.annotation import so
from genopath.annotation.model import TranscriptConsequence
from genopath.core.errors import InputError

__all__ = [
    "BCSQ_TERMS",
    "SNPEFF_FIELDS",
    "SNPEFF_TERMS",
    "VEP_EXTRAS",
    "AnnotatedSite",
    "AnnotationReader",
    "BcftoolsCsqReader",
    "SnpEffAnnReader",
    "VepCsqReader",
    "detect",
    "iter_annotated",
    "vep_allele_strings",
]

#: Variant-level VEP fields copied into ``extras`` (with every ``SpliceAI_*`` field).
VEP_EXTRAS: Final[frozenset[str]] = frozenset(
    {
        "MAX_AF", "gnomADe_AF", "gnomADe_EAS_AF", "gnomADg_AF", "gnomADg_EAS_AF", "gnomAD_AF",
        "gnomAD_EAS_AF", "AF", "EAS_AF", "CLIN_SIG", "REVEL", "CADD_PHRED",
    }
)  # fmt: skip

#: The 16 fields of SnpEff's ANN, in the order of the ANN specification 1.0.
SNPEFF_FIELDS: Final[tuple[str, ...]] = (
    "Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
    "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
    "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO",
)  # fmt: skip

#: SnpEff names → SO terms of :mod:`so`. The uAUG term is a child of ``5_prime_UTR_variant``
#: that carries clinically relevant detail, so it is kept beside its parent.
SNPEFF_TERMS: Final[Mapping[str, tuple[str, ...]]] = {
    "conservative_inframe_insertion": ("inframe_insertion",),
    "disruptive_inframe_insertion": ("inframe_insertion",),
    "conservative_inframe_deletion": ("inframe_deletion",),
    "disruptive_inframe_deletion": ("inframe_deletion",),
    "intergenic_region": ("intergenic_variant",),
    "conserved_intergenic_variant": ("intergenic_variant",),
    "conserved_intron_variant": ("intron_variant",),
    "non_coding_exon_variant": ("non_coding_transcript_exon_variant",),
    "nc_transcript_variant": ("non_coding_transcript_variant",),
    "initiator_codon_variant": ("start_retained_variant",),
    "miRNA": ("mature_miRNA_variant",),
    "5_prime_UTR_truncation": ("5_prime_UTR_variant",),  # exon loss within the UTR
    "3_prime_UTR_truncation": ("3_prime_UTR_variant",),
    "5_prime_UTR_premature_start_codon_gain_variant": (
        "5_prime_UTR_variant",
        "5_prime_UTR_premature_start_codon_gain_variant",
    ),
}

#: bcftools csq consequence names (``man bcftools``, 1.16) → SO terms of :mod:`so`.
BCSQ_TERMS: Final[Mapping[str, str]] = {
    "missense": "missense_variant",
    "synonymous": "synonymous_variant",
    "stop_gained": "stop_gained",
    "stop_lost": "stop_lost",
    "start_lost": "start_lost",
    "stop_retained": "stop_retained_variant",
    "start_retained": "start_retained_variant",
    "frameshift": "frameshift_variant",
    "inframe_deletion": "inframe_deletion",
    "inframe_insertion": "inframe_insertion",
    "inframe_altering": "protein_altering_variant",
    "splice_acceptor": "splice_acceptor_variant",
    "splice_donor": "splice_donor_variant",
    "splice_region": "splice_region_variant",
    "5_prime_utr": "5_prime_UTR_variant",
    "3_prime_utr": "3_prime_UTR_variant",
    "intron": "intron_variant",
    "non_coding": "non_coding_transcript_variant",
    "coding_sequence": "coding_sequence_variant",
    "feature_elongation": "feature_elongation",
    "intergenic": "intergenic_variant",
}

# SnpEff Rank: terms that can only lie in an intron, and terms that put a variant (partly) in an exon.
_INTRONIC: Final[frozenset[str]] = frozenset(
    {
        "intron_variant", "splice_donor_variant", "splice_acceptor_variant", "splice_donor_5th_base_variant",
        "splice_donor_region_variant", "splice_polypyrimidine_tract_variant", "splice_branch_variant",
    }
)  # fmt: skip
_EXONIC: Final[frozenset[str]] = frozenset(
    {
        "stop_gained", "frameshift_variant", "stop_lost", "start_lost", "inframe_insertion", "inframe_deletion",
        "missense_variant", "protein_altering_variant", "incomplete_terminal_codon_variant",
        "start_retained_variant", "stop_retained_variant", "synonymous_variant", "coding_sequence_variant",
        "5_prime_UTR_variant", "3_prime_UTR_variant", "non_coding_transcript_exon_variant",
        "mature_miRNA_variant", "exon_loss_variant",
    }
)  # fmt: skip

_AMINO_ACIDS: Final[Mapping[str, str]] = {
    "A": "Ala", "C": "Cys", "D": "Asp", "E": "Glu", "F": "Phe", "G": "Gly", "H": "His", "I": "Ile",
    "K": "Lys", "L": "Leu", "M": "Met", "N": "Asn", "P": "Pro", "Q": "Gln", "R": "Arg", "S": "Ser",
    "T": "Thr", "V": "Val", "W": "Trp", "Y": "Tyr", "U": "Sec", "O": "Pyl", "*": "Ter", "X": "Xaa",
}  # fmt: skip
_INFO_LINE = re.compile(r"^##INFO=<ID=([^,>]+),(.*)>\s*$")
_DESCRIPTION = re.compile(r'Description="((?:[^"\\]|\\.)*)"')
_BCSQ_PROTEIN = re.compile(r"^(\d+)([A-Z*]+)(\.\.\d+)?(?:>(\d+)([A-Z*]+)(\.\.\d+)?)?$")
_VERSION = re.compile(r"\.\d+$")
_INTEGER = re.compile(r"\d+")


class AnnotatedSite(NamedTuple):
    """One ALT allele of one VCF record with its consequences (one per transcript or feature)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    consequences: list[TranscriptConsequence]


def detect(header_text: str) -> str | None:
    """Which annotation a VCF header declares: ``"vep"``, ``"snpeff"``, ``"bcftools"`` or ``None``.

    ``vep`` needs INFO/CSQ whose Description holds ``Format: A|B|…``; ``snpeff`` needs INFO/ANN
    whose Description starts ``Functional annotations:``; ``bcftools`` needs INFO/BCSQ. When a
    file carries several, VEP is preferred over SnpEff over bcftools.
    """
    infos = _info_descriptions(header_text)
    if "Format:" in infos.get("CSQ", ""):
        return "vep"
    if "Functional annotations:" in infos.get("ANN", ""):
        return "snpeff"
    if "BCSQ" in infos:
        return "bcftools"
    return None


def vep_allele_strings(ref: str, alts: Sequence[str]) -> list[str]:
    """The ``Allele`` VEP writes for each ALT, in ALT order.

    Follows ``Bio::EnsEMBL::VEP::Parser::VCF`` (without ``--minimal``): when any ALT differs in
    length from REF, the first base is removed from every ALT — for a single ALT when it shares
    the first base with REF, for several ALTs only when REF and all ALTs (``*`` excepted) share
    it. An emptied allele becomes ``-``; ``*`` is never trimmed. Otherwise ALTs are unchanged.

    >>> vep_allele_strings("CT", ["C"]), vep_allele_strings("C", ["T", "CT"])
    (['-'], ['T', 'CT'])
    """
    if all(len(alt) == len(ref) for alt in alts):
        return list(alts)
    if len(alts) == 1:
        return [alts[0][1:] or "-"] if alts[0][:1] == ref[:1] else list(alts)
    first_bases = {allele[:1] for allele in (ref, *alts) if "*" not in allele}
    if len(first_bases) != 1:
        return list(alts)
    return [alt if "*" in alt else alt[1:] or "-" for alt in alts]


class AnnotationReader(ABC):
    """Parses one INFO annotation value into consequences per ALT; build with :meth:`from_header`."""

    source: ClassVar[str]
    tag: ClassVar[str]
    mane_transcripts: frozenset[str]

    @staticmethod
    def from_header(
        header_text: str, mane_transcripts: Collection[str] = (), *, where: str | None = None
    ) -> AnnotationReader:
        """The reader for the annotation a VCF header declares (see :func:`detect`).

        Parameters
        ----------
        header_text
            The VCF header (``##`` lines; the ``#CHROM`` line may be included).
        mane_transcripts
            MANE Select transcript IDs (``ENST…`` or ``NM_…``, version optional). A consequence
            on one of them is marked ``mane_select`` whatever the file says — the only way to
            get MANE for SnpEff and bcftools, which do not report it.
        where
            The file, named in error messages.

        Raises
        ------
        InputError
            When the header declares no known annotation, or declares one in a layout genopath
            cannot read.
        """
        infos = _info_descriptions(header_text)
        mane = frozenset(_versionless(t) for t in mane_transcripts)
        source = detect(header_text)
        if source == "vep":
            return VepCsqReader(_vep_fields(infos["CSQ"], where), mane)
        if source == "snpeff":
            _check_snpeff_fields(infos["ANN"], where)
            return SnpEffAnnReader(mane)
        if source == "bcftools":
            return BcftoolsCsqReader(_bcsq_fields(infos["BCSQ"], where), mane)
        if "CSQ" in infos or "ANN" in infos:
            raise InputError(
                f"INFO/{'CSQ' if 'CSQ' in infos else 'ANN'}{_at(where)} is declared without the field list "
                "('Format: …' for VEP, \"Functional annotations: '…'\" for SnpEff) in its Description; "
                "keep the header the annotator wrote"
            )
        raise InputError(
            f"{where or 'the VCF header'} has no CSQ, ANN or BCSQ INFO field; annotate with "
            "`genopath annotate` and a reference FASTA, or with VEP"
        )

    @abstractmethod
    def parse(
        self, info_value: str, ref: str, alts: Sequence[str], *, where: str | None = None
    ) -> list[list[TranscriptConsequence]]:
        """Consequences per ALT (one list per ALT, in ALT order) from one record's INFO value.

        ``info_value`` is the value of INFO/CSQ, ANN or BCSQ (comma-separated entries; empty or
        ``.`` for none). ``where`` (e.g. ``"sample.vcf.gz:chr17:43045705"``) is named in errors.

        Raises
        ------
        InputError
            When an entry does not have the fields the header declares, or (BCSQ) the record
            has several ALTs.
        """

    def _is_mane(self, transcript: str | None) -> bool:
        return transcript is not None and _versionless(transcript) in self.mane_transcripts


@dataclass(frozen=True, slots=True)
class VepCsqReader(AnnotationReader):
    """Ensembl VEP ``CSQ``; field order from the header's ``Format:`` list."""

    fields: tuple[str, ...]
    mane_transcripts: frozenset[str] = frozenset()
    source: ClassVar[str] = "vep"
    tag: ClassVar[str] = "CSQ"

    def parse(
        self, info_value: str, ref: str, alts: Sequence[str], *, where: str | None = None
    ) -> list[list[TranscriptConsequence]]:
        rows = [self._row(entry, where) for entry in _entries(info_value)]
        per_alt: list[list[TranscriptConsequence]] = [[] for _ in alts]
        for row, index in zip(rows, self._alt_indexes(rows, ref, alts), strict=True):
            if index is not None:
                per_alt[index].append(self._consequence(row))
        return per_alt

    def _row(self, entry: str, where: str | None) -> dict[str, str]:
        values = entry.split("|")
        if len(values) != len(self.fields):
            raise InputError(
                f"INFO/CSQ entry{_at(where)} has {len(values)} '|'-separated fields but the header's "
                f"Format lists {len(self.fields)}: {entry!r}; the header must be the one VEP wrote for "
                "these records (do not merge files annotated with different VEP options)"
            )
        return dict(zip(self.fields, values, strict=True))

    def _alt_indexes(self, rows: list[dict[str, str]], ref: str, alts: Sequence[str]) -> list[int | None]:
        # ALLELE_NUM is authoritative only for the record VEP saw; a number beyond this record's
        # ALTs means the file was split afterwards, and the Allele strings are matched instead.
        numbers = [row.get("ALLELE_NUM", "") for row in rows]
        if "ALLELE_NUM" in self.fields and all(n.isdigit() and 1 <= int(n) <= len(alts) for n in numbers):
            return [int(n) - 1 for n in numbers]
        lookup = {alt: i for i, alt in enumerate(alts)}
        lookup.update({allele: i for i, allele in enumerate(vep_allele_strings(ref, alts))})
        return [lookup.get(row["Allele"]) for row in rows]

    def _consequence(self, row: Mapping[str, str]) -> TranscriptConsequence:
        feature = row.get("Feature") or None
        is_transcript = row.get("Feature_type", "Transcript") in ("Transcript", "")
        transcript = feature if is_transcript else None
        mane = bool(row.get("MANE_SELECT")) or "MANE_Select" in row.get("MANE", "")
        return TranscriptConsequence(
            consequences=so.sort_terms([t for t in row["Consequence"].split("&") if t]),
            gene_symbol=row.get("SYMBOL") or None,
            gene_id=row.get("Gene") or None,
            transcript=transcript,
            biotype=row.get("BIOTYPE") or None,
            hgvs_c=unquote(row["HGVSc"]) if row.get("HGVSc") else None,  # VEP writes '=' as %3D
            hgvs_p=unquote(row["HGVSp"]) if row.get("HGVSp") else None,
            exon=row.get("EXON") or None,
            intron=row.get("INTRON") or None,
            protein_position=_first_integer(row.get("Protein_position", "")),
            mane_select=mane or self._is_mane(transcript),
            canonical=row.get("CANONICAL") == "YES",
            source=self.source,
            extras={k: v for k, v in row.items() if v and (k in VEP_EXTRAS or k.startswith("SpliceAI_"))},
        )


@dataclass(frozen=True, slots=True)
class SnpEffAnnReader(AnnotationReader):
    """SnpEff ``ANN`` (specification 1.0: 16 fixed fields)."""

    mane_transcripts: frozenset[str] = frozenset()
    source: ClassVar[str] = "snpeff"
    tag: ClassVar[str] = "ANN"

    def parse(
        self, info_value: str, ref: str, alts: Sequence[str], *, where: str | None = None
    ) -> list[list[TranscriptConsequence]]:
        index = {alt: i for i, alt in enumerate(alts)}
        per_alt: list[list[TranscriptConsequence]] = [[] for _ in alts]
        for entry in _entries(info_value):
            values = entry.split("|")
            if len(values) != len(SNPEFF_FIELDS):
                raise InputError(
                    f"INFO/ANN entry{_at(where)} has {len(values)} '|'-separated fields, not the "
                    f"{len(SNPEFF_FIELDS)} of SnpEff's ANN format: {entry!r}; re-annotate with SnpEff ≥ 4.1"
                )
            row = dict(zip(SNPEFF_FIELDS, (v.strip() for v in values), strict=True))
            if row["Allele"] in index:  # cancer-mode 'ALT-REF' alleles match no ALT and are skipped
                per_alt[index[row["Allele"]]].append(self._consequence(row))
        return per_alt

    def _consequence(self, row: Mapping[str, str]) -> TranscriptConsequence:
        names = [name for name in row["Annotation"].split("&") if name]
        terms = so.sort_terms([term for name in names for term in SNPEFF_TERMS.get(name, (name,))])
        rank = row["Rank"] or None
        intronic = rank is not None and _snpeff_rank_is_intron(terms)
        transcript = row["Feature_ID"] if row["Feature_Type"] == "transcript" and row["Feature_ID"] else None
        return TranscriptConsequence(
            consequences=terms,
            gene_symbol=row["Gene_Name"] or None,
            gene_id=row["Gene_ID"] or None,
            transcript=transcript,
            biotype=row["Transcript_BioType"] or None,
            hgvs_c=row["HGVS.c"] or None,
            hgvs_p=row["HGVS.p"] or None,
            exon=None if intronic else rank,
            intron=rank if intronic else None,
            protein_position=_first_integer(row["AA.pos / AA.length"]),
            mane_select=self._is_mane(transcript),
            source=self.source,
        )


@dataclass(frozen=True, slots=True)
class BcftoolsCsqReader(AnnotationReader):
    """bcftools csq ``BCSQ`` (site level; biallelic records only)."""

    fields: tuple[str, ...]
    mane_transcripts: frozenset[str] = frozenset()
    source: ClassVar[str] = "bcftools"
    tag: ClassVar[str] = "BCSQ"

    def parse(
        self, info_value: str, ref: str, alts: Sequence[str], *, where: str | None = None
    ) -> list[list[TranscriptConsequence]]:
        # '@POS' entries point at the record holding a compound call; they carry nothing here.
        entries = [e for e in _entries(info_value) if not e.startswith("@")]
        if entries and len(alts) > 1:
            raise InputError(
                f"INFO/BCSQ{_at(where)} is on a record with {len(alts)} ALT alleles ({','.join(alts)}); "
                "bcftools csq does not say which ALT each consequence belongs to. Split multi-allelic "
                "records first: bcftools norm -m- (then run bcftools csq again)"
            )
        return [[self._consequence(self._row(e, where)) for e in entries] for _ in alts]

    def _row(self, entry: str, where: str | None) -> dict[str, str]:
        # bcftools omits trailing empty fields (UTR, intron and splice entries have four).
        values = entry.split("|")
        if len(values) > len(self.fields):
            raise InputError(
                f"INFO/BCSQ entry{_at(where)} has {len(values)} '|'-separated fields but the header's "
                f"Format lists {len(self.fields)}: {entry!r}; keep the header bcftools csq wrote"
            )
        return dict(zip(self.fields, values + [""] * (len(self.fields) - len(values)), strict=True))

    def _consequence(self, row: Mapping[str, str]) -> TranscriptConsequence:
        names = [name.lstrip("*") for name in row["Consequence"].split("&")]
        terms = so.sort_terms([BCSQ_TERMS.get(name, name) for name in names if name])
        position, hgvs_p = _bcsq_protein_change(row["amino_acid_change"], terms)
        transcript = row["transcript"] or None
        extras = {k: row[k] for k in ("amino_acid_change", "dna_change") if row.get(k)}
        return TranscriptConsequence(
            consequences=terms,
            gene_symbol=row["gene"] or None,
            transcript=transcript,
            biotype=row["biotype"] or None,
            hgvs_p=hgvs_p,
            protein_position=position,
            mane_select=self._is_mane(transcript),
            source=self.source,
            extras=extras,
        )


def iter_annotated(vcf_path: str | Path, mane_transcripts: Collection[str] = ()) -> Iterator[AnnotatedSite]:
    """Consequences per record and ALT from a VEP-, SnpEff- or bcftools-annotated VCF (or BCF).

    Parameters
    ----------
    vcf_path
        VCF, bgzipped VCF or BCF carrying INFO/CSQ, ANN or BCSQ.
    mane_transcripts
        MANE Select transcript IDs, see :meth:`AnnotationReader.from_header`.

    Yields
    ------
    AnnotatedSite
        ``chrom``, ``pos`` (1-based), ``ref``, ``alt`` and ``consequences`` (possibly empty) for
        each ALT of each record, in file order; records without ALT (``.``) are skipped.

    Raises
    ------
    InputError
        When the file cannot be opened, declares no known annotation, or a record's annotation
        is malformed (the message names the file and position).
    """
    import cyvcf2  # here, not at the top: annotating a plain VCF does not need htslib's reader

    path = Path(vcf_path)
    try:
        vcf = cyvcf2.VCF(str(path))
    except OSError as e:
        raise InputError(f"cannot read VCF {path}: {e}; check the path and that it is a VCF/BCF") from e
    try:
        reader = AnnotationReader.from_header(vcf.raw_header, mane_transcripts, where=str(path))
        for record in vcf:
            alts: list[str] = list(record.ALT)
            value = record.INFO.get(reader.tag)
            where = f"{path}:{record.CHROM}:{record.POS}"
            per_alt = reader.parse(value if isinstance(value, str) else "", record.REF, alts, where=where)
            for alt, consequences in zip(alts, per_alt, strict=True):
                yield AnnotatedSite(record.CHROM, record.POS, record.REF, alt, consequences)
    finally:
        vcf.close()


def _info_descriptions(header_text: str) -> dict[str, str]:
    infos: dict[str, str] = {}
    for line in header_text.splitlines():
        if match := _INFO_LINE.match(line.strip()):
            description = _DESCRIPTION.search(match.group(2))
            infos[match.group(1)] = description.group(1) if description else ""
    return infos


def _vep_fields(description: str, where: str | None) -> tuple[str, ...]:
    fields = tuple(f.strip() for f in description.split("Format:", 1)[1].strip(" '\"").split("|"))
    missing = [f for f in ("Allele", "Consequence") if f not in fields]
    if missing:
        raise InputError(
            f"INFO/CSQ Format{_at(where)} lacks {', '.join(missing)} (fields: {'|'.join(fields)}); "
            "this is not a VEP CSQ layout genopath can read"
        )
    return fields


def _check_snpeff_fields(description: str, where: str | None) -> None:
    listed = description.split("Functional annotations:", 1)[1].strip().strip("'\" ")
    fields = tuple(" ".join(f.split()) for f in listed.split("|"))
    if fields != SNPEFF_FIELDS:
        raise InputError(
            f"INFO/ANN{_at(where)} lists fields {'|'.join(fields)!r}; genopath reads SnpEff's 16-field ANN "
            f"layout ({' | '.join(SNPEFF_FIELDS)}); re-annotate with SnpEff ≥ 4.1"
        )


def _bcsq_fields(description: str, where: str | None) -> tuple[str, ...]:
    listed = description.split("Format:", 1)[1] if "Format:" in description else ""
    fields = tuple(f.strip() for f in listed.strip(" '\"").split("|")) if listed else ()
    required = ("Consequence", "gene", "transcript", "biotype", "amino_acid_change")
    missing = [f for f in required if f not in fields]
    if missing:
        raise InputError(
            f"INFO/BCSQ Description{_at(where)} does not list {', '.join(missing)} after 'Format:' "
            f"(found {'|'.join(fields) or 'nothing'}); keep the header bcftools csq wrote"
        )
    return fields


def _snpeff_rank_is_intron(terms: tuple[str, ...]) -> bool:
    """SnpEff's Rank is an intron number when the variant lies only in an intron.

    That is, some term is intronic (``intron_variant`` or a splice-site term that lies in the
    intron) and none places it in an exon (coding, UTR or non-coding exon terms). So
    ``splice_region_variant&intron_variant`` reads as an intron, ``splice_region_variant&
    synonymous_variant`` as an exon.
    """
    return any(t in _INTRONIC for t in terms) and not any(t in _EXONIC for t in terms)


def _bcsq_protein_change(change: str, terms: tuple[str, ...]) -> tuple[int | None, str | None]:
    """Protein position and 3-letter HGVS p. string from a BCSQ amino_acid_change.

    ``3L`` (synonymous) → ``p.Leu3=``; ``10P>10L`` → ``p.Pro10Leu``; ``5Q>5*`` → ``p.Gln5Ter``;
    a start-codon change → ``p.Met1?``; an untrimmed frameshift ``23NPEP…*>23NPSP…*`` →
    ``p.Glu25SerfsTer9``. Other changes (in-frame indels, stop loss, trimmed ``..`` forms) give
    the position of the first changed residue and no HGVS string, since bcftools does not
    apply the HGVS 3' rule.
    """
    match = _BCSQ_PROTEIN.match(change)
    if match is None:
        return _first_integer(change), None
    start, ref, ref_cut, _, alt, alt_cut = match.groups()
    position = int(start)
    if alt is None:
        return position, f"p.{_three_letter(ref)}{position}=" if len(ref) == 1 else None
    shared = len(_common_prefix(ref, alt))
    first = position + min(shared, len(ref) - 1)
    if shared >= min(len(ref), len(alt)) or ref_cut or alt_cut:
        return first, None
    old, new = _three_letter(ref[shared]), _three_letter(alt[shared])
    if len(ref) == len(alt) == 1 and ref != "*":
        return first, "p.Met1?" if first == 1 and ref == "M" else f"p.{old}{first}{new}"
    if "frameshift_variant" in terms and alt.endswith("*"):
        return first, f"p.{old}{first}Ter" if new == "Ter" else f"p.{old}{first}{new}fsTer{len(alt) - shared}"
    return first, None


def _three_letter(residue: str) -> str:
    return _AMINO_ACIDS.get(residue, "Xaa")


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _entries(info_value: str) -> list[str]:
    return [] if info_value in ("", ".") else info_value.split(",")


def _first_integer(text: str) -> int | None:
    match = _INTEGER.search(text)
    return int(match.group()) if match else None


def _versionless(transcript: str) -> str:
    return _VERSION.sub("", transcript.strip())


def _at(where: str | None) -> str:
    return f" at {where}" if where else ""
