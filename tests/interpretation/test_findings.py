"""Additional findings on the demo bundle's ACMG SF v3.3 list: consent, age, reporting rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pytest

from genopath.annotation.pipeline import SCHEMA
from genopath.core.settings import Settings
from genopath.interpretation.findings import (
    CHILDHOOD_ACTIONABLE,
    additional_findings,
    load_sf_genes,
    reporting_rule,
)
from genopath.interpretation.model import EXTRA_COLUMNS, GENOTYPE_FIELDS, Acmg, Family, GeneCandidate, Member
from genopath.registry.terms import AffectedStatus, Sex


def table(rows: Sequence[dict[str, Any]], n: int) -> pa.Table:
    """Candidate table of ``n`` members: SCHEMA + EXTRA_COLUMNS + genotype columns, null unless given."""
    fields = [*SCHEMA, *(pa.field(c, t) for c, t in EXTRA_COLUMNS)]
    fields += [pa.field(f"{f}_{i}", t) for i in range(n) for f, t in GENOTYPE_FIELDS]
    data: dict[str, list[Any]] = {f.name: [] for f in fields}
    for r in rows:
        flat = {"ref": "C", "alt": "T", **{k: v for k, v in r.items() if k != "gts"}}
        flat.update({f"gt_{i}": gt for i, gt in enumerate(r["gts"])})
        for name in data:
            data[name].append(flat.get(name))
    return pa.Table.from_pydict(data, schema=pa.schema(fields))


def singleton(sex: Sex = Sex.FEMALE) -> Family:
    return Family("F", "kid", (Member("kid", "kid", None, None, sex, AffectedStatus.AFFECTED),))


def trio(sex: Sex = Sex.FEMALE) -> Family:
    U = AffectedStatus.UNAFFECTED
    return Family("F", "kid", (Member("kid", "kid", "dad", "mum", sex, AffectedStatus.AFFECTED),
                               Member("dad", "dad", None, None, Sex.MALE, U),
                               Member("mum", "mum", None, None, Sex.FEMALE, U)))  # fmt: skip


def v(gene: str, pos: int, gts: tuple[int, ...], *, chrom: str = "chr1", cls: str | None = "P", stars: int = 2,
      **kw: Any) -> dict[str, Any]:  # fmt: skip
    return {"chrom": chrom, "pos": pos, "gene_symbol": gene, "gts": gts, "clinvar_class": cls, "clinvar_stars": stars,
            "clinvar_id": 1000 + pos % 1000, "consequence": "missense_variant", "most_severe": "missense_variant",
            "pop_af": 0.0005, **kw}  # fmt: skip


def findings(settings: Settings, rows: Sequence[dict[str, Any]], fam: Family | None = None, *,
             age: float | None = 40, consent: bool = True, **kw: Any) -> list[dict[str, Any]]:  # fmt: skip
    fam = fam or singleton()
    return additional_findings(
        table(rows, len(fam.sequenced)), fam, settings, consent=consent, age_years=age, **kw
    )


BRCA1 = v("BRCA1", 43_045_712, (1,), chrom="chr17", hgvs_c="c.5096G>A", hgvs_p="p.Arg1699Gln")


def test_sf_list_parsing__the_bundle_values(bundle_settings: Settings) -> None:
    genes = load_sf_genes(bundle_settings)
    assert len(genes) == 84  # ACMG SF v3.3: 84 genes (../shared/data/README.md), 100 gene–phenotype rows
    assert genes["BRCA1"].rule == "all" and genes["BRCA1"].inheritance == "AD"
    assert genes["ATP7B"].rule == "biallelic" and genes["ATP7B"].variants_to_report == "P and LP (2 variants)"
    assert genes["TTN"].rule == "truncating"
    assert genes["HFE"].rule == "hfe_c282y"
    assert genes["ABCD1"].rule == "biallelic" and genes["GLA"].rule == "all"
    assert genes["TRDN"].rule == "biallelic"  # AR with "All P and LP": carriers are not findings
    assert genes["RET"].diseases == (
        "Familial medullary thyroid cancer", "Multiple endocrine neoplasia type 2A",
        "Multiple endocrine neoplasia type 2B")  # fmt: skip
    assert set(genes) >= CHILDHOOD_ACTIONABLE, CHILDHOOD_ACTIONABLE - set(genes)


@pytest.mark.parametrize(
    ("text", "inheritance", "rule"),
    [("All P and LP", "AD", "all"), ("All P and LP", "AR", "biallelic"), ("P and LP (2 variants)", "AR", "biallelic"),
     ("All hemi or homozygous P and LP or 2 het. P/LP variants", "XL", "biallelic"),
     ("All hemi, het, homozygous P and LP", "XL", "all"), ("P and LP (truncating variants only)", "AD", "truncating"),
     ("p.C282Y homozygotes only", "AR", "hfe_c282y")],
)  # fmt: skip
def test_reporting_rule(text: str, inheritance: str, rule: str) -> None:
    assert reporting_rule(text, inheritance) == rule


def test_brca1__adult_reported_with_all_fields(bundle_settings: Settings) -> None:
    [f] = findings(bundle_settings, [BRCA1, v("NOTSF", 5, (1,))])
    assert f["gene_symbol"] == "BRCA1" and f["hgnc_id"] == "HGNC:1100"
    assert f["disease"] == "Hereditary breast and ovarian cancer" and f["inheritance"] == "AD"
    assert (f["chrom"], f["pos"], f["ref"], f["alt"]) == ("chr17", 43_045_712, "C", "T")
    assert (f["hgvs_c"], f["hgvs_p"], f["genotype"]) == ("c.5096G>A", "p.Arg1699Gln", "heterozygous")
    assert f["clinvar"] == {"class": "P", "stars": 2, "id": 1712}
    assert set(f["acmg"]) == {"class", "points", "criteria"}
    assert f["rule"] == "ACMG SF v3.3 BRCA1 (AD): All P and LP; ClinVar P (2 stars)"
    assert f["sf_list_version"] == "3.3"


def test_consent_gates_everything(bundle_settings: Settings) -> None:
    assert findings(bundle_settings, [BRCA1], consent=False) == []


def test_age__child_gets_only_the_childhood_subset(bundle_settings: Settings) -> None:
    tp53 = v("TP53", 7_673_803, (1,), chrom="chr17", cls="LP", stars=1)
    assert findings(bundle_settings, [BRCA1], age=10) == []
    assert findings(bundle_settings, [BRCA1], age=17.9) == []
    assert [f["gene_symbol"] for f in findings(bundle_settings, [BRCA1], age=18)] == ["BRCA1"]
    [f] = findings(bundle_settings, [BRCA1, tp53], age=10)
    assert f["gene_symbol"] == "TP53"
    assert f["rule"].endswith(
        "proband aged 10 (under 18): reported because TP53 is in the childhood-actionable subset "
        "(surveillance or treatment starts in childhood)"
    )
    [f] = findings(bundle_settings, [BRCA1, tp53], age=None)  # unknown age: the child rules
    assert f["gene_symbol"] == "TP53" and "age not recorded" in f["rule"]


def test_what_counts_as_pathogenic(bundle_settings: Settings) -> None:
    assert findings(bundle_settings, [{**BRCA1, "clinvar_class": "VUS"}]) == []
    assert findings(bundle_settings, [{**BRCA1, "clinvar_stars": 0}]) == []  # no assertion criteria
    assert findings(bundle_settings, [{**BRCA1, "gts": (0,)}]) == []  # not the proband's
    # ACMG alone: a nonsense variant in a LoF-intolerant gene, absent from populations (PVS1 +
    # PM2_Supporting = 9 points, Likely pathogenic), not in ClinVar.
    lof = {**BRCA1, "clinvar_class": None, "clinvar_stars": None, "clinvar_id": None, "consequence": "stop_gained",
           "most_severe": "stop_gained", "loeuf": 0.2, "pop_af": None, "exon": "10/23"}  # fmt: skip
    [f] = findings(bundle_settings, [lof])
    assert f["acmg"] == {"class": "Likely pathogenic", "points": 9, "criteria": ["PVS1", "PM2_Supporting"]}
    assert f["rule"].endswith("ACMG Likely pathogenic (9 points: PVS1, PM2_Supporting)")


def test_classify_fn_is_used(bundle_settings: Settings) -> None:
    seen: list[str] = []

    def fake(row: Mapping[str, Any], candidate: GeneCandidate) -> Acmg:
        seen.append(candidate.moi)
        return Acmg("Pathogenic", 12, ("PS3",))

    [f] = findings(bundle_settings, [{**BRCA1, "clinvar_class": None}], classify_fn=fake)
    assert seen == ["AD"] and f["acmg"]["criteria"] == ["PS3"]


def test_recessive__one_allele_is_a_carrier_two_are_reported(bundle_settings: Settings) -> None:
    a = v("ATP7B", 51_944_100, (1,), chrom="chr13")
    b = v("ATP7B", 51_958_400, (1,), chrom="chr13", cls="LP", stars=1)
    assert findings(bundle_settings, [a]) == []
    two = findings(bundle_settings, [a, b])
    assert [f["pos"] for f in two] == [51_944_100, 51_958_400]
    assert "second P/LP allele chr13:51958400:C:T (phase unknown)" in two[0]["rule"]
    [hom] = findings(bundle_settings, [{**a, "gts": (2,)}])
    assert hom["genotype"] == "homozygous" and hom["rule"].endswith("; homozygous")


def test_recessive__parents_phase_the_pair(bundle_settings: Settings) -> None:
    trans = [
        v("ATP7B", 51_944_100, (1, 1, 0), chrom="chr13"),
        v("ATP7B", 51_958_400, (1, 0, 1), chrom="chr13"),
    ]
    assert all("(in trans)" in f["rule"] for f in findings(bundle_settings, trans, trio()))
    cis = [v("ATP7B", 51_944_100, (1, 0, 1), chrom="chr13"), v("ATP7B", 51_958_400, (1, 0, 1), chrom="chr13")]
    assert findings(bundle_settings, cis, trio()) == []


def test_ttn__truncating_only(bundle_settings: Settings) -> None:
    missense = v("TTN", 178_600_000, (1,), chrom="chr2")
    assert findings(bundle_settings, [missense]) == []
    frameshift = {**missense, "consequence": "frameshift_variant", "most_severe": "frameshift_variant"}
    [f] = findings(bundle_settings, [frameshift])
    assert f["rule"].endswith("; truncating")


def test_hfe__c282y_homozygotes_only(bundle_settings: Settings) -> None:
    c282y = v("HFE", 26_092_913, (1,), chrom="chr6", ref="G", alt="A", hgvs_p="p.Cys282Tyr")
    h63d = v("HFE", 26_091_179, (2,), chrom="chr6", hgvs_p="p.His63Asp")
    assert findings(bundle_settings, [c282y, h63d]) == []
    [f] = findings(bundle_settings, [{**c282y, "gts": (2,)}, h63d])
    assert f["hgvs_p"] == "p.Cys282Tyr" and f["genotype"] == "homozygous"


def test_x_linked__abcd1_needs_two_alleles_gla_any(bundle_settings: Settings) -> None:
    abcd1 = v("ABCD1", 153_724_000, (1,), chrom="chrX")
    gla = v("GLA", 101_398_000, (1,), chrom="chrX")
    assert [f["gene_symbol"] for f in findings(bundle_settings, [abcd1, gla], singleton(Sex.FEMALE))] == [
        "GLA"
    ]
    male = findings(bundle_settings, [abcd1, gla], singleton(Sex.MALE))
    assert [(f["gene_symbol"], f["genotype"]) for f in male] == [
        ("ABCD1", "hemizygous"),
        ("GLA", "hemizygous"),
    ]
