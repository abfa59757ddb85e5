"""Chunked output of the C annotation path and the Parquet writer that writes while it builds.

``genopath annotate --out x.parquet`` builds the output table in chunks (``kernel_path.annotate_chunks``)
and writes each as a row group in a second thread (``pipeline.write_parquet_chunks``). Whatever the
chunk size, the rows and the summary must be those of one whole table — which
``test_fastpath.py`` checks against the per-variant code — and a failure while building must
leave nothing at the output path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.annotation import fastpath, kernel_path
from genopath.annotation.pipeline import SCHEMA, Sources, read_provenance, write_parquet_chunks
from genopath.annotation.reference import Reference
from genopath.annotation.sources import load_sources, open_reference
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from tests.annotation.conftest import write_vcf

BRCA1 = (43_044_295, 43_125_483)  # GRCh38, MANE Select NM_007294.4 span

pytestmark = pytest.mark.skipif(
    not kernel_path.available(),
    reason="the C extension genopath.annotation._csq is not built (or GENOPATH_NO_C_KERNELS is set)",
)


@pytest.fixture(scope="module")
def sources(annotated_home: Settings) -> Sources:
    reference, version = open_reference(annotated_home, None)
    return load_sources(annotated_home, {"chr17"}, reference, version)


def brca1_records(reference: Reference, step: int) -> list[tuple[str, int, str, str]]:
    """SNVs, a deletion, an insertion and a REF-equal-to-ALT record (left to the per-variant
    code: the C code does not take a change without bases) every ``step`` bases over BRCA1."""
    out = []
    for k, p in enumerate(range(BRCA1[0] - 300, BRCA1[1] + 300, step)):
        ref = reference.fetch("chr17", p - 1, p + 3) or "ACGT"
        alt = "T" if ref[0] != "T" else "G"
        kind = k % 4
        if kind == 0:
            out.append(("chr17", p, ref[0], alt))
        elif kind == 1:
            out.append(("chr17", p, ref[:3], ref[0]))
        elif kind == 2:
            out.append(("chr17", p, ref[0], ref[0] + "GA"))
        else:
            out.append(("chr17", p, ref[0], ref[0]))
    return out


def test_ref_equal_to_alt_rows_are_left_to_the_per_variant_code(
    sources: Sources, bundle_reference: Reference, tmp_path: Path
) -> None:
    """The fixture really exercises the per-variant fallback inside chunks."""
    records = fastpath.read_records(write_vcf(tmp_path / "r.vcf", brca1_records(bundle_reference, 997)))
    assert records is not None
    summary, chunks = kernel_path.annotate_chunks(records, sources)
    table = pa.concat_tables(list(chunks))
    same = [
        r == a for r, a in zip(table.column("ref").to_pylist(), table.column("alt").to_pylist(), strict=True)
    ]
    assert sum(same) > 10
    assert table.num_rows == summary.variants


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(1, 90), first=st.none() | st.integers(1, 200), step=st.sampled_from([211, 997, 2003]))
def test_any_chunk_size_gives_the_whole_table(
    size: int, first: int | None, step: int, sources: Sources, bundle_reference: Reference, tmp_path: Path
) -> None:
    vcf = write_vcf(tmp_path / f"r{step}.vcf", brca1_records(bundle_reference, step))
    records = fastpath.read_records(vcf)
    assert records is not None
    whole, whole_summary = kernel_path.annotate_records(records, sources)
    summary, chunks = kernel_path.annotate_chunks(
        records, sources, rows_per_chunk=size, first_chunk_rows=first
    )
    parts = list(chunks)
    sizes = [p.num_rows for p in parts]
    head = min(first or size, whole.num_rows)
    assert sizes[0] == head and all(n == size for n in sizes[1:-1]) and 0 < sizes[-1] <= max(size, head)
    got = pa.concat_tables(parts)
    assert got.schema.equals(whole.schema)
    for name in whole.column_names:
        assert got.column(name).to_pylist() == whole.column(name).to_pylist(), name
    assert summary.as_dict() == whole_summary.as_dict()


@pytest.mark.parametrize("size", [7, 100_000])
def test_encoded_chunks_write_the_plain_table(
    size: int, sources: Sources, bundle_reference: Reference, tmp_path: Path
) -> None:
    """The chunks ``genopath annotate`` writes have dictionary columns (including the rows the
    per-variant code did); the file reads back as the plain table of SCHEMA."""
    vcf = write_vcf(tmp_path / "r.vcf", brca1_records(bundle_reference, 211))
    records = fastpath.read_records(vcf)
    assert records is not None
    whole, _ = kernel_path.annotate_records(records, sources)
    _, chunks = kernel_path.annotate_chunks(records, sources, rows_per_chunk=size, encoded=True)
    parts = list(chunks)
    assert all(p.schema.equals(kernel_path.ENCODED_SCHEMA) for p in parts)
    for part in parts:  # a chunk's dictionaries hold only the transcripts its rows use
        column = part.column("transcript").combine_chunks()
        used = {t for t in column.cast(pa.string()).to_pylist() if t is not None}
        assert len(column.dictionary) == len(used)
    out = tmp_path / "r.parquet"
    write_parquet_chunks(
        kernel_path.ENCODED_SCHEMA, iter(parts), out, {"summary": {"variants": whole.num_rows}}
    )
    back = pq.read_table(out)
    assert back.schema.equals(SCHEMA, check_metadata=False)
    assert back.equals(whole)
    assert read_provenance(out) == {"summary": {"variants": whole.num_rows}}


def test_chunks_are_row_groups_of_one_file_with_its_provenance(tmp_path: Path) -> None:
    rows = [{"chrom": "chr17", "pos": p, "ref": "A", "alt": "G"} for p in range(10)]
    tables = [pa.Table.from_pylist(rows[a : a + 4], schema=SCHEMA) for a in range(0, 10, 4)]
    out = tmp_path / "x.parquet"
    write_parquet_chunks(SCHEMA, iter(tables), out, {"genopath_version": "test", "summary": {"variants": 10}})
    assert pq.ParquetFile(out).num_row_groups == 3
    back = pq.read_table(out)
    assert back.column("pos").to_pylist() == list(range(10))
    assert back.schema.equals(SCHEMA, check_metadata=False)
    assert read_provenance(out)["summary"] == {"variants": 10}


def test_a_failure_while_building_leaves_the_old_output(tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    out.write_bytes(b"an earlier result")
    table = pa.Table.from_pylist([{"chrom": "chr17", "pos": 1, "ref": "A", "alt": "G"}], schema=SCHEMA)

    def failing() -> Iterator[pa.Table]:
        yield table
        yield table
        raise InputError("chunk 3 could not be built")

    with pytest.raises(InputError, match="chunk 3"):
        write_parquet_chunks(SCHEMA, failing(), out, {"summary": {}})
    assert out.read_bytes() == b"an earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["x.parquet"]  # no temporary file left
