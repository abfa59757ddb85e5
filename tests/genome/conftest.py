"""Fixtures of the genome tests: the 1000 Genomes chr22 excerpt, synthetic families built from
its phased haplotypes (with synthetic DP/GQ/AD and chrX/chrY records), and a registry holding
the family, its consent, its sequenced samples and an open case."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from genopath.core.settings import Settings
from genopath.registry import (
    Actor,
    CaseCategory,
    ConsentForm,
    Registry,
    SampleState,
    SampleType,
    SignerRole,
    cases,
    centres,
    families,
    init_database,
    record_consent,
    samples,
)
from genopath.registry.pedigree import parse_ped
from genopath.registry.vault import Identity
from genopath.resources.contigs import GRCH38_LENGTHS

KG_VCF = "1000genomes/1kgp_grch38_2019_chr22_10516173-11016173.vcf.gz"
KG_PANEL = "1000genomes/integrated_call_samples_v3.20130502.ALL.panel"
CHAIN = [SampleState.RECEIVED, SampleState.EXTRACTED, SampleState.QC_PASSED, SampleState.SEQUENCED]


def mirror() -> Path:
    env = os.environ.get("GENOPATH_RESOURCE_MIRROR")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def kg_vcf() -> Path:
    path = mirror() / KG_VCF
    if not path.exists():
        pytest.skip(
            f"1000 Genomes excerpt not found at {path}; set GENOPATH_RESOURCE_MIRROR to run this test"
        )
    return path


@pytest.fixture(scope="session")
def chs(kg_vcf: Path) -> dict[str, list[str]]:
    """Southern Han Chinese (CHS) samples of the excerpt by sex, from the population panel."""
    in_vcf = set(subprocess.run(["bcftools", "query", "-l", str(kg_vcf)], capture_output=True, text=True,
                                check=True).stdout.split())  # fmt: skip
    by_sex: dict[str, list[str]] = {"male": [], "female": []}
    for line in (mirror() / KG_PANEL).read_text().splitlines()[1:]:
        sample, pop, _, sex = line.split("\t")[:4]
        if pop == "CHS" and sample in in_vcf:
            by_sex[sex].append(sample)
    return by_sex


@dataclass(frozen=True)
class Haplotypes:
    """Phased chr22 haplotypes of the excerpt's CHS samples: sites and a pool (n_sites × 2·n_samples)."""

    sites: list[tuple[int, str, str]]
    pool: np.ndarray


@pytest.fixture(scope="session")
def haplotypes(kg_vcf: Path, chs: dict[str, list[str]]) -> Haplotypes:
    names = chs["male"] + chs["female"]
    out = subprocess.run(
        ["bcftools", "query", "-s", ",".join(names), "-f", "%POS\t%REF\t%ALT[\t%GT]\n", str(kg_vcf)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    sites, rows = [], []
    for line in out.splitlines():
        pos, ref, alt, *gts = line.split("\t")
        sites.append((int(pos), ref, alt))
        rows.append([int(a) for gt in gts for a in gt.split("|")])
    return Haplotypes(sites, np.array(rows, dtype=np.int8))


# The excerpt is 500 kb of pericentromeric chr22: a few thousand SNVs in strong LD, and many
# sites where every 1000 Genomes sample is "heterozygous" (paralogous sequence). KING on real
# individuals there says unrelated CHS pairs have kinship ≈ 0.3. Founders are therefore mosaics:
# each haplotype is assembled from real CHS haplotypes chosen independently for every block of
# BLOCK sites, repeated over SEGMENTS copies of the region (offset by SEGMENT_OFFSET). Genotypes
# are then in Hardy-Weinberg proportions with real allele frequencies and short-range LD, and
# ~48,000 sites give kinship noise of about ±0.02 for unrelated pairs.
SEGMENTS, BLOCK, SEGMENT_OFFSET = 16, 10, 2_000_000


def mosaic_founder(haps: Haplotypes, rng: np.random.Generator) -> np.ndarray:
    n_sites, n_haps = haps.pool.shape
    columns = []
    for _ in range(2):
        parts = []
        for _ in range(SEGMENTS):
            pick = rng.integers(n_haps, size=(n_sites + BLOCK - 1) // BLOCK).repeat(BLOCK)[:n_sites]
            parts.append(haps.pool[np.arange(n_sites), pick])
        columns.append(np.concatenate(parts))
    return np.column_stack(columns).astype(np.int8)


@dataclass
class Person:
    """One synthetic genome: chr22 haplotypes, chrX alleles (one for a male), chrY calls or not."""

    name: str
    sex: str
    chr22: np.ndarray  # sites × 2
    chrx: np.ndarray  # x sites × 2 (male: both columns equal, written 0/0 or 1/1)
    y_calls: bool
    x_het_extra: float = 0.0  # fraction of non-PAR chrX sites forced heterozygous (a male error case)


X_SITES = 400
Y_SITES = 100


@dataclass
class FamilyGenomes:
    """Founders' chrX alleles drawn once, so children can inherit them."""

    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(22))
    x_alleles: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.x_alleles = (self.rng.random((X_SITES, 8)) < 0.45).astype(np.int8)

    def founder(self, name: str, sex: str, haps: Haplotypes, slot: int) -> Person:
        x = (
            self.x_alleles[:, [2 * slot, 2 * slot + 1]]
            if sex == "female"
            else self.x_alleles[:, [2 * slot] * 2]
        )
        return Person(name, sex, mosaic_founder(haps, self.rng), x.copy(), y_calls=sex == "male")

    def child(
        self, name: str, sex: str, father: Person, mother: Person, *, hf: int = 0, hm: int = 1
    ) -> Person:
        """A child transmitted one phased chr22 haplotype from each parent (no recombination)."""
        chr22 = np.column_stack([father.chr22[:, hf], mother.chr22[:, hm]])
        x = (
            np.column_stack([father.chrx[:, 0], mother.chrx[:, 0]])
            if sex == "female"
            else mother.chrx[:, [0, 0]]
        )
        return Person(name, sex, chr22, x, y_calls=sex == "male")


def _call(rng: np.random.Generator, a: int, b: int | None, phased: bool = False) -> str:
    dp = int(rng.integers(25, 40))
    gq = int(rng.integers(60, 99))
    if b is None:
        gt, alt = str(a), dp * a
    else:
        gt = f"{a}{'|' if phased else '/'}{b}"
        alt = {0: 0, 1: dp // 2, 2: dp}[a + b]
    return f"{gt}:{dp - alt},{alt}:{dp}:{gq}"


def write_family_vcf(path: Path, people: Sequence[Person], haps: Haplotypes, *, seed: int = 5,
                     contig_lengths: dict[str, int] | None = None) -> Path:  # fmt: skip
    """A joint-called, bgzipped family VCF: 1000 Genomes chr22 sites, synthetic chrX/chrY."""
    rng = np.random.default_rng(seed)
    lengths = contig_lengths or {c: GRCH38_LENGTHS[c] for c in ("chr22", "chrX", "chrY")}
    lines = ["##fileformat=VCFv4.2", *(f"##contig=<ID={c},length={n}>" for c, n in lengths.items())]
    lines += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(p.name for p in people),
    ]
    sites = [(pos + k * SEGMENT_OFFSET, ref, alt) for k in range(SEGMENTS) for pos, ref, alt in haps.sites]
    for i, (pos, ref, alt) in enumerate(sites):
        calls = [_call(rng, int(p.chr22[i, 0]), int(p.chr22[i, 1]), phased=True) for p in people]
        lines.append(f"chr22\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\tGT:AD:DP:GQ\t" + "\t".join(calls))
    xpos = np.linspace(3_000_000, 150_000_000, X_SITES).astype(int)
    for i, pos in enumerate(xpos):
        calls = []
        for p in people:
            a, b = int(p.chrx[i, 0]), int(p.chrx[i, 1])
            if p.x_het_extra and rng.random() < p.x_het_extra:
                a, b = 0, 1
            calls.append(_call(rng, a, b))
        lines.append(f"chrX\t{pos}\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP:GQ\t" + "\t".join(calls))
    for pos in np.linspace(3_000_000, 20_000_000, Y_SITES).astype(int):
        calls = [_call(rng, 1 if p.y_calls and rng.random() < 0.7 else 0, None) for p in people]
        lines.append(f"chrY\t{pos}\t.\tC\tT\t50\tPASS\t.\tGT:AD:DP:GQ\t" + "\t".join(calls))
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    return path


@pytest.fixture
def trio_people(haplotypes: Haplotypes) -> dict[str, Person]:
    """A CHS father and mother, their son, and an unrelated CHS boy and man (for swaps)."""
    fam = FamilyGenomes()
    father = fam.founder("DAD", "male", haplotypes, 0)
    mother = fam.founder("MUM", "female", haplotypes, 1)
    son = fam.child("KID", "male", father, mother)
    stranger = fam.founder("KID", "male", haplotypes, 2)
    other_man = fam.founder("DAD", "male", haplotypes, 3)
    return {"father": father, "mother": mother, "child": son, "stranger": stranger, "other_man": other_man}


PED = "FAM1\tKID\tDAD\tMUM\t1\t2\nFAM1\tDAD\t0\t0\t1\t1\nFAM1\tMUM\t0\t0\t2\t1\n"
BARCODES = {"KID": "BC-KID-01", "DAD": "BC-DAD-01", "MUM": "BC-MUM-01"}


@dataclass
class Programme:
    """A registry with family FAM1 (F000001: KID with parents DAD and MUM), their consent,
    sequenced samples BC-KID-01/BC-DAD-01/BC-MUM-01 and the proband's case C000001."""

    settings: Settings
    registry: Registry
    actor: Actor
    ids: dict[str, str]
    sample_map: Path
    family_id: str = "F000001"
    case_id: str = "C000001"


def build_programme(tmp_path: Path, *, consent: Sequence[str] = ("KID", "DAD", "MUM")) -> Programme:
    settings = Settings(home=tmp_path / "home")
    registry = init_database(settings)
    actor = Actor.system("tester")
    identities = {
        "KID": Identity(name="Kid", date_of_birth=date(2015, 3, 1)),
        "DAD": Identity(name="Dad", date_of_birth=date(1980, 1, 1)),
        "MUM": Identity(name="Mum", date_of_birth=date(1982, 6, 1)),
    }
    with registry.transaction() as s:
        centres.add_centre(s, actor, "HKCH", "Hong Kong Children's Hospital")
        family = families.import_family(s, actor, registry.cipher, parse_ped(PED)[0], centre="HKCH",
                                        identities=identities)  # fmt: skip
        ids = {m.local_id or "": m.programme_id for m in family.members}
        for local, pid in ids.items():
            if local in consent:
                signer = SignerRole.PARENT if local == "KID" else SignerRole.SELF
                record_consent(s, actor, registry.cipher, pid, ConsentForm("CF-1", date(2025, 1, 6), signer))
    with registry.transaction() as s:
        for local, pid in ids.items():
            if local not in consent:
                continue
            samples.register_sample(
                s, actor, pid, BARCODES[local], SampleType.BLOOD, state=SampleState.COLLECTED
            )
            for state in CHAIN:
                samples.move_sample(s, actor, BARCODES[local], state)
        if "KID" in consent:
            cases.open_case(s, actor, ids["KID"], category=CaseCategory.RARE_DISEASE, indication="epilepsy")
    sample_map = tmp_path / "sample_map.tsv"
    sample_map.write_text("vcf_sample\tbarcode\n" + "".join(f"{k}\t{v}\n" for k, v in BARCODES.items()))
    return Programme(settings, registry, actor, ids, sample_map)


@pytest.fixture
def programme(tmp_path: Path) -> Programme:
    prog = build_programme(tmp_path)
    yield prog
    prog.registry.dispose()
