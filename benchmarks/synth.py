"""Synthetic VCFs over MANE transcripts in a reference FASTA, for the annotation benchmark."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import TranscriptIndex


def synthesise(
    index: TranscriptIndex,
    reference: Reference,
    out: Path,
    n: int,
    seed: int = 7,
    indel_fraction: float = 0.15,
) -> int:
    """Write ``n`` sorted biallelic records (bgzipped, tabix-indexed) over transcripts the FASTA covers.

    Half the positions fall in exons (±10 bp), half anywhere in the transcript span ±5 kb, so
    coding, splice, UTR, intronic and flanking classes are all exercised.
    """
    rng = random.Random(seed)
    covered = []
    for tx in index:
        contig = reference.covers(tx.chrom, max(0, tx.tx_start0 - 5000), tx.tx_end + 5000)
        if contig is not None:
            covered.append((tx, contig))
    if not covered:
        raise SystemExit("no transcript lies inside the reference FASTA")
    by_contig: dict[str, tuple[str, int, int]] = {}
    positions: list[tuple[str, int]] = []
    for _ in range(n):
        tx, contig = rng.choice(covered)
        if rng.random() < 0.5:
            s, e = rng.choice(tx.exons)
            pos = rng.randint(s + 1 - 10, e + 10)
        else:
            pos = rng.randint(tx.tx_start0 + 1 - 5000, tx.tx_end + 5000)
        positions.append((tx.chrom, pos))
        by_contig[tx.chrom] = (contig.name, contig.offset, contig.length)
    positions.sort()
    seqs = {
        chrom: reference.fetch(chrom, off, off + length) or ""
        for chrom, (_, off, length) in by_contig.items()
    }
    offsets = {chrom: off for chrom, (_, off, _) in by_contig.items()}
    lines = ["##fileformat=VCFv4.2", "##reference=GRCh38"]
    lines += [f"##contig=<ID={c},length={83257441 if c == 'chr17' else 1}>" for c in sorted(by_contig)]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    written = 0
    last = None
    for chrom, pos in positions:
        seq, off = seqs[chrom], offsets[chrom]
        i = pos - 1 - off
        if i < 1 or i + 12 >= len(seq):
            continue
        ref = seq[i]
        r = rng.random()
        if r >= indel_fraction:
            alt = rng.choice([b for b in "ACGT" if b != ref])
            rec = (pos, ref, alt)
        elif r < indel_fraction / 2:
            k = rng.randint(1, 10)
            rec = (pos, seq[i : i + 1 + k], ref)
        else:
            k = rng.randint(1, 10)
            rec = (pos, ref, ref + "".join(rng.choice("ACGT") for _ in range(k)))
        if (chrom, *rec) == last:
            continue
        last = (chrom, *rec)
        lines.append(f"{chrom}\t{rec[0]}\t.\t{rec[1]}\t{rec[2]}\t.\tPASS\t.")
        written += 1
    plain = out.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(out)], check=True)
    return written
