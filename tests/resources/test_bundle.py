"""Building the demo bundle: contracted tables, counts checked against the bundle's own text files."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from genopath.core.settings import Settings
from genopath.resources import InstalledResource, bundle_path, installed, require, versions
from genopath.resources.builders.genes import ACMG_COLUMNS, EXON_COLUMNS, TRANSCRIPT_COLUMNS
from genopath.resources.contigs import chrom_sort_key

BUNDLE = bundle_path()
Home = tuple[Settings, dict[str, InstalledResource]]


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def _vcf_alleles(path: Path) -> int:
    """ALT alleles in a VCF, counted from its text: ALT '.' and symbolic alleles skipped."""
    count = 0
    for line in _lines(path):
        if not line.startswith("#"):
            alts = line.split("\t")[4]
            count += sum(1 for a in alts.split(",") if a != "." and not a.startswith("<"))
    return count


def test_bundle__manifest_pins_every_file_and_stays_small() -> None:
    manifest = json.loads((BUNDLE / "MANIFEST.json").read_text())
    files = {p.relative_to(BUNDLE).as_posix() for p in BUNDLE.rglob("*") if p.is_file()}
    # The pharmacogene files are pinned through pgx-cpic/SHA256SUMS, itself pinned in the manifest.
    sums = (BUNDLE / "pgx-cpic" / "SHA256SUMS").read_text().splitlines()
    listed = {f"pgx-cpic/{line.split()[1]}": line.split()[0] for line in sums}
    for path, digest in listed.items():
        assert hashlib.sha256((BUNDLE / path).read_bytes()).hexdigest() == digest, path
    assert files - {"MANIFEST.json", "README.md"} - set(listed) == {f["path"] for f in manifest["files"]}
    for entry in manifest["files"]:
        data = (BUNDLE / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        assert entry["derived_from"] and entry["subset"]
    assert sum((BUNDLE / f).stat().st_size for f in files) < 10_000_000
    assert "hpo" not in manifest["resources"] and "hpo" in manifest["not_included"]
    genes = set(manifest["genes"])
    assert {"BRCA1", "BRCA2", "NBR1", "RND2"} <= genes and 250 <= len(genes) <= 450


def test_bundle__installs_every_resource_flagged_as_demo(bundle_home: Home) -> None:
    settings, built = bundle_home
    assert set(built) == {
        "mane",
        "gencode",
        "clinvar",
        "clinvar_2star",
        "constraint",
        "panelapp",
        "pgx",
        "acmg_sf",
        "reference",
    }
    assert installed(settings) == built
    assert all(r.subset == "demo bundle" for r in built.values())
    assert versions(settings, ["clinvar", "mane", "constraint"]) == {
        "clinvar": "2026-02-26",
        "mane": "1.5",
        "constraint": "gnomAD-4.1",
    }
    record = json.loads((require(settings, "clinvar").path / "resource.json").read_text())
    assert record["subset"] == "demo bundle" and record["licence"].startswith("public domain")
    assert {s["path"] for s in record["sources"]} == {
        "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz",
        "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz.tbi",
    }


def test_mane__exons_match_the_tsv_and_brca1_has_22_coding_exons(bundle_home: Home) -> None:
    _, built = bundle_home
    exons = pq.read_table(built["mane"].path / "exons.parquet")
    assert tuple(exons.column_names) == EXON_COLUMNS
    source = _lines(BUNDLE / "mane-gencode/mane_select_v1.5_grch38_exons_cds.tsv.gz")
    assert exons.num_rows == len(source) - 1
    assert str(exons.schema.field("cds_start0").type) == "int64"
    assert str(exons.schema.field("ncbi_gene_id").type) == "int64"
    rows = exons.to_pylist()
    brca1 = [r for r in rows if r["gene_symbol"] == "BRCA1"]
    # NM_007294.4: 23 exons, the first wholly 5' UTR.
    assert len(brca1) == 23 and sum(r["cds_start0"] is not None for r in brca1) == 22
    assert {r["refseq_transcript"] for r in brca1} == {"NM_007294.4"}
    keys = [(chrom_sort_key(r["chrom"]), r["ensembl_transcript"], r["exon_start0"]) for r in rows]
    assert keys == sorted(keys)


def test_mane__transcripts_span_their_exons_and_cds_is_whole_codons(bundle_home: Home) -> None:
    _, built = bundle_home
    transcripts = pq.read_table(built["mane"].path / "transcripts.parquet")
    assert tuple(transcripts.column_names) == TRANSCRIPT_COLUMNS
    exons = pq.read_table(built["mane"].path / "exons.parquet").to_pylist()
    by_tx: dict[str, list[dict[str, object]]] = {}
    for e in exons:
        by_tx.setdefault(str(e["ensembl_transcript"]), []).append(e)
    assert transcripts.num_rows == len(by_tx)
    for t in transcripts.to_pylist():
        mine = by_tx[t["ensembl_transcript"]]
        assert t["exon_count"] == len(mine)
        assert t["tx_start0"] == min(e["exon_start0"] for e in mine)  # type: ignore[type-var]
        cds = sum(e["cds_end"] - e["cds_start0"] for e in mine if e["cds_start0"] is not None)  # type: ignore[operator]
        assert cds % 3 == 0, t["ensembl_transcript"]
    brca1 = next(t for t in transcripts.to_pylist() if t["gene_symbol"] == "BRCA1")
    # The stop codon chr17:43,045,678-43,045,680 (minus strand) is inside the CDS interval.
    assert brca1["cds_start0"] == 43045677 and brca1["strand"] == "-"


def test_clinvar__one_row_per_allele_chr_prefixed_and_sorted(bundle_home: Home) -> None:
    _, built = bundle_home
    table = pq.read_table(built["clinvar"].path / "variants.parquet")
    vcf = BUNDLE / "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz"
    assert table.num_rows == _vcf_alleles(vcf)
    rows = table.to_pylist()
    assert all(r["chrom"].startswith("chr") for r in rows)
    keys = [(chrom_sort_key(r["chrom"]), r["pos"]) for r in rows]
    assert keys == sorted(keys)
    text_p = sum(
        1
        for f in (line.split("\t") for line in _lines(vcf) if not line.startswith("#"))
        if f[4] != "." and "CLNSIG=Pathogenic" in f[7].split(";")
    )
    assert Counter(r["significance"] for r in rows)["Pathogenic"] == text_p
    assert {r["sig_class"] for r in rows} <= {"P", "LP", "VUS", "LB", "B", "conflicting", "other"}
    brca1_p = next(r for r in rows if r["gene_symbol"] == "BRCA1" and r["sig_class"] == "P" and r["mc"])
    assert isinstance(brca1_p["mc"], list) and all(
        "|" not in m and not m.startswith("SO:") for m in brca1_p["mc"]
    )
    expert = [r for r in rows if r["review_status"] == "reviewed by expert panel"]
    assert expert and {r["stars"] for r in expert} == {3}


def test_clinvar_2star__both_files_and_star_levels(bundle_home: Home) -> None:
    _, built = bundle_home
    table = pq.read_table(built["clinvar_2star"].path / "variants.parquet").to_pylist()
    expected = sum(
        _vcf_alleles(BUNDLE / f"clinvar/clinvar_20200803_grch38_{k}_2star.vcf.gz")
        for k in ("pathogenic", "benign")
    )
    assert len(table) == expected
    assert {r["stars"] for r in table} <= {2, 3, 4}
    assert {r["sig_class"] for r in table} <= {"P", "LP", "LB", "B", "other"}
    chroms = {r["chrom"] for r in table}
    assert all(c.startswith("chr") for c in chroms) and "chrMT" not in chroms


def test_constraint_panelapp_acmg__contract_columns_and_counts(bundle_home: Home) -> None:
    _, built = bundle_home
    constraint = pq.read_table(built["constraint"].path / "genes.parquet")
    assert constraint.column_names == [
        "ensembl_gene", "ensembl_transcript", "gene_symbol", "hgnc_id", "pli", "loeuf", "oe_lof",
        "oe_lof_lower", "oe_mis", "mis_z",
    ]  # fmt: skip
    assert (
        constraint.num_rows
        == len(_lines(BUNDLE / "gnomad-constraint/gnomad_v4.1_constraint_mane_select.csv.gz")) - 1
    )
    brca1 = next(r for r in constraint.to_pylist() if r["gene_symbol"] == "BRCA1")
    assert brca1["hgnc_id"] == "HGNC:1100" and brca1["ensembl_gene"] == "ENSG00000012048"

    genes = pq.read_table(built["panelapp"].path / "panel_genes.parquet")
    panels = pq.read_table(built["panelapp"].path / "panels.parquet").to_pylist()
    core = _lines(BUNDLE / "panelapp/panelapp_ge_gene_panels_core.tsv.gz")
    assert genes.num_rows == len(core) - 1
    assert sum(p["gene_count"] for p in panels) == genes.num_rows
    by_id = {p["panel_id"]: p for p in panels}
    assert by_id[245]["version"] is not None and by_id[657]["version"] is None  # 657 has no API record
    rows = genes.to_pylist()
    assert {r["confidence"] for r in rows} <= {0, 1, 2, 3}
    autism = [r for r in rows if r["panel_id"] == 657]
    assert autism and all(r["moi_detail"] is None for r in autism) and any(r["hgnc_id"] for r in autism)

    acmg = pq.read_table(built["acmg_sf"].path / "genes.parquet")
    assert tuple(acmg.column_names) == ACMG_COLUMNS
    assert acmg.num_rows == 100 and len(set(acmg.column("gene_symbol").to_pylist())) == 84
    assert str(acmg.schema.field("ncbi_gene_id").type) == "int64"
    assert str(acmg.schema.field("sf_list_version").type) == "string"


def test_reference__slice_contigs(bundle_home: Home) -> None:
    _, built = bundle_home
    contigs = json.loads((built["reference"].path / "contigs.json").read_text())
    assert contigs == [
        {"name": "chr17_42425000_43600000", "length": 1175001, "chrom": "chr17", "offset": 42424999}
    ]
    for name in ("genome.fa.gz", "genome.fa.gz.fai", "genome.fa.gz.gzi"):
        assert (built["reference"].path / name).is_file()


@pytest.mark.parametrize("name", ["mane", "clinvar"])
def test_bundle__a_tampered_file_is_refused(tmp_path: Path, name: str) -> None:
    import shutil

    from genopath.resources import ChecksumError, build_resources

    copy = tmp_path / "bundle"
    shutil.copytree(BUNDLE, copy)
    target = next(
        copy / f["path"]
        for f in json.loads((BUNDLE / "MANIFEST.json").read_text())["files"]
        if f["path"].endswith(("exons_cds.tsv.gz", "cancer_genes.vcf.gz"))
        and (name == "mane") == ("mane" in f["path"])
    )
    target.write_bytes(target.read_bytes() + b"\0")
    with pytest.raises(ChecksumError, match=target.name):
        build_resources(Settings(home=tmp_path / "home"), [name], source=copy)
    assert not (tmp_path / "home" / "resources" / name / "current.json").exists()
