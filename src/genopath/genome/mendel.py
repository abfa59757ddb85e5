"""Mendelian errors of a trio: child genotypes no combination of transmitted alleles explains."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _possible() -> np.ndarray:
    # Alleles a parent can transmit: 0/0 → ref; 0/1 → ref or alt; 1/1 → alt.
    transmits = {0: (0,), 1: (0, 1), 2: (1,)}
    table = np.zeros((3, 3, 3), dtype=bool)
    for f, fa in transmits.items():
        for m, ma in transmits.items():
            for x in fa:
                for y in ma:
                    table[f, m, x + y] = True
    return table


POSSIBLE = _possible()


@dataclass(frozen=True)
class MendelResult:
    """Mendelian errors of one trio.

    Attributes
    ----------
    sites
        Autosomal sites called in all three with at least one non-reference genotype.
    errors
        Of those, sites where the child's genotype cannot come from the parents'.
    rate
        ``errors / sites`` (``None`` without sites).
    """

    sites: int
    errors: int
    rate: float | None


def mendelian_errors(child: np.ndarray, father: np.ndarray, mother: np.ndarray) -> MendelResult:
    """Count Mendelian errors over dosage vectors (0, 1, 2; -1 missing).

    >>> import numpy as np
    >>> mendelian_errors(np.array([2, 1, 1]), np.array([0, 0, 1]), np.array([0, 1, 1])).errors
    1
    """
    use = (child >= 0) & (father >= 0) & (mother >= 0) & ((child > 0) | (father > 0) | (mother > 0))
    c, f, m = child[use], father[use], mother[use]
    errors = int(np.sum(~POSSIBLE[f, m, c]))
    sites = int(use.sum())
    return MendelResult(sites, errors, errors / sites if sites else None)
