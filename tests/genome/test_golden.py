"""Golden comparison on real data: genotype and allele counts from genopath's call tables equal
those of ``bcftools stats`` (per sample) and ``bcftools +fill-tags`` (AC/AN per site) on the same
20 Southern Han Chinese samples of the 1000 Genomes GRCh38 excerpt."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from genopath.core.settings import Settings
from genopath.genome import read_header, sample_metrics
from genopath.genome.reader import SampleStats, StreamSummary, stream_calls
from genopath.genome.store import GenomeWriter, StoredGenome


@pytest.fixture(scope="module")
def subset(kg_vcf: Path, chs: dict[str, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "chs20.vcf.gz"
    names = chs["male"][:10] + chs["female"][:10]
    subprocess.run(
        ["bcftools", "view", "-s", ",".join(names), "-Oz", "-o", str(out), str(kg_vcf)], check=True
    )
    return out


@pytest.fixture(scope="module")
def genomes(subset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, StoredGenome]:
    settings = Settings(home=tmp_path_factory.mktemp("golden-home"))
    header = read_header(subset)
    writers = {s: GenomeWriter(settings, s) for s in header.samples}
    stats = {s: SampleStats() for s in header.samples}
    for batch in stream_calls(header, header.samples, fasta=None, summary=StreamSummary()):
        for sample, part in batch.items():
            writers[sample].write(part.calls, part.intervals)
            stats[sample].add(part.stats)
    manifest = {"build": {"name": "GRCh38", "evidence": "test"}, "source": {"sha256": "x"}}
    return {s: w.publish({**manifest, "stats": stats[s].__dict__}) for s, w in writers.items()}


def test_golden__per_sample_counts_equal_bcftools_stats(
    subset: Path, genomes: dict[str, StoredGenome]
) -> None:
    out = subprocess.run(
        ["bcftools", "stats", "-s", "-", str(subset)], capture_output=True, text=True, check=True
    )
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    psc = {f[2]: f for f in rows if f[0] == "PSC"}  # het/hom here count SNVs only …
    psi = {f[2]: f for f in rows if f[0] == "PSI"}  # … indel het/hom are in PSI
    assert len(psc) == len(psi) == 20
    for sample, genome in genomes.items():
        m = sample_metrics(genome)
        f, i = psc[sample], psi[sample]
        expected = {"hom_alt": int(f[4]) + int(i[9]) + int(i[10]), "het": int(f[5]) + int(i[7]) + int(i[8]),
                    "ts": int(f[6]), "tv": int(f[7]), "indels": int(f[8]), "missing": int(f[13])}  # fmt: skip
        got = {"hom_alt": m.n_hom_alt, "het": m.n_het, "ts": m.n_transitions, "tv": m.n_transversions,
               "indels": m.n_insertion + m.n_deletion + m.n_complex, "missing": m.missing}  # fmt: skip
        assert got == expected, sample
        assert m.sites == 3042 and m.n_hom_alt > 0 and m.n_het > 0


def test_golden__allele_counts_equal_fill_tags(subset: Path, genomes: dict[str, StoredGenome]) -> None:
    tagged = subprocess.run(
        f"bcftools +fill-tags {subset} -- -t AC,AN | bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT\\t%AC\\t%AN\\n'",
        shell=True, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    expected_ac, expected_an = {}, set()
    for line in tagged.splitlines():
        chrom, pos, ref, alt, ac, an = line.split("\t")
        expected_ac[(chrom, int(pos), ref, alt)] = int(ac)
        expected_an.add(int(an))
    ac: Counter[tuple[str, int, str, str]] = Counter()
    missing_alleles = 0
    for genome in genomes.values():
        t = pq.read_table(genome.calls_path).to_pylist()
        for row in t:
            key = (row["variant_chrom"], row["variant_position"], row["variant_ref"], row["variant_alt"])
            if row["call_dosage"] is None:
                missing_alleles += 2
            else:
                ac[key] += row["call_dosage"]
    assert {k: v for k, v in expected_ac.items() if v} == dict(ac)
    assert expected_an == {2 * len(genomes)} and missing_alleles == 0
