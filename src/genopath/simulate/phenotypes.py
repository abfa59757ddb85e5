"""Proband HPO terms: drawn from the disease's annotations, made imprecise, with unrelated noise.

Clinicians describe a patient with a handful of terms, not the whole disease annotation; they
often choose a general term (``Seizure``) where the annotation is specific (``Focal
clonic seizure``); and they record findings unrelated to the diagnosis. The sampler mimics
the three, as the simulations behind Exomiser's and LIRICAL's benchmarks do (Smedley D et al.,
Nat Protoc 2015;10:2004; Robinson PN et al., Am J Hum Genet 2020;107:403):

1. **draw** 3–8 of the disease's phenotype terms without replacement, weighted by how often
   each occurs in the disease (``phenotype.hpoa`` frequency when the ``hpo`` resource is
   installed, else equal weights);
2. **imprecision**: each drawn term is replaced, with probability 0.3, by an ancestor one or
   two levels up, never reaching an organ-system term (a child of ``HP:0000118``) or above;
3. **noise**: 0–2 random phenotype terms used in some OMIM annotation and unrelated (neither
   ancestor nor descendant) to any term of the disease.

A term that is an ancestor of another chosen term is dropped: a clinician records the
specific finding once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from genopath.simulate.diseases import DEFAULT_FREQUENCY, PHENOTYPIC_ABNORMALITY, Disease, ontology

MIN_OBSERVED = 3
MAX_OBSERVED = 8
IMPRECISION = 0.3
MAX_NOISE = 2
_NOISE_TRIES = 100


@dataclass(frozen=True)
class SampledPhenotype:
    """The proband's terms and how each came about.

    Attributes
    ----------
    observed
        The terms written to ``hpo.txt``, sorted.
    drawn
        Disease terms drawn in step 1 (before imprecision).
    imprecise
        ``(drawn term, ancestor recorded instead)`` pairs.
    noise
        Unrelated terms added.
    """

    observed: tuple[str, ...]
    drawn: tuple[str, ...]
    imprecise: tuple[tuple[str, str], ...]
    noise: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "observed": list(self.observed),
            "excluded": [],
            "drawn_from_disease": list(self.drawn),
            "imprecise": [{"annotated": a, "recorded": b} for a, b in self.imprecise],
            "noise": list(self.noise),
        }


class PhenotypeSampler:
    """Samples proband terms for diseases of the embedded HPO release.

    Parameters
    ----------
    frequencies
        ``(disease ID, HPO ID)`` → frequency (:func:`genopath.simulate.diseases.load_frequencies`);
        empty for equal weights.
    """

    def __init__(self, frequencies: Mapping[tuple[str, str], float] | None = None) -> None:
        self.frequencies = frequencies or {}
        self._onto = ontology()
        root = self._onto.get_hpo_object(PHENOTYPIC_ABNORMALITY)
        self._top = {PHENOTYPIC_ABNORMALITY} | {c.id for c in root.children}
        self._noise_pool: list[str] | None = None

    def sample(self, disease: Disease, rng: np.random.Generator) -> SampledPhenotype:
        """Draw the proband's terms for ``disease``."""
        drawn = self._draw(disease, rng)
        recorded: list[str] = []
        imprecise: list[tuple[str, str]] = []
        for term in drawn:
            if rng.random() < IMPRECISION:
                ancestor = self._ancestor(term, int(rng.integers(1, 3)), rng)
                if ancestor != term:
                    imprecise.append((term, ancestor))
                    term = ancestor
            recorded.append(term)
        noise = self._noise(disease, int(rng.integers(0, MAX_NOISE + 1)), rng)
        observed = self._most_specific([*recorded, *noise])
        kept = set(observed)
        return SampledPhenotype(
            observed=tuple(sorted(observed)),
            drawn=tuple(drawn),
            imprecise=tuple((a, b) for a, b in imprecise if b in kept),
            noise=tuple(n for n in noise if n in kept),
        )

    def _draw(self, disease: Disease, rng: np.random.Generator) -> list[str]:
        terms = list(disease.terms)
        weights = np.array(
            [self.frequencies.get((disease.disease_id, t), DEFAULT_FREQUENCY) for t in terms], dtype=float
        )
        if weights.sum() <= 0:  # every term excluded in the hpoa: fall back to equal weights
            weights = np.ones(len(terms))
        available = int(np.count_nonzero(weights))
        n = min(int(rng.integers(MIN_OBSERVED, MAX_OBSERVED + 1)), available)
        picks = rng.choice(len(terms), size=n, replace=False, p=weights / weights.sum())
        return [terms[i] for i in sorted(picks)]

    def _ancestor(self, term_id: str, steps: int, rng: np.random.Generator) -> str:
        current = self._onto.get_hpo_object(term_id)
        for _ in range(steps):
            parents = sorted(p.id for p in current.parents if p.id not in self._top)
            if not parents:
                break
            current = self._onto.get_hpo_object(parents[int(rng.integers(len(parents)))])
        return str(current.id)

    def _noise(self, disease: Disease, n: int, rng: np.random.Generator) -> list[str]:
        if n == 0:
            return []
        pool = self._pool()
        related = set(disease.terms)
        for t in disease.terms:
            related |= {p.id for p in self._onto.get_hpo_object(t).all_parents}
        chosen: list[str] = []
        for _ in range(_NOISE_TRIES):
            if len(chosen) == n:
                break
            candidate = pool[int(rng.integers(len(pool)))]
            term = self._onto.get_hpo_object(candidate)
            ancestors = {p.id for p in term.all_parents}
            if candidate in related or ancestors & set(disease.terms) or candidate in chosen:
                continue
            chosen.append(candidate)
        return chosen

    def _pool(self) -> list[str]:
        if self._noise_pool is None:
            root = self._onto.get_hpo_object(PHENOTYPIC_ABNORMALITY)
            self._noise_pool = sorted(
                t.id
                for t in self._onto
                if t.id not in self._top
                and not t.is_obsolete
                and t.child_of(root)
                and len(t.omim_diseases) > 0
            )
        return self._noise_pool

    def _most_specific(self, terms: Sequence[str]) -> list[str]:
        unique = list(dict.fromkeys(terms))
        ancestors: set[str] = set()
        for t in unique:
            ancestors |= {p.id for p in self._onto.get_hpo_object(t).all_parents}
        return [t for t in unique if t not in ancestors]
