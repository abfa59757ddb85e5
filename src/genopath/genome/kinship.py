"""Relatedness: KING-robust kinship between genomes, and the kinship a pedigree expects.

References
----------
Manichaikul A, et al. Robust relationship inference in genome-wide association studies.
Bioinformatics 26:2867-2873 (2010). Between-family estimator and the degree bounds below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: KING's inference bounds (powers of 2 halfway between degrees): kinship above the first is
#: a duplicate or MZ twin, then first, second and third degree; below the last, unrelated.
DEGREE_BOUNDS: tuple[tuple[float, str], ...] = (
    (2**-1.5, "duplicate"),  # 0.354
    (2**-2.5, "first-degree"),  # 0.177
    (2**-3.5, "second-degree"),  # 0.0884
    (2**-4.5, "third-degree"),  # 0.0442
)
UNRELATED = "unrelated"


@dataclass(frozen=True)
class Kinship:
    """KING-robust kinship of one pair.

    Attributes
    ----------
    phi
        (N_AaAa − 2·N_AA,aa) / (N_Aa(i) + N_Aa(j)); ≈0.5 duplicates, 0.25 first degree, 0 unrelated.
        ``None`` when no site is heterozygous in either.
    sites
        Autosomal SNVs called in both with at least one non-reference genotype.
    n_het_shared, n_opposite_hom, n_het_i, n_het_j
        The counts in the formula.
    """

    phi: float | None
    sites: int
    n_het_shared: int
    n_opposite_hom: int
    n_het_i: int
    n_het_j: int


def king_robust(d_i: np.ndarray, d_j: np.ndarray, snv: np.ndarray) -> Kinship:
    """KING-robust (between-family) kinship from two dosage vectors (-1 missing).

    >>> import numpy as np
    >>> king_robust(np.array([1, 1, 2, 0]), np.array([1, 1, 2, 0]), np.ones(4, bool)).phi
    0.5
    """
    use = snv & (d_i >= 0) & (d_j >= 0)
    a, b = d_i[use], d_j[use]
    het_a, het_b = a == 1, b == 1
    shared = int(np.sum(het_a & het_b))
    opposite = int(np.sum(((a == 0) & (b == 2)) | ((a == 2) & (b == 0))))
    n_a, n_b = int(het_a.sum()), int(het_b.sum())
    sites = int(np.sum((a > 0) | (b > 0)))
    phi = (shared - 2 * opposite) / (n_a + n_b) if n_a + n_b else None
    return Kinship(phi, sites, shared, opposite, n_a, n_b)


def degree(phi: float) -> str:
    """The relationship degree KING infers from a kinship coefficient."""
    for bound, name in DEGREE_BOUNDS:
        if phi > bound:
            return name
    return UNRELATED


def expected_kinship(
    parents: Mapping[str, tuple[str | None, str | None]], order: Sequence[str]
) -> dict[tuple[str, str], float]:
    """Kinship coefficients implied by a pedigree (founders unrelated and not inbred).

    Parameters
    ----------
    parents
        Individual → (father, mother); unknown parents are ``None``.
    order
        Every individual, parents before their children.

    Returns
    -------
    dict
        ``(i, j)`` → φ for every ordered pair of distinct individuals (and ``(i, i)``).

    >>> k = expected_kinship({"f": (None, None), "m": (None, None), "c": ("f", "m")}, ["f", "m", "c"])
    >>> k[("c", "f")], k[("f", "m")], k[("c", "c")]
    (0.25, 0.0, 0.5)
    """
    phi: dict[tuple[str, str], float] = {}

    def get(a: str | None, b: str | None) -> float:
        return 0.0 if a is None or b is None else phi[(a, b)]

    for n, i in enumerate(order):
        father, mother = parents.get(i, (None, None))
        phi[(i, i)] = 0.5 * (1 + get(father, mother))
        for j in order[:n]:
            value = 0.5 * (get(father, j) + get(mother, j))
            phi[(i, j)] = phi[(j, i)] = value
    return phi
