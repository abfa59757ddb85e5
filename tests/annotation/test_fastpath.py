"""The vectorised annotator gives exactly the rows of the per-variant (reference) code.

It has two paths, both tested here: the C consequence kernel (:mod:`csq_kernel`) when it is
built, else NumPy array code.

Every test runs both paths on the same VCF and sources and compares whole tables, column by
column, and the run summaries: the per-variant code (``read_sites`` + ``annotate_sites``) is the
specification; ``fastpath`` must not differ in any field.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.annotation import csq_kernel, fastpath
from genopath.annotation.pipeline import Sources, annotate_sites, normalise, read_sites
from genopath.annotation.reference import Reference
from genopath.annotation.sources import load_sources, open_reference
from genopath.annotation.transcripts import Transcript, TranscriptIndex
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.resources import bundle_path
from tests.annotation.conftest import write_vcf

SLICE = (42_425_000, 43_600_000)  # the demo bundle's chr17 reference slice (1-based, inclusive)


@pytest.fixture(autouse=True, params=["c-kernel", "numpy"])
def vectorised_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both vectorised paths: the C consequence kernel and the NumPy code."""
    if request.param == "c-kernel":
        if not csq_kernel.HAVE_C:
            pytest.skip(
                "the C extension genopath.annotation._csq is not built (or GENOPATH_NO_C_KERNELS is set)"
            )
    else:
        monkeypatch.setattr(csq_kernel, "HAVE_C", False)
    return str(request.param)


@pytest.fixture(scope="session")
def chr17_sources(annotated_home: Settings) -> Sources:
    reference, version = open_reference(annotated_home, None)
    return load_sources(annotated_home, {"chr17"}, reference, version)


def both(vcf: Path, sources: Sources) -> tuple[pa.Table, pa.Table]:
    """The reference table and the fast table of ``vcf``, after checking the summaries agree."""
    sites, read_summary, _ = read_sites(vcf, sources.reference)
    expected, summary = annotate_sites(sites, sources)
    records = fastpath.read_records(vcf)
    assert records is not None
    got, fast_summary = fastpath.annotate_records(records, sources)
    assert (fast_summary.records, fast_summary.alleles, fast_summary.skipped_symbolic) == (
        read_summary.records,
        read_summary.alleles,
        read_summary.skipped_symbolic,
    )
    assert (fast_summary.variants, fast_summary.ref_mismatch, fast_summary.without_sequence) == (
        summary.variants,
        summary.ref_mismatch,
        summary.without_sequence,
    )
    assert fast_summary.impacts == summary.impacts
    return expected, got


def assert_same(expected: pa.Table, got: pa.Table) -> None:
    assert got.schema.equals(expected.schema)
    assert got.num_rows == expected.num_rows
    for name in expected.column_names:
        want, have = expected.column(name).to_pylist(), got.column(name).to_pylist()
        diffs = [(i, want[i], have[i]) for i in range(len(want)) if want[i] != have[i]]
        assert not diffs, f"column {name}: {len(diffs)} rows differ, e.g. {diffs[:3]}"


def exonic_positions(index: TranscriptIndex) -> list[int]:
    """Positions within 12 bp of every exon and CDS boundary of the transcripts in the slice."""
    out: set[int] = set()
    for tx in index:
        if not (SLICE[0] + 6000 < tx.tx_start0 and tx.tx_end < SLICE[1] - 6000):
            continue
        marks = [b for s, e in tx.exons for b in (s + 1, e)]
        if tx.cds_start0 is not None and tx.cds_end is not None:
            marks += [tx.cds_start0 + 1, tx.cds_end]
        for m in marks:
            out.update(range(m - 12, m + 13))
    return sorted(out)


class Positions(list[int]):
    def __repr__(self) -> str:  # keep Hypothesis' failure reports short
        return f"<{len(self)} positions>"


@pytest.fixture(scope="session")
def boundary_positions(chr17_transcripts: TranscriptIndex) -> list[int]:
    return Positions(exonic_positions(chr17_transcripts))


def snv_records(
    reference: Reference, positions: list[int], alt_index: list[int]
) -> list[tuple[str, int, str, str]]:
    out = []
    for p, k in zip(positions, alt_index, strict=True):
        ref = reference.fetch("chr17", p - 1, p) or "A"
        alt = [b for b in "ACGT" if b != ref][k % 3]
        out.append(("chr17", p, ref, alt))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_snvs_and_indels_give_the_reference_rows(
    data: st.DataObject,
    chr17_sources: Sources,
    bundle_reference: Reference,
    boundary_positions: list[int],
) -> None:
    """SNVs near every exon/CDS boundary and anywhere in the locus, with indels, MNVs, bad REFs."""
    near = st.sampled_from(boundary_positions)
    anywhere = st.integers(SLICE[0] + 20, SLICE[1] - 20)
    outside = st.integers(7_660_000, 7_690_000)  # TP53: annotated without sequence
    positions = data.draw(st.lists(st.one_of(near, near, anywhere, outside), min_size=1, max_size=60))
    alts = data.draw(st.lists(st.integers(0, 2), min_size=len(positions), max_size=len(positions)))
    records = snv_records(bundle_reference, positions, alts)
    kinds = data.draw(st.lists(st.integers(0, 9), min_size=len(records), max_size=len(records)))
    for i, kind in enumerate(kinds):
        c, p, r, a = records[i]
        if kind == 0:  # deletion
            records[i] = (c, p, (bundle_reference.fetch(c, p - 1, p + 2) or r + "AC"), r)
        elif kind == 1:  # insertion
            records[i] = (c, p, r, r + "GA")
        elif kind == 2:  # REF that is not the reference base
            records[i] = (c, p, a, r)
        elif kind == 3:  # lower case
            records[i] = (c, p, r.lower(), a.lower())
    records.sort(key=lambda x: x[1])
    with tempfile.TemporaryDirectory() as tmp:
        expected, got = both(write_vcf(Path(tmp) / "r.vcf", records), chr17_sources)
    assert_same(expected, got)


def test_clinvar_records_of_the_locus_give_the_reference_table(chr17_sources: Sources) -> None:
    """~15,000 ClinVar records (SNVs and indels, pathogenic ones with PS1/PM5 matches)."""
    vcf = bundle_path() / "clinvar" / "clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz"
    expected, got = both(vcf, chr17_sources)
    assert expected.num_rows > 10_000
    assert sum(bool(x) for x in got.column("clinvar_same_codon").to_pylist()) > 100
    assert_same(expected, got)


def test_every_exon_boundary_snv_gives_the_reference_rows(
    chr17_sources: Sources, bundle_reference: Reference, boundary_positions: list[int], tmp_path: Path
) -> None:
    """All three SNVs at every position within 12 bp of an exon or CDS boundary in the slice."""
    records = [
        r
        for k in range(3)
        for r in snv_records(bundle_reference, boundary_positions, [k] * len(boundary_positions))
    ]
    records.sort(key=lambda x: (x[1], x[3]))
    expected, got = both(write_vcf(tmp_path / "b.vcf", records), chr17_sources)
    assert expected.num_rows == 3 * len(boundary_positions)
    assert_same(expected, got)


def test_reader_edge_cases_match_htslib(chr17_sources: Sources, tmp_path: Path) -> None:
    """Multi-allelic records, INFO/AF forms (Float: 32-bit as htslib), symbolic alleles, duplicates, naming."""
    header = '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">'
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=17,length=83257441>",
        header,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        "17\t43106487\t.\tA\tC,G\t.\tPASS\tAF=0.25,0.5",
        "17\t43106487\t.\tA\tC\t.\tPASS\tAF=0.1",  # duplicate: the first occurrence wins
        "17\t43106490\t.\tA\tG\t.\tPASS\tDP=3;AF=.",
        "17\t43106491\t.\tC\t<DEL>\t.\tPASS\tAF=0.3",
        "17\t43106492\t.\tT\tA,<NON_REF>\t.\tPASS\tAF=0.3,0.1",
        "17\t43106495\t.\tG\tA\t.\tPASS\tAF_ESP=0.2",
        "17\t43106496\t.\tC\tT\t.\tPASS\tAF=1e-4",
        "17\t43124027\t.\tACT\tA,AC\t.\tPASS\tAF=0.01,0.02",
        "17\t43057065\t.\tG\tGG\t.\tPASS\t.",
        "17\t43057062\t.\tT\tTG\t.\tPASS\tAF=0.4",
        "17\t43106500\t.\tAT\tGT\t.\tPASS\t.",
    ]
    vcf = tmp_path / "edge.vcf.gz"
    vcf.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    expected, got = both(vcf, chr17_sources)
    af = {(r["pos"], r["alt"]): r["af_input"] for r in got.select(["pos", "alt", "af_input"]).to_pylist()}
    assert af[(43106487, "C")] == 0.25 and af[(43106487, "G")] == 0.5 and af[(43106490, "G")] is None
    assert_same(expected, got)
    # AF not declared in the header: read as text
    vcf.write_bytes(gzip.compress(("\n".join(x for x in lines if x != header) + "\n").encode()))
    expected, got = both(vcf, chr17_sources)
    assert 0.0001 in got.column("af_input").to_pylist()  # 1e-4 read as text, not rounded to 32 bits
    assert_same(expected, got)


def test_parallel_per_variant_rows_match(chr17_sources: Sources, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the per-variant work split over two processes the table is the same."""
    monkeypatch.setattr(fastpath, "PARALLEL_MIN", 10)
    vcf = bundle_path() / "clinvar" / "clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz"
    records = fastpath.read_records(vcf)
    assert records is not None
    got, _ = fastpath.annotate_records(records, chr17_sources)
    sites, _, _ = read_sites(vcf, chr17_sources.reference)
    expected, _ = annotate_sites(sites, chr17_sources)
    assert_same(expected, got)


def test_truncated_or_odd_files(tmp_path: Path) -> None:
    body = [("chr17", 43000000 + i, "A", "G") for i in range(5000)]
    data = gzip.compress(write_vcf(tmp_path / "x.vcf", body).read_bytes())
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        fastpath.read_records(cut)
    bad = tmp_path / "bad.vcf"
    bad.write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr17\tx\t.\tA\tG\t.\t.\t.\n"
    )
    with pytest.raises(InputError, match="truncated or corrupt"):
        fastpath.read_records(bad)
    # not a text VCF (e.g. BCF): left to the htslib reader
    other = tmp_path / "other.vcf"
    other.write_bytes(b"BCF\x02\x02")
    assert fastpath.read_records(other) is None


def indel_record(reference: Reference, p: int, kind: int, size: int, bases: str) -> tuple[str, int, str, str]:
    """An indel at ``p`` written in one of several VCF forms (``kind``), ``size`` bases changed."""
    window = reference.fetch("chr17", p - 1, p + size + 1) or "A" * (size + 2)
    anchor = window[0]
    inserted = (bases * size)[:size]
    if kind == 0:  # deletion, anchored on the left
        return ("chr17", p, window[: size + 1], anchor)
    if kind == 1:  # deletion anchored on the right (trimmed from the end first)
        return ("chr17", p, window[: size + 1], window[size])
    if kind == 2:  # insertion of arbitrary bases
        return ("chr17", p, anchor, anchor + inserted)
    if kind == 3:  # duplication of the following bases (shifted and written as dup)
        return ("chr17", p, anchor, anchor + window[1 : size + 1])
    if kind == 4:  # insertion anchored on the right
        return ("chr17", p, anchor, inserted + anchor)
    if kind == 5:  # lower case, REF not matching the FASTA
        return ("chr17", p, (window[1] + "t" * size).lower(), window[1].lower())
    # a deletion in a repeat: the bases before ``p`` repeated
    return ("chr17", p, window[: size + 1], anchor)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_indels_give_the_reference_rows(
    data: st.DataObject,
    chr17_sources: Sources,
    bundle_reference: Reference,
    boundary_positions: list[int],
) -> None:
    """Insertions and deletions (1–70 bp, several VCF forms) near exon/CDS boundaries and anywhere."""
    near = st.sampled_from(boundary_positions)
    anywhere = st.integers(SLICE[0] + 20, SLICE[1] - 100)
    outside = st.integers(7_660_000, 7_690_000)  # TP53: annotated without sequence
    edge = st.integers(SLICE[0] - 3, SLICE[0] + 3)  # at the start of the FASTA slice
    where = st.one_of(near, near, near, anywhere, outside, edge)
    size = st.one_of(st.integers(1, 12), st.integers(1, 4), st.integers(60, 70))
    one = st.tuples(where, st.integers(0, 6), size, st.text("ACGT", min_size=1, max_size=4))
    drawn = data.draw(st.lists(one, min_size=1, max_size=60))
    records = sorted({indel_record(bundle_reference, *x) for x in drawn}, key=lambda r: (r[1], r[2], r[3]))
    with tempfile.TemporaryDirectory() as tmp:
        expected, got = both(write_vcf(Path(tmp) / "i.vcf", records), chr17_sources)
    assert_same(expected, got)


def test_every_exon_boundary_indel_gives_the_reference_rows(
    chr17_sources: Sources, bundle_reference: Reference, boundary_positions: list[int], tmp_path: Path
) -> None:
    """Deletions of 1–4 bases and insertions of 1–3 (new bases and duplications) within 12 bp of
    every exon and CDS boundary: splice sites, UTR/CDS edges, start and stop codons, frameshifts."""
    records = set()
    for p in boundary_positions:
        kind = (0, 3, 2, 1, 0, 3)[p % 6]
        size = 1 + (p // 6) % (4 if kind in (0, 1) else 3)
        records.add(indel_record(bundle_reference, p, kind, size, "GAT"))
    ordered = sorted(records, key=lambda r: (r[1], r[2], r[3]))
    expected, got = both(write_vcf(tmp_path / "b.vcf", ordered), chr17_sources)
    assert expected.num_rows > 15_000
    terms = set("&".join(got.column("consequence").to_pylist()).split("&"))
    for term in ("frameshift_variant", "inframe_deletion", "inframe_insertion", "stop_gained",
                 "splice_acceptor_variant", "splice_donor_variant", "5_prime_UTR_variant", "start_lost",
                 "stop_lost", "intron_variant"):  # fmt: skip
        assert term in terms
    assert_same(expected, got)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_indel_normalisation_matches_the_per_variant_code(
    data: st.DataObject, bundle_reference: Reference, boundary_positions: list[int]
) -> None:
    """Keys and changes of the indels normalised with arrays equal :func:`normalise`'s; the
    ones left out (REF mismatch, slice edge, a shift reaching the window) are only those."""
    where = st.one_of(
        st.sampled_from(boundary_positions), st.integers(SLICE[0] - 3, SLICE[0] + 400),
        st.integers(SLICE[1] - 400, SLICE[1] + 3), st.integers(SLICE[0], SLICE[1]),
    )  # fmt: skip
    one = st.tuples(where, st.integers(0, 6), st.integers(1, 20), st.text("ACGT", min_size=1, max_size=3))
    records = [indel_record(bundle_reference, *x) for x in data.draw(st.lists(one, min_size=1, max_size=80))]
    ref_u = pa.array([r[2].upper() for r in records], pa.string())
    alt_u = pa.array([r[3].upper() for r in records], pa.string())
    rows = np.arange(len(records))
    pos = np.array([r[1] for r in records], np.int64)
    keep = fastpath._indel_candidates(pa.array([r[2] for r in records]), pa.array([r[3] for r in records]),
                                      np.zeros(len(records), np.bool_))  # fmt: skip
    assert keep.all()
    indels, done = fastpath._normalise_indels(bundle_reference, "chr17", rows, pos, ref_u, alt_u)
    assert indels is not None and len(indels.row) == int(done.sum())
    for k, r in enumerate(indels.row.tolist()):
        c, p, ref, alt = records[r]
        key, change, mismatch = normalise(bundle_reference, c, p, ref, alt)
        assert not mismatch
        assert (c, int(indels.key_pos[k]), str(indels.key_ref[k]), str(indels.key_alt[k])) == key
        assert indels.change(k) == change
    for r in np.flatnonzero(~done).tolist():  # left out: a REF mismatch, or near the slice edge
        c, p, ref, alt = records[r]
        _, _, mismatch = normalise(bundle_reference, c, p, ref, alt)
        assert mismatch or not (SLICE[0] + 310 < p < SLICE[1] - 310)


def test_indels_in_long_repeats_shift_as_the_per_variant_code(tmp_path: Path) -> None:
    """In repeats longer than the 300-bp shift window the per-variant code decides; the rest match."""
    import pysam

    rng = np.random.default_rng(3)
    # 1-based: random 1-600, A 601-1020, random 1021-1320, CA 1321-1820, random 1821-2420
    seq = "".join(rng.choice(list("ACGT"), 600)) + "A" * 420 + "".join(rng.choice(list("ACGT"), 300))
    seq += "CA" * 250 + "".join(rng.choice(list("ACGT"), 600))
    fasta = tmp_path / "genome.fa"
    off = 1_000_000  # a slice of chr17 at 1 Mb (named <chrom>_<start>_<end>)
    fasta.write_text(
        f">chr17_{off + 1}_{off + len(seq)}\n"
        + "\n".join(seq[i : i + 60] for i in range(0, len(seq), 60))
        + "\n"
    )
    pysam.faidx(str(fasta))
    reference = Reference(fasta)
    records = []
    for p in (5, 590, 601, 700, 1019, 1030, 1319, 1400, 1500, 1819, 1900):
        anchor = seq[p - 1]
        g = off + p
        records += [("chr17", g, seq[p - 1 : p + 2], anchor), ("chr17", g, anchor, anchor + seq[p : p + 2])]
        records += [("chr17", g, anchor, anchor + x) for x in ("A", "CA", "AC")]
    records = sorted(set(records), key=lambda r: (r[1], r[2], r[3]))
    pos = np.array([r[1] for r in records], np.int64)
    ref_u, alt_u = pa.array([r[2] for r in records]), pa.array([r[3] for r in records])
    indels, done = fastpath._normalise_indels(reference, "chr17", np.arange(len(records)), pos, ref_u, alt_u)
    assert indels is not None
    for k, r in enumerate(indels.row.tolist()):
        key, change, _ = normalise(reference, *records[r])
        assert (records[r][0], int(indels.key_pos[k]), str(indels.key_ref[k]), str(indels.key_alt[k])) == key
        assert indels.change(k) == change
    # deep inside the runs the left shift reaches the window: left to the per-variant code
    assert not done[[i for i, r in enumerate(records) if r[1] == off + 1019 and r[3] == r[2] + "A"]].any()
    assert not done[[i for i, r in enumerate(records) if r[1] == off + 1819 and r[3] == r[2] + "AC"]].any()
    assert done.sum() > len(records) // 2
    # coding and non-coding transcripts on both strands over the repeats: HGVS shifts 3' in them
    exons = [(off + 20, off + 1010), (off + 1040, off + 2400)]
    index = TranscriptIndex(
        [
            Transcript("ENST_PLUS", "chr17", 1, list(exons), off + 30, off + 2391, "PLUS"),
            Transcript("ENST_MINUS", "chr17", -1, list(exons), off + 35, off + 2393, "MINUS"),
            Transcript("ENST_NC", "chr17", -1, [(off + 500, off + 1900)], None, None, "NC"),
        ]
    )
    expected, got = both(write_vcf(tmp_path / "r.vcf", records), Sources(index, reference))
    assert sum(x is not None for x in got.column("hgvs_p").to_pylist()) > 10
    assert_same(expected, got)
