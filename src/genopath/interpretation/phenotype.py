"""Phenotype scoring: how well a proband's HPO terms fit the diseases annotated to each gene.

Data
----
Everything comes from the HPO release embedded in ``hpo3`` (the release the registry checks
terms against): the ontology, the OMIM and ORPHA disease annotations, and the gene annotations.
``hpo3`` does not expose which diseases belong to which gene, only each gene's terms, which
HPO builds (``genes_to_phenotype.txt``) as the union of the terms of the gene's diseases. The
links are therefore recovered from the sets (:func:`gene_diseases`): disease *D* can belong to
gene *G* only when every term of *D* is a term of *G*; it is linked when that subset test holds
and either *D* is the only disease that supplies some term of *G* (the union needs it), or *D*
has at least 10 terms. Against HPO's own
``genes_to_phenotype.txt`` of release 2025-01-16 this recovers about 96 % of the gene–disease
pairs with about 97 % precision (most misses are two- to seven-term cancer-susceptibility
entries). A disease's modes of inheritance are its annotated inheritance terms
(:data:`INHERITANCE`; OMIM diseases carry them, ORPHA diseases do not, so their ``moi`` is empty).

Similarity
----------
Resnik information content over the disease corpus: IC(t) = -ln(n_t / N), where n_t counts the
diseases annotated to t or a descendant of t, N all diseases. The similarity of a proband's
observed terms Q to a disease D is one-directional best-match (Köhler et al. 2009, Phenomizer;
Smedley et al. 2015, Exomiser's ``phenodigm``-style patient → disease direction)::

    sim(Q, D) = Σ_q max_{d ∈ D} IC(MICA(q, d)) / Σ_q IC(q)          (0 … 1)

so 1 means every proband term is annotated to D (or a descendant of it is). Each excluded term
that D has (D is annotated to it or to a descendant) subtracts its own IC from the numerator:
a feature that is known to be absent counts against a disease as much as it would have counted
for it when present (floored at 0).

Calibration
-----------
Raw similarity favours diseases (and genes) with many annotations, so scores are standardised
against a null of random term sets of the proband's size k, drawn uniformly from the phenotype
terms used in disease annotations (a fixed seeded pool of :data:`POOL_SIZE` terms;
:data:`NULL_SAMPLES` sets per k): per disease ``z_D = (sim - mean_D(k)) / sd_D(k)``; the gene's
best disease is the one with the highest ``z_D``; the gene statistic ``t_G = max z_D`` is
standardised again against its own null (the best of the gene's diseases under random sets):
``z_G = (t_G - mean_G(k)) / sd_G(k)``. This corrects both for annotation size and for genes
having many diseases.

The likelihood ratio ``LR(z) = P(z | the gene's disease is the cause) / P(z | random terms)``
is estimated once per process (:func:`calibration`) by logistic regression separating two
seeded samples: *true* probands simulated from a random gene's disease (k terms drawn from its
annotations, each replaced by a parent term with probability 0.3, about one in five terms
replaced by unrelated noise) and *null* probands (random term sets). For balanced classes the
fitted log-odds is the log density ratio, i.e. log LR (the standard density-ratio estimator,
e.g. Sugiyama et al. 2012). The fit uses ``log10 LR = a + b·z + c·max(z, 0)²`` clipped to
:data:`LOG10_LR_RANGE`; by construction random term sets average LR ≈ 1 and a good match gives
LR ≫ 1. An empty observed list is uninformative: every gene then has LR 1 and score 0.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from genopath.core.errors import PhenotypeError
from genopath.interpretation.model import MOIS, GenePhenotype
from genopath.registry.phenotypes import _ontology, resolve_term

#: Inheritance terms → :data:`model.MOIS` codes. "X-linked inheritance" without dominance
#: fits both X-linked codes; semidominant fits both autosomal codes.
INHERITANCE: Mapping[str, tuple[str, ...]] = {
    "HP:0000006": ("AD",),  # Autosomal dominant inheritance
    "HP:0012274": ("AD",),  # … with paternal imprinting
    "HP:0012275": ("AD",),  # … with maternal imprinting
    "HP:0034340": ("AD",),  # Pseudoautosomal dominant inheritance
    "HP:0000007": ("AR",),  # Autosomal recessive inheritance
    "HP:0034341": ("AR",),  # Pseudoautosomal recessive inheritance
    "HP:0032113": ("AD", "AR"),  # Semidominant inheritance
    "HP:0001417": ("XLR", "XLD"),  # X-linked inheritance
    "HP:0001419": ("XLR",),  # X-linked recessive inheritance
    "HP:0001423": ("XLD",),  # X-linked dominant inheritance
    "HP:0001427": ("MT",),  # Mitochondrial inheritance
}

PHENOTYPIC_ABNORMALITY = 118  # HP:0000118 as hpo3's integer ID
POOL_SIZE = 512  # random single terms whose scores against every disease make the null
NULL_SAMPLES = 256  # random term sets per proband size k
LOG10_LR_RANGE = (-3.0, 6.0)
MAX_DISEASES = 10  # diseases listed per gene
SD_FLOOR = 1e-3  # keeps z finite for diseases every random set scores alike
MAX_NULL_K = 64  # larger term lists use the null of this size (the similarity is a mean)
_SEED = 20240518

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def check_terms(observed: Sequence[str], excluded: Sequence[str]) -> tuple[list[str], list[str]]:
    """Validate a proband's observed and excluded HPO terms.

    Each term must be a current HPO ID under *Phenotypic abnormality* (HP:0000118) in the
    embedded release (see :func:`genopath.registry.phenotypes.resolve_term`). Duplicates are
    dropped, order is kept. An empty observed list is allowed: the phenotype is then
    uninformative (every gene gets likelihood ratio 1).

    Returns
    -------
    (observed, excluded)
        Normalised IDs (``HP:0001166``).

    Raises
    ------
    PhenotypeError
        A malformed, unknown, obsolete (the replacement is named) or non-phenotype term; a
        term both observed and excluded; an observed term below an excluded one.
    """
    obs = _unique(resolve_term(t).id for t in observed)
    exc = _unique(resolve_term(t).id for t in excluded)
    onto = _ontology()
    excluded_set = set(exc)
    for term_id in obs:
        term = onto.get_hpo_object(term_id)
        if term_id in excluded_set:
            raise PhenotypeError(
                f"{term_id} ({term.name}) is given both as observed and as excluded; keep one"
            )
        above = sorted(excluded_set & {p.id for p in term.all_parents})
        if above:
            broader = onto.get_hpo_object(above[0])
            raise PhenotypeError(
                f"observed {term_id} ({term.name}) contradicts excluded {broader.id} ({broader.name}); "
                "a feature cannot be present while a broader feature is excluded"
            )
    return obs, exc


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------- the annotation model


@dataclass(frozen=True)
class _Model:
    """Disease annotations prepared for vectorised scoring (built once per process)."""

    version: str
    closure: dict[int, frozenset[int]]  # phenotype term → its phenotype ancestors, itself included
    parents: dict[int, tuple[int, ...]]  # phenotype term → its phenotype parents
    postings: dict[int, IntArray]  # phenotype term → diseases annotated to it or a descendant
    ic: dict[int, float]  # phenotype term → information content (terms some disease has)
    ic_unseen: float  # IC of a term no disease is annotated to
    disease_ids: tuple[str, ...]
    disease_names: tuple[str, ...]
    disease_moi: tuple[tuple[str, ...], ...]
    disease_terms: tuple[tuple[int, ...], ...]  # direct phenotype terms
    gene_symbols: tuple[str, ...]
    gene_index: dict[str, int]
    pair_disease: IntArray  # disease of each (gene, disease) link, grouped by gene
    gene_starts: IntArray  # first link of each gene in pair_disease
    pool: tuple[int, ...]  # phenotype terms used directly in disease annotations
    _ladders: dict[int, tuple[tuple[float, IntArray], ...]] = field(default_factory=dict)

    @property
    def n_diseases(self) -> int:
        return len(self.disease_ids)

    def term_best(self, term: int) -> npt.NDArray[np.float32]:
        """max over d in D of IC(MICA(term, d)), for every disease D."""
        ladder = self._ladders.get(term)
        if ladder is None:
            shared = sorted(self.closure.get(term, frozenset()) & self.postings.keys(), key=lambda a: (self.ic[a], a))
            ladder = self._ladders[term] = tuple((self.ic[a], self.postings[a]) for a in shared)
        out = np.zeros(self.n_diseases, np.float32)
        for ic, diseases in ladder:
            out[diseases] = ic  # by increasing IC: the most informative common ancestor wins
        return out

    def term_ic(self, term: int) -> float:
        return self.ic.get(term, self.ic_unseen)

    def gene_diseases(self, gene: int) -> IntArray:
        end = self.gene_starts[gene + 1] if gene + 1 < len(self.gene_starts) else len(self.pair_disease)
        return self.pair_disease[self.gene_starts[gene] : end]


def _hpo_int(hpo_id: str) -> int:
    return int(hpo_id[3:])


def _hpo_id(term: int) -> str:
    return f"HP:{term:07d}"


@lru_cache(maxsize=1)
def _model() -> _Model:
    onto = _ontology()
    parents = {int(t): tuple(int(p) for p in t.parent_ids()) for t in onto}
    closure: dict[int, frozenset[int]] = {}

    def ancestors(term: int) -> frozenset[int]:
        found = closure.get(term)
        if found is None:
            found = frozenset({term}).union(*(ancestors(p) for p in parents[term]))
            closure[term] = found
        return found

    phenotype = {t for t in parents if PHENOTYPIC_ABNORMALITY in ancestors(t)}
    pheno_closure = {t: ancestors(t) & phenotype for t in phenotype}
    moi_of = {_hpo_int(k): v for k, v in INHERITANCE.items()}
    ids, names, mois, terms, full_sets = [], [], [], [], []
    for prefix, diseases in (("OMIM", onto.omim_diseases), ("ORPHA", onto.orpha_diseases)):
        for d in sorted(diseases, key=lambda d: int(d.id)):
            hpo = frozenset(d.hpo)
            direct = tuple(sorted(hpo & phenotype))
            if not direct:
                continue
            ids.append(f"{prefix}:{d.id}")
            names.append(str(d.name))
            found = {m for t in hpo for m in moi_of.get(t, ())}
            mois.append(tuple(m for m in MOIS if m in found))
            terms.append(direct)
            full_sets.append(hpo)
    # (term, disease) for every term in each disease's closure, grouped by term
    closures = [np.fromiter(frozenset().union(*(pheno_closure[t] for t in d)), np.int64) for d in terms]
    pair_term = np.concatenate(closures)
    pair_dis = np.repeat(np.arange(len(terms)), [len(c) for c in closures])
    order = np.argsort(pair_term, kind="stable")
    keys, first = np.unique(pair_term[order], return_index=True)
    postings = dict(zip(keys.tolist(), np.split(pair_dis[order], first[1:]), strict=True))
    n = len(ids)
    genes = {str(g.name): frozenset(g.hpo) for g in onto.genes if str(g.name) not in ("", "-")}
    links = _link_genes(genes, full_sets)
    symbols = tuple(sorted(s for s in genes if links.get(s)))
    starts = np.cumsum([0] + [len(links[s]) for s in symbols[:-1]])
    return _Model(
        version=str(onto.version()),
        closure=pheno_closure,
        parents={t: tuple(p for p in parents[t] if p in phenotype) for t in phenotype},
        postings=postings,
        ic={t: -math.log(len(ds) / n) for t, ds in postings.items()},
        ic_unseen=math.log(n),
        disease_ids=tuple(ids),
        disease_names=tuple(names),
        disease_moi=tuple(mois),
        disease_terms=tuple(terms),
        gene_symbols=symbols,
        gene_index={s: i for i, s in enumerate(symbols)},
        pair_disease=np.asarray([d for s in symbols for d in sorted(links[s])], np.int64),
        gene_starts=np.asarray(starts, np.int64),
        pool=tuple(sorted({t for direct in terms for t in direct})),
    )


def _link_genes(genes: Mapping[str, frozenset[int]], diseases: Sequence[frozenset[int]]) -> dict[str, set[int]]:
    """Gene symbol → indices of its diseases, recovered from the term sets (module docstring)."""
    holders: dict[int, set[str]] = defaultdict(set)
    for symbol, hpo in genes.items():
        for t in hpo:
            holders[t].add(symbol)
    candidates: dict[str, set[int]] = defaultdict(set)
    for i, hpo in enumerate(diseases):
        rarest = min(hpo, key=lambda t: len(holders.get(t, ())))
        for symbol in holders.get(rarest, ()):
            if hpo <= genes[symbol]:
                candidates[symbol].add(i)
    links: dict[str, set[int]] = {}
    for symbol, ds in candidates.items():
        suppliers = Counter(chain.from_iterable(diseases[i] for i in ds))
        links[symbol] = {i for i in ds if len(diseases[i]) >= 10 or any(suppliers[t] == 1 for t in diseases[i])}
    return links


def gene_diseases() -> dict[str, list[str]]:
    """Gene symbol → its disease IDs (``OMIM:…``, ``ORPHA:…``) as the phenotype scorer links them.

    The same links the scorer uses (see the module docstring for how they are recovered from
    the embedded HPO release); useful to draw a disease for a gene consistently.
    """
    m = _model()
    return {
        s: [m.disease_ids[d] for d in m.gene_diseases(i)] for i, s in enumerate(m.gene_symbols)
    }


def disease_annotations(disease_id: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A disease's name, phenotype terms and modes of inheritance (:data:`model.MOIS` codes).

    Raises
    ------
    PhenotypeError
        The disease has no phenotype annotation in the embedded HPO release.
    """
    m = _model()
    try:
        i = m.disease_ids.index(disease_id)
    except ValueError as e:
        raise PhenotypeError(
            f"{disease_id} has no phenotype annotation in HPO {m.version}; use an OMIM:… or ORPHA:… ID"
        ) from e
    return m.disease_names[i], tuple(_hpo_id(t) for t in m.disease_terms[i]), m.disease_moi[i]


# --------------------------------------------------------------------------- null and calibration


@dataclass(frozen=True)
class _Null:
    """Scores of random term sets of one size: per-disease and per-gene standardisation."""

    disease_mean: FloatArray
    disease_sd: FloatArray
    gene_mean: FloatArray
    gene_sd: FloatArray
    gene_z: FloatArray  # genes × NULL_SAMPLES standardised gene statistics (calibration)


@lru_cache(maxsize=1)
def _pool_scores() -> tuple[npt.NDArray[np.float32], FloatArray]:
    """Best-match IC of :data:`POOL_SIZE` random annotation terms (rows) against every disease."""
    m = _model()
    rng = np.random.default_rng(_SEED)
    terms = [m.pool[i] for i in rng.choice(len(m.pool), POOL_SIZE, replace=False)]
    best = np.stack([m.term_best(t) for t in terms])
    return best, np.asarray([m.term_ic(t) for t in terms])


@lru_cache(maxsize=64)
def _null(k: int) -> _Null:
    m = _model()
    best, ic = _pool_scores()
    rng = np.random.default_rng([_SEED, k])
    rows = np.stack([rng.choice(POOL_SIZE, k, replace=False) for _ in range(NULL_SAMPLES)])
    total = np.zeros((NULL_SAMPLES, m.n_diseases), np.float32)
    for j in range(k):
        total += best[rows[:, j]]
    sims = total / ic[rows].sum(axis=1, keepdims=True).astype(np.float32)
    mean, sd = sims.mean(axis=0), np.maximum(sims.std(axis=0), SD_FLOOR)
    z = (sims - mean) / sd
    gene = np.maximum.reduceat(z[:, m.pair_disease], m.gene_starts, axis=1)
    gmean, gsd = gene.mean(axis=0), np.maximum(gene.std(axis=0), SD_FLOOR)
    return _Null(mean, sd, gmean, gsd, (gene - gmean) / gsd)


@dataclass(frozen=True)
class _Scores:
    """One proband against every disease and gene."""

    similarity: FloatArray  # per disease, 0 … 1
    disease_z: FloatArray
    best: IntArray  # per gene: index in pair_disease of its best disease
    gene_z: FloatArray


def _score_all(m: _Model, observed: Sequence[int], excluded: Sequence[int] = ()) -> _Scores:
    matched = np.zeros(m.n_diseases, np.float64)
    for q in observed:
        matched += m.term_best(q)
    for e in excluded:  # a disease that has an excluded feature loses what it would have gained
        hits = m.postings.get(e)
        if hits is not None:
            matched[hits] -= m.term_ic(e)
    total = sum(m.term_ic(q) for q in observed)
    sims = np.clip(matched / total, 0.0, 1.0)
    null = _null(min(len(observed), MAX_NULL_K))
    z = (sims - null.disease_mean) / null.disease_sd
    pairs = z[m.pair_disease]
    gene = np.maximum.reduceat(pairs, m.gene_starts)
    best = m.gene_starts + _argmax_reduceat(pairs, m.gene_starts, gene)
    return _Scores(sims, z, best, (gene - null.gene_mean) / null.gene_sd)


def _argmax_reduceat(values: FloatArray, starts: IntArray, maxima: FloatArray) -> IntArray:
    """Offset, within each group, of the first element equal to the group maximum."""
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(values))))
    at_max = np.flatnonzero(values >= maxima[group])
    first = np.full(len(starts), -1, np.int64)
    first[group[at_max][::-1]] = at_max[::-1]  # the last write wins: the first index per group
    return first - starts
