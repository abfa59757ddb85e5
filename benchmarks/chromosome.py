"""Benchmark: genopath annotate vs bcftools csq with a whole-chromosome reference.

The main annotation benchmark (``annotate.py``) uses the demo bundle's 1.2 Mb reference slice,
where reading the reference costs almost nothing. Here the FASTA is a full-length GRCh38 chr17
(83,257,441 bp): random bases, with the bundle's real BRCA1-locus slice in its place, bgzipped
and faidx-indexed. The VCF (default 20,000 records) is synthesised over the bundle's chr17 MANE
transcripts, which lie from 7 to 80 Mb: variants in and near their exons and introns, a panel or
an exome in shape, with wide gaps between genes. Both tools annotate it against the same
FASTA and transcripts (bcftools csq from a GFF3 genopath writes), each as its own process,
``--repeat`` times in turn; medians are compared. Peak RSS from ``os.wait4`` (it includes what
a child inherits at fork: about 100 MB of this script's imports).

Transcripts over random bases are mostly not well-formed proteins; both tools see the same
ones, and the point is the cost of reading the reference, which genopath limits to segments
around runs of variants (``kernel_path.GAP``).

    python benchmarks/chromosome.py [--variants 20000] [--repeat 5] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run
from synth import synthesise

import genopath
from genopath.annotation import transcripts
from genopath.annotation.reference import Reference
from genopath.core.settings import Settings
from genopath.resources import install_bundle, require

CHR17_LENGTH = 83_257_441  # GRCh38


def write_chromosome(slice_reference: Reference, out: Path, seed: int = 17) -> Path:
    """chr17 of full length: random bases, the real slice in its place; bgzipped and indexed."""
    (contig,) = slice_reference.contigs["chr17"]
    real = slice_reference.fetch("chr17", contig.offset, contig.offset + contig.length)
    assert real is not None
    bases = np.frombuffer(b"ACGT", np.uint8)[np.random.default_rng(seed).integers(0, 4, CHR17_LENGTH)]
    bases[contig.offset : contig.offset + contig.length] = np.frombuffer(real.upper().encode(), np.uint8)
    plain = out.with_suffix("")  # chr17.fa
    body = bases.tobytes()
    with open(plain, "wb") as f:
        f.write(b">chr17\n")
        f.write(b"\n".join(body[i : i + 60] for i in range(0, len(body), 60)) + b"\n")
    subprocess.run(["bgzip", "-@2", "-f", str(plain)], check=True)
    subprocess.run(["samtools", "faidx", str(out)], check=True)
    return out


def prepare(work: Path, variants: int) -> None:
    """The bundle installed, the chromosome, the VCF and the GFF3 in ``work`` (run as a child
    process, so that the timing process never holds the chromosome: a child's peak RSS counts
    what it inherited at fork)."""
    settings = Settings(home=work / "home")
    if "mane" not in {p.name for p in (settings.home / "resources").glob("*")}:
        install_bundle(settings)
    fasta = work / "chr17.fa.gz"
    if not (fasta.exists() and fasta.with_suffix(".gz.fai").exists()):
        print("writing a full-length chr17 (random bases around the real BRCA1-locus slice) …")
        write_chromosome(Reference(require(settings, "reference").path / "genome.fa.gz"), fasta)
    index = transcripts.load(require(settings, "mane").path / "exons.parquet", ["chr17"])
    vcf = work / f"chr17_{variants}.vcf.gz"
    if not vcf.exists():
        synthesise(index, Reference(fasta), vcf, variants)
    transcripts.write_gff3(index, work / "chr17.gff3", {"chr17": ("chr17", 0, CHR17_LENGTH)})
    span = list(index)
    print(f"{len(span)} chr17 transcripts ({min(t.tx_start0 for t in span) / 1e6:.1f}–"
          f"{max(t.tx_end for t in span) / 1e6:.1f} Mb)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each tool (medians are compared)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)  # the child's part
    ns = ap.parse_args()
    work = ns.workdir or Path(tempfile.mkdtemp(prefix="genopath-bench-chromosome-"))
    work.mkdir(parents=True, exist_ok=True)
    if ns.prepare:
        prepare(work, ns.variants)
        return
    subprocess.run([sys.executable, __file__, "--prepare", "--workdir", str(work), "--variants", str(ns.variants)],
                   check=True)  # fmt: skip
    settings = Settings(home=work / "home")
    fasta, vcf, gff = work / "chr17.fa.gz", work / f"chr17_{ns.variants}.vcf.gz", work / "chr17.gff3"
    records = sum(1 for line in subprocess.run(["bgzip", "-dc", str(vcf)], capture_output=True, text=True).stdout.splitlines() if not line.startswith("#"))  # fmt: skip
    print(f"{records:,} records")

    genopath_bin = str(Path(sys.executable).with_name("genopath"))
    compileall.compile_dir(Path(genopath.__file__).parent, quiet=1)
    g_runs, b_runs = [], []
    for _ in range(max(ns.repeat, 1)):
        g_runs.append(run([genopath_bin, "--home", str(settings.home), "annotate", str(vcf), "--fasta", str(fasta),
                           "--out", str(work / "genopath.parquet")]))  # fmt: skip
        b_runs.append(run(["bcftools", "csq", "--local-csq", "-f", str(fasta), "-g", str(gff), str(vcf), "-Ob",
                           "-o", str(work / "bcftools.bcf")]))  # fmt: skip
    g_wall, g_mem = statistics.median(w for w, _ in g_runs), max(m for _, m in g_runs)
    b_wall, b_mem = statistics.median(w for w, _ in b_runs), max(m for _, m in b_runs)
    print(f"runs, in turn: genopath {', '.join(f'{w:.2f}' for w, _ in g_runs)} s; "
          f"bcftools csq {', '.join(f'{w:.2f}' for w, _ in b_runs)} s")  # fmt: skip
    print(f"{'tool (median)':<16}{'seconds':>10}{'variants/s':>14}{'peak MB':>10}")
    print(f"{'genopath':<16}{g_wall:>10.2f}{records / g_wall:>14,.0f}{g_mem:>10.0f}")
    print(f"{'bcftools csq':<16}{b_wall:>10.2f}{records / b_wall:>14,.0f}{b_mem:>10.0f}")
    print(f"ratio genopath/bcftools wall time: {g_wall / b_wall:.2f}")


if __name__ == "__main__":
    main()
