"""An independent test pass of the built-in consequence engine (SO terms, HGVS c./p.).

Every expectation below was worked out by hand from a made-up reference and two made-up
transcripts (one on each strand); nothing is derived from the code under test. The design:

* FASTA sequence ``chr5_9601_11100`` (a slice: 1-based chr5 positions 9601..11100) with
  400 bp of padding either side of the designed 10001..10700, so that indel shifting always
  has sequence around it.
* ``TXP`` (+ strand), exons 10101-10140, 10202-10231, 10292-10341 (introns of 61 and 60 bp);
  5' UTR c.-9..c.-1 = 10101-10109, CDS c.1..c.81 = 10110-10140 | 10202-10231 | 10292-10311
  (codon 11 and codon 21 are split by introns), 3' UTR c.*1..c.*30 = 10312-10341.
  Protein ``MKKKPWDIELHASRETVYQSFGNPCI*``.
  Mapping: exon 1 g = 10109 + c, exon 2 g = 10170 + c, exon 3 g = 10230 + c.
* ``TXM`` (− strand), exons (genomic) 10401-10440, 10501-10530, 10592-10631, i.e. transcript
  exon 1 = 10631..10592, exon 2 = 10530..10501, exon 3 = 10440..10401; 5' UTR c.-9..c.-1 =
  10631..10623, CDS c.1 = 10622 … c.81 = 10421, 3' UTR c.*1..c.*20 = 10420..10401.
  Protein ``MAEEECKLVTDRFPYGHSINVPDSQL*``.
  Mapping: exon 1 g = 10623 − c, exon 2 g = 10562 − c, exon 3 g = 10502 − c.
* ``TXU``: TXP's layout moved by +10000 (20101-20341), a region the FASTA does not cover.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from genopath.annotation import transcripts
from genopath.annotation.consequence import Annotator, Change, revcomp, shift, translate
from genopath.annotation.reference import Reference

# -- the design ----------------------------------------------------------------------------

_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}


def rc(seq: str) -> str:
    """Reverse complement, written here independently of the module under test."""
    return "".join(_COMPLEMENT[b] for b in reversed(seq))


PAD_L = (
    "TAGCTATTCCCCCCGCGGCCCACCCAGTATTCCTAACGGAGCATAAATCCCACCCGAACTAAGTTTGTCGAACCTTGGTCCAAGATCG"
    "GGACTCGGTCTCCAGGTAAGACGGGCTCATTCATAAACGTTACTAAGGGGTATAATCTTCTATTTGTGGGTGGGAACACTTAGTAGACT"
    "TGCAATCCAATTACAGCAGTCTTGTGCGCCTAGGGGCGCCCCAAAGGTAAACGAACCGTTGCGGTCAATCTTGTCGCGGCTGATGAATT"
    "TGAAGCAGTGGCCGGGAGTGTGTGCTCAGGAGTTCGTCCCATGACACGATAGAGAGAGAACATCCTGTTGGGCTTAATGATATAGAATT"
    "CCCTCGCTTGGATGAGCCATATAGACCGCCTCTCGTCGTGTTGAT"
)
PAD_R = (
    "CTACCTGACATGTCTCTCGCGCGACCACCCAGGATTAGACTCATCATTCGGGTAGTAGACATTATATTCGATACCGTGGTAGCCTAGG"
    "GTGTTAACACCCCTATAACACATTAGTCCCTTGTATGCAGGCGGTATCGGACGGCGCCCACACCTTGGAGGTATCCAGCGCAAGGCGCC"
    "ATATCCGTACCTTACTATCGCGCGAACTTATGTTGTTTTAAGTTAGAGTTGGACATCTATACGTCAGTCCTAAACATAGCGAGCATTTC"
    "GCAGATGGGTCTCCGACGGTACCCCAAGGGTCGTTACCGACGCCGGGACGCCGCATATAAAGGTACGCCCGACCATTATACAGGTAGCC"
    "ATCTGCGTCTGACATCGCATTTGAAACCCAGTAGGTACTGCCTTA"
)
F1 = "ATGGAAATAGGCAATGACGGATATATATTAAAAAGTGTTTTAAGATACATTGAGGCCCGTTCGTGCTCCTCGCCCTGAAGCATTGCTTTGTGAAGAGGGA"
F2 = "CTTCAGCCAATAGACCTGCATACCGGCTCATTCTTCATGTGCAACCTAGGGAGAATGTG"
F3 = "TACATACGCTCTTACTGCGGTCGCGTCTAATAATATACATTTGCTTCGTTGACTAGCAACCCAGGGCTA"

# + strand transcript, in transcript orientation
P_UTR5 = "GCCGCCACC"
P_CODONS = [
    "ATG",
    "AAA",
    "AAA",
    "AAA",
    "CCC",
    "TGG",
    "GAC",
    "ATC",
    "GAG",
    "CTG",
    "CAT",
    "GCT",
    "TCA",
    "CGT",
    "GAA",
    "ACC",
    "GTT",
    "TAC",
    "CAG",
    "AGC",
    "TTC",
    "GGT",
    "AAC",
    "CCA",
    "TGC",
    "ATT",
    "TAA",
]
P_CDS = "".join(P_CODONS)
# frame 0: GCA GAT CCC TGA (stop at the 4th codon); stops in frames +1 (TAG) and +2 (TAA) too
P_UTR3 = "GCAGATCCCTGAATAGCTAAGTCCGATCGA"
P_MRNA = P_UTR5 + P_CDS + P_UTR3
P_I1 = "GTAAGTATTTTCCTCATGCAATTCAAAACCATGTCCGTAATGTAGGCGAACTTCCCTGCAG"  # 61 bp
P_I2 = "GTGAGCCTATAGTAAACCATTTTACGGAGGATACCAAATTCCTCCTTATTTTTCTCCTAG"  # 60 bp
P_GENE = P_MRNA[:40] + P_I1 + P_MRNA[40:70] + P_I2 + P_MRNA[70:]

# − strand transcript, in transcript orientation
M_UTR5 = "GCAGCAACC"
M_CODONS = [
    "ATG",
    "GCT",
    "GAA",
    "GAA",
    "GAA",
    "TGC",
    "AAG",
    "CTG",
    "GTC",
    "ACA",
    "GAT",
    "CGA",
    "TTC",
    "CCG",
    "TAT",
    "GGA",
    "CAC",
    "AGC",
    "ATA",
    "AAC",
    "GTG",
    "CCT",
    "GAT",
    "TCG",
    "CAG",
    "TTG",
    "TGA",
]
M_CDS = "".join(M_CODONS)
M_UTR3 = "CGCAGGCTCCAGTCGGCAGG"  # no stop codon in frame 0
M_MRNA = M_UTR5 + M_CDS + M_UTR3
M_I1 = "GTAGGTTCTCAGGACCTAACCTGAGGTAAACCAGGTCTCTCCGCCCCCTTCCCTCTTCCAG"  # 61 bp
M_I2 = "GTGAGTACATAAAAGCTGTTGCACCTAGCCAAGTTCAACGGCAGCTGCATCTTTGTGCAG"  # 60 bp
M_GENE = rc(M_MRNA[:40] + M_I1 + M_MRNA[40:70] + M_I2 + M_MRNA[70:])

CHR5_NAME = "chr5_9601_11100"
CHR5_FIRST = 9601
CHR5 = PAD_L + F1 + P_GENE + F2 + M_GENE + F3 + PAD_R

# a second slice for the shift tests: homopolymer T at 1346-1351, (CA)4 at 1355-1362
CHR7_NAME = "chr7_1001_1720"
CHR7_FIRST = 1001
CHR7_L = (
    "GTTGCACTCCTAACTCATGTTAACGGACTTACGGGCACTAGCTTCTTACTGCCCTCTCTGTTTCTCTTAAGGGACGTCGAGACGCCA"
    "AGTTATGGAGTCTACCCACGTTTCGGTTCCGTTCTGCAGGGCCAATAGACGAGCGATATTATTGGTGCCTCTCGCAGTCTGGATAGATG"
    "ATTGTGGAAAGGGGGCTTGGACAATTAGATTTTACGGTGTACCGCGCCATACTAGGGAAGCTCCCCGTGGTGGTCCGGCCAAAGATTAC"
    "TTAGGTTGGGGCGCCTCGCCCTGCCATCGGTGTTCACAACGGATGATCGAGTGCTTCTCGCTCAGTTACGAGCGT"
)
MOTIF = "ACGAC" + "TTTTTT" + "GCG" + "CACACACA" + "TGACT"  # 1341..1367
CHR7_R = (
    "GGCATCGGACAAGAACGTCCTTATGTACGGCGCTACACAAGGAGATACAGAGCTTGATTTGAACCGTGGGTGGGAGAGGCCCACGCCG"
    "ACCGGCTAATATAGCACGAAGTTCTTCGATGCGACTACGTTAATTTTTCTAATTGAAGCTGGGCTTACTACCCAAGGACAGGGTCATCT"
    "GCAATTCATAACGCAGAGCGATCTATTAACGCTTAGGGCCCCCTACGAGGGGCAACGGTCCAGTGTGTCAAGTCTAGAGATCTTCTCTA"
    "GTGGTGGACATGCGTTGGAAATCAGAGAGACTAGCTGTACATTCAAATTCCTGCTAAACGTATTCAGGAAGTAAGAACCAGGGCCTT"
)
CHR7 = CHR7_L + MOTIF + CHR7_R

# a short slice (the whole sequence within the shift window of its edges)
CHR8_NAME = "chr8_1_40"
CHR8 = "ACGACTTTTTTGCGCACACACATGACT" + "GGCTAGCGAGTGA"


def base5(pos: int) -> str:
    return CHR5[pos - CHR5_FIRST]


def _row(tid, strand, n, s0, e, cds, gene):
    return {
        "chrom": "chr5",
        "exon_start0": s0,
        "exon_end": e,
        "strand": strand,
        "exon_number": n,
        "cds_start0": cds[0] if cds else ".",
        "cds_end": cds[1] if cds else ".",
        "gene_symbol": gene,
        "hgnc_id": "HGNC:1",
        "ensembl_gene": "ENSG_" + gene,
        "ensembl_transcript": tid,
        "refseq_transcript": "NM_" + tid,
        "ensembl_protein": "ENSP_" + tid,
        "refseq_protein": "NP_" + tid,
        "mane_status": "MANE Select",
    }


ROWS = [
    _row("TXP", "+", 1, 10100, 10140, (10109, 10140), "GENEP"),
    _row("TXP", "+", 2, 10201, 10231, (10201, 10231), "GENEP"),
    _row("TXP", "+", 3, 10291, 10341, (10291, 10311), "GENEP"),
    # minus strand: exon_number in transcript order
    _row("TXM", "-", 1, 10591, 10631, (10591, 10622), "GENEM"),
    _row("TXM", "-", 2, 10500, 10530, (10500, 10530), "GENEM"),
    _row("TXM", "-", 3, 10400, 10440, (10420, 10440), "GENEM"),
    _row("TXU", "+", 1, 20100, 20140, (20109, 20140), "GENEU"),
    _row("TXU", "+", 2, 20201, 20231, (20201, 20231), "GENEU"),
    _row("TXU", "+", 3, 20291, 20341, (20291, 20311), "GENEU"),
]


def _write_fasta(path: Path, records: list[tuple[str, str]]) -> Path:
    plain = path.with_suffix("")
    with open(plain, "w") as f:
        for name, seq in records:
            f.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                f.write(seq[i : i + 60] + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    subprocess.run(["samtools", "faidx", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("ref")
    path = _write_fasta(d / "toy.fa.gz", [(CHR5_NAME, CHR5), (CHR7_NAME, CHR7), (CHR8_NAME, CHR8)])
    ref = Reference(path)
    yield ref
    ref.close()


@pytest.fixture(scope="module")
def index():
    return transcripts.from_rows(ROWS)


@pytest.fixture(scope="module")
def annotator(reference):
    return Annotator(reference)


def vcf(pos: int, ref: str, alt: str, check: bool = True) -> Change:
    """A VCF record on chr5, checked against the designed sequence."""
    if check:
        assert CHR5[pos - CHR5_FIRST : pos - CHR5_FIRST + len(ref)] == ref, (pos, ref)
    return Change.from_vcf(pos, ref, alt)


def annotate(annotator, index, tid: str, change: Change):
    return annotator.consequence(index.by_id[tid], "chr5", change)


# -- the design itself -----------------------------------------------------------------------

STANDARD_CODE = {
    "F": "TTT TTC",
    "L": "TTA TTG CTT CTC CTA CTG",
    "I": "ATT ATC ATA",
    "M": "ATG",
    "V": "GTT GTC GTA GTG",
    "S": "TCT TCC TCA TCG AGT AGC",
    "P": "CCT CCC CCA CCG",
    "T": "ACT ACC ACA ACG",
    "A": "GCT GCC GCA GCG",
    "Y": "TAT TAC",
    "*": "TAA TAG TGA",
    "H": "CAT CAC",
    "Q": "CAA CAG",
    "N": "AAT AAC",
    "K": "AAA AAG",
    "D": "GAT GAC",
    "E": "GAA GAG",
    "C": "TGT TGC",
    "W": "TGG",
    "R": "CGT CGC CGA CGG AGA AGG",
    "G": "GGT GGC GGA GGG",
}
CODON_TO_AA = {codon: aa for aa, codons in STANDARD_CODE.items() for codon in codons.split()}


def my_translate(seq: str) -> str:
    return "".join(CODON_TO_AA[seq[i : i + 3]] for i in range(0, len(seq) - 2, 3))


def test_design_is_what_the_docstring_says():
    assert len(CHR5) == 1500 and len(CHR7) == 720 and len(CHR8) == 40
    assert len(P_GENE) == 241 and len(M_GENE) == 231
    assert CHR5[10101 - CHR5_FIRST : 10342 - CHR5_FIRST] == P_GENE
    assert CHR5[10401 - CHR5_FIRST : 10632 - CHR5_FIRST] == M_GENE
    assert my_translate(P_CDS) == "MKKKPWDIELHASRETVYQSFGNPCI*"
    assert my_translate(M_CDS) == "MAEEECKLVTDRFPYGHSINVPDSQL*"
    # + strand: c.1 ATG, the codon split c.31|c.32, the stop
    assert CHR5[10110 - CHR5_FIRST : 10113 - CHR5_FIRST] == "ATG"
    assert base5(10140) + base5(10202) + base5(10203) == "CAT"
    assert CHR5[10309 - CHR5_FIRST : 10312 - CHR5_FIRST] == "TAA"
    # − strand: c.1 ATG at 10622..10620, the stop at 10423..10421
    assert rc(CHR5[10620 - CHR5_FIRST : 10623 - CHR5_FIRST]) == "ATG"
    assert rc(CHR5[10421 - CHR5_FIRST : 10424 - CHR5_FIRST]) == "TGA"
    assert CHR7[1341 - CHR7_FIRST : 1368 - CHR7_FIRST] == MOTIF


def test_reference_reads_the_slice_with_its_offset(reference):
    assert reference.fetch("chr5", 10109, 10112) == "ATG"
    assert reference.fetch("chr5", 9600, 9605) == PAD_L[:5]
    assert reference.fetch("chr5", 11095, 11100) == PAD_R[-5:]
    assert reference.fetch("chr5", 9599, 9605) is None  # starts before the slice
    assert reference.fetch("chr5", 11095, 11101) is None  # ends after it
    assert reference.fetch("chr5", 20100, 20110) is None


# -- translate / revcomp ---------------------------------------------------------------------


def test_translate_all_64_codons_match_the_standard_code():
    assert len(CODON_TO_AA) == 64
    for codon, aa in CODON_TO_AA.items():
        assert translate(codon) == aa, codon


def test_translate_ncbi_table1_string():
    # NCBI transl_table=1, Base1/Base2/Base3 rows as printed by NCBI
    aas = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
    b1 = "TTTTTTTTTTTTTTTTCCCCCCCCCCCCCCCCAAAAAAAAAAAAAAAAGGGGGGGGGGGGGGGG"
    b2 = "TTTTCCCCAAAAGGGGTTTTCCCCAAAAGGGGTTTTCCCCAAAAGGGGTTTTCCCCAAAAGGGG"
    b3 = "TCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAGTCAG"
    for i in range(64):
        assert translate(b1[i] + b2[i] + b3[i]) == aas[i]
        assert CODON_TO_AA[b1[i] + b2[i] + b3[i]] == aas[i]


def test_translate_whole_codons_unknowns_and_to_stop():
    assert translate(P_CDS) == "MKKKPWDIELHASRETVYQSFGNPCI*"
    assert translate("ATGAA") == "M"  # a partial codon is dropped
    assert translate("ATGNNNTGG") == "MXW"
    assert translate("ATGTAAATG", to_stop=True) == "M*"
    assert translate("ATGTAAATG") == "M*M"
    assert translate("") == ""


def test_revcomp():
    assert revcomp("AACGTN") == "NACGTT"
    assert revcomp(P_GENE) == rc(P_GENE)


# -- Change.from_vcf and shift -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "expected"),
    [
        (100, "A", "G", Change(100, "A", "G")),
        (100, "GA", "G", Change(101, "A", "")),
        (100, "G", "GA", Change(101, "", "A")),
        (100, "GAAA", "G", Change(101, "AAA", "")),
        (100, "ACGT", "ATTT", Change(101, "CG", "TT")),  # shared prefix A and suffix T
        (100, "CAT", "CT", Change(101, "A", "")),  # suffix first, then prefix
        (100, "ac", "a", Change(101, "C", "")),  # case-insensitive
        (100, "TCAG", "TG", Change(101, "CA", "")),
        (100, "AT", "GT", Change(100, "A", "G")),  # a padded SNV
        (100, "AA", "A", Change(100, "A", "")),  # suffix trimmed first
    ],
)
def test_change_from_vcf(pos, ref, alt, expected):
    assert Change.from_vcf(pos, ref, alt) == expected


def test_change_properties():
    d = Change(101, "AAA", "")
    assert (d.end, d.is_insertion, d.length_change) == (103, False, -3)
    i = Change(101, "", "GA")
    assert (i.end, i.is_insertion, i.length_change) == (100, True, 2)


# chr7 motif: 1341 A C G A C | 1346-1351 TTTTTT | 1352 G C G | 1355-1362 CACACACA | 1363 T G A C T
@pytest.mark.parametrize(
    ("change", "right", "left"),
    [
        # homopolymer deletion of one T
        (Change(1348, "T", ""), Change(1351, "T", ""), Change(1346, "T", "")),
        # homopolymer deletion of two T
        (Change(1347, "TT", ""), Change(1350, "TT", ""), Change(1346, "TT", "")),
        # homopolymer insertion of a T (between 1347 and 1348)
        (Change(1348, "", "T"), Change(1352, "", "T"), Change(1346, "", "T")),
        # dinucleotide deletion of AC at 1356-1357
        (Change(1356, "AC", ""), Change(1361, "CA", ""), Change(1355, "CA", "")),
        # dinucleotide insertion of CA between 1356 and 1357
        (Change(1357, "", "CA"), Change(1363, "", "CA"), Change(1355, "", "CA")),
        # no repeat: nothing moves
        (Change(1352, "G", ""), Change(1352, "G", ""), Change(1352, "G", "")),
    ],
)
def test_shift_in_repeats(reference, change, right, left):
    assert CHR7[1346 - CHR7_FIRST : 1352 - CHR7_FIRST] == "TTTTTT"
    assert CHR7[1355 - CHR7_FIRST : 1363 - CHR7_FIRST] == "CACACACA"
    assert shift(reference, "chr7", change, 1) == right
    assert shift(reference, "chr7", change, -1) == left


def test_shift_leaves_substitutions_and_missing_sequence_alone(reference):
    assert shift(reference, "chr7", Change(1348, "T", "G"), 1) == Change(1348, "T", "G")
    assert shift(reference, "chr7", Change(1348, "TT", "G"), -1) == Change(1348, "TT", "G")
    assert shift(None, "chr7", Change(1348, "T", ""), 1) == Change(1348, "T", "")
    assert shift(reference, "chr9", Change(1348, "T", ""), 1) == Change(1348, "T", "")


def test_shift_near_the_edge_of_a_slice(reference):
    # chr8_1_40: TTTTTT at 6-11, (CA)4 at 15-22; the whole sequence is available
    assert CHR8[5:11] == "TTTTTT"
    assert shift(reference, "chr8", Change(8, "T", ""), 1) == Change(11, "T", "")
    assert shift(reference, "chr8", Change(8, "T", ""), -1) == Change(6, "T", "")


# -- consequences: + strand --------------------------------------------------------------------

# (id, VCF pos, REF, ALT, SO terms, HGVS c., HGVS p., exon, intron)
PLUS_CASES = [
    # coding substitutions
    ("missense", 10123, "C", "A", {"missense_variant"}, "c.14C>A", "p.Pro5His", "1/3", None),
    ("synonymous", 10124, "C", "T", {"synonymous_variant"}, "c.15C>T", "p.Pro5=", "1/3", None),
    ("nonsense", 10126, "G", "A", {"stop_gained"}, "c.17G>A", "p.Trp6Ter", "1/3", None),
    ("start_lost", 10111, "T", "C", {"start_lost"}, "c.2T>C", "p.Met1?", "1/3", None),
    # TAA>CAA: Gln then GCA GAT CCC TGA in the 3' UTR: Ala Asp Pro Ter → extTer4
    ("stop_lost", 10309, "T", "C", {"stop_lost"}, "c.79T>C", "p.Ter27GlnextTer4", "3/3", None),
    ("stop_retained", 10311, "A", "G", {"stop_retained_variant"}, "c.81A>G", "p.Ter27=", "3/3", None),
    # CCC TGG → CCA AGG: Pro5 unchanged, Trp6Arg
    ("mnv_two_codons", 10124, "CT", "AA", {"missense_variant"}, "c.15_16delinsAA", "p.Trp6Arg", "1/3", None),
    # frameshifts (fsTer counts the first changed residue as 1 and includes the stop)
    # del c.20 A: ...Trp6 then GCA TCG AGC ... → Ala7, the new stop 26 residues on (in the 3' UTR)
    ("fs_del", 10128, "GA", "G", {"frameshift_variant"}, "c.20del", "p.Asp7AlafsTer26", "1/3", None),
    # del one C of c.69-c.71 (CCC): 3'-most is c.71; AAC CAT GCA TTT AAG CAG ATC CCT GAA TAG
    ("fs_del_run", 10298, "AC", "A", {"frameshift_variant"}, "c.71del", "p.Pro24HisfsTer9", "3/3", None),
    # ins C between c.26 A and c.27 G: GAC ATC GA C GCT ... → Glu9Asp, stop 7 on
    ("fs_ins", 10135, "A", "AC", {"frameshift_variant"}, "c.26_27insC", "p.Glu9AspfsTer7", "1/3", None),
    # one more A in the A9 run c.4-c.12 → c.12dup; AAA ACC CTG GGA CAT CGA GCT GCA TGC TTC ACG TGA
    ("fs_dup", 10112, "G", "GA", {"frameshift_variant"}, "c.12dup", "p.Pro5ThrfsTer11", "1/3", None),
    # in-frame deletions
    ("inframe_del_run", 10112, "GAAA", "G", {"inframe_deletion"}, "c.10_12del", "p.Lys4del", "1/3", None),
    # left-aligned CAT (c.21-23) is the same as ATC (c.22-24): Ile8 goes
    ("inframe_del", 10129, "ACAT", "A", {"inframe_deletion"}, "c.22_24del", "p.Ile8del", "1/3", None),
    # TGG GAC → TAC: Trp6-Asp7 become Tyr
    (
        "inframe_delins",
        10125,
        "TGGG",
        "T",
        {"inframe_deletion"},
        "c.17_19del",
        "p.Trp6_Asp7delinsTyr",
        "1/3",
        None,
    ),
    # in-frame insertions
    # left-aligned TGA after c.35 = GAT after c.36: GCT GAT TCA
    (
        "inframe_ins",
        10205,
        "C",
        "CTGA",
        {"inframe_insertion"},
        "c.36_37insGAT",
        "p.Ala12_Ser13insAsp",
        "2/3",
        None,
    ),
    (
        "inframe_ins_right",
        10206,
        "T",
        "TGAT",
        {"inframe_insertion"},
        "c.36_37insGAT",
        "p.Ala12_Ser13insAsp",
        "2/3",
        None,
    ),
    # GAC (c.19-21) once more; the VCF has it left-aligned as GAC after c.18
    ("dup_codon", 10127, "G", "GGAC", {"inframe_insertion"}, "c.19_21dup", "p.Asp7dup", "1/3", None),
    ("dup_in_run", 10112, "G", "GAAA", {"inframe_insertion"}, "c.10_12dup", "p.Lys4dup", "1/3", None),
    # splice sites of intron 1 (10141-10201) and intron 2 (10232-10291)
    ("donor+1", 10141, "G", "A", {"splice_donor_variant"}, "c.31+1G>A", None, None, "1/2"),
    ("donor+2", 10142, "T", "C", {"splice_donor_variant"}, "c.31+2T>C", None, None, "1/2"),
    ("acceptor-1", 10201, "G", "A", {"splice_acceptor_variant"}, "c.32-1G>A", None, None, "1/2"),
    ("acceptor-2", 10200, "A", "G", {"splice_acceptor_variant"}, "c.32-2A>G", None, None, "1/2"),
    ("donor2+1", 10232, "G", "A", {"splice_donor_variant"}, "c.61+1G>A", None, None, "2/2"),
    ("acceptor2-1", 10291, "G", "A", {"splice_acceptor_variant"}, "c.62-1G>A", None, None, "2/2"),
    ("acceptor2-2", 10290, "A", "G", {"splice_acceptor_variant"}, "c.62-2A>G", None, None, "2/2"),
    # splice region: +3..+8 / -3..-8 intronic, 1-3 exonic
    (
        "region+3",
        10143,
        "A",
        "G",
        {"splice_region_variant", "intron_variant"},
        "c.31+3A>G",
        None,
        None,
        "1/2",
    ),
    (
        "region+8",
        10148,
        "T",
        "C",
        {"splice_region_variant", "intron_variant"},
        "c.31+8T>C",
        None,
        None,
        "1/2",
    ),
    ("intron+9", 10149, "T", "C", {"intron_variant"}, "c.31+9T>C", None, None, "1/2"),
    (
        "region-3",
        10199,
        "C",
        "T",
        {"splice_region_variant", "intron_variant"},
        "c.32-3C>T",
        None,
        None,
        "1/2",
    ),
    (
        "region-8",
        10194,
        "C",
        "T",
        {"splice_region_variant", "intron_variant"},
        "c.32-8C>T",
        None,
        None,
        "1/2",
    ),
    ("intron-9", 10193, "T", "C", {"intron_variant"}, "c.32-9T>C", None, None, "1/2"),
    # last three bases of exon 1 (c.29-c.31) and first three of exon 2 (c.32-c.34)
    (
        "exon_last",
        10140,
        "C",
        "T",
        {"missense_variant", "splice_region_variant"},
        "c.31C>T",
        "p.His11Tyr",
        "1/3",
        None,
    ),
    (
        "exon_last3",
        10138,
        "T",
        "C",
        {"missense_variant", "splice_region_variant"},
        "c.29T>C",
        "p.Leu10Pro",
        "1/3",
        None,
    ),
    ("exon_last4", 10137, "C", "A", {"missense_variant"}, "c.28C>A", "p.Leu10Met", "1/3", None),
    (
        "exon_first",
        10202,
        "A",
        "G",
        {"missense_variant", "splice_region_variant"},
        "c.32A>G",
        "p.His11Arg",
        "2/3",
        None,
    ),
    (
        "exon_first3",
        10204,
        "G",
        "A",
        {"missense_variant", "splice_region_variant"},
        "c.34G>A",
        "p.Ala12Thr",
        "2/3",
        None,
    ),
    ("exon_first4", 10205, "C", "A", {"missense_variant"}, "c.35C>A", "p.Ala12Asp", "2/3", None),
    # deep intronic, with the midpoint rule (61 bp intron: the middle base is +31)
    ("intron1_mid", 10171, "A", "G", {"intron_variant"}, "c.31+31A>G", None, None, "1/2"),
    ("intron1_mid+1", 10172, "T", "C", {"intron_variant"}, "c.32-30T>C", None, None, "1/2"),
    ("intron2_mid", 10261, "G", "A", {"intron_variant"}, "c.61+30G>A", None, None, "2/2"),
    ("intron2_mid+1", 10262, "A", "G", {"intron_variant"}, "c.62-30A>G", None, None, "2/2"),
    # UTRs
    ("utr5_first", 10101, "G", "A", {"5_prime_UTR_variant"}, "c.-9G>A", None, "1/3", None),
    ("utr5_last", 10109, "C", "T", {"5_prime_UTR_variant"}, "c.-1C>T", None, "1/3", None),
    ("utr3_first", 10312, "G", "A", {"3_prime_UTR_variant"}, "c.*1G>A", None, "3/3", None),
    ("utr3_last", 10341, "A", "G", {"3_prime_UTR_variant"}, "c.*30A>G", None, "3/3", None),
]

# − strand: genomic alleles; HGVS in transcript orientation
MINUS_CASES = [
    ("missense", 10618, "G", "T", {"missense_variant"}, "c.5C>A", "p.Ala2Asp", "1/3", None),
    ("synonymous", 10617, "A", "G", {"synonymous_variant"}, "c.6T>C", "p.Ala2=", "1/3", None),
    # CGA (c.34-36) → TGA; c.34 is the 3rd base of exon 2 → also splice region
    (
        "nonsense",
        10528,
        "G",
        "A",
        {"stop_gained", "splice_region_variant"},
        "c.34C>T",
        "p.Arg12Ter",
        "2/3",
        None,
    ),
    ("start_lost", 10622, "T", "C", {"start_lost"}, "c.1A>G", "p.Met1?", "1/3", None),
    # TGA>CGA: Arg then CGC AGG CTC CAG TCG GCA GG, no stop before the transcript ends
    ("stop_lost", 10423, "A", "G", {"stop_lost"}, "c.79T>C", "p.Ter27ArgextTer?", "3/3", None),
    # del one A of AA (c.19-20) in AAG: 3'-most c.20; ...Cys6 then AGC TGG TCA ... → Ser7, stop 13 on
    ("fs_del", 10602, "CT", "C", {"frameshift_variant"}, "c.20del", "p.Lys7SerfsTer13", "1/3", None),
    ("fs_del_right", 10603, "TT", "T", {"frameshift_variant"}, "c.20del", "p.Lys7SerfsTer13", "1/3", None),
    # ins G between c.27 C and c.28 A: GTC GAC AGA TCG ... → Thr10Asp, stop 14 on
    ("fs_ins", 10595, "T", "TC", {"frameshift_variant"}, "c.27_28insG", "p.Thr10AspfsTer14", "1/3", None),
    # GAA GAA GAA (c.7-15): the 3'-most GAA is c.13_15, the 3'-most Glu is Glu5
    ("inframe_del_run", 10607, "ATTC", "A", {"inframe_deletion"}, "c.13_15del", "p.Glu5del", "1/3", None),
    (
        "inframe_del_run_right",
        10613,
        "CTTC",
        "C",
        {"inframe_deletion"},
        "c.13_15del",
        "p.Glu5del",
        "1/3",
        None,
    ),
    # CCC between c.54 and c.55: AGC CCC ATA
    (
        "inframe_ins",
        10507,
        "T",
        "TGGG",
        {"inframe_insertion"},
        "c.54_55insCCC",
        "p.Ser18_Ile19insPro",
        "2/3",
        None,
    ),
    # CAC (c.49-51) once more
    ("dup_codon", 10510, "T", "TGTG", {"inframe_insertion"}, "c.49_51dup", "p.His17dup", "2/3", None),
    ("dup_codon_right", 10513, "G", "GGTG", {"inframe_insertion"}, "c.49_51dup", "p.His17dup", "2/3", None),
    # splice sites of transcript intron 1 (10531-10591) and intron 2 (10441-10500)
    ("donor+1", 10591, "C", "T", {"splice_donor_variant"}, "c.31+1G>A", None, None, "1/2"),
    ("donor+2", 10590, "A", "G", {"splice_donor_variant"}, "c.31+2T>C", None, None, "1/2"),
    ("acceptor-1", 10531, "C", "T", {"splice_acceptor_variant"}, "c.32-1G>A", None, None, "1/2"),
    ("acceptor-2", 10532, "T", "C", {"splice_acceptor_variant"}, "c.32-2A>G", None, None, "1/2"),
    ("donor2+1", 10500, "C", "T", {"splice_donor_variant"}, "c.61+1G>A", None, None, "2/2"),
    ("donor2+2", 10499, "A", "G", {"splice_donor_variant"}, "c.61+2T>C", None, None, "2/2"),
    ("acceptor2-1", 10441, "C", "T", {"splice_acceptor_variant"}, "c.62-1G>A", None, None, "2/2"),
    ("acceptor2-2", 10442, "T", "C", {"splice_acceptor_variant"}, "c.62-2A>G", None, None, "2/2"),
    (
        "region+3",
        10589,
        "T",
        "C",
        {"splice_region_variant", "intron_variant"},
        "c.31+3A>G",
        None,
        None,
        "1/2",
    ),
    (
        "region+8",
        10584,
        "G",
        "A",
        {"splice_region_variant", "intron_variant"},
        "c.31+8C>T",
        None,
        None,
        "1/2",
    ),
    ("intron+9", 10583, "A", "G", {"intron_variant"}, "c.31+9T>C", None, None, "1/2"),
    (
        "region-3",
        10533,
        "G",
        "A",
        {"splice_region_variant", "intron_variant"},
        "c.32-3C>T",
        None,
        None,
        "1/2",
    ),
    (
        "region-8",
        10538,
        "A",
        "G",
        {"splice_region_variant", "intron_variant"},
        "c.32-8T>C",
        None,
        None,
        "1/2",
    ),
    ("intron-9", 10539, "G", "A", {"intron_variant"}, "c.32-9C>T", None, None, "1/2"),
    # codon 11 GAT is split: c.31 G | c.32-33 AT
    (
        "exon_last",
        10592,
        "C",
        "T",
        {"missense_variant", "splice_region_variant"},
        "c.31G>A",
        "p.Asp11Asn",
        "1/3",
        None,
    ),
    (
        "exon_last3",
        10594,
        "G",
        "A",
        {"missense_variant", "splice_region_variant"},
        "c.29C>T",
        "p.Thr10Ile",
        "1/3",
        None,
    ),
    ("exon_last4", 10595, "T", "C", {"missense_variant"}, "c.28A>G", "p.Thr10Ala", "1/3", None),
    (
        "exon_first",
        10530,
        "T",
        "C",
        {"missense_variant", "splice_region_variant"},
        "c.32A>G",
        "p.Asp11Gly",
        "2/3",
        None,
    ),
    ("exon_first4", 10527, "C", "A", {"missense_variant"}, "c.35G>T", "p.Arg12Leu", "2/3", None),
    # deep intronic (61 bp intron 1: the middle base 10561 is c.31+31)
    ("intron1_mid", 10561, "G", "A", {"intron_variant"}, "c.31+31C>T", None, None, "1/2"),
    ("intron1_mid-1", 10560, "G", "A", {"intron_variant"}, "c.32-30C>T", None, None, "1/2"),
    ("intron2_mid", 10471, "G", "A", {"intron_variant"}, "c.61+30C>T", None, None, "2/2"),
    ("intron2_mid-1", 10470, "T", "C", {"intron_variant"}, "c.62-30A>G", None, None, "2/2"),
    # UTRs
    ("utr5_first", 10631, "C", "T", {"5_prime_UTR_variant"}, "c.-9G>A", None, "1/3", None),
    ("utr5_last", 10623, "G", "A", {"5_prime_UTR_variant"}, "c.-1C>T", None, "1/3", None),
    ("utr3_first", 10420, "G", "A", {"3_prime_UTR_variant"}, "c.*1C>T", None, "3/3", None),
    ("utr3_last", 10401, "C", "T", {"3_prime_UTR_variant"}, "c.*20G>A", None, "3/3", None),
]


def _check(res, terms, hgvs_c, hgvs_p, exon, intron):
    assert res is not None
    got = (set(res.terms), res.hgvs_c, res.hgvs_p, res.exon, res.intron, res.sequence_available)
    assert got == (terms, hgvs_c, hgvs_p, exon, intron, True)


@pytest.mark.parametrize(("name", "pos", "ref", "alt", "terms", "c", "p", "exon", "intron"), PLUS_CASES)
def test_plus_strand(annotator, index, name, pos, ref, alt, terms, c, p, exon, intron):
    res = annotate(annotator, index, "TXP", vcf(pos, ref, alt))
    _check(res, terms, c, p, exon, intron)


@pytest.mark.parametrize(("name", "pos", "ref", "alt", "terms", "c", "p", "exon", "intron"), MINUS_CASES)
def test_minus_strand(annotator, index, name, pos, ref, alt, terms, c, p, exon, intron):
    res = annotate(annotator, index, "TXM", vcf(pos, ref, alt))
    _check(res, terms, c, p, exon, intron)


def test_frameshift_creating_an_immediate_stop(annotator, index):
    # TGC ATT (c.73-78) without c.75 C → TGA: the first changed residue is the stop
    res = annotate(annotator, index, "TXP", vcf(10304, "GC", "G"))
    assert "frameshift_variant" in res.terms
    assert (res.hgvs_c, res.hgvs_p) == ("c.75del", "p.Cys25Ter")


def test_deleting_the_stop_codon_reads_into_the_utr(annotator, index):
    # ...TGC ATT [TAA] GCA GAT CCC TGA: Ter27 becomes Ala, then Asp Pro Ter
    res = annotate(annotator, index, "TXP", vcf(10308, "TTAA", "T"))
    assert "stop_lost" in res.terms
    assert (res.hgvs_c, res.hgvs_p) == ("c.79_81del", "p.Ter27AlaextTer3")


def test_protein_position_and_residues(annotator, index):
    res = annotate(annotator, index, "TXP", vcf(10123, "C", "A"))
    assert (res.protein_position, res.aa_ref, res.aa_alt) == (5, "P", "H")
    res = annotate(annotator, index, "TXM", vcf(10528, "G", "A"))
    assert (res.protein_position, res.aa_ref, res.aa_alt) == (12, "R", "*")
    res = annotate(annotator, index, "TXM", vcf(10607, "ATTC", "A"))
    assert (res.protein_position, res.aa_ref, res.aa_alt) == (5, "E", "-")


def test_minus_deletion_across_exon_intron_boundary(annotator, index):
    # c.31 and c.31+1, c.31+2 (genomic 10590-10592) deleted
    res = annotate(annotator, index, "TXM", vcf(10589, "TACC", "T"))
    assert "splice_donor_variant" in res.terms
    assert (res.exon, res.intron) == ("1/3", "1/2")


# -- up- and downstream ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tid", "pos", "term", "distance"),
    [
        ("TXP", 10100, "upstream_gene_variant", 1),
        ("TXP", 5101, "upstream_gene_variant", 5000),
        ("TXP", 5100, None, None),
        ("TXP", 10342, "downstream_gene_variant", 1),
        ("TXP", 15341, "downstream_gene_variant", 5000),
        ("TXP", 15342, None, None),
        # − strand: upstream is to the right of the transcript end (10631)
        ("TXM", 10632, "upstream_gene_variant", 1),
        ("TXM", 15631, "upstream_gene_variant", 5000),
        ("TXM", 15632, None, None),
        ("TXM", 10400, "downstream_gene_variant", 1),
        ("TXM", 5401, "downstream_gene_variant", 5000),
        ("TXM", 5400, None, None),
    ],
)
def test_up_and_downstream(annotator, index, tid, pos, term, distance):
    res = annotate(annotator, index, tid, Change(pos, "A", "G"))
    if term is None:
        assert res is None
    else:
        assert (set(res.terms), res.distance, res.hgvs_c, res.hgvs_p) == ({term}, distance, None, None)


def test_index_finds_transcripts_within_5kb(index):
    assert {t.transcript_id for t in index.near("chr5", 10100, 10100)} == {"TXP", "TXM"}
    assert {t.transcript_id for t in index.near("chr5", 5101, 5101)} == {"TXP"}
    assert index.near("chr5", 5100, 5100) == []
    assert {t.transcript_id for t in index.near("chr5", 15631, 15631)} == {"TXM", "TXU"}
    assert index.near("chr6", 10100, 10100) == []


# -- no sequence -----------------------------------------------------------------------------


def test_cds_snv_without_sequence(annotator, index):
    res = annotate(annotator, index, "TXU", vcf(20123, "C", "A", check=False))
    assert res.sequence_available is False
    assert set(res.terms) == {"coding_sequence_variant"}
    assert (res.hgvs_c, res.hgvs_p, res.exon) == ("c.14C>A", None, "1/3")


def test_cds_deletions_without_sequence(annotator, index):
    res = annotate(annotator, index, "TXU", vcf(20128, "GA", "G", check=False))
    assert res.sequence_available is False
    assert set(res.terms) == {"frameshift_variant"}
    assert (res.hgvs_c, res.hgvs_p) == ("c.20del", None)
    res = annotate(annotator, index, "TXU", vcf(20129, "ACAT", "A", check=False))
    assert res.sequence_available is False
    assert set(res.terms) == {"inframe_deletion"}
    res = annotate(annotator, index, "TXU", vcf(20135, "A", "AC", check=False))
    assert set(res.terms) == {"frameshift_variant"}


def test_non_coding_classes_without_sequence(annotator, index):
    res = annotate(annotator, index, "TXU", vcf(20141, "G", "A", check=False))
    assert (set(res.terms), res.hgvs_c, res.intron) == ({"splice_donor_variant"}, "c.31+1G>A", "1/2")
    res = annotate(annotator, index, "TXU", vcf(20101, "G", "A", check=False))
    assert (set(res.terms), res.hgvs_c) == ({"5_prime_UTR_variant"}, "c.-9G>A")
    res = annotate(annotator, index, "TXU", vcf(20171, "A", "G", check=False))
    assert (set(res.terms), res.hgvs_c) == ({"intron_variant"}, "c.31+31A>G")


def test_without_any_reference(index):
    res = Annotator(None).consequence(index.by_id["TXP"], "chr5", vcf(10123, "C", "A"))
    assert res.sequence_available is False
    assert set(res.terms) == {"coding_sequence_variant"}
    assert res.hgvs_c == "c.14C>A"


# -- more edges ------------------------------------------------------------------------------


def test_frameshift_in_a_codon_split_by_an_intron(annotator, index):
    # c.32 A (first base of exon 2) deleted: C|TG CTT CAC ... → His11Leu, stop 22 on
    res = annotate(annotator, index, "TXP", vcf(10201, "GA", "G"))
    assert set(res.terms) == {"frameshift_variant", "splice_region_variant"}
    assert (res.hgvs_c, res.hgvs_p, res.exon) == ("c.32del", "p.His11LeufsTer22", "2/3")


def test_intronic_dup_is_shifted_3prime_plus(annotator, index):
    # +7 A, +8..+11 TTTT, +12 C: a T inserted after +7 is c.31+11dup
    res = annotate(annotator, index, "TXP", vcf(10147, "A", "AT"))
    assert set(res.terms) == {"splice_region_variant", "intron_variant"}
    assert (res.hgvs_c, res.intron) == ("c.31+11dup", "1/2")


def test_intronic_deletion_is_shifted_3prime_minus(annotator, index):
    # transcript intron 1 starts GTAGGTTC: one T of +6/+7 deleted is c.31+7del
    res = annotate(annotator, index, "TXM", vcf(10584, "GA", "G"))
    assert set(res.terms) == {"splice_region_variant", "intron_variant"}
    assert (res.hgvs_c, res.intron) == ("c.31+7del", "1/2")


def test_insertions_at_the_cds_edges(annotator, index):
    res = annotate(annotator, index, "TXP", vcf(10109, "C", "CG"))
    assert set(res.terms) == {"5_prime_UTR_variant"}
    assert res.hgvs_c == "c.-1_1insG"
    res = annotate(annotator, index, "TXP", vcf(10311, "A", "AC"))
    assert res.hgvs_c == "c.81_*1insC"


NONCODING_ROWS = [
    {**_row("TXN", "+", 1, 10640, 10660, None, "GENEN")},
    {**_row("TXN", "+", 2, 10670, 10690, None, "GENEN")},
]


def test_non_coding_transcript(annotator):
    idx = transcripts.from_rows(NONCODING_ROWS)
    tx = idx.by_id["TXN"]
    assert not tx.coding
    res = annotator.consequence(tx, "chr5", vcf(10645, base5(10645), "A" if base5(10645) != "A" else "C"))
    assert set(res.terms) == {"non_coding_transcript_exon_variant"}
    assert res.hgvs_c.startswith("n.5") and res.exon == "1/2"
    # intron 10661-10670: 10663 is n.20+3
    res = annotator.consequence(tx, "chr5", vcf(10663, base5(10663), "A" if base5(10663) != "A" else "C"))
    assert {"splice_region_variant", "intron_variant"} <= set(res.terms)
    assert res.hgvs_c.startswith("n.20+3") and res.intron == "1/1"


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "terms", "c", "p"),
    [
        # ATG | GAT | AAA: an Asp right after the start codon
        (10112, "G", "GGAT", {"inframe_insertion"}, "c.3_4insGAT", "p.Met1_Lys2insAsp"),
        # CCC inserted before the CCC of Pro5 → the 3'-most copy: c.13_15dup, Pro5dup
        (10121, "A", "ACCC", {"inframe_insertion"}, "c.13_15dup", "p.Pro5dup"),
        # CCC TGG without c.14-16 (CCT) → CGG: Pro5-Trp6 become Arg
        (10122, "CCCT", "C", {"inframe_deletion"}, "c.14_16del", "p.Pro5_Trp6delinsArg"),
        # CCC TGG without c.15-17 (CTG) → CCG: only Trp6 is lost
        (10123, "CCTG", "C", {"inframe_deletion"}, "c.15_17del", "p.Trp6del"),
    ],
)
def test_plus_in_frame_not_codon_aligned(annotator, index, pos, ref, alt, terms, c, p):
    res = annotate(annotator, index, "TXP", vcf(pos, ref, alt))
    _check(res, terms, c, p, "1/3", None)


def test_hgvs_c_is_shifted_near_the_edge_of_a_slice(annotator):
    # a non-coding transcript over chr8_1_40: TTTTTT at 6-11
    idx = transcripts.from_rows([{**_row("TX8", "+", 1, 0, 40, None, "GENE8"), "chrom": "chr8"}])
    res = annotator.consequence(idx.by_id["TX8"], "chr8", Change.from_vcf(5, "CT", "C"))
    assert res.hgvs_c == "n.11del"


@pytest.mark.parametrize(
    ("tid", "pos", "ref", "alt", "utr"),
    [
        ("TXP", 10108, "CCA", "C", "5_prime_UTR_variant"),  # c.-1_1del
        ("TXM", 10621, "ATG", "A", "5_prime_UTR_variant"),  # c.-1_1del on − strand
        ("TXP", 10310, "AAG", "A", "3_prime_UTR_variant"),  # c.81_*1del
    ],
)
def test_deletion_across_the_cds_edge_keeps_the_utr_term(annotator, index, tid, pos, ref, alt, utr):
    res = annotate(annotator, index, tid, vcf(pos, ref, alt))
    assert utr in res.terms


def test_inframe_insertion_ending_in_a_new_stop_past_the_last_residue(bundle_reference, chr17_transcripts):
    # ATP6V0A1 (plus strand) ends ...Glu837 Ter838; six bases inserted after the G of the GAG
    # codon read GTT TCC TAG: Glu837 becomes Val-Ser and the stop follows — the new stop is
    # where the old one was, so nothing is lost or gained but the residues (this raised
    # IndexError before, looking up a reference residue beyond the stop)
    tx = chr17_transcripts.by_id["ENST00000343619.9"]
    r = Annotator(bundle_reference).consequence(tx, "chr17", Change(42521116, "", "TTTCCT"))
    assert r is not None
    assert r.consequences == ("inframe_insertion",)
    assert (r.hgvs_c, r.hgvs_p, r.protein_position) == ("c.2509_2510insTTTCCT", "p.Glu837delinsValSer", 837)


def test_a_change_past_the_end_of_a_protein_without_stop_is_p_unknown() -> None:
    # A CDS that does not end in a stop codon (a reference that does not match the transcript
    # model): a synonymous change of its last codon lets the translation run on past the last
    # residue. There is no HGVS description of that extension: p.? (effect unknown), not a crash.
    from genopath.annotation.consequence import Result, describe_protein

    ref_p = "MPVTA"  # no terminal '*'
    res = Result(transcripts.Transcript("T1", "chr1", 1, [(0, 15)], 0, 15, "G"))
    describe_protein(ref_p, ref_p + "RRW*", 0, (14, 14), False, res)
    assert res.hgvs_p == "p.?"
    assert res.protein_position == len(ref_p)
