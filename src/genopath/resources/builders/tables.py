"""Reading upstream text tables and writing Parquet: what every builder shares."""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from genopath.resources.contigs import chrom_sort_key


@dataclass(frozen=True)
class BuildInput:
    """The verified source files of one build, by mirror path (``clinvar/…vcf.gz``)."""

    files: dict[str, Path]

    def get(self, suffix: str) -> Path:
        """The one file whose mirror path ends with ``suffix``."""
        matches = [local for path, local in self.files.items() if path.endswith(suffix)]
        if len(matches) != 1:
            raise KeyError(f"expected one source file ending {suffix!r}, found {len(matches)}")
        return matches[0]


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """Open a plain or gzip/BGZF-compressed text file for reading."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            yield handle
    else:
        with path.open(encoding="utf-8", newline="") as plain:
            yield plain


def read_delimited(
    path: Path,
    *,
    delimiter: str,
    types: dict[str, pa.DataType],
    null_values: Sequence[str] = (),
    empty_strings_null: bool = False,
) -> pa.Table:
    """Read a delimited text file (gzip or plain) whose header may start with ``#``; all columns
    not named in ``types`` are strings (empty ones null when ``empty_strings_null``)."""
    with open_text(path) as handle:
        header = handle.readline().rstrip("\r\n").lstrip("#").split(delimiter)
    column_types = {name: types.get(name, pa.string()) for name in header}
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False if delimiter == "\t" else '"'),
        convert_options=pacsv.ConvertOptions(
            column_types=column_types,
            null_values=[*null_values, *([""] if empty_strings_null else [])],
            strings_can_be_null=empty_strings_null,
        ),
    )


def sort_by_position(table: pa.Table, chrom: str, *others: str) -> pa.Table:
    """Sort rows in karyotype order of ``chrom``, then by the other columns ascending."""
    ranks = sorted({c for c in table.column(chrom).to_pylist()}, key=chrom_sort_key)
    rank_of = {c: i for i, c in enumerate(ranks)}
    rank = pa.array([rank_of[c] for c in table.column(chrom).to_pylist()], pa.int32())
    keyed = table.append_column("__rank", rank)
    order = pc.sort_indices(keyed, sort_keys=[("__rank", "ascending"), *((o, "ascending") for o in others)])
    return table.take(order)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` as zstd-compressed Parquet (the caller's folder is published atomically)."""
    pq.write_table(table, path, compression="zstd")
