"""Benchmark: pharmacogene calling — exhaustive definitional suite and whole-genome speed.

1. The exhaustive suite (:mod:`genopath.pgx.suite`) for every gene called from the VCF:
   every pair of named alleles, phased, unphased and with a missing position, matched and
   compared with the brute-force expected diplotypes. Prints the per-gene exact-match rate
   (target ≥ 99.5 % overall).
2. A synthetic whole-genome single-sample VCF (default 4.5M records over chr1–22 and chrX,
   bgzipped and tabix-indexed) carrying genotypes at the 1,202 PharmCAT defining positions:
   seconds per sample for all genes (target ≤ 0.2 s; PharmCAT reports 1.2–5.9 s), in-process
   (the resource already loaded, as in a batch over many genomes) and as a fresh ``genopath pgx``
   process; the reference is ``bcftools view -R`` extracting the same defining positions from
   the same file in the same run.
3. The same genome with ``--batch`` samples (default 20, joint-called): one fresh ``genopath pgx``
   process for all of them, its wall time divided by the number of samples — seconds per sample
   end to end, start-up included, as a programme runs a batch.

    python benchmarks/pgx.py [--records 4500000] [--batch 20] [--source ../shared/data] [--skip-suite]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from genopath.pgx.definitions import PgxData
from genopath.pgx.run import PgxOptions, run_pgx
from genopath.pgx.suite import run_suite
from genopath.resources.builders.pgx import build_pgx
from genopath.resources.builders.tables import BuildInput
from genopath.resources.bundle import bundle_path
from genopath.resources.contigs import GRCH38_LENGTHS
from genopath.resources.progress import SILENT

CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]


def build(source: Path | None, work: Path) -> PgxData:
    sums = (source / "pgx-cpic" / "SHA256SUMS") if source else bundle_path() / "pgx-cpic" / "SHA256SUMS"
    out = work / "pgx"
    out.mkdir()
    build_pgx(BuildInput({"pgx-cpic/SHA256SUMS": sums}), out, SILENT)
    print(f"pgx data from {sums.parent}")
    return PgxData(out, "2025-11-05")


def suite(data: PgxData) -> None:
    total = exact = 0
    print(f"{'gene':9} {'cases':>7} {'exact':>8} {'ambiguous':>9}  first mismatch")
    for gene in data.callable_genes():
        tally = run_suite(data.definition(gene), keep_mismatches=1)
        total, exact = total + tally.cases, exact + tally.exact
        first = tally.mismatches[0] if tally.mismatches else ""
        print(f"{gene:9} {tally.cases:7,} {100 * tally.rate:7.2f}% {tally.ambiguous:9,}  {first[:110]}")
    rate = 100 * exact / total
    print(f"overall   {total:7,} {rate:7.2f}%   (target ≥ 99.50 %: {'met' if rate >= 99.5 else 'NOT met'})")


def defining_sites(data: PgxData) -> dict[str, dict[int, tuple[str, str]]]:
    """chrom → pos → (ref, alt) for every defining position of the called genes."""
    sites: dict[str, dict[int, tuple[str, str]]] = {}
    for gene in data.callable_genes():
        definition = data.definition(gene)
        for p in definition.positions:
            sites.setdefault(p.chrom, {})[p.pos] = (p.ref, ",".join(p.alts))
    return sites


def synthesise(
    path: Path, records: int, sites: dict[str, dict[int, tuple[str, str]]], samples: int = 1
) -> int:
    """A WGS-like VCF: random SNVs plus every defining position (random genotypes per sample)."""
    rng = random.Random(7)
    total_length = sum(GRCH38_LENGTHS[c] for c in CHROMS)
    header = ["##fileformat=VCFv4.2", "##reference=GRCh38"]
    header += [f"##contig=<ID={c},length={GRCH38_LENGTHS[c]}>" for c in CHROMS]
    header += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
    names = "\t".join(f"GENOME{k + 1}" for k in range(samples))
    header += [f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{names}"]
    # background genotype columns drawn from a pool: one random choice per record, not per call
    pool = ["\t".join(rng.choice(["0/0", "0/1", "1/1"]) for _ in range(samples)) for _ in range(256)]
    bgzip = subprocess.Popen(["bgzip", "-@", "2", "-c"], stdin=subprocess.PIPE, stdout=path.open("wb"))
    assert bgzip.stdin is not None
    bgzip.stdin.write(("\n".join(header) + "\n").encode())
    written = 0
    for chrom in CHROMS:
        n = records * GRCH38_LENGTHS[chrom] // total_length
        positions = set(rng.sample(range(10_000, GRCH38_LENGTHS[chrom] - 10_000), n))
        special = sites.get(chrom, {})
        lines = []
        for pos in sorted(positions | set(special)):
            if pos in special:
                ref, alts = special[pos]
                gt = "\t".join(rng.choice(["0/0", "0/1", "1/1", "0/1"]) for _ in range(samples))
            elif samples == 1:
                ref, alts, gt = "A", "G", rng.choice(["0/1", "1/1"])
            else:
                ref, alts, gt = "A", "G", rng.choice(pool)
            lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alts}\t50\tPASS\t.\tGT\t{gt}\n")
        written += len(lines)
        bgzip.stdin.write("".join(lines).encode())
    bgzip.stdin.close()
    bgzip.wait()
    subprocess.run(["tabix", "-p", "vcf", str(path)], check=True)
    return written


def speed(
    data: PgxData,
    vcf: Path,
    work: Path,
    sites: dict[str, dict[int, tuple[str, str]]],
    repeats: int,
    records: int,
    batch: int,
) -> None:
    run_pgx(data, vcf)  # warm the definition caches, as a batch over many genomes would
    start = time.perf_counter()
    for _ in range(repeats):
        document = run_pgx(data, vcf, PgxOptions())
    in_process = (time.perf_counter() - start) / repeats
    genes = len(document["samples"][0]["genes"])
    regions = work / "positions.tsv"
    regions.write_text("".join(f"{c}\t{p}\n" for c, ps in sites.items() for p in sorted(ps)))
    start = time.perf_counter()
    for _ in range(repeats):
        subprocess.run(
            ["bcftools", "view", "-H", "-R", str(regions), str(vcf)], check=True, stdout=subprocess.DEVNULL
        )
    reference = (time.perf_counter() - start) / repeats
    home = work / "home"
    env = dict(os.environ, GENOPATH_HOME=str(home))
    subprocess.run(
        [sys.executable, "-m", "genopath.cli.main", "resources", "build", "pgx", "--demo-bundle"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    process = fresh_pgx(vcf, work / "pgx.json", env)
    batch_per_sample = None
    if batch > 1:
        batch_vcf = work / "batch.vcf.gz"
        synthesise(batch_vcf, records, sites, samples=batch)
        batch_per_sample = fresh_pgx(batch_vcf, work / "batch.json", env) / batch
    print(f"{genes} genes, {sum(len(s) for s in sites.values()):,} defining positions")
    print(f"{'what':44} {'seconds/sample':>14}")
    print(f"{'genopath run_pgx (in process, data loaded)':44} {in_process:14.3f}")
    print(f"{'genopath pgx (fresh process, incl. start-up)':44} {process:14.3f}")
    if batch_per_sample is not None:
        print(f"{f'genopath pgx, {batch} samples, one fresh process':44} {batch_per_sample:14.3f}")
    print(f"{'bcftools view -R (same positions, reference)':44} {reference:14.3f}")
    verdict = ", ".join(
        f"{'met' if value <= 0.2 else 'NOT met'} {label}"
        for value, label in (
            (in_process, "in process"),
            (batch_per_sample, f"for a {batch}-sample batch"),
            (process, "for a single-sample fresh process"),
        )
        if value is not None
    )
    print(
        f"ratio genopath/bcftools (in process): {in_process / reference:.2f}; target ≤ 0.2 s per sample: {verdict}"
    )


def fresh_pgx(vcf: Path, out: Path, env: dict[str, str], runs: int = 3) -> float:
    """Median wall time of ``genopath pgx`` on ``vcf`` as its own process (start-up included)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "genopath.cli.main", "pgx", "--vcf", str(vcf), "--out", str(out)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=4_500_000)
    parser.add_argument(
        "--source", type=Path, default=None, help="mirror with pgx-cpic/ (default: the demo bundle)"
    )
    parser.add_argument("--skip-suite", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20, help="samples of the batch run (1: skip it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="genopath-pgx-bench-") as tmp:
        work = Path(tmp)
        data = build(args.source, work)
        if not args.skip_suite:
            suite(data)
        sites = defining_sites(data)
        vcf = work / "genome.vcf.gz"
        start = time.perf_counter()
        n = synthesise(vcf, args.records, sites)
        print(
            f"synthesised {n:,} records in {time.perf_counter() - start:.1f} s ({vcf.stat().st_size / 1e6:.0f} MB)"
        )
        speed(data, vcf, work, sites, args.repeats, args.records, args.batch)


if __name__ == "__main__":
    main()
