"""The input read in a second thread while ``genopath annotate`` loads (``annotation.prefetch``)."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from genopath.annotation import fastpath
from genopath.annotation.prefetch import Prefetch
from genopath.core.errors import InputError

VCF = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr17,length=83257441>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr17\t43045010\t.\tG\tA\t.\tPASS\t.\n"
)


def test_plain_gzip_and_bgzip_files_read_as_their_text(tmp_path: Path) -> None:
    plain = tmp_path / "a.vcf"
    plain.write_text(VCF)
    gz = tmp_path / "b.vcf.gz"
    gz.write_bytes(gzip.compress(VCF.encode()))
    bgz = tmp_path / "c.vcf"
    bgz.write_text(VCF)
    subprocess.run(["bgzip", "-f", str(bgz)], check=True)
    for path in (plain, gz, Path(f"{bgz}.gz")):
        assert Prefetch(path).take(path) == VCF.encode()


def test_the_bytes_are_given_once_and_only_for_the_file_read(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    path.write_text(VCF)
    pre = Prefetch(path)
    assert pre.take(tmp_path / "other.vcf") is None
    pre = Prefetch(path)
    assert pre.take(path) == VCF.encode()
    assert pre.take(path) is None  # not kept


@pytest.mark.parametrize("content", [None, b"\x1f\x8b\x08\x00 not really gzip"], ids=["missing", "corrupt"])
def test_a_file_it_cannot_read_is_reported_by_read_records(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "x.vcf.gz"
    if content is not None:
        path.write_bytes(content)
    assert Prefetch(path).take(path) is None
    with pytest.raises(InputError, match="does not exist" if content is None else "truncated or corrupt"):
        fastpath.read_records(path, None)


def test_read_records_parses_prefetched_bytes_as_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    path.write_text(VCF)
    direct = fastpath.read_records(path)
    given = fastpath.read_records(path, Prefetch(path).take(path))
    assert direct is not None and given is not None
    assert given.pos.tolist() == direct.pos.tolist() == [43045010]
    assert given.ref.to_pylist() == direct.ref.to_pylist() and given.header == direct.header
