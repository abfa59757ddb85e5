"""Readers of VEP CSQ, SnpEff ANN and bcftools BCSQ annotations.

``data/bcsq.vcf`` is real bcftools csq 1.16 output for variants designed on a toy genome
(``data/make_bcsq.sh`` documents the design and regenerates it); ``data/vep.vcf`` and
``data/snpeff.vcf`` are hand-made in the layouts VEP 110 and SnpEff 5.1 write.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Collection
from pathlib import Path

import pysam
import pytest
from hypothesis import given
from hypothesis import strategies as st

from genopath.annotation.model import TranscriptConsequence, choose
from genopath.annotation.readers import (
    AnnotatedSite,
    AnnotationReader,
    detect,
    iter_annotated,
    vep_allele_strings,
)
from genopath.core.errors import InputError

DATA = Path(__file__).parent / "data"


def _header(path: Path) -> str:
    return "".join(line for line in path.read_text().splitlines(keepends=True) if line.startswith("#"))


def _sites(path: Path, mane_transcripts: Collection[str] = ()) -> dict[tuple[int, str], AnnotatedSite]:
    return {(s.pos, s.alt): s for s in iter_annotated(path, mane_transcripts)}


def _by_transcript(site: AnnotatedSite) -> dict[str | None, TranscriptConsequence]:
    return {c.transcript: c for c in site.consequences}


def _vep_header(fields: str) -> str:
    return f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {fields}">\n'


# --- detect -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"), [("vep.vcf", "vep"), ("snpeff.vcf", "snpeff"), ("bcsq.vcf", "bcftools")]
)
def test_detect__each_annotator(name: str, expected: str) -> None:
    assert detect(_header(DATA / name)) == expected


def test_detect__prefers_vep_then_snpeff_then_bcftools() -> None:
    vep, snpeff, bcsq = (_header(DATA / n) for n in ("vep.vcf", "snpeff.vcf", "bcsq.vcf"))
    assert detect(bcsq + snpeff + vep) == "vep"
    assert detect(bcsq + snpeff) == "snpeff"


def test_detect__none_for_unannotated_or_csq_without_format() -> None:
    assert detect(_header(DATA / "bcsq_input.vcf")) is None
    assert detect('##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequences">\n') is None


def test_from_header__csq_without_format_names_the_problem() -> None:
    with pytest.raises(InputError, match=r"INFO/CSQ at x\.vcf is declared without the field list"):
        AnnotationReader.from_header(
            '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequences">\n', where="x.vcf"
        )


# --- VEP ----------------------------------------------------------------------------------------


def test_vep__insertion_allele_drops_anchor_base_and_mane_wins_though_listed_second() -> None:
    site = _sites(DATA / "vep.vcf")[(43057062, "TG")]
    assert [c.transcript for c in site.consequences] == [
        "ENST00000471181.7",
        "ENST00000357654.9",
        "ENST00000493795.5",
    ]
    chosen = choose(site.consequences)
    assert chosen is not None
    assert chosen.transcript == "ENST00000357654.9"
    assert (chosen.mane_select, chosen.canonical) == (True, True)
    assert chosen.hgvs_c == "ENST00000357654.9:c.5266dup"
    assert chosen.hgvs_p == "ENSP00000350283.3:p.Gln1756ProfsTer74"
    assert (chosen.exon, chosen.intron, chosen.protein_position) == ("19/23", None, 1755)
    assert (chosen.gene_symbol, chosen.gene_id, chosen.biotype) == (
        "BRCA1",
        "ENSG00000012048",
        "protein_coding",
    )
    assert chosen.source == "vep"
    nmd = _by_transcript(site)["ENST00000493795.5"]
    assert nmd.consequences == ("frameshift_variant", "NMD_transcript_variant")
    assert not nmd.mane_select and not nmd.canonical


def test_vep__variant_level_extras_only_non_empty() -> None:
    chosen = choose(_sites(DATA / "vep.vcf")[(43057062, "TG")].consequences)
    assert chosen is not None
    assert dict(chosen.extras) == {
        "gnomADe_AF": "3.98e-05",
        "gnomADg_AF": "1.314e-05",
        "gnomADg_EAS_AF": "0",
        "MAX_AF": "0.0001",
        "CLIN_SIG": "pathogenic",
        "CADD_PHRED": "35",
    }


def test_vep__deletion_allele_is_dash() -> None:
    site = _sites(DATA / "vep.vcf")[(117559590, "A")]
    mane = _by_transcript(site)["ENST00000003084.11"]
    assert mane.consequences == ("inframe_deletion",)
    assert mane.hgvs_p == "ENSP00000003084.6:p.Phe508del"
    assert mane.mane_select
    assert mane.extras["gnomADg_EAS_AF"] == "6.17e-05"
    assert mane.extras["CLIN_SIG"] == "pathogenic&drug_response"


def test_vep__multiallelic_indels_routed_to_their_alt() -> None:
    sites = _sites(DATA / "vep.vcf")
    deletion, insertion = sites[(32340300, "G")], sites[(32340300, "GAA")]
    assert [c.hgvs_c for c in deletion.consequences] == [
        "ENST00000380152.8:c.5946del",
        "ENST00000544455.6:c.5946del",
    ]
    assert [c.hgvs_c for c in insertion.consequences] == ["ENST00000380152.8:c.5946dup"]


def test_vep__multiallelic_snv_and_insertion_keep_full_alleles() -> None:
    sites = _sites(DATA / "vep.vcf")
    snv, insertion = sites[(11796321, "A")], sites[(11796321, "GA")]
    assert [c.consequences for c in snv.consequences] == [("missense_variant",)]
    assert snv.consequences[0].extras["REVEL"] == "0.202"
    assert [c.consequences for c in insertion.consequences] == [("frameshift_variant",)]


def test_vep__hgvs_is_percent_decoded() -> None:
    (consequence,) = _sites(DATA / "vep.vcf")[(43063903, "G")].consequences
    assert consequence.hgvs_p == "ENSP00000350283.3:p.Ser1436="
    assert consequence.consequences == ("synonymous_variant",)


def test_vep__spliceai_fields_go_to_extras() -> None:
    (consequence,) = _sites(DATA / "vep.vcf")[(43082403, "T")].consequences
    assert consequence.intron == "10/22"
    assert consequence.exon is None
    spliceai = {k: v for k, v in consequence.extras.items() if k.startswith("SpliceAI_")}
    assert spliceai["SpliceAI_pred_DS_DL"] == "0.99"
    assert spliceai["SpliceAI_pred_DS_AG"] == "0.01"
    assert len(spliceai) == 9


def test_vep__choose_canonical_over_more_severe_when_no_mane() -> None:
    site = _sites(DATA / "vep.vcf")[(20189000, "A")]
    chosen = choose(site.consequences)
    assert chosen is not None
    assert chosen.transcript == "ENST99900000092.1"
    assert chosen.consequences == ("intron_variant",)
    regulatory = [c for c in site.consequences if c.consequences == ("regulatory_region_variant",)]
    assert [(c.transcript, c.biotype) for c in regulatory] == [(None, "promoter")]


def test_vep__intergenic_entry() -> None:
    (consequence,) = _sites(DATA / "vep.vcf")[(1000000, "C")].consequences
    assert consequence.consequences == ("intergenic_variant",)
    assert (consequence.transcript, consequence.gene_symbol) == (None, None)
    assert dict(consequence.extras) == {"gnomADg_AF": "0.01"}


def test_vep__field_order_read_from_header_when_shuffled() -> None:
    header = _header(DATA / "vep.vcf")
    fields = header.split("Format: ", 1)[1].split('"', 1)[0].split("|")
    shuffled = fields[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled[:2] != fields[:2]
    reader = AnnotationReader.from_header(header)
    shuffled_reader = AnnotationReader.from_header(_vep_header("|".join(shuffled)))
    for record in pysam.VariantFile(str(DATA / "vep.vcf")):
        value = ",".join(record.info["CSQ"])
        entries = [dict(zip(fields, e.split("|"), strict=True)) for e in value.split(",")]
        reordered = ",".join("|".join(e[f] for f in shuffled) for e in entries)
        ref, alts = record.ref or "", list(record.alts or ())
        assert shuffled_reader.parse(reordered, ref, alts) == reader.parse(value, ref, alts)


def test_vep__mane_from_older_mane_field_and_from_caller_list() -> None:
    reader = AnnotationReader.from_header(
        _vep_header("Allele|Consequence|Feature|MANE"), mane_transcripts=["ENST00000000002"]
    )
    (consequences,) = reader.parse(
        "T|missense_variant|ENST00000000001.4|MANE_Select,T|missense_variant|ENST00000000002.1|,"
        "T|missense_variant|ENST00000000003.1|",
        "C",
        ["T"],
    )
    assert [c.mane_select for c in consequences] == [True, True, False]


def test_vep__allele_num_routes_when_alleles_are_not_ensembl_form() -> None:
    # With --minimal VEP writes each ALT's own minimal allele; ALLELE_NUM still names the ALT.
    reader = AnnotationReader.from_header(_vep_header("Allele|Consequence|Feature|ALLELE_NUM"))
    per_alt = reader.parse("-|frameshift_variant|TX1|1,AT|inframe_insertion|TX2|2", "GAT", ["G", "GATAT"])
    assert [[c.transcript for c in alt] for alt in per_alt] == [["TX1"], ["TX2"]]


def test_vep__allele_num_beyond_record_means_split_and_alleles_are_matched() -> None:
    # After `bcftools norm -m-` each split record keeps every entry of the original record.
    reader = AnnotationReader.from_header(_vep_header("Allele|Consequence|Feature|ALLELE_NUM"))
    entries = "G|missense_variant|TX1|1,T|stop_gained|TX2|2"
    assert [c.transcript for c in reader.parse(entries, "C", ["T"])[0]] == ["TX2"]
    assert [c.transcript for c in reader.parse(entries, "C", ["G"])[0]] == ["TX1"]


def test_vep__entry_with_wrong_field_count_raises() -> None:
    reader = AnnotationReader.from_header(_header(DATA / "vep.vcf"))
    with pytest.raises(
        InputError, match=r"INFO/CSQ entry at s\.vcf:chr1:5 has 3 '\|'-separated fields.*lists 91"
    ):
        reader.parse("T|missense_variant|BRCA1", "C", ["T"], where="s.vcf:chr1:5")


def test_vep__format_without_allele_field_raises() -> None:
    with pytest.raises(InputError, match="lacks Allele"):
        AnnotationReader.from_header(_vep_header("Consequence|Feature"))


@pytest.mark.parametrize(
    ("ref", "alts", "expected"),
    [
        ("A", ["G"], ["G"]),  # SNV: unchanged
        ("AT", ["GC"], ["GC"]),  # MNV: unchanged
        ("C", ["CT"], ["T"]),  # insertion
        ("CT", ["C"], ["-"]),  # deletion
        ("A", ["TT"], ["TT"]),  # indel without a shared first base
        ("GA", ["G", "GAA"], ["-", "AA"]),  # all share G
        ("C", ["T", "CT"], ["T", "CT"]),  # first bases differ: nothing trimmed
        ("A", ["AT", "*"], ["T", "*"]),  # '*' ignored for the shared-base test and never trimmed
        ("A", ["C", "*"], ["C", "*"]),  # no length change: not an indel
    ],
)
def test_vep_allele_strings__ensembl_rule(ref: str, alts: list[str], expected: list[str]) -> None:
    assert vep_allele_strings(ref, alts) == expected


_BASES = st.text(alphabet="ACGT", min_size=1, max_size=5)


@given(ref=_BASES, alts=st.lists(_BASES | st.just("*"), min_size=1, max_size=4, unique=True))
def test_vep_allele_strings__round_trip_to_alt_index(ref: str, alts: list[str]) -> None:
    alts = [a for a in alts if a != ref] or ["*"]
    alleles = vep_allele_strings(ref, alts)
    assert len(set(alleles)) == len(alts)
    reader = AnnotationReader.from_header(_vep_header("Allele|Consequence|Feature"))
    entries = [f"{allele}|missense_variant|TX{i}" for i, allele in reversed(list(enumerate(alleles)))]
    per_alt = reader.parse(",".join(entries), ref, alts)
    assert [[c.transcript for c in alt] for alt in per_alt] == [[f"TX{i}"] for i in range(len(alts))]


# --- SnpEff -------------------------------------------------------------------------------------


def test_snpeff__names_mapped_to_so_terms() -> None:
    sites = _sites(DATA / "snpeff.vcf")
    (intergenic,) = sites[(1000000, "C")].consequences
    assert intergenic.consequences == ("intergenic_variant",)
    assert (intergenic.transcript, intergenic.gene_symbol) == (None, "HES4-ISG15")
    cftr = _by_transcript(sites[(117559590, "A")])
    assert cftr["ENST00000003084.11"].consequences == ("inframe_deletion",)
    assert cftr["ENST00000426809.5"].consequences == ("inframe_deletion",)
    (kras,) = sites[(25245320, "CTTT")].consequences
    assert kras.consequences == ("inframe_insertion",)
    assert (kras.hgvs_c, kras.hgvs_p, kras.protein_position) == ("c.72_74dupAAA", "p.Lys25dup", 25)


def test_snpeff__uaug_gain_kept_beside_its_parent_term() -> None:
    uaug, utr, upstream = _sites(DATA / "snpeff.vcf")[(23885620, "C")].consequences
    assert uaug.consequences == ("5_prime_UTR_variant", "5_prime_UTR_premature_start_codon_gain_variant")
    assert uaug.exon == "1/2"
    assert utr.consequences == ("5_prime_UTR_variant",)
    assert upstream.consequences == ("upstream_gene_variant",)
    assert (upstream.exon, upstream.intron) == (None, None)


def test_snpeff__multiallelic_routed_and_cancer_alleles_skipped() -> None:
    sites = _sites(DATA / "snpeff.vcf")
    stop, missense = sites[(43057110, "A")], sites[(43057110, "T")]
    assert [c.hgvs_p for c in stop.consequences] == ["p.Gln1761*", "p.Gln1740*"]
    assert all(c.consequences == ("stop_gained",) for c in stop.consequences)
    assert [c.hgvs_p for c in missense.consequences] == ["p.Gln1740Lys"]  # 'T-A' entry skipped


def test_snpeff__rank_is_intron_only_for_intronic_effects() -> None:
    sites = _sites(DATA / "snpeff.vcf")
    region = _by_transcript(sites[(43063951, "T")])
    intronic, exonic = region["ENST00000357654.9"], region["ENST00000493795.5"]
    assert intronic.consequences == ("splice_region_variant", "intron_variant")
    assert (intronic.exon, intronic.intron) == (None, "13/22")
    assert exonic.consequences == ("splice_region_variant", "synonymous_variant")
    assert (exonic.exon, exonic.intron) == ("12/22", None)
    (donor,) = sites[(43082403, "T")].consequences
    assert (donor.exon, donor.intron, donor.impact) == (None, "10/22", "HIGH")


def test_snpeff__mane_from_caller_list_decides_choice() -> None:
    site = _sites(DATA / "snpeff.vcf")[(43057110, "A")]
    chosen = choose(site.consequences)
    assert chosen is not None
    assert chosen.transcript == "ENST00000357654.9"  # no MANE given: tie broken by transcript ID
    marked = _sites(DATA / "snpeff.vcf", mane_transcripts={"ENST00000471181"})[(43057110, "A")]
    chosen = choose(marked.consequences)
    assert chosen is not None
    assert (chosen.transcript, chosen.mane_select) == ("ENST00000471181.7", True)


def test_snpeff__entry_with_wrong_field_count_raises() -> None:
    reader = AnnotationReader.from_header(_header(DATA / "snpeff.vcf"))
    with pytest.raises(InputError, match=r"INFO/ANN entry at f\.vcf:chr2:9 has 15 '\|'-separated fields"):
        reader.parse("T" + "|" * 14, "C", ["T"], where="f.vcf:chr2:9")


def test_snpeff__unknown_header_layout_raises() -> None:
    header = (
        "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Effect'\">\n"
    )
    with pytest.raises(InputError, match="16-field ANN"):
        AnnotationReader.from_header(header)


# --- bcftools csq -------------------------------------------------------------------------------

_CODONS = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((a, b, c) for a in "TCAG" for b in "TCAG" for c in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
        strict=True,
    )
}
_THREE = {
    "E": "Glu",
    "S": "Ser",
    "P": "Pro",
    "L": "Leu",
    "Q": "Gln",
    "G": "Gly",
    "N": "Asn",
    "K": "Lys",
    "R": "Arg",
}


def _toy_protein(edits: dict[int, tuple[str, str]]) -> str:
    """Translate ENST99900000001 of the toy genome after applying ``{pos: (ref, alt)}`` edits."""
    genome = "".join(DATA.joinpath("toy.fa").read_text().splitlines()[1:])
    cds_exons = [(101, 160), (261, 329)]
    for pos, (ref, alt) in sorted(edits.items(), reverse=True):
        assert genome[pos - 1 : pos - 1 + len(ref)] == ref
        genome = genome[: pos - 1] + alt + genome[pos - 1 + len(ref) :]
        shift = len(alt) - len(ref)
        cds_exons = [(s + (shift if s > pos else 0), e + (shift if e >= pos else 0)) for s, e in cds_exons]
    cds = "".join(genome[s - 1 : e] for s, e in cds_exons) + genome[329:]
    protein = ""
    for i in range(0, len(cds) - 2, 3):
        protein += _CODONS[cds[i : i + 3]]
        if protein.endswith("*"):
            break
    return protein


def test_bcsq__toy_design_translates_as_intended() -> None:
    # Independent check of the designed variants, so the expectations below are not just
    # bcftools' word: codon 5 Gln→stop, codon 10 Pro→Leu, codons 15 Gly→Asn (two SNVs in phase).
    reference = _toy_protein({})
    assert (reference[0], reference[-1], len(reference)) == ("M", "*", 43)
    assert _toy_protein({113: ("C", "T")})[4] == "*"
    assert (reference[9], _toy_protein({129: ("C", "T")})[9]) == ("P", "L")
    assert (reference[14], _toy_protein({143: ("G", "A"), 144: ("G", "A")})[14]) == ("G", "N")
    assert _toy_protein({109: ("G", "A")}) == reference


def test_bcsq__frameshift_hgvs_matches_translation() -> None:
    reference, shifted = _toy_protein({}), _toy_protein({270: ("CC", "C")})
    first = next(i for i, (a, b) in enumerate(zip(reference, shifted, strict=False)) if a != b)
    expected = f"p.{_THREE[reference[first]]}{first + 1}{_THREE[shifted[first]]}fsTer{len(shifted) - first}"
    (consequence,) = _sites(DATA / "bcsq.vcf")[(270, "C")].consequences
    assert consequence.consequences == ("frameshift_variant",)
    assert consequence.hgvs_p == expected == "p.Glu25SerfsTer9"
    assert consequence.protein_position == 25


@pytest.mark.parametrize(
    ("pos", "alt", "terms", "hgvs_p", "protein_position"),
    [
        (109, "A", ("synonymous_variant",), "p.Leu3=", 3),
        (113, "T", ("stop_gained",), "p.Gln5Ter", 5),
        (129, "T", ("missense_variant",), "p.Pro10Leu", 10),
        (143, "A", ("missense_variant",), "p.Gly15Asn", 15),  # the compound call, reported here
        (281, "G", ("inframe_deletion",), None, 28),  # codon 28 (Tyr) deleted; no 3' rule → no HGVS
        (90, "A", ("5_prime_UTR_variant",), None, None),
        (340, "T", ("3_prime_UTR_variant",), None, None),
        (161, "A", ("splice_donor_variant",), None, None),
    ],
)
def test_bcsq__designed_variants(
    pos: int, alt: str, terms: tuple[str, ...], hgvs_p: str | None, protein_position: int | None
) -> None:
    (consequence,) = _sites(DATA / "bcsq.vcf")[(pos, alt)].consequences
    assert consequence.consequences == terms
    assert (consequence.hgvs_p, consequence.protein_position) == (hgvs_p, protein_position)
    assert (consequence.transcript, consequence.gene_symbol) == ("ENST99900000001", "TOY1")
    assert (consequence.biotype, consequence.source, consequence.hgvs_c) == (
        "protein_coding",
        "bcftools",
        None,
    )


def test_bcsq__compound_second_site_and_intergenic_carry_nothing() -> None:
    sites = _sites(DATA / "bcsq.vcf")
    assert sites[(144, "A")].consequences == []  # BCSQ=@143
    assert sites[(30, "T")].consequences == []


def test_bcsq__star_prefix_dropped_and_splice_region_kept() -> None:
    region, missense = _sites(DATA / "bcsq.vcf")[(159, "G")].consequences
    assert region.consequences == ("splice_region_variant",)
    assert (missense.consequences, missense.hgvs_p) == (("missense_variant",), "p.Lys20Arg")
    assert missense.extras["amino_acid_change"] == "20K>20R"


def test_bcsq__intron_and_non_coding() -> None:
    sites = _sites(DATA / "bcsq.vcf")
    (intron,) = sites[(210, "C")].consequences
    assert (intron.consequences, intron.gene_symbol, intron.transcript) == (("intron_variant",), "TOY1", None)
    (lncrna,) = sites[(380, "G")].consequences
    assert (lncrna.consequences, lncrna.biotype) == (("non_coding_transcript_variant",), "lincRNA")


def test_bcsq__mane_from_caller_list_ignores_versions() -> None:
    site = _sites(DATA / "bcsq.vcf", mane_transcripts=["ENST99900000001.2"])[(113, "T")]
    assert site.consequences[0].mane_select


def test_bcsq__multiallelic_record_raises() -> None:
    with pytest.raises(InputError, match=r"bcsq_multiallelic\.vcf:ctg1:129.*bcftools norm -m-"):
        list(iter_annotated(DATA / "bcsq_multiallelic.vcf"))


def test_bcsq__too_many_fields_raises() -> None:
    reader = AnnotationReader.from_header(_header(DATA / "bcsq.vcf"))
    with pytest.raises(InputError, match="has 8 '\\|'-separated fields"):
        reader.parse("missense|G|T|protein_coding|+|1P>1L|1C>T|extra", "C", ["T"])


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_bcsq__fixture_is_what_bcftools_csq_writes(tmp_path: Path) -> None:
    out = tmp_path / "out.vcf"
    subprocess.run(
        ["bcftools", "csq", "-f", "toy.fa", "-g", "toy.gff3", "bcsq_input.vcf", "-o", str(out)],
        cwd=DATA,
        check=True,
        capture_output=True,
    )

    def body(path: Path) -> list[str]:
        return [line for line in path.read_text().splitlines() if not line.startswith("#")]

    assert body(out) == body(DATA / "bcsq.vcf")


# --- iter_annotated -----------------------------------------------------------------------------


def test_iter_annotated__unannotated_file_raises_naming_it() -> None:
    with pytest.raises(
        InputError, match=r"bcsq_input\.vcf has no CSQ, ANN or BCSQ INFO field.*genopath annotate"
    ):
        list(iter_annotated(DATA / "bcsq_input.vcf"))


def test_iter_annotated__missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read VCF"):
        list(iter_annotated(tmp_path / "absent.vcf"))


def test_iter_annotated__bgzipped_vcf_one_site_per_alt(tmp_path: Path) -> None:
    compressed = tmp_path / "vep.vcf.gz"
    pysam.tabix_compress(str(DATA / "vep.vcf"), str(compressed))
    sites = list(iter_annotated(compressed))
    assert len(sites) == 10  # 8 records, two of them with two ALTs
    assert [(s.chrom, s.pos, s.ref, s.alt) for s in sites[:3]] == [
        ("chr1", 1000000, "A", "C"),
        ("chr1", 11796321, "G", "A"),
        ("chr1", 11796321, "G", "GA"),
    ]
