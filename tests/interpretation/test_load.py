"""``interpretation.load``: a family VCF in, candidates and a filter trace out.

Hand-made VEP/SnpEff/bcftools-annotated trio VCFs exercise each stage with the reason it must
give; multi-allelic splitting is compared with ``bcftools norm -m -any`` (an independent tool);
the unannotated path runs the built-in annotator on the bundle's BRCA1 slice, checked against
published BRCA1 nomenclature (NM_007294.4: c.68_69del, c.181T>G p.Cys61Gly) and ClinVar.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.annotation import transcripts
from genopath.annotation.pipeline import SCHEMA
from genopath.annotation.reference import Reference
from genopath.core.errors import InputError, PedigreeError
from genopath.core.settings import Settings
from genopath.interpretation.load import Loaded, QualityThresholds, build_family, load_family
from genopath.interpretation.model import (
    EXTRA_COLUMNS,
    GENOTYPE_FIELDS,
    TRACE_SCHEMA,
    Family,
    genotype_column,
)
from genopath.registry.pedigree import parse_ped
from genopath.resources import require
from genopath.resources.contigs import GRCH37_LENGTHS, GRCH38_LENGTHS

CSQ_FIELDS = (
    "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
    "Protein_position|Amino_acids|MANE_SELECT|CANONICAL|MAX_AF|gnomADg_AF|gnomADg_EAS_AF|CLIN_SIG"
)
CSQ_HEADER = (
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
    f'Format: {CSQ_FIELDS}">'
)
ANN_HEADER = (
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | "
    "Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | "
    "HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
    "ERRORS / WARNINGS / INFO' \">"
)
BCSQ_HEADER = (
    '##INFO=<ID=BCSQ,Number=.,Type=String,Description="Haplotype-aware consequence annotation from BCFtools. '
    'Format: Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change">'
)
TRIO_PED = "F1\tKID\tDAD\tMUM\t1\t2\nF1\tDAD\t0\t0\t1\t1\nF1\tMUM\t0\t0\t2\t1\n"
SAMPLES = ("KID", "DAD", "MUM")
HOM_REF = "0/0:30,0:30:60"
HET = "0/1:15,15:30:60"

Key = tuple[str, int, str, str]


def csq(allele: str, consequence: str, *, gene: str = "GENE1", gnomadg: str = "", max_af: str = "") -> str:
    """One VEP CSQ entry in :data:`CSQ_FIELDS` order, on a MANE Select transcript."""
    impact = "MODERATE" if "missense" in consequence else "MODIFIER"
    fields = [allele, consequence, impact, gene, "ENSG00000000001", "Transcript", "ENST00000000001.1",
              "protein_coding", "", "", "", "", "", "", "NM_000001.1", "YES", max_af, gnomadg, "", ""]  # fmt: skip
    return "|".join(fields)


def record(
    chrom: str,
    pos: int,
    ref: str,
    alt: str,
    calls: Sequence[str],
    *,
    info: str = ".",
    filt: str = "PASS",
    fmt: str = "GT:AD:DP:GQ",
) -> str:
    return "\t".join([chrom, str(pos), ".", ref, alt, "50", filt, info, fmt, *calls])


def write_vcf(
    path: Path,
    records: Sequence[str],
    *,
    header: Sequence[str] = (CSQ_HEADER,),
    samples: Sequence[str] = SAMPLES,
    contigs: dict[str, int] | None = None,
) -> Path:
    contigs = (
        contigs if contigs is not None else {"chr1": GRCH38_LENGTHS["chr1"], "chr17": GRCH38_LENGTHS["chr17"]}
    )
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    lines += [f"##contig=<ID={c},length={n}>" for c, n in contigs.items()]
    lines += [
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Allele number">',
        *header,
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]),
        *records,
    ]
    text = "\n".join(lines) + "\n"
    if path.name.endswith(".gz"):
        subprocess.run(["bgzip", "-c"], input=text.encode(), stdout=path.open("wb"), check=True)
    else:
        path.write_text(text)
    return path


def trio(samples: Sequence[str] = SAMPLES) -> Family:
    return build_family(parse_ped(TRIO_PED), samples)


def key(row: dict[str, Any]) -> Key:
    return (row["chrom"], row["pos"], row["ref"], row["alt"])


def reasons(trace: pa.Table) -> dict[Key, tuple[str, str]]:
    return {key(r): (r["stage"], r["reason"]) for r in trace.to_pylist()}


def candidates(loaded: Loaded) -> dict[Key, dict[str, Any]]:
    return {key(r): r for r in loaded.candidates.to_pylist()}


# ---------------------------------------------------------------------------------------------
# the family


def test_build_family__trio_proband_first_and_unsequenced_members() -> None:
    ped = parse_ped(TRIO_PED + "F1\tSIB\tDAD\tMUM\t2\t1\n")
    family = build_family(ped, ["MUM", "KID", "DAD"])
    assert family.proband == "KID"
    assert [m.individual_id for m in family.sequenced] == ["KID", "DAD", "MUM"]
    assert family.member("SIB").sample is None and family.structure == "trio"


def test_build_family__vcf_sample_not_in_ped_is_named() -> None:
    with pytest.raises(InputError, match="NA12878"):
        build_family(parse_ped(TRIO_PED), ["KID", "DAD", "NA12878"])


def test_build_family__proband_must_be_sequenced_and_affected() -> None:
    with pytest.raises(InputError, match=r"proband KID .*not a sample of the VCF"):
        build_family(parse_ped(TRIO_PED), ["DAD", "MUM"])
    with pytest.raises(PedigreeError, match=r"proband DAD .*unaffected"):
        build_family(parse_ped(TRIO_PED), SAMPLES, proband="DAD")


def test_build_family__several_families_need_a_chosen_proband() -> None:
    ped = parse_ped(TRIO_PED + "F2\tP2\t0\t0\t2\t2\n")
    with pytest.raises(PedigreeError, match=r"2 families .*F1, F2.*--proband"):
        build_family(ped, ["KID", "DAD", "MUM", "P2"])
    family = build_family(ped, ["KID", "DAD", "MUM", "P2"], proband="F2:P2")
    assert (family.family_id, family.proband, len(family.sequenced)) == ("F2", "P2", 1)
    with pytest.raises(PedigreeError, match="NOBODY is not in the PED"):
        build_family(ped, ["KID"], proband="NOBODY")


# ---------------------------------------------------------------------------------------------
# the stages


def test_load__each_stage_removes_its_variant_with_a_reason(
    bundle_settings: Settings, tmp_path: Path
) -> None:
    rare = csq("T", "missense_variant", gnomadg="0.0001")
    vcf = write_vcf(
        tmp_path / "trio.vcf.gz",
        [
            record("chr1", 1000, "C", "T", [HET, HOM_REF, HOM_REF], info=f"CSQ={rare}"),
            record("chr1", 1100, "C", "T", [HOM_REF, HET, HOM_REF], info=f"CSQ={rare}"),  # father only
            record("chr1", 1200, "C", "T", [HET, HOM_REF, HOM_REF], info=f"CSQ={rare}", filt="LowQual"),
            record("chr1", 1300, "C", "T", ["0/1:15,15:30:12", HOM_REF, HOM_REF], info=f"CSQ={rare}"),
            record("chr1", 1400, "C", "T", ["0/1:4,3:7:60", HOM_REF, HOM_REF], info=f"CSQ={rare}"),
            record("chr1", 1500, "C", "T", ["0/1:89,11:100:60", HOM_REF, HOM_REF], info=f"CSQ={rare}"),
            record("chr1", 1550, "C", "T", ["0/1:5,95:100:60", HOM_REF, HOM_REF], info=f"CSQ={rare}"),
            record("chr1", 1600, "C", "T", [HET, HOM_REF, HOM_REF], info=f"CSQ={csq('T', 'intron_variant')}"),
            record(
                "chr1",
                1700,
                "C",
                "T",
                [HET, HOM_REF, HOM_REF],
                info=f"CSQ={csq('T', 'missense_variant', gnomadg='0.031')}",
            ),
            record(  # VEP joins the frequencies of co-located variants with '&'
                "chr1",
                1750,
                "C",
                "T",
                [HET, HOM_REF, HOM_REF],
                info=f"CSQ={csq('T', 'missense_variant', gnomadg='0.001&0.04')}",
            ),
            record(
                "chr1",
                1800,
                "C",
                "T",
                [HET, HET, HOM_REF],
                info=f"CSQ={csq('T', 'splice_region_variant&intron_variant')}",
            ),
            record(
                "chr1",
                1900,
                "C",
                "T",
                [HET, HOM_REF, HOM_REF],
                info=f"CSQ={csq('T', 'synonymous_variant')},{csq('T', 'intron_variant', gene='GENE2')}",
            ),
            # INFO/AF = AC/AN of the trio (4/6) is not a population frequency; AN of 5,000 is
            record("chr1", 2000, "C", "T", ["1/1:0,30:30:60", HET, HET], info="AF=0.667;CSQ=" + rare),
            record("chr1", 2100, "C", "T", [HET, HOM_REF, HOM_REF], info="AF=0.3;AN=5000;CSQ=" + rare),
            record("chr1", 2200, "C", "T", [HET, HOM_REF, HET], info="AF=0.333;AN=6;CSQ=" + rare),
        ],
    )
    loaded = load_family(bundle_settings, vcf, trio())
    assert list(candidates(loaded)) == [
        ("chr1", 1000, "C", "T"), ("chr1", 1800, "C", "T"), ("chr1", 2000, "C", "T"), ("chr1", 2200, "C", "T")
    ]  # fmt: skip
    assert reasons(loaded.trace) == {
        ("chr1", 1200, "C", "T"): ("quality", "FILTER LowQual"),
        ("chr1", 1300, "C", "T"): ("quality", "GQ 12 < 20"),
        ("chr1", 1400, "C", "T"): ("quality", "DP 7 < 10"),
        ("chr1", 1500, "C", "T"): ("quality", "het allele balance 0.11 outside 0.2–0.8"),
        ("chr1", 1550, "C", "T"): ("quality", "het allele balance 0.95 outside 0.2–0.8"),
        ("chr1", 1600, "C", "T"): ("consequence", "consequence intron_variant (modifier)"),
        ("chr1", 1700, "C", "T"): ("frequency", "population AF 0.031 (gnomadg_af) > 0.02"),
        ("chr1", 1750, "C", "T"): ("frequency", "population AF 0.04 (gnomadg_af) > 0.02"),
        ("chr1", 1900, "C", "T"): ("consequence", "consequence synonymous_variant (low)"),
        ("chr1", 2100, "C", "T"): ("frequency", "population AF 0.3 (af_input) > 0.02"),
    }
    assert loaded.counts == {
        "records": 15, "variants": 15, "genotype": 1, "quality": 5, "consequence": 2, "frequency": 3, "candidates": 4
    }  # fmt: skip
    by_key = candidates(loaded)
    het = by_key[("chr1", 1000, "C", "T")]
    assert (het["gt_0"], het["gt_1"], het["gt_2"], het["gq_0"], het["dp_0"], het["ab_0"]) == (
        1,
        0,
        0,
        60,
        30,
        0.5,
    )
    assert (het["gene_symbol"], het["most_severe"], het["pop_af"], het["pop_af_source"]) == (
        "GENE1", "missense_variant", 0.0001, "gnomadg_af"
    )  # fmt: skip
    # INFO/AF of a trio VCF is the frequency among its 6 chromosomes, not a population frequency
    hom = by_key[("chr1", 2000, "C", "T")]
    assert hom["af_input"] == 0.667 and hom["pop_af"] == 0.0001 and hom["gt_0"] == 2
    assert loaded.annotation_source == "vep" and loaded.resources["mane"]


def test_load__tables_follow_the_contract(bundle_settings: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(  # samples in another order than the family's genotype columns
        tmp_path / "trio.vcf",
        [
            record("chr17", 500, "G", "A", [HET, HET, HOM_REF], info=f"CSQ={csq('A', 'stop_gained')}"),
            record(  # partly missing calls: the father's is unknown, the mother's carries the ALT
                "chr1",
                900,
                "G",
                "A",
                ["./1:0,9:9:30", HET, "./0:9,0:9:30"],
                info=f"CSQ={csq('A', 'missense_variant')}",
            ),
            record("chr1", 800, "G", "A", [HET, HET, HOM_REF], info=f"CSQ={csq('A', 'intron_variant')}"),
        ],
        samples=["MUM", "KID", "DAD"],
    )
    family = build_family(parse_ped(TRIO_PED), ["MUM", "KID", "DAD"])
    loaded = load_family(bundle_settings, vcf, family)
    names = loaded.candidates.schema.names
    expected = list(SCHEMA.names) + [n for n, _ in EXTRA_COLUMNS]
    expected += [genotype_column(f, i) for i in range(3) for f, _ in GENOTYPE_FIELDS]
    assert names == expected
    for name, type_ in [*zip(SCHEMA.names, SCHEMA.types, strict=True), *EXTRA_COLUMNS]:
        assert loaded.candidates.schema.field(name).type == type_
    assert loaded.candidates.schema.field("gq_2").type == dict(GENOTYPE_FIELDS)["gq"]
    assert [key(r) for r in loaded.candidates.to_pylist()] == [
        ("chr1", 900, "G", "A"),
        ("chr17", 500, "G", "A"),
    ]
    assert loaded.trace.schema.remove_metadata() == TRACE_SCHEMA
    meta = json.loads(loaded.candidates.schema.metadata[b"genopath"])
    assert meta["samples"] == ["KID", "DAD", "MUM"] and meta["annotation_source"] == "vep"
    assert meta["genopath_version"] and meta["resources"]["mane"] == "1.5"
    # the mother (first sample column of the VCF, genotype index 2) carries the stop-gain too
    missense, stop = loaded.candidates.to_pylist()
    assert (stop["gt_0"], stop["gt_1"], stop["gt_2"]) == (1, 0, 1)
    assert (missense["gt_0"], missense["gt_1"], missense["gt_2"], missense["ploidy_1"]) == (1, -1, 1, 2)


def test_load__clinvar_pathogenic_intronic_variant_is_kept(bundle_settings: Settings, tmp_path: Path) -> None:
    newest = pq.read_table(require(bundle_settings, "clinvar").path / "variants.parquet").to_pylist()
    seen = {key(r) for r in newest}
    two_star = pq.read_table(require(bundle_settings, "clinvar_2star").path / "variants.parquet").to_pylist()
    plp = next(
        r for r in two_star
        if r["chrom"] == "chr1" and r["sig_class"] in ("P", "LP") and r["mc"] == ["intron_variant"]
        and len(r["ref"]) == len(r["alt"]) == 1 and key(r) not in seen
    )  # fmt: skip
    chrom, pos, ref, alt = key(plp)
    intronic = csq(alt, "intron_variant", gnomadg="0.03")  # above 2 %, under the 5 % rescue ceiling
    vcf = write_vcf(
        tmp_path / "trio.vcf",
        [
            record(chrom, pos, ref, alt, [HET, HOM_REF, HET], info=f"CSQ={intronic}"),
            record(chrom, pos + 1, "A", "G", [HET, HOM_REF, HET], info=f"CSQ={intronic}"),
        ],
    )
    loaded = load_family(bundle_settings, vcf, trio())
    kept = candidates(loaded)
    assert list(kept) == [(chrom, pos, ref, alt)]
    row = kept[(chrom, pos, ref, alt)]
    assert (row["clinvar_id"], row["clinvar_class"]) == (plp["variation_id"], plp["sig_class"])
    assert row["consequence"] == "intron_variant" and row["pop_af"] == 0.03
    assert reasons(loaded.trace) == {
        (chrom, pos + 1, "A", "G"): ("consequence", "consequence intron_variant (modifier)")
    }
    # above the rescue ceiling even a ClinVar P/LP variant goes
    loaded = load_family(bundle_settings, vcf, trio(), max_af=0.025)
    assert reasons(loaded.trace)[(chrom, pos, ref, alt)] == (
        "frequency",
        "population AF 0.03 (gnomadg_af) > 0.025",
    )


def test_load__multiallelic_records_split_like_bcftools_norm(
    bundle_settings: Settings, tmp_path: Path
) -> None:
    entries = ",".join([csq("-", "frameshift_variant"), csq("T", "intron_variant")])
    vcf = write_vcf(
        tmp_path / "multi.vcf",
        [
            # VEP spells the ALTs of CTT>C,CT as '-' and 'T'
            record(
                "chr1",
                100,
                "CTT",
                "C,CT",
                ["1/2:0,12,8:20:50", "0/1:10,10,0:20:60", "0/2:9,0,11:20:60"],
                info=f"CSQ={entries}",
            ),
            record(
                "chr1",
                300,
                "A",
                "G,T",
                ["2/2:0,0,20:20:50", "0/1:10,10,0:20:60", "0/0:20,0,0:20:60"],
                info=f"CSQ={csq('G', 'missense_variant')},{csq('T', 'stop_gained')}",
            ),
            # each ALT is removed for its own consequence, not its sibling's
            record(
                "chr1",
                500,
                "G",
                "A,T",
                ["1/2:0,10,10:20:50", HOM_REF, HOM_REF],
                info=f"CSQ={csq('A', 'synonymous_variant')},{csq('T', 'intron_variant')}",
            ),
        ],
    )
    loaded = load_family(bundle_settings, vcf, trio())
    split = subprocess.run(
        f"bcftools norm -m -any {vcf} 2>/dev/null | bcftools query -f '%POS\\t%REF\\t%ALT[\\t%GT]\\n'",
        shell=True, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    expected = {}
    for line in split.splitlines():
        pos, ref, alt, *gts = line.split("\t")
        while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:  # the trimmed key, as genopath spells it
            ref, alt = ref[:-1], alt[:-1]
        counts = tuple(sum(a == "1" for a in gt.replace("|", "/").split("/")) for gt in gts)
        expected[("chr1", int(pos), ref, alt)] = counts
    got = {**{k: (r["gt_0"], r["gt_1"], r["gt_2"]) for k, r in candidates(loaded).items()}}
    assert got == {k: v for k, v in expected.items() if k in got}
    # the proband carries five of the six ALTs; the sixth (G at 300) only the father
    assert set(got) | set(reasons(loaded.trace)) == {k for k, v in expected.items() if v[0] > 0}
    assert set(got) == {("chr1", 100, "CTT", "C"), ("chr1", 300, "A", "T")}
    assert reasons(loaded.trace) == {
        ("chr1", 100, "CT", "C"): ("consequence", "consequence intron_variant (modifier)"),
        ("chr1", 500, "G", "A"): ("consequence", "consequence synonymous_variant (low)"),
        ("chr1", 500, "G", "T"): ("consequence", "consequence intron_variant (modifier)"),
    }
    # allele balance of a 1/2 call counts all reads of the record: 12 / 20
    assert candidates(loaded)[("chr1", 100, "CTT", "C")]["ab_0"] == pytest.approx(0.6)
    assert loaded.counts["records"] == 3 and loaded.counts["genotype"] == 1


def test_load__no_record_no_candidate(bundle_settings: Settings, tmp_path: Path) -> None:
    for name in ("empty.vcf", "empty.vcf.gz"):
        loaded = load_family(bundle_settings, write_vcf(tmp_path / name, []), trio())
        assert loaded.candidates.num_rows == 0 and loaded.trace.num_rows == 0
        assert loaded.counts["records"] == 0 and loaded.resources["mane"] == "1.5"
        assert loaded.candidates.schema.names[: len(SCHEMA)] == SCHEMA.names


def test_load__chromosome_names_without_chr(bundle_settings: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(
        tmp_path / "nochr.vcf",
        [record("17", 500, "G", "A", [HET, HOM_REF, HOM_REF], info=f"CSQ={csq('A', 'missense_variant')}")],
        contigs={"17": GRCH38_LENGTHS["chr17"]},
    )
    loaded = load_family(bundle_settings, vcf, trio())
    assert list(candidates(loaded)) == [("chr17", 500, "G", "A")]


def test_load__snpeff_and_bcftools_annotation(bundle_settings: Settings, tmp_path: Path) -> None:
    def ann(consequence: str, impact: str) -> str:
        return f"G|{consequence}|{impact}|GENE3|ENSG3|transcript|ENST3.1|protein_coding|2/5|||||||"

    vcf = write_vcf(
        tmp_path / "snpeff.vcf",
        [
            record("chr1", 10, "GAT", "G", [HET, HOM_REF, HOM_REF], info=f"ANN={ann('disruptive_inframe_deletion', 'MODERATE')}"),
            record("chr1", 20, "A", "G", [HET, HOM_REF, HOM_REF], info=f"ANN={ann('intergenic_region', 'MODIFIER')}"),
        ],
        header=[ANN_HEADER],
    )  # fmt: skip
    loaded = load_family(bundle_settings, vcf, trio())
    assert loaded.annotation_source == "snpeff"
    assert list(candidates(loaded)) == [("chr1", 10, "GAT", "G")]
    assert candidates(loaded)[("chr1", 10, "GAT", "G")]["most_severe"] == "inframe_deletion"
    assert reasons(loaded.trace)[("chr1", 20, "A", "G")] == (
        "consequence",
        "consequence intergenic_variant (modifier)",
    )
    vcf = write_vcf(
        tmp_path / "bcsq.vcf",
        [
            record("chr1", 10, "G", "A", [HET, HOM_REF, HOM_REF], info="BCSQ=missense|GENE4|ENST4|protein_coding|+|5R>5H|10G>A"),
            record("chr1", 20, "G", "A", [HET, HOM_REF, HOM_REF], info="BCSQ=*synonymous|GENE4|ENST4|protein_coding|+|3L|20G>A"),
        ],
        header=[BCSQ_HEADER],
    )  # fmt: skip
    loaded = load_family(bundle_settings, vcf, trio())
    assert loaded.annotation_source == "bcftools"
    assert list(candidates(loaded)) == [("chr1", 10, "G", "A")]
    assert reasons(loaded.trace)[("chr1", 20, "G", "A")] == (
        "consequence",
        "consequence synonymous_variant (low)",
    )


def test_load__bcf_input(bundle_settings: Settings, tmp_path: Path) -> None:
    text = write_vcf(
        tmp_path / "trio.vcf",
        [record("chr1", 500, "G", "A", [HET, HOM_REF, HOM_REF], info=f"CSQ={csq('A', 'missense_variant')}")],
    )
    bcf = tmp_path / "trio.bcf"
    subprocess.run(["bcftools", "view", "-Ob", "-o", str(bcf), str(text)], check=True, capture_output=True)
    assert list(candidates(load_family(bundle_settings, bcf, trio()))) == [("chr1", 500, "G", "A")]


def test_load__an_affected_sibling_carrying_counts(bundle_settings: Settings, tmp_path: Path) -> None:
    ped = parse_ped(TRIO_PED + "F1\tSIB\tDAD\tMUM\t2\t2\n")
    family = build_family(ped, ["KID", "DAD", "MUM", "SIB"], proband="KID")
    rare = csq("A", "missense_variant")
    vcf = write_vcf(
        tmp_path / "quad.vcf",
        [
            record("chr1", 500, "G", "A", [HOM_REF, HET, HOM_REF, HET], info=f"CSQ={rare}"),
            record("chr1", 600, "G", "A", [HOM_REF, HET, HOM_REF, "0/1:15,15:30:9"], info=f"CSQ={rare}"),
            record("chr1", 700, "G", "A", [HOM_REF, HET, HOM_REF, HOM_REF], info=f"CSQ={rare}"),
            record("chr1", 800, "G", "A", [HET, HOM_REF, HOM_REF, "0/1:15,15:30:9"], info=f"CSQ={rare}"),
        ],
        samples=["KID", "DAD", "MUM", "SIB"],
    )
    loaded = load_family(bundle_settings, vcf, family)
    # quality is judged on the proband's call, or on the sibling's when the proband does not carry it
    assert list(candidates(loaded)) == [("chr1", 500, "G", "A"), ("chr1", 800, "G", "A")]
    assert reasons(loaded.trace) == {("chr1", 600, "G", "A"): ("quality", "GQ 9 < 20 in SIB")}
    assert loaded.counts["genotype"] == 1
    strict = load_family(bundle_settings, vcf, family, quality=QualityThresholds(gq=70))
    assert reasons(strict.trace)[("chr1", 500, "G", "A")] == ("quality", "GQ 60 < 70 in SIB")


# ---------------------------------------------------------------------------------------------
# bad input


def test_load__grch37_is_refused(bundle_settings: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(
        tmp_path / "b37.vcf",
        [record("chr1", 500, "G", "A", [HET, HOM_REF, HOM_REF], info=f"CSQ={csq('A', 'missense_variant')}")],
        contigs={"chr1": GRCH37_LENGTHS["chr1"]},
    )
    with pytest.raises(InputError, match="GRCh37"):
        load_family(bundle_settings, vcf, trio())


def test_load__family_samples_missing_from_the_vcf(bundle_settings: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(tmp_path / "duo.vcf", [], samples=["KID", "DAD"])
    with pytest.raises(InputError, match="MUM of family F1 is not in VCF"):
        load_family(bundle_settings, vcf, trio())


def test_load__truncated_file_names_the_file(bundle_settings: Settings, tmp_path: Path) -> None:
    rows = [
        record(
            "chr1", 1000 + i, "G", "A", [HET, HOM_REF, HOM_REF], info=f"CSQ={csq('A', 'missense_variant')}"
        )
        for i in range(3000)
    ]
    whole = write_vcf(tmp_path / "whole.vcf.gz", rows)
    cut = tmp_path / "cut.vcf.gz"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match=r"cut\.vcf\.gz"):
        load_family(bundle_settings, cut, trio())
    broken = tmp_path / "broken.vcf"
    broken.write_text(write_vcf(tmp_path / "ok.vcf", rows[:3]).read_text() + "chr1\t5000\t.\tG\n")
    with pytest.raises(InputError, match=r"broken\.vcf"):
        load_family(bundle_settings, broken, trio())


@pytest.fixture
def no_reference(bundle_settings: Settings, tmp_path: Path) -> Settings:
    """The bundle's resources without the reference FASTA."""
    home = tmp_path / "home"
    (home / "resources").mkdir(parents=True)
    for folder in (bundle_settings.home / "resources").iterdir():
        if folder.name != "reference" and not folder.name.startswith("."):
            (home / "resources" / folder.name).symlink_to(folder)
    return Settings(home=home)


def test_load__unannotated_vcf_without_reference(no_reference: Settings, tmp_path: Path) -> None:
    vcf = write_vcf(tmp_path / "plain.vcf", [record("chr1", 5, "G", "A", [HET, HOM_REF, HOM_REF])], header=[])
    with pytest.raises(InputError, match=r"no CSQ/ANN/BCSQ annotation and no reference FASTA .*--fasta"):
        load_family(no_reference, vcf, trio())


def test_load__unannotated_brca1_with_the_bundle_reference(bundle_settings: Settings, tmp_path: Path) -> None:
    brca1 = next(
        t
        for t in transcripts.load(require(bundle_settings, "mane").path / "exons.parquet", ["chr17"])
        if t.gene_symbol == "BRCA1"
    )
    exons = sorted(brca1.exons)
    (_, end), (start, _) = max(itertools.pairwise(exons), key=lambda p: p[1][0] - p[0][1])  # longest intron
    deep = (end + start) // 2
    reference = Reference(require(bundle_settings, "reference").path / "genome.fa.gz")
    base = reference.fetch("chr17", deep - 1, deep)
    reference.close()
    assert base is not None
    other = "A" if base != "A" else "C"
    vcf = write_vcf(
        tmp_path / "brca1.vcf",
        [
            record("chr17", deep, base, other, [HET, HOM_REF, HOM_REF]),
            record("chr17", 43106487, "A", "C", [HET, HET, HOM_REF]),  # c.181T>G p.Cys61Gly
            record("chr17", 43124027, "ACT", "A", [HET, HOM_REF, HOM_REF]),  # c.68_69del, 185delAG
            # TP53 lies outside the slice: a CDS substitution of unknown protein effect is kept
            record("chr17", 7674220, "C", "T", [HET, HOM_REF, HOM_REF]),
        ],
        header=[],
    )
    loaded = load_family(bundle_settings, vcf, trio())
    assert loaded.annotation_source == "genopath"
    kept = candidates(loaded)
    assert list(kept) == [
        ("chr17", 7674220, "C", "T"), ("chr17", 43106487, "A", "C"), ("chr17", 43124027, "ACT", "A")
    ]  # fmt: skip
    unread, missense, frameshift = kept.values()
    assert (unread["gene_symbol"], unread["consequence"], unread["sequence_available"]) == (
        "TP53", "coding_sequence_variant", False
    )  # fmt: skip
    assert (missense["gene_symbol"], missense["hgvs_c"], missense["hgvs_p"]) == (
        "BRCA1",
        "c.181T>G",
        "p.Cys61Gly",
    )
    assert (frameshift["hgvs_c"], frameshift["clinvar_id"], frameshift["clinvar_class"]) == (
        "c.68_69del",
        17662,
        "P",
    )
    assert (missense["gt_0"], missense["gt_1"]) == (1, 1)
    assert reasons(loaded.trace) == {
        ("chr17", deep, base, other): ("consequence", "consequence intron_variant (modifier)")
    }
    assert loaded.resources["reference"] == require(bundle_settings, "reference").version


# ---------------------------------------------------------------------------------------------
# property: every carried variant is decided exactly once

TERMS = ("missense_variant", "stop_gained", "intron_variant", "synonymous_variant", "splice_region_variant")
call = st.tuples(
    st.sampled_from(["0/0", "0/1", "1/1", "./.", "1"]),
    st.integers(0, 40),  # ALT reads
    st.integers(0, 40),  # REF reads
    st.integers(0, 99),  # GQ
)
variant = st.tuples(
    st.sampled_from(["PASS", ".", "LowQual"]),
    st.sampled_from(TERMS),
    st.sampled_from(["", "0.0001", "0.01", "0.03", "0.2"]),
    st.lists(call, min_size=3, max_size=3),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variants=st.lists(variant, min_size=1, max_size=12))
def test_load__every_carried_variant_is_decided_once(
    bundle_settings: Settings, tmp_path_factory: pytest.TempPathFactory, variants: list[Any]
) -> None:
    rows, expected = [], {}
    for i, (filt, term, af, calls) in enumerate(variants):
        pos = 10_000 + 10 * i
        fields = []
        for gt, alt_reads, ref_reads, gq in calls:
            fields.append(f"{gt}:{ref_reads},{alt_reads}:{ref_reads + alt_reads}:{gq}")
        rows.append(
            record("chr1", pos, "G", "A", fields, filt=filt, info=f"CSQ={csq('A', term, gnomadg=af)}")
        )
        gt, alt_reads, ref_reads, gq = calls[0]
        if "1" not in gt:
            continue  # the proband (the only affected member) does not carry it
        depth = ref_reads + alt_reads
        het = gt == "0/1"
        ab = alt_reads / depth if depth else None
        if filt == "LowQual" or gq < 20 or depth < 10 or (het and ab is not None and not 0.2 <= ab <= 0.8):
            expected[pos] = "quality"
        elif term in ("intron_variant", "synonymous_variant"):
            expected[pos] = "consequence"
        elif af and float(af) > 0.02:
            expected[pos] = "frequency"
        else:
            expected[pos] = "candidate"
    vcf = write_vcf(tmp_path_factory.mktemp("prop") / "trio.vcf", rows)
    loaded = load_family(bundle_settings, vcf, trio())
    kept = [r["pos"] for r in loaded.candidates.to_pylist()]
    removed = [(r["pos"], r["stage"]) for r in loaded.trace.to_pylist()]
    assert len(set(kept)) == len(kept) and len({p for p, _ in removed}) == len(removed)
    assert not set(kept) & {p for p, _ in removed}
    got = {p: "candidate" for p in kept} | dict(removed)
    assert got == expected
    assert loaded.counts["variants"] == len(variants) and loaded.counts["candidates"] == len(kept)
    assert loaded.counts["genotype"] == len(variants) - len(expected)
