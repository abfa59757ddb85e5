"""Simulated families: members, meioses, genotypes inherited along haplotypes, causal genotypes.

Every case has two founders (father, mother) whether or not they are sequenced; children
(the proband and, in a quad, an unaffected sibling) inherit one haplotype from each parent.
Inheritance follows recombination: each meiosis has a Poisson number of crossovers per
chromosome (paternal 0.90 and maternal 1.55 crossovers per 100 Mb, from the sex-specific
genetic map lengths of Kong A et al., Nature 2010;467:1099), so that variants close together
travel together, as in a real family.

Sequenced members by structure (proband first — the order of the VCF sample columns):

=============  ==========================================
singleton      proband
duo            proband, mother
trio           proband, father, mother
quad           proband, father, mother, unaffected sibling
=============  ==========================================

chrX outside the pseudo-autosomal regions is haploid in males: a father passes his X to
daughters only, and a son's X comes from his mother. Pseudo-autosomal regions, chrY and chrM
are not simulated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from genopath.core.errors import InputError
from genopath.resources.contigs import GRCH38_LENGTHS

STRUCTURES = ("singleton", "duo", "trio", "quad")
SEQUENCED: dict[str, tuple[str, ...]] = {
    "singleton": ("proband",),
    "duo": ("proband", "mother"),
    "trio": ("proband", "father", "mother"),
    "quad": ("proband", "father", "mother", "sibling"),
}
ROLE_SUFFIX = {"proband": "P", "father": "F", "mother": "M", "sibling": "S"}
CHILDREN = ("proband", "sibling")
AUTOSOMES = tuple(f"chr{i}" for i in range(1, 23))
CHROMS = (*AUTOSOMES, "chrX")
#: GRCh38 pseudo-autosomal regions of chrX (1-based, inclusive), not simulated.
PAR_X = ((10_001, 2_781_479), (155_701_383, 156_030_895))
#: Crossovers per base pair and meiosis (Kong 2010: male map 2,590 cM, female 4,460 cM over ~2.88 Gb).
CROSSOVER_RATE = {"father": 0.90e-8, "mother": 1.55e-8}

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]
SmallArray = npt.NDArray[np.int8]


def in_par(chrom: str, pos: IntArray) -> npt.NDArray[np.bool_]:
    """Which positions of ``chrom`` lie in a chrX pseudo-autosomal region."""
    if chrom != "chrX":
        return np.zeros(len(pos), dtype=bool)
    inside = np.zeros(len(pos), dtype=bool)
    for a, b in PAR_X:
        inside |= (pos >= a) & (pos <= b)
    return inside


@dataclass(frozen=True)
class Member:
    """A sequenced family member as written to the PED.

    ``father``/``mother`` name the parent's individual ID only when that parent is sequenced
    (and so in the PED); otherwise ``None`` (``0`` in the PED).
    """

    role: str
    individual_id: str
    sex: str  # "male" | "female"
    affected: bool
    father: str | None
    mother: str | None


@dataclass(frozen=True)
class Family:
    """One simulated family: its structure, the sex of every role and its sequenced members."""

    case_id: str
    structure: str
    sexes: Mapping[str, str]
    members: tuple[Member, ...]

    @property
    def proband(self) -> Member:
        return self.members[0]

    @property
    def roles(self) -> tuple[str, ...]:
        """Sequenced roles, proband first (the VCF sample order)."""
        return tuple(m.role for m in self.members)

    def ped_text(self) -> str:
        """The 6-column PED (tab-separated): family, individual, father, mother, sex, phenotype."""
        lines = [
            "\t".join(
                (
                    self.case_id,
                    m.individual_id,
                    m.father or "0",
                    m.mother or "0",
                    "1" if m.sex == "male" else "2",
                    "2" if m.affected else "1",
                )
            )
            for m in self.members
        ]
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, object]:
        return {
            "family_id": self.case_id,
            "structure": self.structure,
            "proband": self.proband.individual_id,
            "members": [
                {
                    "individual_id": m.individual_id,
                    "sample": m.individual_id,
                    "role": m.role,
                    "sex": m.sex,
                    "affected": m.affected,
                    "father": m.father,
                    "mother": m.mother,
                }
                for m in self.members
            ],
        }


def make_family(case_id: str, structure: str, *, proband_sex: str, sibling_sex: str) -> Family:
    """The family of ``structure`` with the given sexes (father male, mother female).

    Raises
    ------
    InputError
        For an unknown structure.
    """
    if structure not in SEQUENCED:
        raise InputError(
            f"unknown family structure {structure!r}; choose from {', '.join(STRUCTURES)} or mixed"
        )
    sexes = {"proband": proband_sex, "father": "male", "mother": "female", "sibling": sibling_sex}
    roles = SEQUENCED[structure]
    ids = {role: f"{case_id}_{ROLE_SUFFIX[role]}" for role in ROLE_SUFFIX}
    members = tuple(
        Member(
            role=role,
            individual_id=ids[role],
            sex=sexes[role],
            affected=role == "proband",
            father=ids["father"] if role in CHILDREN and "father" in roles else None,
            mother=ids["mother"] if role in CHILDREN and "mother" in roles else None,
        )
        for role in roles
    )
    return Family(case_id, structure, sexes, members)


@dataclass(frozen=True)
class Meiosis:
    """Which parental haplotype (0 or 1) one child received along each chromosome."""

    crossovers: Mapping[str, IntArray]
    first: Mapping[str, int]

    def haplotype(self, chrom: str, pos: IntArray) -> SmallArray:
        """The transmitted haplotype at each position of ``chrom``."""
        switches = np.searchsorted(self.crossovers[chrom], pos, side="right")
        return ((self.first[chrom] + switches) & 1).astype(np.int8)

    def flipped(self, chrom: str) -> Meiosis:
        """The same meiosis with the other haplotype transmitted along all of ``chrom``."""
        first = dict(self.first)
        first[chrom] = 1 - first[chrom]
        return replace(self, first=first)


def draw_meiosis(parent: str, rng: np.random.Generator) -> Meiosis:
    """Crossover positions (uniform, Poisson in number) and the starting haplotype per chromosome."""
    crossovers: dict[str, IntArray] = {}
    first: dict[str, int] = {}
    for chrom in CHROMS:
        length = GRCH38_LENGTHS[chrom]
        n = int(rng.poisson(length * CROSSOVER_RATE[parent]))
        crossovers[chrom] = np.sort(rng.integers(1, length + 1, size=n)).astype(np.int64)
        first[chrom] = int(rng.integers(0, 2))
    return Meiosis(crossovers, first)


@dataclass
class Inheritance:
    """The meioses of a family: ``(child role, parent role)`` → :class:`Meiosis`."""

    meioses: dict[tuple[str, str], Meiosis]

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Inheritance:
        return cls({(c, p): draw_meiosis(p, rng) for c in CHILDREN for p in ("father", "mother")})

    def haplotype(self, child: str, parent: str, chrom: str, pos: IntArray) -> SmallArray:
        return self.meioses[(child, parent)].haplotype(chrom, pos)

    def flip(self, child: str, parent: str, chrom: str) -> None:
        self.meioses[(child, parent)] = self.meioses[(child, parent)].flipped(chrom)


@dataclass
class FounderAlleles:
    """Alleles of variants on one chromosome: founder haplotypes plus the proband's de novo alleles.

    ``father``/``mother`` are ``(n, 2)`` arrays of 0/1 (the father's chrX uses column 0 only);
    ``de_novo`` is 1 where the proband carries an ALT allele neither parent has.
    """

    pos: IntArray
    father: ByteArray
    mother: ByteArray
    de_novo: ByteArray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))

    def __post_init__(self) -> None:
        if len(self.de_novo) != len(self.pos):
            self.de_novo = np.zeros(len(self.pos), dtype=np.uint8)

    @classmethod
    def empty(cls, n: int) -> FounderAlleles:
        return cls(
            np.zeros(n, dtype=np.int64), np.zeros((n, 2), dtype=np.uint8), np.zeros((n, 2), dtype=np.uint8)
        )


Genotype = tuple[SmallArray, SmallArray]  # (ALT allele count, ploidy)


def genotypes(
    family: Family, inheritance: Inheritance, chrom: str, alleles: FounderAlleles
) -> dict[str, Genotype]:
    """Genotype (ALT count, ploidy) of every role of the family at each variant of ``chrom``.

    The sibling is included only in a quad. On chrX, males are haploid.
    """
    n = len(alleles.pos)
    x = chrom == "chrX"
    one = np.ones(n, dtype=np.int8)
    two = np.full(n, 2, dtype=np.int8)
    father = alleles.father.astype(np.int8)
    mother = alleles.mother.astype(np.int8)
    out: dict[str, Genotype] = {
        "father": (father[:, 0], one) if x else (father[:, 0] + father[:, 1], two),
        "mother": (mother[:, 0] + mother[:, 1], two),
    }
    rows = np.arange(n)
    children = ("proband", "sibling") if family.structure == "quad" else ("proband",)
    for child in children:
        male = family.sexes[child] == "male"
        from_mother = mother[rows, inheritance.haplotype(child, "mother", chrom, alleles.pos)]
        if x:
            gt = from_mother if male else from_mother + father[:, 0]
            ploidy = one if male else two
        else:
            gt = from_mother + father[rows, inheritance.haplotype(child, "father", chrom, alleles.pos)]
            ploidy = two
        if child == "proband":
            gt = np.minimum(gt + alleles.de_novo.astype(np.int8), ploidy)
        out[child] = (gt.astype(np.int8), ploidy)
    return out


#: Genotype models by mode of inheritance.
MODELS = {
    "AD": ("de_novo",),
    "AR": ("homozygous", "compound_heterozygous"),
    "XLR": ("hemizygous_maternal",),
    "XLD": ("de_novo",),
}


@dataclass(frozen=True)
class CausalGenotype:
    """Where the causal alleles come from: ``origins[i]`` for variant ``i``.

    Origins: ``de novo``, ``paternal``, ``maternal``, ``paternal and maternal`` (homozygous).
    """

    model: str
    alleles: FounderAlleles
    origins: tuple[str, ...]


def place_causal(
    model: str, family: Family, inheritance: Inheritance, chrom: str, positions: IntArray
) -> CausalGenotype:
    """Founder alleles giving the proband the causal genotype of ``model`` at ``positions``.

    Inherited alleles are put on the parental haplotype the proband received there, so the
    proband's genotype follows; in a quad the sibling's meiosis is then flipped on that
    chromosome if the sibling would carry the full causal genotype (an unaffected sibling
    under complete penetrance cannot).
    """
    alleles = FounderAlleles.empty(len(positions))
    alleles.pos = positions.astype(np.int64)
    pat = inheritance.haplotype("proband", "father", chrom, alleles.pos)
    mat = inheritance.haplotype("proband", "mother", chrom, alleles.pos)
    if model == "de_novo":
        alleles.de_novo[:] = 1
        origins: tuple[str, ...] = ("de novo",)
    elif model == "homozygous":
        alleles.father[0, pat[0]] = 1
        alleles.mother[0, mat[0]] = 1
        origins = ("paternal and maternal",)
    elif model == "compound_heterozygous":
        alleles.father[0, pat[0]] = 1
        alleles.mother[1, mat[1]] = 1
        origins = ("paternal", "maternal")
    elif model == "hemizygous_maternal":
        alleles.mother[0, mat[0]] = 1
        origins = ("maternal",)
    else:
        raise ValueError(f"unknown genotype model {model!r}")
    if family.structure == "quad":
        _spare_sibling(model, family, inheritance, chrom, alleles)
    return CausalGenotype(model, alleles, origins)


def _spare_sibling(
    model: str, family: Family, inheritance: Inheritance, chrom: str, alleles: FounderAlleles
) -> None:
    gt = genotypes(family, inheritance, chrom, alleles)["sibling"][0]
    if model in ("homozygous", "compound_heterozygous") and bool(
        np.all(gt >= (2 if model == "homozygous" else 1))
    ):
        inheritance.flip("sibling", "father", chrom)
    elif model == "hemizygous_maternal" and family.sexes["sibling"] == "male" and bool(gt[0] >= 1):
        inheritance.flip("sibling", "mother", chrom)
