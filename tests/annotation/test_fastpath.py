"""The vectorised annotator gives exactly the rows of the per-variant (reference) code.

Every test runs both paths on the same VCF and sources and compares whole tables, column by
column, and the run summaries: the per-variant code (``read_sites`` + ``annotate_sites``) is the
specification; ``fastpath`` must not differ in any field.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.annotation import fastpath
from genopath.annotation.pipeline import Sources, annotate_sites, read_sites
from genopath.annotation.reference import Reference
from genopath.annotation.sources import load_sources, open_reference
from genopath.annotation.transcripts import TranscriptIndex
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.resources import bundle_path
from tests.annotation.conftest import write_vcf

SLICE = (42_425_000, 43_600_000)  # the demo bundle's chr17 reference slice (1-based, inclusive)


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
