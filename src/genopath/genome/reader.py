"""Streaming the records of a VCF into per-sample call tables, in bounded memory.

Records are split (``bcftools norm -m -any``; left-aligned too when a FASTA is given) and
printed as tab-separated text by ``bcftools query``; pyarrow's streaming CSV reader turns the
text into Arrow batches, and each batch is decoded with vectorised compute into one table
per sample (:data:`genopath.genome.calls.CALLS_SCHEMA`). A per-record Python loop (cyvcf2
``Variant`` objects) runs at ~300k records/s here, too slow for a 5M-record WGS trio; the
pipeline keeps htslib doing the parsing and Python touching only whole columns
(see ``docs/adr/0005-genome-ingest-and-qc.md``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from genopath.core.errors import ConfigurationError, InputError
from genopath.genome.calls import CALLS_SCHEMA, INTERVALS_SCHEMA
from genopath.genome.header import REF_BLOCK_ALTS, VcfHeader
from genopath.resources.contigs import normalise_chrom

_BLOCK_BYTES = 8 << 20
_NORM_LINES = re.compile(r"Lines\s+total/split/realigned/skipped:\s+(\d+)/(\d+)/(\d+)/(\d+)")


@dataclass
class SampleStats:
    """Counts over every record of one sample that :mod:`genopath.genome.qc` cannot get from the
    stored non-reference calls (homozygous-reference genotypes are not stored).

    Attributes
    ----------
    sites
        Variant rows after splitting (real ALT alleles; no reference blocks, ``*`` or symbolic).
    missing
        Of those, genotypes with a missing allele (``./.``, ``.``, ``./1``).
    gq_sum, gq_n, dp_sum, dp_n
        Sums and counts of GQ and DP over the called genotypes (reference ones included).
    ref_blocks, ref_block_bases
        gVCF reference blocks where the sample is called reference, and the bases they span.
    skipped_symbolic
        Rows with a symbolic ALT (``<DEL>`` …) or the spanning-deletion allele ``*``: not stored.
    """

    sites: int = 0
    missing: int = 0
    gq_sum: int = 0
    gq_n: int = 0
    dp_sum: int = 0
    dp_n: int = 0
    ref_blocks: int = 0
    ref_block_bases: int = 0
    skipped_symbolic: int = 0

    def add(self, other: SampleStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SampleBatch:
    """The part of one input batch that belongs to one sample."""

    calls: pa.Table
    intervals: pa.Table | None
    stats: SampleStats


@dataclass
class StreamSummary:
    """What the bcftools stage reported once the whole file was read."""

    records_in: int = 0
    records_split: int = 0
    realigned: int = 0
    rows: int = 0
    tool_versions: dict[str, str] = field(default_factory=dict)


def bcftools_version() -> str:
    """``bcftools --version`` first line's number, e.g. ``1.16``."""
    exe = shutil.which("bcftools")
    if exe is None:
        raise ConfigurationError(
            "bcftools is not installed or not on PATH; genome ingest needs it (`make system-deps` or "
            "`apt-get install bcftools`)"
        )
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False).stdout
    return out.split()[1] if out.startswith("bcftools") else "unknown"


def _query_format(header: VcfHeader) -> str:
    end = "%INFO/END" if "END" in header.info else "."
    per_sample = "".join(f"\t%{tag}" if tag in header.format else "\t." for tag in ("GQ", "DP", "AD"))
    return f"%CHROM\t%POS\t%REF\t%ALT\t{end}\t%FILTER[\t%GT{per_sample}]\n"


def _convert(samples: Sequence[str]) -> pacsv.ConvertOptions:
    dict_str = pa.dictionary(pa.int32(), pa.string())
    types: dict[str, pa.DataType] = {
        "chrom": dict_str,
        "pos": pa.int64(),
        "ref": pa.string(),
        "alt": pa.string(),
        "end": pa.int64(),
        "filter": dict_str,
    }
    for i in range(len(samples)):
        types |= {f"gt{i}": dict_str, f"gq{i}": pa.float64(), f"dp{i}": pa.float64(), f"ad{i}": pa.string()}
    return pacsv.ConvertOptions(column_types=types, null_values=["."], strings_can_be_null=True)


def _names(samples: Sequence[str]) -> list[str]:
    names = ["chrom", "pos", "ref", "alt", "end", "filter"]
    for i in range(len(samples)):
        names += [f"gt{i}", f"gq{i}", f"dp{i}", f"ad{i}"]
    return names


def stream_calls(
    header: VcfHeader,
    samples: Sequence[str],
    *,
    fasta: Path | None,
    summary: StreamSummary,
) -> Iterator[dict[str, SampleBatch]]:
    """Yield, batch by batch, each requested sample's calls and reference blocks.

    Parameters
    ----------
    header
        The checked header of the file (:func:`genopath.genome.header.read_header`).
    samples
        VCF sample names to decode (a subset of ``header.samples``).
    fasta
        A faidx-indexed GRCh38 FASTA whose sequence names match the VCF's contigs: indels
        are left-aligned and REF checked against it. ``None``: split only.
    summary
        Filled in when the stream ends: input and split record counts, bcftools version.

    Raises
    ------
    InputError
        bcftools or the text reader fails (truncated or corrupt file, REF not matching the
        FASTA …); the message names the file and quotes bcftools.
    """
    summary.tool_versions["bcftools"] = bcftools_version()
    with tempfile.TemporaryDirectory(prefix="genopath-ingest-") as tmp:
        sample_file = Path(tmp) / "samples.txt"
        sample_file.write_text("".join(f"{s}\n" for s in samples))
        norm_err, query_err = Path(tmp) / "norm.err", Path(tmp) / "query.err"
        norm_cmd = [
            "bcftools",
            "norm",
            "-m",
            "-any",
            *(["-f", str(fasta)] if fasta else []),
            "-Ou",
            str(header.path),
        ]
        with open(norm_err, "wb") as ne, open(query_err, "wb") as qe:
            norm = subprocess.Popen(norm_cmd, stdout=subprocess.PIPE, stderr=ne)
            query = subprocess.Popen(
                ["bcftools", "query", "-S", str(sample_file), "-f", _query_format(header)],
                stdin=norm.stdout,
                stdout=subprocess.PIPE,
                stderr=qe,
            )
            assert norm.stdout is not None and query.stdout is not None
            norm.stdout.close()  # query owns the pipe now; norm gets SIGPIPE if query dies
            try:
                yield from _decode_stream(query.stdout, header, samples, summary)
            except pa.ArrowInvalid as e:
                _wait(norm, query)
                _raise_if_failed(header.path, norm, query, norm_err, query_err)
                raise InputError(f"cannot parse the records of VCF {header.path}: {e}") from e
            finally:
                _wait(norm, query)
            _raise_if_failed(header.path, norm, query, norm_err, query_err)
        _norm_counts(norm_err.read_text(errors="replace"), summary)


def _wait(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _raise_if_failed(
    path: Path, norm: subprocess.Popen[bytes], query: subprocess.Popen[bytes], norm_err: Path, query_err: Path
) -> None:
    messages = [
        line
        for err in (norm_err, query_err)
        for line in err.read_text(errors="replace").splitlines()
        if line.strip() and not line.startswith("Lines ")
    ]
    # htslib reports a truncated BGZF/gzip stream with "[E::bgzf_read]" but some paths still
    # exit 0 after printing what was decoded; any [E::] line therefore fails the ingest.
    failed = norm.returncode != 0 or query.returncode != 0 or any("[E::" in m for m in messages)
    if failed:
        detail = "; ".join(messages[-3:]) or f"exit status {norm.returncode}/{query.returncode}"
        raise InputError(
            f"VCF {path} could not be read to the end (truncated, corrupt, or REF not matching the FASTA): "
            f"bcftools said: {detail}"
        )


def _norm_counts(text: str, summary: StreamSummary) -> None:
    match = _NORM_LINES.search(text)
    if match:
        summary.records_in, summary.records_split, summary.realigned = (int(match[i]) for i in (1, 2, 3))


def _decode_stream(
    stream: IO[bytes], header: VcfHeader, samples: Sequence[str], summary: StreamSummary
) -> Iterator[dict[str, SampleBatch]]:
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(column_names=_names(samples), block_size=_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False),
        convert_options=_convert(samples),
    )
    for batch in reader:
        if batch.num_rows == 0:
            continue
        summary.rows += batch.num_rows
        yield decode_batch(batch, samples)


def _dictionary_map(column: pa.Array, func: object) -> pa.Array:
    """Apply ``func`` to each distinct value of a dictionary column (cheap: few distinct values)."""
    column = column if isinstance(column, pa.DictionaryArray) else pc.dictionary_encode(column)
    mapped = pa.array([func(v) for v in column.dictionary.to_pylist()], type=pa.string())  # type: ignore[operator]
    return pc.take(mapped, column.indices)


_GT_SPLIT = re.compile(r"[/|]")


def _parse_gt(text: str | None) -> tuple[int, int, bool]:
    if text is None:
        return -1, -2, False
    alleles = [-1 if a in (".", "") else min(int(a), 127) for a in _GT_SPLIT.split(text)]
    if len(alleles) == 1:
        return alleles[0], -2, False
    return alleles[0], alleles[1], "|" in text


def _decode_gt(column: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    column = column if isinstance(column, pa.DictionaryArray) else pc.dictionary_encode(column)
    parsed = [_parse_gt(v) for v in column.dictionary.to_pylist()] + [(-1, -2, False)]
    table = np.array(parsed, dtype=np.int16)
    idx = column.indices.fill_null(len(parsed) - 1).to_numpy(zero_copy_only=False)
    rows = table[idx]
    return rows[:, 0].astype(np.int8), rows[:, 1].astype(np.int8), rows[:, 2].astype(bool)


def _int_or_null(values: pa.Array) -> pa.Array:
    return pc.cast(values, pa.int32(), safe=False)


def _ad_parts(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    padded = pc.binary_join_element_wise(column.cast(pa.string()), pa.scalar(",.,."), "")
    parts = pc.split_pattern(padded, ",")
    out = []
    for i in (0, 1):
        text = pc.list_element(parts, i)
        text = pc.if_else(pc.equal(text, "."), pa.scalar(None, pa.string()), text)
        out.append(pc.cast(text, pa.int32()))
    return out[0], out[1]


def variant_type(ref: pa.Array, alt: pa.Array) -> pa.Array:
    """``snv``, ``mnv``, ``insertion``, ``deletion`` or ``complex`` from REF/ALT lengths."""
    rl = pc.utf8_length(ref).to_numpy(zero_copy_only=False)
    al = pc.utf8_length(alt.fill_null("")).to_numpy(zero_copy_only=False)
    kinds = np.array(["complex", "snv", "mnv", "insertion", "deletion"], dtype=object)
    code = np.zeros(len(rl), dtype=np.int8)
    code[(rl == al) & (rl == 1)] = 1
    code[(rl == al) & (rl > 1)] = 2
    code[(rl == 1) & (al > 1)] = 3
    code[(al == 1) & (rl > 1)] = 4
    return pa.DictionaryArray.from_arrays(pa.array(code), pa.array(kinds, pa.string())).cast(pa.string())


def decode_batch(batch: pa.RecordBatch, samples: Sequence[str]) -> dict[str, SampleBatch]:
    """Split one text batch (columns of :func:`_names`) into per-sample calls and ref blocks."""
    alt = batch.column("alt")
    alt_np = alt.to_numpy(zero_copy_only=False)
    alt_missing = pc.is_null(alt).to_numpy(zero_copy_only=False)
    symbolic = pc.starts_with(alt.fill_null(""), "<").to_numpy(zero_copy_only=False) | (alt_np == "*")
    ref_block = np.isin(alt_np, list(REF_BLOCK_ALTS))
    is_var = ~(alt_missing | symbolic)
    chrom = _dictionary_map(batch.column("chrom"), normalise_chrom)
    filt = batch.column("filter").cast(pa.string()).fill_null(".")
    pos = batch.column("pos")
    vtype = variant_type(batch.column("ref"), alt)
    out: dict[str, SampleBatch] = {}
    for i, sample in enumerate(samples):
        a0, a1, phased = _decode_gt(batch.column(f"gt{i}"))
        missing = (a0 == -1) | (a1 == -1)
        nonref = (a0 > 0) | (a1 > 0)
        keep = is_var & (nonref | missing)
        gq, dp = batch.column(f"gq{i}"), batch.column(f"dp{i}")
        called = is_var & ~missing
        stats = SampleStats(
            sites=int(is_var.sum()),
            missing=int((is_var & missing).sum()),
            skipped_symbolic=int((symbolic & ~ref_block).sum()),
        )
        for name, values in (("gq", gq), ("dp", dp)):
            arr = values.to_numpy(zero_copy_only=False)
            ok = called & ~np.isnan(arr)
            setattr(stats, f"{name}_sum", int(arr[ok].sum()))
            setattr(stats, f"{name}_n", int(ok.sum()))
        dosage = np.where(missing, 0, (a0 > 0).astype(np.int8) + (a1 > 0).astype(np.int8))
        ad_ref, ad_alt = _ad_parts(batch.column(f"ad{i}"))
        mask = pa.array(keep)
        calls = pa.Table.from_arrays(
            [
                chrom.filter(mask),
                pos.filter(mask),
                batch.column("ref").filter(mask),
                alt.filter(mask),
                vtype.filter(mask),
                filt.filter(mask),
                pa.array(a0[keep]),
                pa.array(a1[keep]),
                pa.array(phased[keep]),
                pa.array(dosage[keep].astype(np.int8), mask=missing[keep]),
                _int_or_null(gq.filter(mask)),
                _int_or_null(dp.filter(mask)),
                ad_ref.filter(mask),
                ad_alt.filter(mask),
            ],
            schema=CALLS_SCHEMA,
        )
        out[sample] = SampleBatch(calls, _ref_blocks(batch, chrom, ref_block, a0, a1, gq, dp, stats), stats)
    return out


def _ref_blocks(
    batch: pa.RecordBatch,
    chrom: pa.Array,
    ref_block: np.ndarray,
    a0: np.ndarray,
    a1: np.ndarray,
    gq: pa.Array,
    dp: pa.Array,
    stats: SampleStats,
) -> pa.Table | None:
    blocks = ref_block & (a0 == 0) & ((a1 == 0) | (a1 == -2))
    if not blocks.any():
        return None
    mask = pa.array(blocks)
    start = batch.column("pos").filter(mask)
    end = pc.if_else(pc.is_null(batch.column("end").filter(mask)), start, batch.column("end").filter(mask))
    stats.ref_blocks += int(blocks.sum())
    stats.ref_block_bases += int(pc.sum(pc.add(pc.subtract(end, start), 1)).as_py() or 0)
    return pa.Table.from_arrays(
        [chrom.filter(mask), start, end, _int_or_null(gq.filter(mask)), _int_or_null(dp.filter(mask))],
        schema=INTERVALS_SCHEMA,
    )
