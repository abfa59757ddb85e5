"""``genopath annotate`` end to end on the demo bundle, with facts checked against the literature.

Expected values are published BRCA1 nomenclature (NM_007294.4) and ClinVar variation IDs, not
output of the code: c.68_69del p.Glu23ValfsTer17 (185delAG, VCV 17662), c.5266dup
p.Gln1756ProfsTer74 (5382insC, VCV 17677), c.181T>G p.Cys61Gly (VCV 17661) with the other
pathogenic changes of Cys61 (p.Cys61Tyr 54364, p.Cys61Arg 54360, p.Cys61Ser 54359).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from genopath.annotation import readers
from genopath.annotation.consequence import Change
from genopath.annotation.pipeline import Site, VariantAnnotator, read_provenance
from genopath.annotation.run import annotate_vcf
from genopath.annotation.sources import load_sources, open_reference
from genopath.annotation.transcripts import Transcript
from genopath.cli.main import app
from genopath.core.errors import InputError
from genopath.core.settings import Settings
from genopath.resources import ResourceMissing
from tests.annotation.conftest import write_vcf

KNOWN = [
    ("chr17", 43124027, "ACT", "A"),
    ("chr17", 43057062, "T", "TG"),
    ("chr17", 43106487, "A", "C"),
]


def rows(path: Path) -> dict[tuple[str, int, str, str], dict]:
    return {(r["chrom"], r["pos"], r["ref"], r["alt"]): r for r in pq.read_table(path).to_pylist()}


def test_known_brca1_variants(annotated_home: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(tmp_path / "in.vcf", KNOWN)
    result = annotate_vcf(annotated_home, vcf, tmp_path / "out.parquet")
    got = rows(result.out)
    r = got[("chr17", 43124027, "ACT", "A")]
    assert (r["gene_symbol"], r["transcript"], r["refseq_transcript"]) == (
        "BRCA1",
        "ENST00000357654.9",
        "NM_007294.4",
    )
    assert (r["most_severe"], r["impact"], r["hgvs_c"], r["hgvs_p"]) == (
        "frameshift_variant", "HIGH", "c.68_69del", "p.Glu23ValfsTer17"
    )  # fmt: skip
    assert (r["clinvar_id"], r["clinvar_class"]) == (17662, "P")
    r = got[("chr17", 43057062, "T", "TG")]
    assert (r["hgvs_c"], r["hgvs_p"], r["clinvar_id"]) == ("c.5266dup", "p.Gln1756ProfsTer74", 17677)
    r = got[("chr17", 43106487, "A", "C")]
    assert (r["most_severe"], r["hgvs_c"], r["hgvs_p"], r["clinvar_id"]) == (
        "missense_variant", "c.181T>G", "p.Cys61Gly", 17661
    )  # fmt: skip
    assert r["loeuf"] is not None and r["pli"] is not None  # gnomAD constraint joined
    # residue level (PM5): the other pathogenic changes of Cys61, not the variant itself
    ids = sorted(int(x.rsplit("|", 1)[1]) for x in r["clinvar_same_codon"])
    assert ids == [54359, 54360, 54364]
    assert r["clinvar_same_aa"] == []
    meta = read_provenance(result.out)
    assert meta["genopath_version"]
    assert meta["resources"]["mane"] == "1.5" and meta["resources"]["clinvar"] == "2026-02-26"


def test_contig_naming_without_chr_gives_the_same_keys(annotated_home: Settings, tmp_path: Path) -> None:
    bare = [(c.removeprefix("chr"), p, r, a) for c, p, r, a in KNOWN]
    a = annotate_vcf(annotated_home, write_vcf(tmp_path / "a.vcf", KNOWN), tmp_path / "a.parquet")
    b = annotate_vcf(
        annotated_home, write_vcf(tmp_path / "b.vcf", bare, {"17": 83257441}), tmp_path / "b.parquet"
    )
    ta, tb = pq.read_table(a.out), pq.read_table(b.out)
    assert ta.select(["chrom", "pos", "ref", "alt", "hgvs_c"]).equals(
        tb.select(["chrom", "pos", "ref", "alt", "hgvs_c"])
    )


def test_indels_are_left_normalised_and_distinct_variants_kept_once(
    annotated_home: Settings, tmp_path: Path
) -> None:
    # The reference at 43057062..43057065 is TGGG (c.5266dup inserts a G into a G run), so the
    # same insertion written at the run's end must normalise to the left-most anchor.
    records = [("chr17", 43057062, "T", "TG"), ("chr17", 43057065, "G", "GG"), ("chr17", 43057062, "T", "TG")]
    result = annotate_vcf(annotated_home, write_vcf(tmp_path / "n.vcf", records), tmp_path / "n.parquet")
    got = rows(result.out)
    assert list(got) == [("chr17", 43057062, "T", "TG")]
    assert result.summary.records == 3 and result.summary.variants == 1


def test_ref_mismatch_is_flagged_and_counted_not_fatal(annotated_home: Settings, tmp_path: Path) -> None:
    # chr17:43106487 is A on GRCh38; claim it is T
    records = [("chr17", 43106487, "T", "C"), ("chr17", 43124027, "ACT", "A")]
    result = annotate_vcf(annotated_home, write_vcf(tmp_path / "m.vcf", records), tmp_path / "m.parquet")
    got = rows(result.out)
    bad = got[("chr17", 43106487, "T", "C")]
    assert bad["ref_mismatch"] is True and bad["sequence_available"] is False
    assert bad["most_severe"] == "coding_sequence_variant" and bad["hgvs_p"] is None
    assert got[("chr17", 43124027, "ACT", "A")]["ref_mismatch"] is False
    assert result.summary.ref_mismatch == 1


def test_no_sequence_outside_the_fasta_falls_back(annotated_home: Settings, tmp_path: Path) -> None:
    # TP53 (chr17:7.66 Mb) lies outside the BRCA1 slice: a CDS SNV needs sequence, a 1-bp deletion does not
    records = [("chr17", 7674220, "C", "T"), ("chr17", 7674219, "GC", "G")]
    result = annotate_vcf(annotated_home, write_vcf(tmp_path / "t.vcf", records), tmp_path / "t.parquet")
    got = rows(result.out)
    snv, dele = got[("chr17", 7674220, "C", "T")], got[("chr17", 7674219, "GC", "G")]
    assert snv["gene_symbol"] == "TP53" and snv["most_severe"] == "coding_sequence_variant"
    assert snv["sequence_available"] is False and snv["ref_mismatch"] is False
    assert dele["most_severe"] == "frameshift_variant"
    assert result.summary.without_sequence == 2


def test_grch37_input_is_refused(annotated_home: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(tmp_path / "b37.vcf", [("17", 41245466, "G", "A")], {"17": 81195210})
    with pytest.raises(InputError, match="GRCh37"):
        annotate_vcf(annotated_home, vcf, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()
    hdr = write_vcf(tmp_path / "hg19.vcf", [("chr17", 1, "G", "A")], {}, "##reference=file:///refs/hg19.fa")
    with pytest.raises(InputError, match="GRCh37"):
        annotate_vcf(annotated_home, hdr, tmp_path / "out.parquet")


def test_missing_resource_names_the_command(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "empty")
    vcf = write_vcf(tmp_path / "x.vcf", KNOWN)
    with pytest.raises(ResourceMissing, match="genopath resources"):
        annotate_vcf(settings, vcf, tmp_path / "out.parquet")


def test_truncated_input_fails_cleanly(annotated_home: Settings, tmp_path: Path) -> None:
    import gzip

    body = [("chr17", 43000000 + i, "A", "G") for i in range(20000)]
    data = gzip.compress(write_vcf(tmp_path / "x.vcf", body).read_bytes())
    bad = tmp_path / "cut.vcf.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        annotate_vcf(annotated_home, bad, tmp_path / "out.parquet")
    assert not list(tmp_path.glob("*out.parquet*"))


def test_vcf_output_carries_a_csq_field_readable_as_vep(annotated_home: Settings, tmp_path: Path) -> None:
    result = annotate_vcf(annotated_home, write_vcf(tmp_path / "in.vcf", KNOWN), tmp_path / "out.vcf.gz")
    sites = list(readers.iter_annotated(result.out))
    by_pos = {s.pos: s for s in sites}
    c = by_pos[43106487].consequences[0]
    assert c.hgvs_p == "p.Cys61Gly" and c.mane_select and c.gene_symbol == "BRCA1"
    assert c.consequences == ("missense_variant",)


def test_pre_annotated_vep_file_is_read_not_recomputed(annotated_home: Settings, tmp_path: Path) -> None:
    vep = Path(__file__).parent / "data" / "vep.vcf"
    result = annotate_vcf(annotated_home, vep, tmp_path / "vep.parquet")
    table = pq.read_table(result.out)
    assert set(table.column("annotation_source").to_pylist()) == {"vep"}
    assert result.summary.source == "vep"


def test_vcf_output_of_a_vep_file_keeps_its_csq(annotated_home: Settings, tmp_path: Path) -> None:
    vep = Path(__file__).parent / "data" / "vep.vcf"
    result = annotate_vcf(annotated_home, vep, tmp_path / "vep.out.vcf")
    header = [line for line in result.out.read_text().splitlines() if line.startswith("##INFO=<ID=")]
    assert sum(line.startswith("##INFO=<ID=CSQ,") for line in header) == 1
    assert sum(line.startswith("##INFO=<ID=GENOPATH_CSQ,") for line in header) == 1


def test_local_cohort_frequencies_are_joined(annotated_home: Settings, tmp_path: Path) -> None:
    settings = annotated_home
    sites = settings.home / "population" / "sites.parquet"
    sites.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table({"chrom": ["chr17"], "pos": [43106487], "ref": ["A"], "alt": ["C"], "ac": [3], "an": [200]}),
        sites,
    )
    try:
        result = annotate_vcf(settings, write_vcf(tmp_path / "c.vcf", KNOWN), tmp_path / "c.parquet")
        r = rows(result.out)[("chr17", 43106487, "A", "C")]
        assert (r["local_ac"], r["local_an"], r["local_af"]) == (3, 200, 0.015)
        assert "local_cohort" in result.provenance["resources"]
    finally:
        sites.unlink()


def test_cli_annotate(annotated_home: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(tmp_path / "in.vcf", KNOWN)
    out = tmp_path / "cli.parquet"
    res = CliRunner().invoke(
        app, ["--home", str(annotated_home.home), "annotate", str(vcf), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "annotated 3 distinct variants" in res.output
    assert json.loads(pq.read_schema(out).metadata[b"genopath"])["summary"]["variants"] == 3
    bad = CliRunner().invoke(app, ["--home", str(tmp_path / "none"), "annotate", str(vcf), "--out", str(out)])
    assert bad.exit_code == 2 and "genopath resources" in bad.output


def _mirror() -> Path:
    import os

    env = os.environ.get("GENOPATH_RESOURCE_MIRROR")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def test_gene_disease_links_from_hpo_annotations() -> None:
    from genopath.annotation.knowledge import load_gene_diseases

    g2p = _mirror() / "hpo" / "genes_to_phenotype.txt.gz"
    if not g2p.exists():
        pytest.skip(f"HPO annotations not in the reference-data mirror ({g2p}); set GENOPATH_RESOURCE_MIRROR")
    links = load_gene_diseases(g2p)
    # BRCA1: hereditary breast-ovarian cancer (OMIM 604370) and Fanconi anaemia FA-S (OMIM 617883)
    assert {"OMIM:604370", "OMIM:617883"} <= set(links["BRCA1"])
    assert "OMIM:191100" in links["TSC1"]  # tuberous sclerosis 1


def _vep_vcf(path: Path, records: list[tuple[str, int, str, str, dict[str, str]]]) -> Path:
    """A VCF with the header of ``data/vep.vcf`` and one VEP CSQ entry per record."""
    header = [
        line
        for line in (Path(__file__).parent / "data" / "vep.vcf").read_text().splitlines()
        if line.startswith("#")
    ]
    fmt = next(line for line in header if line.startswith("##INFO=<ID=CSQ,"))
    fields = fmt.split("Format: ", 1)[1].split('"', 1)[0].split("|")
    body = []
    for chrom, pos, ref, alt, values in records:
        csq = "|".join(values.get(f, "") for f in fields)
        body.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tCSQ={csq}")
    path.write_text("\n".join(header + body) + "\n")
    return path


def test_pre_annotated_missense_gets_clinvar_residue_matches(
    annotated_home: Settings, tmp_path: Path
) -> None:
    # BRCA1 c.181T>G p.Cys61Gly annotated by VEP: the other pathogenic changes of Cys61
    # (ClinVar 54359, 54360, 54364) are PM5 evidence whoever annotated the variant
    brca1 = {"Gene": "ENSG00000012048", "SYMBOL": "BRCA1", "Feature_type": "Transcript", "BIOTYPE": "protein_coding",
             "Feature": "ENST00000357654.9", "MANE_SELECT": "NM_007294.4", "CANONICAL": "YES"}  # fmt: skip
    vcf = _vep_vcf(
        tmp_path / "vep_missense.vcf",
        [
            ("chr17", 43106487, "A", "C", {**brca1, "Allele": "C", "Consequence": "missense_variant",
                                           "IMPACT": "MODERATE", "HGVSp": "ENSP00000350283.3:p.Cys61Gly"}),
            ("chr17", 43106487, "A", "G", {**brca1, "Allele": "G", "Consequence": "synonymous_variant",
                                           "IMPACT": "LOW"}),
        ],
    )  # fmt: skip
    result = annotate_vcf(annotated_home, vcf, tmp_path / "vep_missense.parquet")
    got = rows(result.out)
    r = got[("chr17", 43106487, "A", "C")]
    assert r["annotation_source"] == "vep" and r["hgvs_p"] == "ENSP00000350283.3:p.Cys61Gly"
    assert sorted(int(x.rsplit("|", 1)[1]) for x in r["clinvar_same_codon"]) == [54359, 54360, 54364]
    assert r["clinvar_same_aa"] == []
    # residue matches are only sought for a variant the file calls missense (this one is
    # labelled synonymous here although A>G is c.181T>C p.Cys61Arg)
    r = got[("chr17", 43106487, "A", "G")]
    assert r["clinvar_same_aa"] == [] and r["clinvar_same_codon"] == []


def test_residue_matches_are_computed_per_transcript(annotated_home: Settings) -> None:
    # Two transcripts over one codon: BRCA1's MANE transcript, and a copy whose CDS starts one
    # codon later (so Cys61 is its residue 60). The ClinVar P/LP changes of that codon
    # (54359, 54360, 54364) must be found on both, each with its own protein numbering,
    # whichever transcript was asked first.
    reference, version = open_reference(annotated_home, None)
    sources = load_sources(annotated_home, {"chr17"}, reference, version)
    (brca1,) = (t for t in sources.transcripts.near("chr17", 43106486, 43106487) if t.gene_symbol == "BRCA1")
    assert brca1.strand < 0 and brca1.cds_end is not None
    shifted = dataclasses.replace(
        brca1, transcript_id="ENST_TEST_SHIFTED.1", exons=list(brca1.exons), cds_end=brca1.cds_end - 3,
        sequence_cache={},
    )  # fmt: skip
    site = Site("chr17", 43106487, "A", "C", Change.from_vcf(43106487, "A", "C"))  # c.181T>G p.Cys61Gly

    def matches(annotator: VariantAnnotator, tx: Transcript) -> list[str]:
        res = annotator.annotator.consequence(tx, "chr17", site.change)
        assert res is not None and "missense_variant" in res.terms
        same_aa, same_codon = annotator._residue_matches(site, tx, res)
        assert same_aa == []
        return same_codon

    shared = VariantAnnotator(sources)
    on_brca1, on_shifted = matches(shared, brca1), matches(shared, shifted)
    assert on_shifted == matches(VariantAnnotator(sources), shifted)
    reverse = VariantAnnotator(sources)  # the other order
    assert (matches(reverse, shifted), matches(reverse, brca1)) == (on_shifted, on_brca1)
    for labels, residue in ((on_brca1, "Cys61"), (on_shifted, "Cys60")):
        assert sorted(int(x.rsplit("|", 1)[1]) for x in labels) == [54359, 54360, 54364]
        assert all(f"p.{residue}" in x.split("|")[1] for x in labels), labels
