"""Reference FASTAs: BGZF and index checks, build detection, slice coordinates."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pysam
import pytest

from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.resources import build_fasta, require
from genopath.resources.contigs import describe_contigs, normalise_chrom

SEQ = "ACGT" * 25


def _fasta(tmp_path: Path, name: str, *, index: bool = True) -> Path:
    plain = tmp_path / "mini.fa"
    plain.write_text(f">{name}\n{SEQ[:60]}\n{SEQ[60:]}\n")
    fasta = tmp_path / "mini.fa.gz"
    pysam.tabix_compress(str(plain), str(fasta), force=True)
    if index:
        pysam.faidx(str(fasta))
    return fasta


def test_build_fasta__slice_contigs_and_version(tmp_path: Path) -> None:
    fasta = _fasta(tmp_path, "chr17_1001_1100")
    installed = build_fasta(Settings(home=tmp_path / "home"), fasta)
    sha = hashlib.sha256(fasta.read_bytes()).hexdigest()
    assert installed.version == f"mini-{sha[:12]}"
    contigs = json.loads((installed.path / "contigs.json").read_text())
    assert contigs == [{"name": "chr17_1001_1100", "length": 100, "chrom": "chr17", "offset": 1000}]
    with pysam.FastaFile(str(installed.path / "genome.fa.gz")) as copy:
        assert copy.fetch("chr17_1001_1100", 60, 64) == SEQ[60:64]
    assert require(Settings(home=tmp_path / "home"), "reference").version == installed.version


def test_build_fasta__plain_gzip_refused_with_the_fix(tmp_path: Path) -> None:
    fasta = tmp_path / "plain.fa.gz"
    fasta.write_bytes(gzip.compress(f">chr17_1001_1100\n{SEQ}\n".encode()))
    with pytest.raises(InputError, match=r"plain gzip, not BGZF.*bgzip.*samtools faidx"):
        build_fasta(Settings(home=tmp_path / "home"), fasta)
    assert not (tmp_path / "home" / "resources" / "reference").exists()


def test_build_fasta__unindexed_refused(tmp_path: Path) -> None:
    fasta = _fasta(tmp_path, "chr17_1001_1100", index=False)
    with pytest.raises(InputError, match=r"no index \(mini.fa.gz.fai, mini.fa.gz.gzi\).*samtools faidx"):
        build_fasta(Settings(home=tmp_path / "home"), fasta)


def test_build_fasta__grch37_lengths_refused(tmp_path: Path) -> None:
    fasta = _fasta(tmp_path, "chr1")
    fai = Path(f"{fasta}.fai")
    # The build is read from the index: claim GRCh37's chr1 length there.
    fai.write_text(fai.read_text().replace("\t100\t", "\t249250621\t", 1))
    with pytest.raises(InputError, match=r"looks like GRCh37: sequence chr1 is 249250621 bp.*248956422"):
        build_fasta(Settings(home=tmp_path / "home"), fasta)


def test_describe_contigs__names_and_builds() -> None:
    contigs = describe_contigs(
        {
            "1": 248956422,
            "MT": 16569,
            "chrX": 156040895,
            "chr17_42425000_43600000": 1175001,
            "KI270728.1": 1872759,
        },
        source="test",
    )
    assert [(c.chrom, c.offset) for c in contigs] == [
        ("chr1", 0),
        ("chrM", 0),
        ("chrX", 0),
        ("chr17", 42424999),
        ("KI270728.1", 0),
    ]
    with pytest.raises(InputError, match="unknown build"):
        describe_contigs({"chr2": 1000}, source="test")
    with pytest.raises(InputError, match="slice"):
        describe_contigs({"chr17_1001_1100": 99}, source="test")
    with pytest.raises(InputError, match="no GRCh38 chromosome"):
        describe_contigs({"contig_a": 99}, source="test")
    assert normalise_chrom("MT") == normalise_chrom("chrM") == "chrM" and normalise_chrom("22") == "chr22"
