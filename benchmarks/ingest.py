"""Benchmark: ``genopath genome ingest`` of a WGS-scale trio vs ``bcftools view -Ob -o /dev/null``.

A joint-called trio VCF is synthesised (default 5,000,000 SNV records over chr1–22 and chrX,
GT:AD:DP:GQ, ≈4.4M non-reference calls per sample; numpy-generated text piped through
``bgzip``). A registry with the family (consented, samples sequenced) is set up, then each tool
runs as its own process on the same file; wall time and peak RSS come from ``os.wait4``.

    python benchmarks/ingest.py [--records 5000000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from measure import run

from genopath.core.settings import Settings
from genopath.registry import (
    Actor,
    ConsentForm,
    SampleState,
    SampleType,
    SignerRole,
    centres,
    families,
    init_database,
    record_consent,
    samples,
)
from genopath.registry.pedigree import parse_ped
from genopath.registry.vault import Identity
from genopath.resources.contigs import GRCH38_LENGTHS

CHROMS = [f"chr{i}" for i in range(1, 23)] + ["chrX"]
NAMES = ("KID", "DAD", "MUM")


def synthesise(out: Path, n: int, seed: int = 11) -> None:
    """Write a sorted, bgzipped trio VCF of ``n`` SNV records; the child inherits from the parents."""
    rng = np.random.default_rng(seed)
    lengths = np.array([GRCH38_LENGTHS[c] for c in CHROMS], dtype=float)
    per = np.floor(n * lengths / lengths.sum()).astype(int)
    per[0] += n - per.sum()
    head = ["##fileformat=VCFv4.2", *(f"##contig=<ID={c},length={GRCH38_LENGTHS[c]}>" for c in CHROMS)]
    head += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(NAMES),
    ]

    def field(g: int, k: int) -> str:
        dp = 20 + k
        return [
            f"0/0:{dp},0:{dp}:{40 + k}",
            f"0/1:{dp // 2},{dp - dp // 2}:{dp}:{50 + k}",
            f"1/1:0,{dp}:{dp}:{60 + k}",
        ][g]

    table = np.array([[field(g, k) for k in range(16)] for g in range(3)], dtype=object)
    bases = np.array(list("ACGT"))
    with open(out, "wb") as handle:
        bgzip = subprocess.Popen(["bgzip", "-@", "2", "-c"], stdin=subprocess.PIPE, stdout=handle)
        assert bgzip.stdin is not None
        bgzip.stdin.write(("\n".join(head) + "\n").encode())
        for chrom, m in zip(CHROMS, per, strict=True):
            pos = np.sort(rng.choice(GRCH38_LENGTHS[chrom] - 100, size=m, replace=False) + 10)
            for s in range(0, m, 500_000):
                p = pos[s : s + 500_000]
                k = len(p)
                ref = rng.integers(0, 4, k)
                alt = (ref + rng.integers(1, 4, k)) % 4
                f, mo = rng.choice(3, size=(2, k), p=[0.1, 0.5, 0.4])
                tf = (f == 2) | ((f == 1) & (rng.random(k) < 0.5))
                tm = (mo == 2) | ((mo == 1) & (rng.random(k) < 0.5))
                child = tf.astype(int) + tm.astype(int)
                depth = rng.integers(0, 16, (3, k))
                cols = (table[child, depth[0]], table[f, depth[1]], table[mo, depth[2]])
                lines = [
                    f"{chrom}\t{pp}\t.\t{r}\t{a}\t50\tPASS\t.\tGT:AD:DP:GQ\t{x}\t{y}\t{z}\n"
                    for pp, r, a, x, y, z in zip(
                        p.tolist(),
                        bases[ref].tolist(),
                        bases[alt].tolist(),
                        *(c.tolist() for c in cols),
                        strict=True,
                    )
                ]
                bgzip.stdin.write("".join(lines).encode())
        bgzip.stdin.close()
        bgzip.wait()


def setup_registry(settings: Settings) -> Path:
    """A family DAD, MUM, KID with consent and sequenced samples named like the VCF columns."""
    registry = init_database(settings)
    actor = Actor.system("bench")
    ped = "BENCH\tKID\tDAD\tMUM\t1\t2\nBENCH\tDAD\t0\t0\t1\t1\nBENCH\tMUM\t0\t0\t2\t1\n"
    ids = {n: Identity(name=n, date_of_birth=date(1980 if n != "KID" else 2015, 1, 1)) for n in NAMES}
    with registry.transaction() as s:
        centres.add_centre(s, actor, "BENCH", "Benchmark centre")
        family = families.import_family(
            s, actor, registry.cipher, parse_ped(ped)[0], centre="BENCH", identities=ids
        )
        for m in family.members:
            signer = SignerRole.PARENT if m.local_id == "KID" else SignerRole.SELF
            record_consent(
                s, actor, registry.cipher, m.programme_id, ConsentForm("CF-1", date(2025, 1, 1), signer)
            )
    with registry.transaction() as s:
        for m in family.members:
            barcode = f"BENCH-{m.local_id}"
            samples.register_sample(
                s, actor, m.programme_id, barcode, SampleType.BLOOD, state=SampleState.COLLECTED
            )
            for state in ("received", "extracted", "qc_passed", "sequenced"):
                samples.move_sample(s, actor, barcode, SampleState(state))
    registry.dispose()
    sample_map = settings.home / "sample_map.tsv"
    sample_map.write_text("".join(f"{n}\tBENCH-{n}\n" for n in NAMES))
    return sample_map


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--workdir", type=Path, default=None)
    ns = ap.parse_args()
    work = ns.workdir or Path(tempfile.mkdtemp(prefix="genopath-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    vcf = work / f"trio_{ns.records}.vcf.gz"
    if not vcf.exists():
        start = time.perf_counter()
        synthesise(vcf, ns.records)
        print(f"synthesised {ns.records:,} trio records in {time.perf_counter() - start:.1f} s → {vcf}")
    settings = Settings(home=work / f"home-{time.time_ns()}")
    sample_map = setup_registry(settings)

    b_wall, b_mem = run(["bcftools", "view", "-Ob", "-o", "/dev/null", str(vcf)])
    genopath_bin = str(Path(sys.executable).with_name("genopath"))
    g_wall, g_mem = run(
        [
            genopath_bin,
            "--home",
            str(settings.home),
            "genome",
            "ingest",
            str(vcf),
            "--sample-map",
            str(sample_map),
        ]
    )
    import json

    calls = {}
    for n in NAMES:
        folder = settings.home / "genomes" / f"BENCH-{n}"
        version = json.loads((folder / "current.json").read_text())["version"]
        calls[n] = json.loads((folder / version / "manifest.json").read_text())["files"]["calls_rows"]
    print(f"\ngenome ingest of a {ns.records:,}-record trio VCF (3 samples; non-reference calls stored: "
          + ", ".join(f"{n} {c:,}" for n, c in calls.items()) + ")")  # fmt: skip
    print(f"{'tool':<26}{'seconds':>10}{'records/s':>14}{'peak MB':>10}")
    print(f"{'genopath genome ingest':<26}{g_wall:>10.2f}{ns.records / g_wall:>14,.0f}{g_mem:>10.0f}")
    print(f"{'bcftools view -Ob':<26}{b_wall:>10.2f}{ns.records / b_wall:>14,.0f}{b_mem:>10.0f}")
    print(f"genopath stored {sum(calls.values()) / g_wall:,.0f} non-reference calls/s over the three samples")
    ratio = g_wall / b_wall
    print(
        f"ratio genopath/bcftools wall time: {ratio:.2f} (target ≤ 2.00: {'met' if ratio <= 2 else 'NOT met'})"
    )
    print(f"genopath peak memory {g_mem:.0f} MB (target ≤ 2048 MB: {'met' if g_mem <= 2048 else 'NOT met'})")


if __name__ == "__main__":
    main()
