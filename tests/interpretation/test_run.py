"""``genopath interpret`` end to end on simulated families (the demo bundle's resources): the
output contract of DESIGN §10, the causal gene near the top, ``explain`` for ranked, filtered and
absent variants, re-ranking without the VCF, bad input, and registry cases with versioned
reanalysis."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from genopath.cli.main import app
from genopath.core.errors import ConsentError, InputError, PhenotypeError, StateTransitionError
from genopath.core.settings import Settings
from genopath.interpretation.cases import analyses, reanalyse_case, run_case
from genopath.interpretation.run import Artefacts, Options, Phenotype, explain, interpret, rerank
from genopath.registry import (
    Actor,
    CaseCategory,
    CaseState,
    ConsentForm,
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
from genopath.registry.pedigree import read_ped
from genopath.registry.phenotypes import add_phenotype
from genopath.registry.vault import Identity
from genopath.simulate import SimulatedCase, simulate_cases


@pytest.fixture(scope="session")
def sim(bundle_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, SimulatedCase]:
    """An AD de novo trio and an AR trio, simulated once."""
    out = tmp_path_factory.mktemp("sim")
    ad = simulate_cases(bundle_settings, out / "ad", n_cases=1, structures=("trio",), mois=("AD",), seed=11)[
        0
    ]
    ar = simulate_cases(bundle_settings, out / "ar", n_cases=1, structures=("trio",), mois=("AR",), seed=12)[
        0
    ]
    return {"AD": ad, "AR": ar}


def run(settings: Settings, case: SimulatedCase, out: Path, **kw) -> dict:
    return interpret(settings, case.vcf, read_ped(case.ped)[0], Phenotype(tuple(case.hpo)), out, **kw)


def keys(truth: dict) -> set[tuple[str, int, str, str]]:
    return {(v["chrom"], int(v["pos"]), v["ref"], v["alt"]) for v in truth["variants"]}


@pytest.mark.parametrize("moi", ["AD", "AR"])
def test_interpret__output_contract_and_causal_gene_on_top(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path, moi: str
) -> None:
    case = sim[moi]
    results = run(bundle_settings, case, tmp_path / "results.json")
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert on_disk["genes"] == results["genes"]
    assert results["genopath_version"] and {"mane", "clinvar_2star", "hpo"} <= results["resources"].keys()
    assert [g["rank"] for g in results["genes"]] == list(range(1, len(results["genes"]) + 1))
    for gene in results["genes"]:
        assert {
            "gene_symbol",
            "hgnc_id",
            "rank",
            "score",
            "posterior",
            "moi",
            "diseases",
            "tier",
            "variants",
        } <= gene.keys()
        for v in gene["variants"]:
            assert {
                "chrom",
                "pos",
                "ref",
                "alt",
                "consequence",
                "hgvs_c",
                "hgvs_p",
                "genotypes",
                "acmg",
            } <= v.keys()
            assert {"class", "points", "criteria"} <= v["acmg"].keys()
    assert sum(g["posterior"] for g in results["genes"]) <= 1.0 + 1e-9
    counts = results["filter_trace"]["counts"]
    assert counts["records"] > 100 and counts["candidates"] >= 1
    top = results["genes"][0]
    assert top["gene_symbol"] == case.truth["gene"], [g["gene_symbol"] for g in results["genes"][:5]]
    assert top["moi"] == ("AR" if moi == "AR" else "AD")
    assert keys(case.truth) <= {(v["chrom"], v["pos"], v["ref"], v["alt"]) for v in top["variants"]}
    assert top["hgnc_id"] and top["hgnc_id"].startswith("HGNC:")
    # every trace row is a variant that is not a candidate, with a stage and a reason
    art = Artefacts(tmp_path / "results.json")
    trace = pa.concat_tables([pq.read_table(art.trace), pq.read_table(art.segregation_trace)])
    assert trace.num_rows == sum(counts[s] for s in ("quality", "consequence", "frequency", "segregation"))
    assert all(r for r in trace.column("reason").to_pylist())
    traced = set(zip(*(trace.column(c).to_pylist() for c in ("chrom", "pos", "ref", "alt")), strict=True))
    assert not traced & keys(case.truth)


def test_explain__ranked_filtered_and_absent(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    case = sim["AD"]
    out = tmp_path / "results.json"
    run(bundle_settings, case, out)
    (causal,) = case.truth["variants"]
    line = explain(out, causal["key"])
    assert line.startswith(f"{causal['key']} is ranked #1 in {case.truth['gene']}")
    removed = pq.read_table(Artefacts(out).trace).slice(0, 1).to_pylist()[0]
    line = explain(out, f"{removed['chrom']}-{removed['pos']}-{removed['ref']}-{removed['alt']}")
    assert f"removed at the {removed['stage']} stage: {removed['reason']}" in line
    assert "not in the input VCF" in explain(out, "chr1:12345:A:G")
    with pytest.raises(InputError, match="chrom:pos:ref:alt"):
        explain(out, "BRCA1 c.68_69del")


def test_rerank__new_terms_without_the_vcf(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    case = sim["AD"]
    vcf = tmp_path / "case.vcf.gz"
    shutil.copy(case.vcf, vcf)
    shutil.copy(str(case.vcf) + ".tbi", str(vcf) + ".tbi")
    first = interpret(
        bundle_settings, vcf, read_ped(case.ped)[0], Phenotype(tuple(case.hpo)), tmp_path / "a1.json"
    )
    vcf.unlink()  # re-ranking must not need the genome
    again = rerank(bundle_settings, tmp_path / "a1.json", Phenotype(("HP:0001250",)), tmp_path / "a2.json")
    assert again["input"]["rerank_of"] == str((tmp_path / "a1.json").resolve())
    assert again["phenotype"]["observed"] == [{"id": "HP:0001250", "label": "Seizure"}]
    before = first["filter_trace"]["counts"]
    after = again["filter_trace"]["counts"]
    assert all(
        after[k] == before[k] for k in ("records", "quality", "consequence", "frequency", "candidates")
    )
    assert {g["gene_symbol"] for g in again["genes"]} == {g["gene_symbol"] for g in first["genes"]}
    assert json.loads((tmp_path / "a1.json").read_text())["genes"] == first["genes"]  # the old one is kept
    with pytest.raises(InputError, match="analyses are kept"):
        rerank(bundle_settings, tmp_path / "a2.json", Phenotype(("HP:0001250",)), tmp_path / "a2.json")


def test_interpret__bad_input_is_named(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    case = sim["AD"]
    ped = read_ped(case.ped)[0]
    with pytest.raises(PhenotypeError, match="HP:9999999"):
        interpret(bundle_settings, case.vcf, ped, Phenotype(("HP:9999999",)), tmp_path / "r.json")
    with pytest.raises(InputError, match="999999"):
        interpret(bundle_settings, case.vcf, ped, Phenotype(tuple(case.hpo)), tmp_path / "r.json",
                  options=Options(panels=("999999",)))  # fmt: skip
    other = tmp_path / "other.ped"
    other.write_text("FAM\tKID\t0\t0\t1\t2\n")
    with pytest.raises(InputError):
        interpret(
            bundle_settings, case.vcf, read_ped(other)[0], Phenotype(tuple(case.hpo)), tmp_path / "r.json"
        )
    assert not (tmp_path / "r.json").exists()


def test_interpret__no_candidate_is_a_result(bundle_settings: Settings, tmp_path: Path) -> None:
    vcf = tmp_path / "common.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chr17,length=83257441>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
        'Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|gnomADg_AF">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\n"
        "chr17\t43045712\t.\tT\tC\t50\tPASS\tCSQ=C|intron_variant|MODIFIER|BRCA1|ENSG00000012048|"
        "Transcript|ENST00000357654|protein_coding|0.3\tGT\t0/1\n"
    )
    ped = tmp_path / "kid.ped"
    ped.write_text("FAM\tKID\t0\t0\t1\t2\n")
    results = interpret(
        bundle_settings, vcf, read_ped(ped)[0], Phenotype(("HP:0001250",)), tmp_path / "r.json"
    )
    assert results["genes"] == [] and "filter" in results["no_candidate_reason"]
    assert results["family"]["structure"] == "singleton"


def test_cli__interpret_report_and_explain(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    case = sim["AR"]
    out = tmp_path / "results.json"
    runner = CliRunner()
    args = ["--home", str(bundle_settings.home), "interpret", "--vcf", str(case.vcf), "--ped", str(case.ped),
            "--hpo", ",".join(case.hpo), "--out", str(out), "--report", str(tmp_path / "report.html")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert case.truth["gene"] in result.output and "top candidates" in result.output
    html = (tmp_path / "report.html").read_text()
    assert case.truth["gene"] in html and "DRAFT" in html
    key = case.truth["variants"][0]["key"]
    result = runner.invoke(app, ["--home", str(bundle_settings.home), "explain", str(out), key])
    assert result.exit_code == 0 and "is ranked #1" in result.output
    result = runner.invoke(app, ["--home", str(bundle_settings.home), "interpret", "--vcf", str(case.vcf),
                                 "--ped", str(case.ped), "--hpo", "HP:0000000x", "--out", str(tmp_path / "x.json")])  # fmt: skip
    assert result.exit_code == 2 and "error:" in result.output


# --- registry cases -----------------------------------------------------------------------------


def _registered(tmp_path: Path, bundle_settings: Settings, case: SimulatedCase, *, additional: bool = False):
    """A programme whose family is the simulated trio, consented, sequenced and ingested."""
    from genopath.genome import ingest_vcf

    settings = Settings(home=tmp_path / "home")
    shutil.copytree(bundle_settings.home / "resources", settings.home / "resources")
    registry = init_database(settings)
    actor = Actor.system("tester")
    pedigree = read_ped(case.ped)[0]
    born = {m.individual_id: date(2016, 1, 1) if m.father_id else date(1985, 1, 1) for m in pedigree.members}
    with registry.transaction() as s:
        centres.add_centre(s, actor, "HKCH", "Hong Kong Children's Hospital")
        family = families.import_family(s, actor, registry.cipher, pedigree, centre="HKCH",
                                        identities={k: Identity(name=k, date_of_birth=v) for k, v in born.items()})  # fmt: skip
        ids = {m.local_id or "": m.programme_id for m in family.members}
        for local, pid in ids.items():
            child = born[local].year > 2000
            form = ConsentForm("CF-1", date(2025, 1, 6), SignerRole.PARENT if child else SignerRole.SELF,
                               additional_findings=additional)  # fmt: skip
            record_consent(s, actor, registry.cipher, pid, form)
            samples.register_sample(
                s, actor, pid, f"BC-{local}", SampleType.BLOOD, state=SampleState.COLLECTED
            )
            for state in (
                SampleState.RECEIVED,
                SampleState.EXTRACTED,
                SampleState.QC_PASSED,
                SampleState.SEQUENCED,
            ):
                samples.move_sample(s, actor, f"BC-{local}", state)
        proband = ids[pedigree.with_default_proband().proband or ""]
        opened = cases.open_case(
            s, actor, proband, category=CaseCategory.RARE_DISEASE, indication="simulated"
        )
        case_id = opened.case_id
        for term in case.hpo:
            add_phenotype(s, actor, proband, term)
    sample_map = tmp_path / "map.tsv"
    sample_map.write_text("".join(f"{local}\tBC-{local}\n" for local in ids))
    with registry.transaction() as s:
        ingest_vcf(s, actor, settings, case.vcf, sample_map=sample_map)
        cases.move_case(s, actor, case_id, CaseState.AWAITING_DATA)
        cases.move_case(s, actor, case_id, CaseState.READY)
    return settings, registry, actor, case_id, proband


def test_case_run_then_reanalyse_files_versions_and_reports_changes(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    case = sim["AD"]
    settings, registry, actor, case_id, proband = _registered(tmp_path, bundle_settings, case)
    with registry.transaction() as s:
        first = run_case(s, actor, settings, registry.cipher, case_id)
        assert cases.get_case(s, actor, case_id).state is CaseState.INTERPRETED
    assert (
        first.version == 1
        and (first.folder / "results.json").exists()
        and (first.folder / "report.html").exists()
    )
    assert first.results["genes"][0]["gene_symbol"] == case.truth["gene"]
    assert first.results["additional_findings_status"] == "not_consented"
    with registry.transaction() as s, pytest.raises(StateTransitionError, match="reanalyse"):
        run_case(s, actor, settings, registry.cipher, case_id)
    a1 = (first.folder / "results.json").read_bytes()
    with registry.transaction() as s:
        add_phenotype(s, actor, proband, "HP:0001250")
        second = reanalyse_case(s, actor, settings, registry.cipher, case_id)
    assert second.version == 2 and second.reranked  # same genome and resources: candidates re-ranked
    assert [p.name for p in analyses(settings, case_id)] == ["a1", "a2"]
    assert (first.folder / "results.json").read_bytes() == a1  # never overwritten
    changes = json.loads((second.folder / "changes.json").read_text())
    assert changes["phenotype"]["added"] == ["HP:0001250"]
    registry.dispose()


def test_reanalysis_after_a_new_clinvar_release_interprets_the_genome_again(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    """A genome-wide resource changed since the last analysis: re-ranking the old candidates is
    not enough (a variant filtered out before may now be pathogenic), so the whole genome is
    interpreted again, and the results name the new release."""
    settings, registry, actor, case_id, _ = _registered(tmp_path, bundle_settings, sim["AD"])
    with registry.transaction() as s:
        first = run_case(s, actor, settings, registry.cipher, case_id)
    clinvar = settings.home / "resources" / "clinvar"
    old = json.loads((clinvar / "current.json").read_text())["version"]
    assert first.results["resources"]["clinvar"] == old
    # a newer release installed beside the old one (same records; only the version differs)
    shutil.copytree(clinvar / old, clinvar / "2099-01-01")
    meta = json.loads((clinvar / "2099-01-01" / "resource.json").read_text())
    (clinvar / "2099-01-01" / "resource.json").write_text(json.dumps({**meta, "version": "2099-01-01"}))
    (clinvar / "current.json").write_text(json.dumps({"version": "2099-01-01"}))
    with registry.transaction() as s:
        second = reanalyse_case(s, actor, settings, registry.cipher, case_id)
    assert second.version == 2 and not second.reranked
    assert second.results["resources"]["clinvar"] == "2099-01-01"
    assert second.changes is not None
    assert second.changes["resources"] == {"clinvar": {"from": old, "to": "2099-01-01"}}
    assert second.results["genes"][0]["gene_symbol"] == first.results["genes"][0]["gene_symbol"]
    with registry.transaction() as s:  # nothing changed since: a re-rank is enough again
        third = reanalyse_case(s, actor, settings, registry.cipher, case_id)
    assert third.version == 3 and third.reranked
    registry.dispose()


def test_case_run_needs_consent_and_a_ready_case(
    bundle_settings: Settings, sim: dict[str, SimulatedCase], tmp_path: Path
) -> None:
    settings, registry, actor, case_id, proband = _registered(tmp_path, bundle_settings, sim["AD"])
    with registry.transaction() as s:  # a new form: participation yes, primary findings no
        record_consent(s, actor, registry.cipher, proband,
                       ConsentForm("CF-2", date(2025, 2, 1), SignerRole.PARENT, primary_findings=False))  # fmt: skip
    with registry.transaction() as s, pytest.raises(ConsentError, match="primary"):
        run_case(s, actor, settings, registry.cipher, case_id)
    with registry.transaction() as s:
        cases.block_case(s, actor, case_id, reason="sample swap suspected")
    with registry.transaction() as s, pytest.raises(StateTransitionError, match="sample swap suspected"):
        run_case(s, actor, settings, registry.cipher, case_id)
    assert analyses(settings, case_id) == []
    registry.dispose()


def test_simulated_vcf_is_gzip(sim: dict[str, SimulatedCase]) -> None:
    with gzip.open(sim["AD"].vcf, "rt") as f:
        assert f.readline().startswith("##fileformat=VCF")
