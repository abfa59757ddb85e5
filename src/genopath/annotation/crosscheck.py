"""Check genopath's consequences against ``bcftools csq`` and ClinVar's molecular consequences.

Used by the test suite and ``benchmarks/annotate.py``. A reference FASTA whose sequences are
chromosome slices (``chr17_42425000_43600000``) is handled by moving the VCF and the GFF3 into
slice coordinates for bcftools, which knows nothing of slices.

Agreement is judged on the MANE Select transcript of the gene bcftools names: the two agree
when their most severe terms are equal, or when bcftools' most severe term is among genopath's
terms with the same impact class (a deletion removing a whole exon is both a donor and an
acceptor variant; bcftools names one of them).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from genopath.annotation import so
from genopath.annotation.consequence import Annotator, Change, Result
from genopath.annotation.readers import BCSQ_TERMS
from genopath.annotation.reference import Reference, canonical_chrom
from genopath.annotation.transcripts import TranscriptIndex, write_gff3
from genopath.core.errors import ConfigurationError

#: ClinVar ``MC`` names that differ from the SO term names genopath uses.
CLINVAR_MC = {
    "nonsense": "stop_gained",
    "non-coding_transcript_variant": "non_coding_transcript_variant",
    "initiator_codon_variant": "start_lost",
}
#: Terms genopath gives that ClinVar's vocabulary has no word for; left out of the comparison.
NOT_IN_CLINVAR = frozenset({"splice_region_variant", "coding_sequence_variant", "protein_altering_variant"})


@dataclass
class Disagreement:
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    theirs: tuple[str, ...]
    ours: tuple[str, ...]
    hgvs_c: str | None = None
    hgvs_p: str | None = None

    def line(self) -> str:
        ref = self.ref if len(self.ref) <= 12 else f"{self.ref[:10]}…({len(self.ref)} bp)"
        alt = self.alt if len(self.alt) <= 12 else f"{self.alt[:10]}…({len(self.alt)} bp)"
        return (
            f"{self.chrom}:{self.pos}:{ref}:{alt} {self.gene}: reference={'&'.join(self.theirs)} "
            f"genopath={'&'.join(self.ours)} {self.hgvs_c or ''} {self.hgvs_p or ''}".rstrip()
        )


@dataclass
class Agreement:
    agree: Counter[str] = field(default_factory=Counter)
    disagree: Counter[str] = field(default_factory=Counter)
    protein_checked: int = 0
    protein_agree: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    def rate(self, kind: str) -> float:
        total = self.agree[kind] + self.disagree[kind]
        return self.agree[kind] / total if total else float("nan")

    def total(self, kind: str) -> int:
        return self.agree[kind] + self.disagree[kind]


def _kind(ref: str, alt: str) -> str:
    return "snv" if len(ref) == 1 and len(alt) == 1 else "indel"


def agrees(theirs: Iterable[str], ours: tuple[str, ...]) -> bool:
    t = so.sort_terms(list(theirs))
    if not t or not ours:
        return False
    return t[0] == ours[0] or (t[0] in ours and so.IMPACT.get(t[0]) == so.IMPACT.get(ours[0]))


def bcftools() -> str:
    path = shutil.which("bcftools")
    if path is None:
        raise ConfigurationError(
            "bcftools is not installed; run `make system-deps` (apt-get install bcftools)"
        )
    return path


def slice_inputs(
    vcf_records: list[tuple[str, int, str, str]], reference: Reference, index: TranscriptIndex, workdir: Path
) -> tuple[Path, Path, dict[str, tuple[str, int]]]:
    """Write the VCF and GFF3 ``bcftools csq`` needs, in the FASTA's own sequence coordinates."""
    contigs = {chrom: cs[0] for chrom, cs in reference.contigs.items()}
    mapping = {chrom: (c.name, c.offset, c.length) for chrom, c in contigs.items()}
    gff = workdir / "transcripts.gff3"
    write_gff3(index, gff, mapping)
    vcf = workdir / "input.vcf"
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={c.name},length={c.length}>" for c in contigs.values()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for chrom, pos, ref, alt in vcf_records:
        c = contigs.get(chrom)
        if c is None or not (c.offset < pos <= c.offset + c.length - len(ref)):
            continue
        lines.append(f"{c.name}\t{pos - c.offset}\t.\t{ref}\t{alt}\t.\t.\t.")
    vcf.write_text("\n".join(lines) + "\n")
    return vcf, gff, {c.name: (chrom, c.offset) for chrom, c in contigs.items()}


def run_bcftools_csq(
    vcf: Path, fasta: Path, gff: Path, out: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``bcftools csq --local-csq`` (each record on its own, as genopath annotates)."""
    args = [bcftools(), "csq", "--local-csq", "-f", str(fasta), "-g", str(gff), str(vcf)]
    args += ["-Ov", "-o", str(out)] if out is not None else ["-Ou", "-o", "/dev/null"]
    return subprocess.run(args, check=True, capture_output=True, text=True)


def read_bcsq(
    path: Path, back: dict[str, tuple[str, int]]
) -> dict[tuple[str, int, str, str], dict[str, set[str]]]:
    """BCSQ consequences per variant (chromosome coordinates) and gene, as SO terms."""
    out: dict[tuple[str, int, str, str], dict[str, set[str]]] = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            col = line.rstrip("\n").split("\t")
            chrom, offset = back[col[0]]
            key = (chrom, int(col[1]) + offset, col[3], col[4])
            genes = out.setdefault(key, {})
            for kv in col[7].split(";"):
                if not kv.startswith("BCSQ="):
                    continue
                for entry in kv[5:].split(","):
                    if entry.startswith("@"):
                        continue
                    parts = entry.split("|")
                    terms = {BCSQ_TERMS.get(t.lstrip("*"), t.lstrip("*")) for t in parts[0].split("&")}
                    gene = parts[1] if len(parts) > 1 else ""
                    genes.setdefault(gene, set()).update(terms)
                    if len(parts) > 5 and parts[5]:
                        genes.setdefault("\0aa:" + gene, set()).add(parts[5])
    return out


def compare_with_bcftools(
    records: list[tuple[str, int, str, str]], reference: Reference, index: TranscriptIndex, workdir: Path
) -> Agreement:
    """Annotate ``records`` with genopath and with ``bcftools csq``; count agreement per class."""
    vcf, gff, back = slice_inputs(records, reference, index, workdir)
    out = workdir / "bcftools.vcf"
    run_bcftools_csq(vcf, reference.path, gff, out)
    theirs = read_bcsq(out, back)
    annotator = Annotator(reference)
    result = Agreement()
    for key, genes in theirs.items():
        chrom, pos, ref, alt = key
        change = Change.from_vcf(pos, ref, alt)
        lo = change.start - 1 if change.is_insertion else change.start
        hi = change.start if change.is_insertion else change.end
        ours = {
            t.gene_symbol: r
            for t in index.near(chrom, lo, hi)
            if (r := annotator.consequence(t, chrom, change)) is not None
        }
        kind = _kind(ref, alt)
        for gene, terms in genes.items():
            if gene.startswith("\0"):
                continue
            mine = ours.get(gene)
            mine_terms = mine.consequences if mine is not None else ()
            if agrees(terms, mine_terms):
                result.agree[kind] += 1
            else:
                result.disagree[kind] += 1
                result.disagreements.append(
                    Disagreement(
                        chrom, pos, ref, alt, gene, so.sort_terms(terms), mine_terms,
                        mine.hgvs_c if mine else None, mine.hgvs_p if mine else None,
                    )
                )  # fmt: skip
            # protein change of SNVs: bcftools writes e.g. 1775E>1775* or 12L
            aa = genes.get("\0aa:" + gene)
            if mine is not None and kind == "snv" and aa and mine.protein_position and mine.aa_ref:
                result.protein_checked += 1
                expected = {f"{mine.protein_position}{mine.aa_ref}>{mine.protein_position}{mine.aa_alt}",
                            f"{mine.protein_position}{mine.aa_ref}"}  # fmt: skip
                result.protein_agree += bool(aa & expected)
    return result


def clinvar_records(path: Path, reference: Reference) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    """ClinVar VCF records inside the reference, with their ``MC`` terms (SO names)."""
    out = []
    with gzip.open(path, "rt") as f:
        for line in f:
            if line.startswith("#"):
                continue
            col = line.split("\t", 8)
            chrom, pos, ref, alt = canonical_chrom(col[0]), int(col[1]), col[3], col[4]
            if (
                alt in (".", "")
                or alt.startswith("<")
                or reference.covers(chrom, pos - 1, pos - 1 + len(ref)) is None
            ):
                continue
            mc: tuple[str, ...] = ()
            for kv in col[7].split(";"):
                if kv.startswith("MC="):
                    mc = tuple(CLINVAR_MC.get(x.split("|")[1], x.split("|")[1]) for x in kv[3:].split(","))
            out.append((chrom, pos, ref, alt, mc))
    return out


def _clinvar_terms(result: Result) -> set[str]:
    """genopath's most severe term(s) in ClinVar's words."""
    terms = [t for t in result.consequences if t not in NOT_IN_CLINVAR] or list(result.consequences)
    top = {terms[0]}
    # ClinVar calls a frameshift that stops at once "nonsense"
    if terms[0] == "frameshift_variant" and (result.hgvs_p or "").endswith("Ter"):
        top.add("stop_gained")
    return top


def compare_with_clinvar_mc(
    records: list[tuple[str, int, str, str, tuple[str, ...]]], reference: Reference, index: TranscriptIndex
) -> Agreement:
    """Is genopath's most severe MANE consequence among ClinVar's molecular consequences?

    ClinVar lists consequences over all RefSeq transcripts, so membership (not equality) is
    the test; records without ``MC`` or outside every transcript are not counted.
    """
    annotator = Annotator(reference)
    result = Agreement()
    for chrom, pos, ref, alt, mc in records:
        if not mc:
            continue
        change = Change.from_vcf(pos, ref, alt)
        lo = change.start - 1 if change.is_insertion else change.start
        hi = change.start if change.is_insertion else change.end
        results = [
            r for t in index.near(chrom, lo, hi, flank=0) if (r := annotator.consequence(t, chrom, change))
        ]
        if not results:
            continue
        best = min(results, key=lambda r: so.rank(r.consequences[0]))
        kind = _kind(ref, alt)
        theirs = set(mc)
        if "inframe_indel" in theirs:
            theirs |= {"inframe_deletion", "inframe_insertion"}
        if any(_clinvar_terms(r) & theirs for r in results):
            result.agree[kind] += 1
        else:
            result.disagree[kind] += 1
            result.disagreements.append(
                Disagreement(chrom, pos, ref, alt, best.transcript.gene_symbol, so.sort_terms(mc),
                             best.consequences, best.hgvs_c, best.hgvs_p)
            )  # fmt: skip
    return result
