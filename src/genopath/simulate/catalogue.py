"""What the simulator draws from, loaded once per run: transcripts, ClinVar pool, diseases, HPO.

Resources read: ``mane`` (required), ``clinvar`` and ``clinvar_2star`` (at least one),
``reference`` (optional: real REF bases and protein changes where it covers), ``hpo``
(optional: term frequencies from ``phenotype.hpoa``). The HPO ontology and disease
annotations are those embedded in ``hpo3``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc
import pyarrow.parquet as pq

from genopath.annotation import transcripts as transcript_model
from genopath.annotation.consequence import Annotator
from genopath.annotation.reference import Reference
from genopath.annotation.sources import open_reference
from genopath.annotation.transcripts import Transcript
from genopath.core.settings import Settings
from genopath.resources import SILENT, InstalledResource, Progress, ResourceMissing, installed, require
from genopath.resources.store import RESOURCE_JSON
from genopath.simulate.background import ChromGenes
from genopath.simulate.decoys import DecoyMaker
from genopath.simulate.diseases import (
    SIM_MOIS,
    Disease,
    build_catalogue,
    hpo_version,
    load_frequencies,
    omim_ids,
    ontology,
)
from genopath.simulate.phenotypes import PhenotypeSampler
from genopath.simulate.variants import PATHOGENIC, CodingVariant, VariantPool, read_clinvar

CLINVAR_RESOURCES = ("clinvar", "clinvar_2star")  # newest release first
_CACHE: dict[tuple[object, ...], Catalogue] = {}
_CACHE_SIZE = 2


@dataclass
class Catalogue:
    """Diseases, variants and transcripts a simulation draws from, with the resource versions."""

    transcripts: dict[str, Transcript]
    pool: VariantPool
    diseases: list[Disease]
    sampler: PhenotypeSampler
    decoys: DecoyMaker
    reference: Reference | None
    versions: dict[str, str]
    by_moi: dict[str, list[Disease]] = field(default_factory=dict)
    recessive_genes: list[str] = field(default_factory=list)
    _benign: dict[str, tuple[list[CodingVariant], npt.NDArray[np.float64]]] = field(default_factory=dict)
    _genes: dict[str, ChromGenes | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_moi = {m: [d for d in self.diseases if m in d.mois] for m in SIM_MOIS}
        self.recessive_genes = sorted({d.gene for d in self.diseases if "AR" in d.mois})
        grouped: dict[str, list[CodingVariant]] = {}
        for v in self.pool.benign:
            grouped.setdefault(v.chrom, []).append(v)
        for chrom, variants in grouped.items():
            af = np.array([v.frequencies.af or 0.0 for v in variants], dtype=np.float64)
            self._benign[chrom] = (variants, af)

    @classmethod
    def load(cls, settings: Settings, progress: Progress = SILENT) -> Catalogue:
        """Read the installed resources (once per process and installation: later calls reuse it).

        Raises
        ------
        ResourceMissing
            When ``mane`` is not installed, or neither ``clinvar`` nor ``clinvar_2star`` is.
        """
        have = installed(settings)
        key = tuple(
            (name, res.version, str(res.path), (res.path / RESOURCE_JSON).stat().st_mtime_ns)
            for name, res in sorted(have.items())
            if name in (*CLINVAR_RESOURCES, "mane", "reference", "hpo")
        )
        if key not in _CACHE:
            while len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = cls._read(settings, have, progress)
        return _CACHE[key]

    @classmethod
    def _read(cls, settings: Settings, have: dict[str, InstalledResource], progress: Progress) -> Catalogue:
        clinvar = [have[name] for name in CLINVAR_RESOURCES if name in have]
        if not clinvar:
            raise ResourceMissing(
                f"no ClinVar resource is installed in {settings.home}; the simulator draws causal and background "
                "variants from ClinVar: run `genopath resources build clinvar_2star --from DIR` (offline mirror) "
                "or `genopath resources build --demo-bundle`"
            )
        mane = require(settings, "mane")
        progress.begin("simulator: MANE transcripts, ClinVar, HPO")
        exons = pq.read_table(mane.path / "exons.parquet")
        exons = exons.filter(pc.equal(exons["mane_status"], "MANE Select"))
        index = transcript_model.from_rows(exons.to_pylist())
        by_gene: dict[str, Transcript] = {}
        for tx in sorted(index, key=lambda t: t.transcript_id):
            by_gene.setdefault(tx.gene_symbol, tx)
        reference, reference_version = open_reference(settings, None)
        annotator = Annotator(reference)
        rows = read_clinvar(clinvar)
        gene_omims: dict[str, set[int]] = {}
        for row in rows:
            if row["sig_class"] in PATHOGENIC:
                gene_omims.setdefault(row["gene_symbol"], set()).update(omim_ids(row["disease_ids"]))
        diseases = build_catalogue(gene_omims, {g: t.chrom for g, t in by_gene.items()})
        modes: dict[str, set[str]] = {}
        for d in diseases:
            modes.setdefault(d.gene, set()).update(d.mois)
        dominant = frozenset(g for g, m in modes.items() if m <= {"AD", "XLD"})
        pool = VariantPool.build(rows, by_gene, annotator, dominant)
        frequencies, versions = {}, {"mane": mane.version, "hpo": hpo_version()}
        versions.update({res.name: res.version for res in clinvar})
        if (hpo := have.get("hpo")) is not None and (hpo.path / "phenotype.hpoa").is_file():
            frequencies = load_frequencies(hpo.path / "phenotype.hpoa")
            versions["hpo_frequencies"] = hpo.version
        if reference_version is not None:
            versions["reference"] = reference_version
        disease_genes = {g.name for g in ontology().genes}
        decoys = DecoyMaker(
            [t for g, t in sorted(by_gene.items()) if g in disease_genes], annotator, reference
        )
        progress.end()
        return cls(
            transcripts=by_gene,
            pool=pool,
            diseases=[d for d in diseases if pool.pathogenic.get(d.gene)],
            sampler=PhenotypeSampler(frequencies),
            decoys=decoys,
            reference=reference,
            versions=dict(sorted(versions.items())),
        )

    def summary(self) -> str:
        genes = len({d.gene for d in self.diseases})
        modes = ", ".join(f"{m} {len(self.by_moi.get(m, []))}" for m in SIM_MOIS)
        return f"{len(self.diseases)} disease–gene pairs in {genes} genes: {modes}"

    def pathogenic(self, gene: str) -> list[CodingVariant]:
        return self.pool.pathogenic.get(gene, [])

    def causal_variants(self, disease: Disease, model: str, rng: np.random.Generator) -> list[CodingVariant]:
        """One (or, for compound heterozygosity, two at different positions) P/LP variants of the gene.

        Variants whose ClinVar record names the disease's OMIM ID are preferred.
        """
        variants = self.pathogenic(disease.gene)
        matching = [v for v in variants if disease.omim in v.omims]
        first = _pick(matching or variants, rng)
        if model != "compound_heterozygous":
            return [first]
        second_pool = [v for v in matching if v.pos != first.pos] or [
            v for v in variants if v.pos != first.pos
        ]
        return [first, _pick(second_pool, rng)]

    def compound_possible(self, gene: str) -> bool:
        return len({v.pos for v in self.pathogenic(gene)}) >= 2

    def carriers(self, rng: np.random.Generator, avoid: set[str], n: int) -> list[CodingVariant]:
        """``n`` P/LP variants in distinct recessive-disease genes not in ``avoid``."""
        genes = [g for g in self.recessive_genes if g not in avoid]
        if not genes:
            return []
        picks = rng.choice(len(genes), size=min(n, len(genes)), replace=False)
        return [_pick(self.pathogenic(genes[int(i)]), rng) for i in picks]

    def benign_on(self, chrom: str) -> tuple[list[CodingVariant], npt.NDArray[np.float64]]:
        """ClinVar B/LB variants of ``chrom`` and their population allele frequencies."""
        return self._benign.get(chrom, ([], np.zeros(0)))

    def chrom_genes(self, chrom: str) -> ChromGenes | None:
        if chrom not in self._genes:
            txs = [t for t in self.transcripts.values() if t.chrom == chrom]
            self._genes[chrom] = ChromGenes(txs) if txs else None
        return self._genes[chrom]


def _pick(variants: Sequence[CodingVariant], rng: np.random.Generator) -> CodingVariant:
    return variants[int(rng.integers(len(variants)))]
