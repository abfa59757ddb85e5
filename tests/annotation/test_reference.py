"""Reading the reference: a long read split among threads gives the bases one read gives."""

from __future__ import annotations

import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.annotation import reference as reference_module
from genopath.annotation.reference import Reference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 1_100_000), length=st.integers(1, 75_000), threads=st.integers(1, 4))
def test_a_long_read_in_parallel_parts_is_the_plain_read(
    bundle_reference: Reference, start: int, length: int, threads: int
) -> None:
    (contig,) = bundle_reference.contigs["chr17"]
    a = contig.offset + start
    b = min(a + length, contig.offset + contig.length)
    with pysam.FastaFile(str(bundle_reference.path)) as plain:  # the specification: one pysam read
        expected = plain.fetch(contig.name, a - contig.offset, b - contig.offset).upper()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reference_module, "CHUNK", 1_000)  # reads over 3 kb are long reads
        patch.setattr(reference_module, "PARALLEL_BASES", 2_000)  # long reads of ≥ 4 kb go in parts
        patch.setattr(reference_module, "worker_threads", lambda: threads)
        reference = Reference(bundle_reference.path)
        try:
            assert reference.fetch("chr17", a, b) == expected
            ra, rb = a - contig.offset, b - contig.offset  # chunks count from the contig's start
            long_read = max(ra, rb - 1) // 1_000 - ra // 1_000 > 2
            parts = min(threads, (b - a) // 2_000) if long_read else 1
            assert len(reference._more) == max(parts - 1, 0)  # the extra handles a split read opened
            reference.reopen()  # a forked process's handles are its own: the extra ones too
            assert reference.fetch("chr17", a, b) == expected
        finally:
            reference.close()
