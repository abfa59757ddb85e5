"""One simulated case: its design (mode, disease, family, causal genotype, phenotype) and files.

Random streams of a case: ``numpy.random.default_rng([seed, case index, stream])`` with
stream 0 the design, 1 the coding background, 2 the genome-wide background, 3 the read-level
FORMAT values — so the design does not change with the background chosen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import genopath
from genopath.core.files import write_text_atomic
from genopath.resources import Progress
from genopath.simulate.background import ChromSequence, noncoding_sites
from genopath.simulate.catalogue import Catalogue
from genopath.simulate.diseases import Disease
from genopath.simulate.families import (
    AUTOSOMES,
    CHROMS,
    MODELS,
    CausalGenotype,
    Family,
    FounderAlleles,
    Inheritance,
    genotypes,
    make_family,
    place_causal,
)
from genopath.simulate.variants import CodingVariant
from genopath.simulate.vcf import BgzipVcf, Block, header, record_lines

#: P/LP carrier variants per founder in recessive-disease genes (Bell CJ et al., Sci Transl Med
#: 2011;3:65ra4: 2.8 severe recessive mutations per genome on average).
CARRIERS_PER_FOUNDER = (1, 3)
#: Rare damaging (missense/LoF) heterozygous variants per founder in other disease genes.
DECOYS_PER_FOUNDER = (20, 40)
#: Expected de novo missense/LoF variants in disease genes per proband: 1–2 de novo coding
#: SNVs per exome (Acuna-Hidalgo R et al., Genome Biol 2016;17:241), about a fifth of genes
#: being disease genes.
DE_NOVO_DECOYS = 0.2
#: Which source keeps a variant placed by two of them.
_PRIORITY = ("causal", "carrier", "de_novo_decoy", "decoy", "benign")
SCHEMA = "genopath.simulate.truth/1"


@dataclass(frozen=True)
class SimulatedCase:
    """A simulated family on disk.

    Attributes
    ----------
    case_id
        ``SIM0001`` …; also the PED family ID.
    case_dir
        ``<out>/<case_id>``.
    vcf, ped
        ``case.vcf.gz`` (tabix-indexed) and ``case.ped``.
    hpo
        The proband's observed HPO terms (``hpo.txt``).
    truth
        The content of ``truth.json`` (see ``docs/simulate.md``).
    """

    case_id: str
    case_dir: Path
    vcf: Path
    ped: Path
    hpo: list[str]
    truth: dict[str, Any]


@dataclass
class _Record:
    variant: CodingVariant
    source: str
    father: tuple[int, int] = (0, 0)
    mother: tuple[int, int] = (0, 0)
    de_novo: int = 0


class Case:
    """One case: its design, drawn on construction from stream 0, and the writing of its files.

    Parameters
    ----------
    catalogue
        What to draw from.
    index, seed
        The case's position (``SIM{index + 1:04d}``) and the run's seed: its random streams are
        ``default_rng([seed, index, stream])``.
    structure
        Family structure.
    weights
        Mode of inheritance → weight of drawing it.
    """

    def __init__(
        self, catalogue: Catalogue, index: int, seed: int, structure: str, weights: dict[str, float]
    ) -> None:
        self.catalogue, self.index, self.seed = catalogue, index, seed
        self.case_id = f"SIM{index + 1:04d}"
        rng = self._rng(0)
        names = sorted(weights)
        p = np.array([weights[m] for m in names])
        self.moi = names[int(rng.choice(len(names), p=p / p.sum()))]
        options = catalogue.by_moi[self.moi]
        self.disease: Disease = options[int(rng.integers(len(options)))]
        models = MODELS[self.moi]
        if not catalogue.compound_possible(self.disease.gene):
            models = tuple(m for m in models if m != "compound_heterozygous")
        self.model = models[int(rng.integers(len(models)))]
        proband_sex = "male" if self.moi == "XLR" else ("male", "female")[int(rng.integers(2))]
        sibling_sex = ("male", "female")[int(rng.integers(2))]
        self.family: Family = make_family(
            self.case_id, structure, proband_sex=proband_sex, sibling_sex=sibling_sex
        )
        self.inheritance = Inheritance.draw(rng)
        self.causal = catalogue.causal_variants(self.disease, self.model, rng)
        positions = np.array([v.pos for v in self.causal], dtype=np.int64)
        self.placed: CausalGenotype = place_causal(
            self.model, self.family, self.inheritance, self.disease.chrom, positions
        )
        self.phenotype = catalogue.sampler.sample(self.disease, rng)

    def _rng(self, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.index, stream])

    # -- records ---------------------------------------------------------------------------
    def _coding_records(self) -> list[_Record]:
        rng = self._rng(1)
        placed = self.placed.alleles
        records = [
            _Record(v, "causal", _pair(placed.father[i]), _pair(placed.mother[i]), int(placed.de_novo[i]))
            for i, v in enumerate(self.causal)
        ]
        used = {self.disease.gene}
        for parent in ("father", "mother"):
            for variant in self.catalogue.carriers(
                rng, used, int(rng.integers(*CARRIERS_PER_FOUNDER, endpoint=True))
            ):
                used.add(variant.gene)
                records.append(_founder_record(variant, "carrier", parent, int(rng.integers(2))))
        for parent in ("father", "mother"):
            for _ in range(int(rng.integers(*DECOYS_PER_FOUNDER, endpoint=True))):
                decoy = self.catalogue.decoys.make(rng, avoid_gene=self.disease.gene)
                records.append(_founder_record(decoy, "decoy", parent, int(rng.integers(2))))
        for _ in range(int(rng.poisson(DE_NOVO_DECOYS))):
            records.append(
                _Record(
                    self.catalogue.decoys.make(rng, avoid_gene=self.disease.gene), "de_novo_decoy", de_novo=1
                )
            )
        records.extend(self._benign(rng))
        return _deduplicate(records)

    def _benign(self, rng: np.random.Generator) -> list[_Record]:
        out = []
        for chrom in CHROMS:
            variants, af = self.catalogue.benign_on(chrom)
            if not variants:
                continue
            haps = rng.random((len(variants), 4)) < af[:, None]
            for i in np.flatnonzero(haps.any(axis=1)):
                h = haps[i].astype(int)
                out.append(_Record(variants[i], "benign", (int(h[0]), int(h[1])), (int(h[2]), int(h[3]))))
        return out

    # -- writing ---------------------------------------------------------------------------
    def write(self, out_dir: Path, background: str, wgs_variants: int, progress: Progress) -> SimulatedCase:
        case_dir = out_dir / self.case_id
        case_dir.mkdir(parents=True, exist_ok=True)
        records = self._coding_records()
        samples = [m.individual_id for m in self.family.members]
        description = f"case={self.case_id} seed={self.seed} background={background}"
        wgs_rng, calls_rng = self._rng(2), self._rng(3)
        counts = {s: 0 for s in samples}
        listed: dict[str, dict[str, str]] = {}
        progress.begin(
            f"{self.case_id}: {self.family.structure} {self.moi} {self.disease.gene}", total=len(CHROMS)
        )
        with BgzipVcf(case_dir / "case.vcf.gz") as writer:
            writer.write_text(header(samples, description=description))
            by_chrom: dict[str, list[_Record]] = {}
            for r in records:
                by_chrom.setdefault(r.variant.chrom, []).append(r)
            for chrom in CHROMS:
                block = self._coding_block(chrom, by_chrom.get(chrom, []), listed)
                if background == "wgs" and chrom in AUTOSOMES:
                    block = _concat(block, self._wgs_block(chrom, wgs_variants, block.pos, wgs_rng))
                block = _carried(block)
                for sample, (gt, _) in zip(samples, block.genotypes, strict=True):
                    counts[sample] += int(np.count_nonzero(gt))
                if len(block.pos):
                    writer.write_lines(record_lines(block, calls_rng))
                progress.advance(1)
            n_records = writer.records
        progress.end()
        ped = case_dir / "case.ped"
        write_text_atomic(ped, self.family.ped_text())
        write_text_atomic(case_dir / "hpo.txt", "".join(f"{t}\n" for t in self.phenotype.observed))
        truth = self._truth(records, listed, background, wgs_variants, n_records, counts)
        write_text_atomic(case_dir / "truth.json", json.dumps(truth, indent=2) + "\n")
        return SimulatedCase(
            self.case_id, case_dir, case_dir / "case.vcf.gz", ped, list(self.phenotype.observed), truth
        )

    def _coding_block(self, chrom: str, records: list[_Record], listed: dict[str, dict[str, str]]) -> Block:
        """The coding records of ``chrom``; genotypes of the causal, carrier and decoy variants any
        sequenced member carries go to ``listed`` (key → sample → GT) for the truth."""
        records = sorted(records, key=lambda r: (r.variant.pos, r.variant.ref, r.variant.alt))
        alleles = FounderAlleles(
            np.array([r.variant.pos for r in records], dtype=np.int64),
            np.array([r.father for r in records], dtype=np.uint8).reshape(-1, 2),
            np.array([r.mother for r in records], dtype=np.uint8).reshape(-1, 2),
            np.array([r.de_novo for r in records], dtype=np.uint8),
        )
        block = self._block(chrom, alleles, [r.variant for r in records])
        block.clean = np.array([r.source == "causal" for r in records], dtype=bool)
        for i, r in enumerate(records):
            if r.source != "benign" and any(gt[i] for gt, _ in block.genotypes):
                listed[r.variant.key] = {
                    m.individual_id: _gt_text(int(gt[i]), int(ploidy[i]))
                    for m, (gt, ploidy) in zip(self.family.members, block.genotypes, strict=True)
                }
        return block

    def _block(self, chrom: str, alleles: FounderAlleles, variants: Sequence[CodingVariant]) -> Block:
        by_role = genotypes(self.family, self.inheritance, chrom, alleles)
        return Block(
            chrom=chrom,
            pos=alleles.pos,
            ref=pa.array([v.ref for v in variants], pa.string()),
            alt=pa.array([v.alt for v in variants], pa.string()),
            csq=pa.array([v.csq for v in variants], pa.string()),
            genotypes=[by_role[role] for role in self.family.roles],
            clean=np.zeros(len(variants), dtype=bool),
        )

    def _wgs_block(
        self, chrom: str, wgs_variants: int, taken: np.ndarray[Any, Any], rng: np.random.Generator
    ) -> Block:
        sites = noncoding_sites(
            chrom,
            wgs_variants,
            rng,
            genes=self.catalogue.chrom_genes(chrom),
            taken=taken,
            sequence=ChromSequence(self.catalogue.reference, chrom),
        )
        by_role = genotypes(self.family, self.inheritance, chrom, sites.alleles)
        return Block(
            chrom, sites.alleles.pos, sites.ref, sites.alt, sites.csq, [by_role[r] for r in self.family.roles],
            np.zeros(len(sites.alleles.pos), dtype=bool),
        )  # fmt: skip

    def _truth(
        self,
        records: list[_Record],
        listed: dict[str, dict[str, str]],
        background: str,
        wgs_variants: int,
        n_records: int,
        counts: dict[str, int],
    ) -> dict[str, Any]:
        tx = self.catalogue.transcripts[self.disease.gene]
        causal = [
            {
                **v.as_dict(),
                "origin": origin,
                "clinvar_names_disease": self.disease.omim in v.omims,
                "genotypes": listed[v.key],
            }
            for v, origin in zip(self.causal, self.placed.origins, strict=True)
        ]
        return {
            "schema": SCHEMA,
            "case_id": self.case_id,
            "genopath_version": genopath.__version__,
            "seed": self.seed,
            "case_index": self.index,
            "resources": self.catalogue.versions,
            "disease": {
                "id": self.disease.disease_id,
                "name": self.disease.name,
                "mois": list(self.disease.mois),
            },
            "gene": self.disease.gene,
            "hgnc_id": tx.hgnc_id,
            "chrom": tx.chrom,
            "transcript": {
                "ensembl": tx.transcript_id,
                "refseq": tx.refseq_transcript,
                "ensembl_gene": tx.gene_id,
            },
            "moi": self.moi,
            "genotype_model": self.model,
            "structure": self.family.structure,
            "variants": causal,
            "family": self.family.as_dict(),
            "phenotype": self.phenotype.as_dict(),
            "background": {
                "kind": background,
                "wgs_variants_per_person": wgs_variants if background == "wgs" else None,
                "records": n_records,
                "alt_calls_per_sample": counts,
                "carriers": [
                    _listed(r, listed) for r in records if r.source == "carrier" and r.variant.key in listed
                ],
                "decoys": [
                    _listed(r, listed)
                    for r in records
                    if r.source in ("decoy", "de_novo_decoy") and r.variant.key in listed
                ],
                "benign_sites": sum(r.source == "benign" for r in records),
            },
        }


def _pair(haplotypes: np.ndarray[Any, Any]) -> tuple[int, int]:
    return int(haplotypes[0]), int(haplotypes[1])


def _founder_record(variant: CodingVariant, source: str, parent: str, haplotype: int) -> _Record:
    if parent == "father" and variant.chrom == "chrX":
        haplotype = 0  # a father's one X is haplotype 0
    alleles = (1, 0) if haplotype == 0 else (0, 1)
    if parent == "father":
        return _Record(variant, source, father=alleles)
    return _Record(variant, source, mother=alleles)


def _deduplicate(records: list[_Record]) -> list[_Record]:
    """One record per variant (by :data:`_PRIORITY`); nothing else at a causal position."""
    causal_positions = {(r.variant.chrom, r.variant.pos) for r in records if r.source == "causal"}
    best: dict[str, _Record] = {}
    for r in sorted(records, key=lambda r: _PRIORITY.index(r.source)):
        if r.source != "causal" and (r.variant.chrom, r.variant.pos) in causal_positions:
            continue
        best.setdefault(r.variant.key, r)
    return list(best.values())


def _listed(record: _Record, listed: dict[str, dict[str, str]]) -> dict[str, Any]:
    v = record.variant
    origin = "de novo" if record.de_novo else ("paternal" if any(record.father) else "maternal")
    return {
        "key": v.key,
        "gene_symbol": v.gene,
        "consequence": v.consequence,
        "origin": origin,
        "genotypes": listed[v.key],
    }


def _gt_text(gt: int, ploidy: int) -> str:
    return str(gt) if ploidy == 1 else ("0/0", "0/1", "1/1")[gt]


def _concat(a: Block, b: Block) -> Block:
    pos = np.concatenate([a.pos, b.pos])
    order = np.argsort(pos, kind="stable")
    take = pa.array(order)
    return Block(
        chrom=a.chrom,
        pos=pos[order],
        ref=pa.concat_arrays([a.ref, b.ref]).take(take),
        alt=pa.concat_arrays([a.alt, b.alt]).take(take),
        csq=pa.concat_arrays([a.csq, b.csq]).take(take),
        genotypes=[
            (np.concatenate([ga[0], gb[0]])[order], np.concatenate([ga[1], gb[1]])[order])
            for ga, gb in zip(a.genotypes, b.genotypes, strict=True)
        ],
        clean=np.concatenate([a.clean, b.clean])[order],
    )


def _carried(block: Block) -> Block:
    """Only the records some sequenced member carries (a joint call set lists no others)."""
    keep = (
        np.logical_or.reduce([gt > 0 for gt, _ in block.genotypes]) if block.genotypes else np.zeros(0, bool)
    )
    if keep.all():
        return block
    mask = pa.array(keep)
    return Block(
        chrom=block.chrom,
        pos=block.pos[keep],
        ref=block.ref.filter(mask),
        alt=block.alt.filter(mask),
        csq=block.csq.filter(mask),
        genotypes=[(gt[keep], ploidy[keep]) for gt, ploidy in block.genotypes],
        clean=block.clean[keep],
    )
