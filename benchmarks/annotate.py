"""Benchmark: genopath annotate vs bcftools csq on the same ≥1M-variant VCF and transcripts.

Both tools annotate a VCF synthesised over the MANE Select transcripts lying inside the
reference FASTA of the committed demo bundle (GRCh38 chr17:42.4–43.6 Mb, 37 transcripts):
SNVs and 1–10 bp indels, half near exons. bcftools gets the same transcripts as a GFF3 written
by genopath, and runs with ``--local-csq`` (each record on its own, as genopath annotates).
Each tool runs as its own process, ``--repeat`` times in turn (genopath, bcftools, genopath, …;
the medians are compared, as one run on a shared machine varies by ±15 %); wall time and peak
RSS come from ``os.wait4``. genopath's modules are byte-compiled first, as installing a wheel
does (``pip install -e`` does not, and this environment may set ``PYTHONDONTWRITEBYTECODE``). The same
annotation is then timed in this process (``genopath.annotation.run.annotate_vcf``: reading,
annotating and writing, without the CLI's start-up).

Then the consequences of every ClinVar 2026-02-26 record in the locus are compared with
bcftools csq and with ClinVar's MC field, and every disagreement is listed.

    python benchmarks/annotate.py [--variants 1000000] [--repeat 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run
from synth import synthesise

import genopath
from genopath.annotation import crosscheck, transcripts
from genopath.annotation.reference import Reference
from genopath.annotation.run import annotate_vcf
from genopath.core.settings import Settings
from genopath.resources import bundle_path, install_bundle, require


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each tool (medians are compared)")
    ns = ap.parse_args()
    work = ns.workdir or Path(tempfile.mkdtemp(prefix="genopath-bench-annotate-"))
    work.mkdir(parents=True, exist_ok=True)
    settings = Settings(home=work / "home")
    if "mane" not in {p.name for p in (settings.home / "resources").glob("*")}:
        install_bundle(settings)
    reference = Reference(require(settings, "reference").path / "genome.fa.gz")
    index = transcripts.load(require(settings, "mane").path / "exons.parquet", ["chr17"])

    vcf = work / f"synthetic_{ns.variants}.vcf.gz"
    if not vcf.exists():
        n = synthesise(index, reference, vcf, ns.variants)
        print(f"synthesised {n:,} records over MANE transcripts in the reference slice → {vcf}")
    records = sum(1 for line in subprocess.run(["bgzip", "-dc", str(vcf)], capture_output=True, text=True).stdout.splitlines() if not line.startswith("#"))  # fmt: skip

    # bcftools input: the same records and transcripts in the slice's own coordinates
    bvcf, gff = work / "bcftools_input.vcf.gz", work / "transcripts.gff3"
    contig = next(iter(reference.contigs["chr17"]))
    transcripts.write_gff3(index, gff, {"chr17": (contig.name, contig.offset, contig.length)})
    with subprocess.Popen(["bgzip", "-dc", str(vcf)], stdout=subprocess.PIPE, text=True) as src:
        assert src.stdout is not None
        lines = []
        for line in src.stdout:
            if line.startswith("##contig"):
                lines.append(f"##contig=<ID={contig.name},length={contig.length}>\n")
            elif line.startswith("#"):
                lines.append(line)
            else:
                c = line.split("\t", 2)
                lines.append(f"{contig.name}\t{int(c[1]) - contig.offset}\t{c[2]}")
    plain = bvcf.with_suffix("")
    plain.write_text("".join(lines))
    del lines  # not held (and not copied into forked children) while genopath is timed below
    subprocess.run(["bgzip", "-f", str(plain)], check=True)

    genopath_bin = str(Path(sys.executable).with_name("genopath"))
    compileall.compile_dir(Path(genopath.__file__).parent, quiet=1)
    out = work / "genopath.parquet"
    g_runs, b_runs = [], []
    for _ in range(max(ns.repeat, 1)):
        g_runs.append(
            run([genopath_bin, "--home", str(settings.home), "annotate", str(vcf), "--out", str(out)])
        )
        b_runs.append(run(
            ["bcftools", "csq", "--local-csq", "-f", str(reference.path), "-g", str(gff), str(bvcf), "-Ob", "-o", str(work / "bcftools.bcf")]
        ))  # fmt: skip
    g_wall, g_mem = statistics.median(w for w, _ in g_runs), max(m for _, m in g_runs)
    b_wall, b_mem = statistics.median(w for w, _ in b_runs), max(m for _, m in b_runs)

    print(f"\nannotation of {records:,} records (37 MANE transcripts, GRCh38 BRCA1-locus slice)")
    print(f"runs, in turn: genopath {', '.join(f'{w:.2f}' for w, _ in g_runs)} s; "
          f"bcftools csq {', '.join(f'{w:.2f}' for w, _ in b_runs)} s")  # fmt: skip
    print(f"{'tool (median)':<16}{'seconds':>10}{'variants/s':>14}{'peak MB':>10}")
    print(f"{'genopath':<16}{g_wall:>10.2f}{records / g_wall:>14,.0f}{g_mem:>10.0f}")
    print(f"{'bcftools csq':<16}{b_wall:>10.2f}{records / b_wall:>14,.0f}{b_mem:>10.0f}")
    ratio = g_wall / b_wall
    print(
        f"ratio genopath/bcftools wall time: {ratio:.2f} (target ≤ 1.00: {'met' if ratio <= 1 else 'NOT met'})"
    )
    print(f"genopath peak memory {g_mem:.0f} MB (target < 2048 MB: {'met' if g_mem < 2048 else 'NOT met'})")
    start = time.perf_counter()
    annotate_vcf(settings, vcf, work / "genopath_in_process.parquet")
    inner = time.perf_counter() - start
    print(
        f"genopath in-process (read, annotate, write; no CLI start-up): {inner:.2f} s, {records / inner:,.0f} variants/s"
    )

    clinvar = crosscheck.clinvar_records(bundle_path() / "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz", reference)  # fmt: skip
    (work / "crosscheck").mkdir(exist_ok=True)
    vs_bcftools = crosscheck.compare_with_bcftools(
        [r[:4] for r in clinvar], reference, index, work / "crosscheck"
    )
    vs_clinvar = crosscheck.compare_with_clinvar_mc(clinvar, reference, index)
    for name, result in (("bcftools csq", vs_bcftools), ("ClinVar MC", vs_clinvar)):
        print(
            f"\nconsequence agreement with {name} on {len(clinvar):,} ClinVar 2026-02-26 records in the locus:"
        )
        for kind in ("snv", "indel"):
            print(f"  {kind:<6}{result.rate(kind):8.2%}  of {result.total(kind):,}")
        if result.protein_checked:
            print(
                f"  SNV protein change equal to bcftools: {result.protein_agree:,}/{result.protein_checked:,}"
            )
        print(f"  disagreements ({len(result.disagreements)}):")
        for d in result.disagreements:
            print("   ", d.line())


if __name__ == "__main__":
    main()
