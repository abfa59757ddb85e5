"""``fastpath.read_records``: what it makes of files it cannot read."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from genopath.annotation import fastpath
from genopath.core.errors import InputError

VCF = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr17,length=83257441>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr17\t43045010\t.\tG\tA\t.\tPASS\t.\n"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"\x1f\x8b\x08\x00 not really deflate data", "truncated or corrupt"),  # zlib.error
        (gzip.compress(VCF.encode())[:-12], "truncated or corrupt"),  # EOFError
    ],
    ids=["missing", "corrupt-deflate", "truncated"],
)
def test_unreadable_files_are_input_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.vcf.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        fastpath.read_records(path)


def test_gzip_and_plain_files_give_the_same_records(tmp_path: Path) -> None:
    plain = tmp_path / "a.vcf"
    plain.write_text(VCF)
    gz = tmp_path / "a.vcf.gz"
    gz.write_bytes(gzip.compress(VCF.encode()))
    a, b = fastpath.read_records(plain), fastpath.read_records(gz)
    assert a is not None and b is not None
    assert a.pos.tolist() == b.pos.tolist() == [43045010]
    assert a.ref.to_pylist() == b.ref.to_pylist() == ["G"] and a.header == b.header
