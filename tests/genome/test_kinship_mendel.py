"""KING-robust kinship, pedigree kinship and Mendelian errors: hand-worked cases and invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.genome.kinship import degree, expected_kinship, king_robust
from genopath.genome.mendel import mendelian_errors

haplotype_pairs = st.integers(min_value=20, max_value=300).flatmap(
    lambda n: st.tuples(*[st.lists(st.integers(0, 1), min_size=n, max_size=n) for _ in range(4)])
)


def test_king_robust__hand_worked() -> None:
    # sites: both het, both het, opposite homozygotes, i het only
    a, b = np.array([1, 1, 0, 1]), np.array([1, 1, 2, 0])
    k = king_robust(a, b, np.ones(4, bool))
    assert (k.n_het_shared, k.n_opposite_hom, k.n_het_i, k.n_het_j) == (2, 1, 3, 2)
    assert k.phi == (2 - 2 * 1) / 5


def test_king_robust__missing_and_indels_ignored() -> None:
    a, b = np.array([1, -1, 1, 2]), np.array([1, 1, -1, 0])
    k = king_robust(a, b, np.array([True, True, True, False]))
    assert k.sites == 1 and k.phi == 0.5


def test_expected_kinship__pedigree_relationships() -> None:
    parents = {"f": (None, None), "m": (None, None), "a": ("f", "m"), "b": ("f", "m"), "s": (None, None),
               "g": ("a", "s")}  # fmt: skip
    k = expected_kinship(parents, ["f", "m", "s", "a", "b", "g"])
    assert k[("a", "b")] == 0.25 and k[("a", "f")] == 0.25 and k[("f", "m")] == 0
    assert k[("g", "f")] == 0.125 and k[("g", "b")] == 0.125 and k[("g", "s")] == 0.25
    assert [degree(x) for x in (0.5, 0.25, 0.125, 0.0625, 0.0)] == [
        "duplicate", "first-degree", "second-degree", "third-degree", "unrelated"]  # fmt: skip


def test_mendelian_errors__every_impossible_combination() -> None:
    f, m, c = np.array(np.meshgrid([0, 1, 2], [0, 1, 2], [0, 1, 2])).reshape(3, -1)
    result = mendelian_errors(c, f, m)
    # impossible: 0/0×0/0→1,2; 0/0×1/1→0,2; 1/1×1/1→0,1; 0/0×0/1→2; 1/1×0/1→0 (each both ways)
    assert result.errors == 2 + 2 * 2 + 2 + 2 * 1 + 2 * 1
    assert result.sites == 26  # 0/0 × 0/0 → 0/0 is not informative


@settings(max_examples=60, deadline=None)
@given(haplotype_pairs, st.integers(0, 1), st.integers(0, 1))
def test_mendelian_errors__transmitted_child_never_errs(haps, hf: int, hm: int) -> None:
    f = np.column_stack(haps[:2])
    m = np.column_stack(haps[2:])
    child = f[:, hf] + m[:, hm]
    assert mendelian_errors(child, f.sum(1), m.sum(1)).errors == 0


@settings(max_examples=60, deadline=None)
@given(haplotype_pairs)
def test_king_robust__symmetric_bounded_and_self_is_half(haps) -> None:
    a = np.array(haps[0]) + np.array(haps[1])
    b = np.array(haps[2]) + np.array(haps[3])
    snv = np.ones(len(a), bool)
    ab, ba = king_robust(a, b, snv), king_robust(b, a, snv)
    assert ab.phi == ba.phi
    if ab.phi is not None:
        assert ab.phi <= 0.5  # shared hets ≤ (het_i + het_j) / 2; no lower bound (opposite homozygotes)
    if (a == 1).any():
        assert king_robust(a, a, snv).phi == 0.5


def _gamete(person: np.ndarray, rng: np.random.Generator, blocks: int = 40) -> np.ndarray:
    """One haplotype transmitted with recombination: each of ``blocks`` stretches from either copy."""
    pick = rng.integers(2, size=blocks).repeat(-(-len(person) // blocks))[: len(person)]
    return person[np.arange(len(person)), pick]


def test_king_robust__full_and_half_siblings_from_real_haplotypes(haplotypes) -> None:
    """Siblings transmitted with recombination from CHS founders (1000 Genomes chr22) fall in
    KING's degree bands: full sibs first degree (≈ 0.25), half sibs second (≈ 0.125)."""
    from tests.genome.conftest import mosaic_founder

    rng = np.random.default_rng(7)
    father, mother, other_mother = (mosaic_founder(haplotypes, rng) for _ in range(3))

    def child(f: np.ndarray, m: np.ndarray) -> np.ndarray:
        return _gamete(f, rng) + _gamete(m, rng)

    a, b, half = child(father, mother), child(father, mother), child(father, other_mother)
    snv = np.ones(len(a), bool)
    full_sibs, half_sibs = king_robust(a, b, snv), king_robust(a, half, snv)
    assert full_sibs.sites > 1000
    assert degree(full_sibs.phi) == "first-degree", full_sibs.phi
    assert degree(half_sibs.phi) == "second-degree", half_sibs.phi
    assert degree(king_robust(a, mosaic_founder(haplotypes, rng).sum(1), snv).phi) == "unrelated"
