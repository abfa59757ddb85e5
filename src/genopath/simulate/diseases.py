"""Diseases to simulate: OMIM diseases of the HPO annotations whose gene has ClinVar P/LP variants.

A disease is simulated with one gene. Gene–disease pairs come from ClinVar itself: the OMIM IDs
in ``CLNDISDB`` (``disease_ids``) of the gene's P/LP records. A pair is kept only when the HPO
annotations agree — every phenotype term HPO annotates to the disease is also annotated to the
gene in ``hpo3``'s gene annotations, which HPO derives from its own gene–disease links — so the
diagnosis is one a phenotype scorer built on the same HPO release can find. The disease's mode
of inheritance comes from its HPO inheritance annotations:

=================  =====================================  =========
HPO term           label                                  simulated
=================  =====================================  =========
``HP:0000006``     Autosomal dominant inheritance         ``AD``
``HP:0000007``     Autosomal recessive inheritance        ``AR``
``HP:0001419``     X-linked recessive inheritance         ``XLR``
``HP:0001423``     X-linked dominant inheritance          ``XLD``
``HP:0001417``     X-linked inheritance (unspecified)     ``XLR`` when neither of the two above
=================  =====================================  =========

Modes are kept only when the gene's chromosome fits (autosomal modes on chr1–22, X-linked
ones on chrX). Diseases with fewer than :data:`MIN_TERMS` phenotype terms are left out: a
proband is described by three to eight of them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

#: Modes of inheritance the simulator can produce (a subset of ``interpretation.model.MOIS``).
SIM_MOIS = ("AD", "AR", "XLR", "XLD")
#: HPO inheritance terms → simulated mode (``HP:0001417`` is resolved in :func:`disease_mois`).
INHERITANCE = {"HP:0000006": "AD", "HP:0000007": "AR", "HP:0001419": "XLR", "HP:0001423": "XLD"}
X_LINKED = "HP:0001417"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
#: Fewest phenotype terms a disease needs to be simulated.
MIN_TERMS = 3
AUTOSOMES = tuple(f"chr{i}" for i in range(1, 23))

_OMIM = re.compile(r"OMIM:(\d+)")
#: HPO frequency terms (HP:0040279 subontology) → the middle of the range they name.
FREQUENCY_TERMS = {
    "HP:0040280": 1.0,  # obligate (100 %)
    "HP:0040281": 0.895,  # very frequent (80–99 %)
    "HP:0040282": 0.545,  # frequent (30–79 %)
    "HP:0040283": 0.17,  # occasional (5–29 %)
    "HP:0040284": 0.025,  # very rare (1–4 %)
    "HP:0040285": 0.0,  # excluded (0 %)
}
#: Weight of an annotation with no frequency (HPO leaves it empty for most OMIM-derived terms).
DEFAULT_FREQUENCY = 0.5


def ontology() -> Any:
    """``pyhpo.Ontology`` with the release embedded in ``hpo3``, built once per process."""
    from genopath.registry.phenotypes import ontology as built

    return built()


def hpo_version() -> str:
    """The embedded HPO release (``2025-11-24``)."""
    return str(ontology().version())


@dataclass(frozen=True)
class Disease:
    """One disease–gene pair the simulator can draw.

    Attributes
    ----------
    disease_id
        ``OMIM:…``.
    name
        The HPO annotation's disease name.
    gene
        HGNC symbol of the gene whose ClinVar P/LP variants cause it.
    chrom
        The gene's chromosome (from its MANE Select transcript).
    mois
        Simulated modes the disease is annotated with (:data:`SIM_MOIS` order).
    terms
        Its annotated phenotypic-abnormality terms (``HP:…``), sorted.
    """

    disease_id: str
    name: str
    gene: str
    chrom: str
    mois: tuple[str, ...]
    terms: tuple[str, ...]

    @property
    def omim(self) -> int:
        return int(self.disease_id.split(":", 1)[1])


def omim_ids(disease_ids: str | None) -> set[int]:
    """OMIM numbers in a ClinVar ``CLNDISDB`` value (``MONDO:…,OMIM:608456|…``)."""
    return {int(m) for m in _OMIM.findall(disease_ids or "")}


def disease_mois(inheritance: Mapping[str, frozenset[int]], omim: int) -> tuple[str, ...]:
    """Simulated modes of an OMIM disease from its HPO inheritance annotations."""
    modes = {mode for term, mode in INHERITANCE.items() if omim in inheritance.get(term, frozenset())}
    if omim in inheritance.get(X_LINKED, frozenset()) and not modes & {"XLR", "XLD"}:
        modes.add("XLR")
    return tuple(m for m in SIM_MOIS if m in modes)


def inheritance_sets() -> dict[str, frozenset[int]]:
    """OMIM IDs annotated with each inheritance term of :data:`INHERITANCE` and ``HP:0001417``."""
    onto = ontology()
    return {
        term: frozenset(d.id for d in onto.get_hpo_object(term).omim_diseases)
        for term in (*INHERITANCE, X_LINKED)
    }


def build_catalogue(gene_omims: Mapping[str, Iterable[int]], gene_chroms: Mapping[str, str]) -> list[Disease]:
    """Disease–gene pairs to simulate, sorted by gene then disease.

    Parameters
    ----------
    gene_omims
        Gene symbol → OMIM IDs named by its ClinVar P/LP records.
    gene_chroms
        Gene symbol → chromosome of its MANE Select transcript; genes without one are skipped.
    """
    onto = ontology()
    root = onto.get_hpo_object(PHENOTYPIC_ABNORMALITY)
    diseases = {d.id: d for d in onto.omim_diseases}
    genes = {g.name: g for g in onto.genes}
    inheritance = inheritance_sets()
    out = []
    for gene in sorted(gene_omims):
        chrom = gene_chroms.get(gene)
        hpo_gene = genes.get(gene)
        if chrom is None or hpo_gene is None:
            continue
        gene_terms = set(hpo_gene.hpo)
        for omim in sorted(set(gene_omims[gene])):
            disease = diseases.get(omim)
            if disease is None or not set(disease.hpo) <= gene_terms:
                continue
            mois = tuple(m for m in disease_mois(inheritance, omim) if _fits(m, chrom))
            terms = _phenotype_terms(onto, root, disease.hpo)
            if mois and len(terms) >= MIN_TERMS:
                out.append(Disease(f"OMIM:{omim}", disease.name, gene, chrom, mois, terms))
    return out


def _fits(moi: str, chrom: str) -> bool:
    return chrom in AUTOSOMES if moi in ("AD", "AR") else chrom == "chrX"


def _phenotype_terms(onto: Any, root: Any, ids: Iterable[int]) -> tuple[str, ...]:
    terms = []
    for i in ids:
        term = onto[i]
        if not term.is_obsolete and term.child_of(root):
            terms.append(term.id)
    return tuple(sorted(terms))


def load_frequencies(path: Path) -> dict[tuple[str, str], float]:
    """``(disease ID, HPO ID)`` → how often the term occurs in the disease, from ``phenotype.hpoa``.

    Frequencies are HPO frequency terms (:data:`FREQUENCY_TERMS`), ``n/m`` fractions or ``x%``.
    ``NOT`` annotations give 0. Annotations without a frequency are absent (callers use
    :data:`DEFAULT_FREQUENCY`).
    """
    out: dict[tuple[str, str], float] = {}
    with path.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if header is None:
            return out
        col = {name: i for i, name in enumerate(header)}
        for row in rows:
            if len(row) < len(header) or row[col["aspect"]] != "P":
                continue
            key = (row[col["database_id"]], row[col["hpo_id"]])
            if row[col["qualifier"]] == "NOT":
                out[key] = 0.0
                continue
            value = _frequency(row[col["frequency"]])
            if value is not None:
                out[key] = value
    return out


def _frequency(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    if text in FREQUENCY_TERMS:
        return FREQUENCY_TERMS[text]
    try:
        if text.endswith("%"):
            return min(1.0, float(text[:-1]) / 100)
        if "/" in text:
            return float(min(Fraction(1), Fraction(text)))
    except (ValueError, ZeroDivisionError):
        return None
    return None
