"""Pedigrees: the 6-column PED format, in memory, and its validation.

PED columns: family ID, individual ID, father ID, mother ID, sex (1 male, 2 female,
0 unknown), phenotype (2 affected, 1 unaffected, 0 or -9 unknown). ``0`` is an unknown parent.
A PED has no proband column; the proband is given separately (the only affected member by
default) or comes from a Phenopacket ``Family``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from genopath.core.errors import PedigreeError
from genopath.registry.terms import AffectedStatus, Sex

_SEX_CODES = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN}
_SEX_OUT = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.UNKNOWN: "0"}
_AFFECTED_CODES = {
    "2": AffectedStatus.AFFECTED,
    "1": AffectedStatus.UNAFFECTED,
    "0": AffectedStatus.UNKNOWN,
    "-9": AffectedStatus.UNKNOWN,
}
_AFFECTED_OUT = {AffectedStatus.AFFECTED: "2", AffectedStatus.UNAFFECTED: "1", AffectedStatus.UNKNOWN: "0"}


@dataclass(frozen=True)
class Member:
    """One row of a pedigree; parents are individual IDs in the same family or ``None``."""

    individual_id: str
    father_id: str | None
    mother_id: str | None
    sex: Sex
    affected: AffectedStatus


@dataclass(frozen=True)
class Pedigree:
    """One family: its ID, members in file order, and the proband's individual ID."""

    family_id: str
    members: tuple[Member, ...]
    proband: str | None = None

    def member(self, individual_id: str) -> Member:
        """The member with ``individual_id``; :class:`PedigreeError` if absent."""
        for m in self.members:
            if m.individual_id == individual_id:
                return m
        raise PedigreeError(
            f"family {self.family_id} has no individual {individual_id!r}; "
            f"members: {', '.join(m.individual_id for m in self.members)}"
        )

    def with_default_proband(self) -> Pedigree:
        """This pedigree with its proband set to the only affected member, if it has none.

        Raises
        ------
        PedigreeError
            If no proband was given and the family has no affected member or several.
        """
        if self.proband is not None:
            return self
        affected = [m.individual_id for m in self.members if m.affected is AffectedStatus.AFFECTED]
        if len(affected) != 1:
            found = ", ".join(affected) if affected else "none"
            raise PedigreeError(
                f"family {self.family_id}: cannot choose the proband, affected members: {found}; "
                "name the proband explicitly (--proband FAMILY:INDIVIDUAL)"
            )
        return replace(self, proband=affected[0])


def parse_ped(text: str, *, source: str = "PED") -> list[Pedigree]:
    """Parse PED text into validated pedigrees, in the order families first appear.

    Blank lines and lines starting with ``#`` are skipped; columns are split on tabs or spaces.

    Raises
    ------
    PedigreeError
        Naming the line and the problem (column count, sex or phenotype code), or any
        validation failure of :func:`validate`.
    """
    rows: dict[str, list[Member]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split()
        if len(cols) != 6:
            raise PedigreeError(
                f"{source} line {number} has {len(cols)} columns; a PED line has 6: family, "
                "individual, father, mother, sex (1/2/0), phenotype (2/1/0)"
            )
        family, individual, father, mother, sex, phenotype = cols
        if sex not in _SEX_CODES:
            raise PedigreeError(
                f"{source} line {number}: sex {sex!r} of {individual} must be 1 (male), "
                "2 (female) or 0 (unknown)"
            )
        if phenotype not in _AFFECTED_CODES:
            raise PedigreeError(
                f"{source} line {number}: phenotype {phenotype!r} of {individual} must be "
                "2 (affected), 1 (unaffected) or 0/-9 (unknown)"
            )
        rows.setdefault(family, []).append(
            Member(
                individual,
                None if father == "0" else father,
                None if mother == "0" else mother,
                _SEX_CODES[sex],
                _AFFECTED_CODES[phenotype],
            )
        )
    if not rows:
        raise PedigreeError(f"{source} holds no pedigree lines")
    pedigrees = [Pedigree(family, tuple(members)) for family, members in rows.items()]
    for pedigree in pedigrees:
        validate(pedigree)
    return pedigrees


def read_ped(path: Path) -> list[Pedigree]:
    """Read and validate a PED file (see :func:`parse_ped`)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets save PED files with a BOM
    except (OSError, UnicodeDecodeError) as e:
        raise PedigreeError(f"cannot read PED file {path}: {e}") from e
    return parse_ped(text, source=str(path))


def write_ped(pedigrees: Iterable[Pedigree]) -> str:
    """PED text (tab-separated, 6 columns) for ``pedigrees``."""
    lines = []
    for pedigree in pedigrees:
        for m in pedigree.members:
            lines.append(
                "\t".join(
                    [
                        pedigree.family_id,
                        m.individual_id,
                        m.father_id or "0",
                        m.mother_id or "0",
                        _SEX_OUT[m.sex],
                        _AFFECTED_OUT[m.affected],
                    ]
                )
            )
    return "\n".join(lines) + "\n"


def validate(pedigree: Pedigree) -> None:
    """Check one family.

    Raises
    ------
    PedigreeError
        Duplicate individual IDs; the ID ``0``; a parent who is not in the family; a father
        who is female or a mother who is male; the same person as father and mother; oneself
        as parent; a cycle (someone their own ancestor); or a proband not in the family.
    """
    fam = pedigree.family_id
    _check_label(fam, "family ID", fam)
    if fam.startswith("#"):
        raise PedigreeError(f"family ID {fam!r} starts with '#', which a PED file reads as a comment")
    seen: dict[str, Member] = {}
    for m in pedigree.members:
        _check_label(fam, "individual ID", m.individual_id)
        if m.individual_id == "0":
            raise PedigreeError(f"family {fam}: '0' means an unknown parent and cannot be an individual ID")
        if m.individual_id in seen:
            raise PedigreeError(f"family {fam}: individual {m.individual_id} is listed more than once")
        seen[m.individual_id] = m
    for m in pedigree.members:
        _check_parents(fam, m, seen)
    _check_cycles(fam, seen)
    if pedigree.proband is not None and pedigree.proband not in seen:
        raise PedigreeError(f"family {fam}: proband {pedigree.proband} is not a member of the family")


MAX_ID_LENGTH = 64  # the registry's column width for PED family and individual IDs


def _check_label(fam: str, what: str, value: str) -> None:
    if len(value) > MAX_ID_LENGTH:
        raise PedigreeError(
            f"family {fam!r}: {what} {value!r} is {len(value)} characters long; "
            f"IDs may have at most {MAX_ID_LENGTH}"
        )
    if not value or any(ch.isspace() for ch in value):
        raise PedigreeError(
            f"family {fam!r}: {what} {value!r} is empty or contains white space, which a PED line cannot hold"
        )


def _check_parents(fam: str, m: Member, members: dict[str, Member]) -> None:
    for role, parent_id, wrong_sex in (
        ("father", m.father_id, Sex.FEMALE),
        ("mother", m.mother_id, Sex.MALE),
    ):
        if parent_id is None:
            continue
        if parent_id == m.individual_id:
            raise PedigreeError(f"family {fam}: {m.individual_id} is listed as their own {role}")
        parent = members.get(parent_id)
        if parent is None:
            raise PedigreeError(
                f"family {fam}: {role} {parent_id} of {m.individual_id} is not in the pedigree; add a "
                f"line for {parent_id} or use 0 for an unknown {role}"
            )
        if parent.sex is wrong_sex:
            raise PedigreeError(
                f"family {fam}: {role} {parent_id} of {m.individual_id} is recorded as {wrong_sex.value}; "
                "fix the sex column or swap the father and mother columns"
            )
    if m.father_id is not None and m.father_id == m.mother_id:
        raise PedigreeError(f"family {fam}: {m.individual_id} has {m.father_id} as both father and mother")


def _check_cycles(fam: str, members: dict[str, Member]) -> None:
    done: set[str] = set()

    def visit(individual: str, path: list[str]) -> None:
        if individual in path:
            cycle = " → ".join([*path[path.index(individual) :], individual])
            raise PedigreeError(
                f"family {fam}: the pedigree has a cycle ({cycle}); nobody can be their own ancestor"
            )
        if individual in done:
            return
        m = members[individual]
        for parent in (m.father_id, m.mother_id):
            if parent is not None:
                visit(parent, [*path, individual])
        done.add(individual)

    for individual in members:
        visit(individual, [])


def founders(pedigree: Pedigree) -> Sequence[Member]:
    """Members with neither parent in the pedigree."""
    return [m for m in pedigree.members if m.father_id is None and m.mother_id is None]
