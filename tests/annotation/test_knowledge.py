"""The ClinVar index: exact look-ups, newest release first, and P/LP records by position."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.annotation.knowledge import PATHOGENIC, Clinvar


def _table(path: Path, rows: list[tuple[str, int, str, str, int, str]]) -> Path:
    pq.write_table(
        pa.table(
            {
                "chrom": [r[0] for r in rows],
                "pos": pa.array([r[1] for r in rows], pa.int64()),
                "ref": [r[2] for r in rows],
                "alt": [r[3] for r in rows],
                "variation_id": pa.array([r[4] for r in rows], pa.int64()),
                "significance": [r[5] for r in rows],
                "sig_class": [r[5] for r in rows],
                "stars": pa.array([2] * len(rows), pa.int64()),
                "conditions": ["a condition"] * len(rows),
                "mc": pa.array([["missense_variant"]] * len(rows), pa.list_(pa.string())),
            }
        ),
        path,
    )
    return path


def test_newest_release_wins_and_pathogenic_records_by_position(tmp_path: Path) -> None:
    new = _table(tmp_path / "new.parquet", [("chr17", 100, "A", "G", 1, "P"), ("chr17", 100, "A", "T", 2, "B"),
                                            ("chr2", 5, "C", "CA", 3, "LP")])  # fmt: skip
    old = _table(tmp_path / "old.parquet", [("chr17", 100, "A", "G", 11, "VUS"), ("chr17", 100, "A", "C", 12, "LP"),
                                            ("chr1", 7, "G", "A", 13, "P")])  # fmt: skip
    cv = Clinvar()
    assert not cv and not cv.exact and not cv.pathogenic_at
    assert cv.add_table(new, "2026-02", ["chr17", "chr2"]) == 3
    assert cv.add_table(old, "2025-01", ["chr17", "chr2"]) == 2  # chr1 not asked for
    rec = cv.exact.get(("chr17", 100, "A", "G"))
    assert rec is not None and (rec.variation_id, rec.release, rec.sig_class) == (1, "2026-02", "P")
    assert rec.mc == ("missense_variant",) and rec.stars == 2
    older = cv.exact.get(("chr17", 100, "A", "C"))
    assert older is not None and (older.variation_id, older.release) == (12, "2025-01")
    assert cv.exact.get(("chr17", 100, "A", "A")) is None
    assert cv.exact.get(("chr1", 7, "G", "A")) is None  # not loaded
    assert ("chr2", 5, "C", "CA") in cv.exact and ("chr2", 6, "C", "CA") not in cv.exact
    # P/LP records at a position, newest of each variant only (A>G is P in the newest release)
    at = cv.pathogenic_at.get(("chr17", 100), ())
    assert [(r, a, rec.variation_id) for r, a, rec in at] == [("A", "G", 1), ("A", "C", 12)]
    assert cv.pathogenic_at.get(("chr17", 101), ()) == ()
    one_chrom = cv.match(np.array(["chr17"] * 3, dtype=object), np.array([100, 100, 100]),
                         pa.array(["A", "A", "A"]), pa.array(["T", "C", "A"]))  # fmt: skip
    assert {i: r.variation_id for i, r in one_chrom.items()} == {0: 2, 1: 12}
    codes = cv.position_codes(np.array(["chr17", "chr2", "chrX"], dtype=object), np.array([100, 5, 100]))
    assert codes[2] == -1 and np.isin(codes[:2], cv.codes()).all()
    assert np.isin(codes[:2], cv.codes(pathogenic=True)).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["chr1", "chr17", "chrX"]), st.integers(1, 30), st.sampled_from("ACGT"),
                  st.sampled_from("ACGT"), st.sampled_from(["P", "LP", "VUS", "B"])),
        min_size=1, max_size=40,
    ),
    st.integers(0, 40),
)  # fmt: skip
def test_index_equals_a_dictionary_built_record_by_record(tmp_path_factory, rows, split) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("cv")
    rows = [(c, p, r, a, i, s) for i, (c, p, r, a, s) in enumerate(rows)]
    parts = [rows[:split], rows[split:]]
    cv = Clinvar()
    expected: dict[tuple[str, int, str, str], int] = {}
    by_pos: dict[tuple[str, int], list[tuple[str, str, int]]] = {}
    for k, part in enumerate(parts):
        if not part:
            continue
        cv.add_table(_table(tmp / f"{k}.parquet", part), f"r{k}", ["chr1", "chr17", "chrX"])
        for c, p, r, a, i, s in part:  # the rule: the first record of a variant wins
            if (c, p, r, a) not in expected:
                expected[(c, p, r, a)] = i
                if s in PATHOGENIC:
                    by_pos.setdefault((c, p), []).append((r, a, i))
    for c in ("chr1", "chr17", "chrX"):
        for p in range(0, 32):
            for r in "ACGT":
                for a in "ACGT":
                    rec = cv.exact.get((c, p, r, a))
                    assert (rec.variation_id if rec else None) == expected.get((c, p, r, a))
            got = [(r, a, rec.variation_id) for r, a, rec in cv.pathogenic_at.get((c, p), ())]
            assert got == by_pos.get((c, p), [])
    # the same look-ups at once
    keys = [(c, p, r, a) for c in ("chr1", "chr17", "chrX") for p in range(0, 32) for r in "AC" for a in "GT"]
    found = cv.match(
        np.array([k[0] for k in keys], dtype=object),
        np.array([k[1] for k in keys]),
        pa.array([k[2] for k in keys]),
        pa.array([k[3] for k in keys]),
    )
    assert {i: rec.variation_id for i, rec in found.items()} == {
        i: expected[k] for i, k in enumerate(keys) if k in expected
    }
    # sorted by position code with repeats (the search then runs from the records' side), and
    # shuffled: the same records
    codes = cv.position_codes(np.array([k[0] for k in keys], dtype=object), np.array([k[1] for k in keys]))
    repeated = np.concatenate([np.arange(len(keys)), np.arange(0, len(keys), 3)])
    sorted_rows = repeated[np.argsort(codes[repeated], kind="stable")]
    shuffled = np.random.default_rng(split).permutation(len(keys))
    for rows_ in (sorted_rows, shuffled):
        picked = [keys[i] for i in rows_.tolist()]
        found = cv.match(
            np.array([k[0] for k in picked], dtype=object),
            np.array([k[1] for k in picked]),
            pa.array([k[2] for k in picked]),
            pa.array([k[3] for k in picked]),
        )
        assert {i: rec.variation_id for i, rec in found.items()} == {
            i: expected[k] for i, k in enumerate(picked) if k in expected
        }
    # positions looked up in bulk first give the same answers
    fresh = Clinvar()
    for k, part in enumerate(parts):
        if part:
            fresh.add_table(tmp / f"{k}.parquet", f"r{k}", ["chr1", "chr17", "chrX"])
    for c in ("chr1", "chr17", "chrX"):
        fresh.preload(c, np.arange(0, 32))
        for p in range(0, 32):
            got = [(r, a, rec.variation_id) for r, a, rec in fresh.pathogenic_at.get((c, p), ())]
            assert got == by_pos.get((c, p), [])
