"""Writing a simulated family VCF: header, read-level FORMAT values, records, bgzip and tabix.

Records are turned into text with Arrow's vectorised string kernels, one chromosome at a time,
and streamed through ``bgzip -@2`` into a temporary file that is indexed with ``tabix`` and
then moved into place with its index — a reader never sees a half-written VCF.

FORMAT values mimic a 30× whole genome called jointly (GATK-style ``GT:AD:DP:GQ``):

* ``DP`` is negative-binomial with mean :data:`MEAN_DEPTH` and size 12 (the over-dispersion of
  PCR-free WGS coverage), at least 2;
* ``AD``: ALT reads are binomial — heterozygous calls with an allele fraction drawn per call
  from Beta(20, 20) (centred on 0.5, about 2 % outside 0.2–0.8), homozygous-ALT and haploid ALT
  calls 0.99, reference calls 0.005 (sequencing error);
* ``GQ`` is the phred gap between the called genotype's likelihood and the best other one
  under a binomial read model with 1 % error, capped at 99;
* ``QUAL`` 28 per ALT read summed over samples; ``FILTER`` is ``LowQual`` when QUAL < 50.

The causal variants' calls (every sequenced member) are given clean values — DP ≥ 20, allele
balance 0.35–0.65, GQ 99 — so that a missed diagnosis is the interpreter's doing, not a
quality filter's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

import genopath
from genopath.core.errors import ConfigurationError
from genopath.core.files import shareable
from genopath.resources.contigs import GRCH38_LENGTHS
from genopath.simulate.families import Genotype, IntArray
from genopath.simulate.variants import CSQ_FIELDS

MEAN_DEPTH = 32.0
DEPTH_SIZE = 12.0
MAX_DEPTH = 999
ERROR = 0.01
LOWQUAL = 50
_NUMBERS = pa.array([str(i) for i in range(MAX_DEPTH + 1)], pa.string())
#: Genotype text by code: ALT count for diploid calls, 3 + ALT count for haploid ones.
_GT_TEXT = pa.array(["0/0", "0/1", "1/1", "0", "1"], pa.string())


def header(samples: Sequence[str], *, description: str) -> str:
    """The VCF header: GRCh38 contigs with lengths, CSQ in VEP's layout, GT:AD:DP:GQ, sample line."""
    lines = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        f'##FILTER=<ID=LowQual,Description="QUAL below {LOWQUAL}">',
        f"##source=genopath-simulate {genopath.__version__}",
        f"##genopath_simulate={description}",
        "##reference=GRCh38 (GCA_000001405.15)",
        *(f"##contig=<ID={name},length={length},assembly=GRCh38>" for name, length in GRCH38_LENGTHS.items()),
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP '
        f'(VEP-style, written by the genopath simulator). Format: {"|".join(CSQ_FIELDS)}">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the REF and ALT alleles">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality (phred)">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]),
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Calls:
    """Read-level values of one sample at each record."""

    depth: IntArray
    ref_reads: IntArray
    alt_reads: IntArray
    quality: IntArray


def simulate_calls(genotype: Genotype, clean: npt.NDArray[np.bool_], rng: np.random.Generator) -> Calls:
    """DP, AD and GQ for calls with true ``genotype`` (see module doc)."""
    gt, ploidy = genotype
    n = len(gt)
    depth = rng.negative_binomial(DEPTH_SIZE, DEPTH_SIZE / (DEPTH_SIZE + MEAN_DEPTH), size=n)
    depth = np.clip(depth, 2, MAX_DEPTH).astype(np.int64)
    het = (gt == 1) & (ploidy == 2)
    fraction = np.where(gt == 0, 0.005, np.where(het, rng.beta(20, 20, size=n), 0.99))
    if clean.any():
        depth[clean] = np.maximum(depth[clean], 20 + rng.poisson(12, size=int(clean.sum())))
        fraction[clean & het] = rng.uniform(0.42, 0.58, size=int((clean & het).sum()))
    alt = rng.binomial(depth, fraction).astype(np.int64)
    if clean.any():
        low, high = np.ceil(0.35 * depth).astype(np.int64), np.floor(0.65 * depth).astype(np.int64)
        alt = np.where(clean & het, np.clip(alt, low, high), alt)
        alt = np.where(clean & ~het & (gt > 0), depth, np.where(clean & (gt == 0), 0, alt))
    quality = _genotype_quality(gt, ploidy, depth, alt)
    quality[clean] = 99
    return Calls(depth, depth - alt, alt, quality)


def _genotype_quality(
    gt: npt.NDArray[np.int8], ploidy: npt.NDArray[np.int8], depth: IntArray, alt: IntArray
) -> IntArray:
    ref = depth - alt
    log_e, log_1e, log_half = np.log10(ERROR), np.log10(1 - ERROR), np.log10(0.5)
    ll = np.stack(
        [
            alt * log_e + ref * log_1e,  # REF/REF (or haploid REF)
            depth * log_half,  # het
            alt * log_1e + ref * log_e,  # ALT/ALT (or haploid ALT)
        ]
    )
    haploid = ploidy == 1
    ll[1, haploid] = -np.inf
    called = np.where(haploid, np.where(gt > 0, 2, 0), gt).astype(np.int64)
    pl = -10 * ll
    mine = np.take_along_axis(pl, called[None, :], axis=0)[0]
    pl_other = pl.copy()
    np.put_along_axis(pl_other, called[None, :], np.inf, axis=0)
    gap = pl_other.min(axis=0) - mine
    quality: IntArray = np.clip(np.round(gap), 0, 99).astype(np.int64)
    return quality


@dataclass
class Block:
    """Records of one chromosome in output order, with each sequenced member's true genotype."""

    chrom: str
    pos: IntArray
    ref: pa.Array
    alt: pa.Array
    csq: pa.Array
    genotypes: list[Genotype]
    clean: npt.NDArray[np.bool_]


def record_lines(block: Block, rng: np.random.Generator) -> pa.Array:
    """VCF text of each record of ``block`` (one string per record, newline included)."""
    samples, qual = [], np.zeros(len(block.pos), dtype=np.int64)
    for genotype in block.genotypes:
        calls = simulate_calls(genotype, block.clean, rng)
        gt, ploidy = genotype
        code = np.where(ploidy == 1, 3 + gt, gt).astype(np.int64)
        ad = pc.binary_join_element_wise(_NUMBERS.take(calls.ref_reads), _NUMBERS.take(calls.alt_reads), ",")
        samples.append(
            pc.binary_join_element_wise(
                _GT_TEXT.take(code), ad, _NUMBERS.take(calls.depth), _NUMBERS.take(calls.quality), ":"
            )
        )
        qual += np.where(gt > 0, calls.alt_reads, 0)
    qual = np.clip(28 * qual, 0, 99_999)
    filters = pa.array(np.where(qual < LOWQUAL, "LowQual", "PASS"))
    info = pc.binary_join_element_wise("CSQ=", block.csq, "")
    fields = [
        block.chrom, pc.cast(pa.array(block.pos), pa.string()), ".", block.ref, block.alt,
        pc.cast(pa.array(qual), pa.string()), filters, info, "GT:AD:DP:GQ", *samples,
    ]  # fmt: skip
    line = pc.binary_join_element_wise(*fields, "\t")
    return pc.binary_join_element_wise(line, "", "\n")


def _payload(lines: pa.Array) -> memoryview:
    """The bytes of a string array's values, back to back (its data buffer, sliced)."""
    array = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = buffers[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]


class BgzipVcf:
    """Writes a bgzip-compressed VCF through ``bgzip -@2`` and indexes it with ``tabix``.

    The output appears at ``path`` (with ``path.tbi``) only when the ``with`` block completes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        for tool in ("bgzip", "tabix"):
            if shutil.which(tool) is None:
                raise ConfigurationError(
                    f"`{tool}` is not on PATH; the simulator writes bgzip-compressed, tabix-indexed VCFs — "
                    "install htslib (e.g. `apt-get install tabix`)"
                )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.vcf.gz", dir=path.parent)
        self._tmp = Path(tmp)
        self._out = os.fdopen(fd, "wb")
        self._proc = subprocess.Popen(["bgzip", "-@2", "-c"], stdin=subprocess.PIPE, stdout=self._out)
        self.records = 0

    def __enter__(self) -> BgzipVcf:
        return self

    def write_text(self, text: str) -> None:
        self._write(memoryview(text.encode()))

    def write_lines(self, lines: pa.Array) -> None:
        self._write(_payload(lines))
        self.records += len(lines)

    def _write(self, data: memoryview) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(data)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        status = self._proc.wait()
        self._out.close()
        index = Path(f"{self._tmp}.tbi")
        try:
            if kind is not None:
                return
            if status != 0:
                raise ConfigurationError(f"bgzip failed (exit {status}) writing {self.path}")
            done = subprocess.run(
                ["tabix", "-f", "-p", "vcf", str(self._tmp)], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise ConfigurationError(f"tabix could not index {self.path}: {done.stderr.strip()}")
            for made in (self._tmp, index):
                shareable(made)  # mkstemp creates 0600; a VCF is shared like any output
            os.replace(self._tmp, self.path)
            os.replace(index, Path(f"{self.path}.tbi"))
        finally:
            self._tmp.unlink(missing_ok=True)
            index.unlink(missing_ok=True)
