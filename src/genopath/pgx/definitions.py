"""Pharmacogene allele definitions, read from the installed ``pgx`` resource.

A definition lists the gene's defining positions (GRCh38, VCF representation) and its named
alleles. Each named allele gives, for every defining position, the allele it requires, or
nothing — which means the reference allele (PharmCAT's convention; a named allele is a whole
haplotype over the defining positions). IUPAC codes in a definition accept any base they
stand for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from genopath.core.errors import InputError, NotFoundError

IUPAC: dict[str, frozenset[str]] = {
    "A": frozenset("A"), "C": frozenset("C"), "G": frozenset("G"), "T": frozenset("T"),
    "R": frozenset("AG"), "Y": frozenset("CT"), "S": frozenset("CG"), "W": frozenset("AT"),
    "K": frozenset("GT"), "M": frozenset("AC"), "B": frozenset("CGT"), "D": frozenset("AGT"),
    "H": frozenset("ACT"), "V": frozenset("ACG"), "N": frozenset("ACGT"),
}  # fmt: skip

#: Genes called variant by variant rather than as star-allele haplotypes (as PharmCAT does):
#: their "alleles" are single variants, and several may sit on one chromosome.
VARIANT_LEVEL_GENES = frozenset({"DPYD", "RYR1", "CACNA1S"})

#: Genes a short-read VCF cannot call reliably; they are taken as outside calls.
OUTSIDE_CALL_GENES = frozenset({"CYP2D6", "HLA-A", "HLA-B", "MT-RNR1"})


@dataclass(frozen=True)
class DefiningPosition:
    """One position that defines alleles of a gene (1-based, GRCh38, VCF representation)."""

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    rsid: str | None
    hgvs: str | None

    @property
    def label(self) -> str:
        """``chr10:94781859 (rs4244285)``: how reports name the position."""
        return f"{self.chrom}:{self.pos}" + (f" ({self.rsid})" if self.rsid else "")


@dataclass(frozen=True)
class NamedAllele:
    """A named allele: for each defining position, the accepted alleles (``None`` = reference)."""

    name: str
    cells: tuple[frozenset[str] | None, ...]
    reference: bool

    def accepts(self, index: int, allele: str, ref: str) -> bool:
        """Whether ``allele`` at defining position ``index`` is consistent with this allele."""
        cell = self.cells[index]
        return allele == ref if cell is None else allele in cell

    @cached_property
    def defined_set(self) -> frozenset[int]:
        """:attr:`defined` as a set."""
        return frozenset(self.defined)

    @cached_property
    def defined(self) -> tuple[int, ...]:
        """Indexes of the positions this allele specifies (its specificity, PharmCAT's score)."""
        return tuple(i for i, cell in enumerate(self.cells) if cell is not None)


@dataclass(frozen=True)
class GeneDefinition:
    """Everything the matcher needs for one gene.

    Attributes
    ----------
    gene, chrom, version
        HGNC symbol, GRCh38 contig (``chr10``) and the definition data version.
    positions, alleles
        Defining positions and named alleles (ignored positions and alleles already removed).
    required_positions
        Positions that must be called for the gene to be called at all (NAT2).
    extra_positions
        Positions reported beside the gene but not used to name alleles (CYP2C9 rs12777823).
    unphased_priorities
        For unphased data: the set of tied diplotypes → the one PharmCAT's curators pick.
    """

    gene: str
    chrom: str
    version: str
    positions: tuple[DefiningPosition, ...]
    alleles: tuple[NamedAllele, ...]
    required_positions: frozenset[int] = frozenset()
    extra_positions: tuple[DefiningPosition, ...] = ()
    unphased_priorities: dict[frozenset[str], str] = field(default_factory=dict)

    @property
    def variant_level(self) -> bool:
        """Whether the gene is called variant by variant (DPYD, RYR1, CACNA1S)."""
        return self.gene in VARIANT_LEVEL_GENES

    @property
    def reference_allele(self) -> NamedAllele:
        """The reference named allele (``*1``, ``*38`` for CYP2C19, ``Reference`` for DPYD)."""
        return next(a for a in self.alleles if a.reference)

    @cached_property
    def acceptance(self) -> tuple[dict[str, int], ...]:
        """Per position: allele string → bit mask of the named alleles that accept it
        (bit ``k`` = ``alleles[k]``), so candidate alleles are found with integer ANDs."""
        # Every allele accepts the reference where it defines nothing (most cells), so start
        # from "all accept the reference" and visit only the cells an allele defines.
        everyone = (1 << len(self.alleles)) - 1
        masks: list[dict[str, int]] = [{p.ref: everyone} for p in self.positions]
        for k, allele in enumerate(self.alleles):
            bit = 1 << k
            for i in allele.defined:
                cell, mask, ref = allele.cells[i], masks[i], self.positions[i].ref
                assert cell is not None  # defined: a cell that names alleles
                if ref not in cell:
                    mask[ref] &= ~bit
                for base in cell:
                    mask[base] = mask.get(base, 0) | bit
        return tuple(masks)

    @property
    def span(self) -> tuple[int, int]:
        """First and last base the defining positions cover (1-based, inclusive)."""
        starts = [p.pos for p in self.positions]
        ends = [p.pos + len(p.ref) - 1 for p in self.positions]
        return min(starts), max(ends)


def _cell(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return IUPAC.get(value, frozenset({value})) if len(value) == 1 else frozenset({value})


def _position(raw: dict[str, Any]) -> DefiningPosition:
    return DefiningPosition(
        raw["chromosome"],
        int(raw["position"]),
        raw["ref"],
        tuple(raw["alts"]),
        raw.get("rsid"),
        raw.get("hgvs"),
    )


def parse_definition(raw: dict[str, Any]) -> GeneDefinition:
    """Build a :class:`GeneDefinition` from a ``genes/<GENE>.json`` record of the resource.

    Raises
    ------
    InputError
        When the gene has no defining positions (a phenotype-only gene such as MT-RNR1).
    """
    gene = raw["gene"]
    if not raw["variants"]:
        raise InputError(f"{gene} has no allele definitions; give it as an outside call")
    exemptions = raw.get("exemptions") or {}
    ignored = set(exemptions.get("ignored_positions", []))
    keep = [i for i, v in enumerate(raw["variants"]) if int(v["position"]) not in ignored]
    ignored_alleles = {a.lower() for a in exemptions.get("ignored_alleles", [])}
    alleles = tuple(
        NamedAllele(a["name"], tuple(_cell(a["alleles"][i]) for i in keep), bool(a["reference"]))
        for a in raw["alleles"]
        if a["name"].lower() not in ignored_alleles
    )
    return GeneDefinition(
        gene=gene,
        chrom=raw["chromosome"],
        version=str(raw["version"]),
        positions=tuple(_position(raw["variants"][i]) for i in keep),
        alleles=alleles,
        required_positions=frozenset(int(p) for p in exemptions.get("required_positions", [])),
        extra_positions=tuple(_position(v) for v in exemptions.get("extra_positions", [])),
        unphased_priorities={
            frozenset(p["list"]): p["pick"] for p in exemptions.get("unphased_priorities", [])
        },
    )


@dataclass(frozen=True)
class PgxData:
    """The installed ``pgx`` resource folder: per-gene records and the CPIC guidelines."""

    root: Path
    version: str

    def genes(self) -> list[str]:
        """Every gene with a record (definitions and/or phenotype map), sorted."""
        return sorted(p.stem for p in (self.root / "genes").glob("*.json"))

    def record(self, gene: str) -> dict[str, Any]:
        """The raw ``genes/<GENE>.json`` record.

        Raises
        ------
        NotFoundError
            When the resource has no such gene; the message lists the genes it has.
        """
        return _read_json(self.root / "genes" / f"{gene}.json", gene, tuple(self.genes()))

    def definition(self, gene: str) -> GeneDefinition:
        """The parsed allele definition of ``gene``."""
        return _definition(self.root, gene)

    def callable_genes(self) -> list[str]:
        """Genes with allele definitions that are called from the VCF."""
        return [g for g in self.genes() if g not in OUTSIDE_CALL_GENES and self.record(g)["variants"]]

    def guidelines(self) -> list[dict[str, Any]]:
        """The CPIC guidelines with their recommendations (see the resource builder)."""
        return _guidelines(self.root)


@cache
def _read_json(path: Path, gene: str, known: tuple[str, ...]) -> dict[str, Any]:
    if not path.is_file():
        raise NotFoundError(f"no pharmacogene {gene!r} in the pgx resource; genes: {', '.join(known)}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def _definition(root: Path, gene: str) -> GeneDefinition:
    known = tuple(sorted(p.stem for p in (root / "genes").glob("*.json")))
    return parse_definition(_read_json(root / "genes" / f"{gene}.json", gene, known))


@cache
def _guidelines(root: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((root / "guidelines.json").read_text(encoding="utf-8"))
    return data
