"""Outside calls: results for genes a short-read VCF cannot call (CYP2D6, HLA-A, HLA-B, MT-RNR1).

The file is tab-separated, one gene per line, ``#`` comments allowed (PharmCAT's format)::

    GENE<TAB>DIPLOTYPE[<TAB>PHENOTYPE[<TAB>ACTIVITY_SCORE]]
    CYP2D6	*1/*10
    HLA-B	*15:02/*40:01
    MT-RNR1	m.1555A>G

HLA alleles are written at two-field resolution (``*15:02``) and HLA lines need the diplotype.
MT-RNR1 is mitochondrial: give its one haplotype (``m.1555A>G``, or ``Reference``), or only
the phenotype. A CYP2D6 diplotype may be left empty when a phenotype or activity score is
given; CPIC keys CYP2D6 recommendations on the activity score, and a phenotype alone matches
every score CPIC maps to it (the report says so when their recommendations differ).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from genopath.core.errors import InputError

OUTSIDE_GENES = ("CYP2D6", "HLA-A", "HLA-B", "MT-RNR1")
_HLA = re.compile(r"^\*\d{2,3}:\d{2,3}$")
_STAR = re.compile(r"^\*\d+[A-Za-z0-9.]*(x\d+|xN)?$")
_MITO = re.compile(r"^(Reference|m\.\d+[ACGT]>([ACGT]|del(\+Cn)?))$")


@dataclass(frozen=True)
class OutsideCall:
    """One gene's outside result, as given."""

    gene: str
    alleles: tuple[str, ...] | None  # two alleles; one haplotype for MT-RNR1
    phenotype: str | None
    activity_score: str | None
    line: int


def read_outside_calls(path: Path) -> dict[str, OutsideCall]:
    """Parse and check an outside-calls TSV.

    Raises
    ------
    InputError
        Naming the line and what is wrong: an unknown gene, a gene given twice, a malformed
        diplotype or HLA allele, a non-numeric activity score, or a line with nothing to use.
    """
    if not path.is_file():
        raise InputError(f"outside-calls file {path} does not exist")
    calls: dict[str, OutsideCall] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        call = _parse(raw.rstrip("\r").split("\t"), number, path)
        if call.gene in calls:
            raise InputError(
                f"{path} line {number}: {call.gene} is given twice (first on line {calls[call.gene].line})"
            )
        calls[call.gene] = call
    return calls


def _parse(fields: list[str], number: int, path: Path) -> OutsideCall:
    where = f"{path} line {number}"
    fields = [f.strip() for f in fields] + ["", "", ""]
    gene, diplotype, phenotype, score = fields[:4]
    if gene not in OUTSIDE_GENES:
        raise InputError(
            f"{where}: gene {gene!r} cannot be an outside call here; give one of {', '.join(OUTSIDE_GENES)} "
            "(columns: gene, diplotype, phenotype, activity score, separated by tabs)"
        )
    if not (diplotype or phenotype or score):
        raise InputError(f"{where}: {gene} has no diplotype, phenotype or activity score")
    alleles = _diplotype(gene, diplotype, where) if diplotype else None
    if score:
        try:
            value = float(score)
        except ValueError as e:
            raise InputError(f"{where}: activity score {score!r} is not a number") from e
        if not math.isfinite(value) or value < 0:  # float() takes "nan" and "inf"
            raise InputError(f"{where}: activity score {score!r} is not a number of 0 or more")
    return OutsideCall(gene, alleles, phenotype or None, score or None, number)


def _diplotype(gene: str, text: str, where: str) -> tuple[str, ...]:
    if gene == "MT-RNR1":
        if not _MITO.match(text):
            raise InputError(
                f"{where}: MT-RNR1 takes one mitochondrial haplotype such as m.1555A>G or Reference, not {text!r}"
            )
        return (text,)
    parts = [p.strip() for p in text.split("/")]
    pattern = _HLA if gene.startswith("HLA-") else _STAR
    if len(parts) != 2 or not all(pattern.match(p) for p in parts):
        example = "*15:02/*40:01" if gene.startswith("HLA-") else "*1/*10"
        raise InputError(f"{where}: {gene} diplotype {text!r} is not of the form {example}")
    return parts[0], parts[1]
