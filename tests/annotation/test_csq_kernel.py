"""The C consequence kernel gives what ``Annotator.consequence`` gives, field for field.

``Annotator.consequence`` (consequence.py) is the specification. Every comparison here runs the
Python code on the same (transcript, change) and requires equal results: terms, HGVS ``c.`` and
``p.``, exon, intron, protein position, codon index, residues, distance and whether the
sequence was available. Where the Python code raises, the C code must flag the change
unsupported (the caller then runs the Python code, which raises for it too).

The changes are a sweep over every exon boundary and CDS end of the demo bundle's chr17
transcripts, Hypothesis-drawn changes on those transcripts and their flanks, the same without a
reference, and Hypothesis-drawn transcripts (coding and non-coding, abutting exons, CDS ends
anywhere) on a synthetic whole-chromosome contig whose ends the shift window meets.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.annotation import csq_kernel, so
from genopath.annotation.consequence import SHIFT_WINDOW, Annotator, Change, Result, translate
from genopath.annotation.reference import Reference
from genopath.annotation.transcripts import FLANK, Transcript, TranscriptIndex

pytestmark = pytest.mark.skipif(
    not csq_kernel.HAVE_C,
    reason="the C extension genopath.annotation._csq is not built (no compiler when genopath was "
    "installed) or is turned off by GENOPATH_NO_C_KERNELS; Annotator.consequence is used instead "
    "and there is nothing to compare",
)

Row = tuple[Any, ...] | str | None
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _expected(annotator: Annotator, tx: Transcript, chrom: str, change: Change) -> Row:
    try:
        res = annotator.consequence(tx, chrom, change)
    except IndexError:
        return "raises"
    return _fields(res) if res is not None else None


def _fields(res: Result) -> tuple[Any, ...]:
    return (
        frozenset(res.terms), res.hgvs_c, res.hgvs_p, res.exon, res.intron, res.protein_position,
        res.codon_index, res.aa_ref, res.aa_alt, res.distance, res.sequence_available,
    )  # fmt: skip


def _got(out: csq_kernel.Out, i: int) -> Row:
    if out.unsupported[i]:
        return "unsupported"
    if not out.present[i]:
        return None

    def opt(v: Any) -> int | None:
        return None if int(v) < 0 else int(v)

    return (
        frozenset(out.terms(i)), out.hgvs_c[i].as_py(), out.hgvs_p[i].as_py(), out.exon[i].as_py(),
        out.intron[i].as_py(), opt(out.protein_position[i]), opt(out.codon_index[i]), out.aa_ref[i].as_py(),
        out.aa_alt[i].as_py(), opt(out.distance[i]), bool(out.sequence_available[i]),
    )  # fmt: skip


def _run(
    model: csq_kernel.TranscriptModel, genome: csq_kernel.Genome | None, changes: list[Change]
) -> csq_kernel.Out:
    return csq_kernel.consequences(
        model,
        genome,
        np.array([c.start for c in changes], np.int64),
        pa.array([c.dele for c in changes], pa.string()),
        pa.array([c.ins for c in changes], pa.string()),
    )


def _compare(
    annotator: Annotator,
    model: csq_kernel.TranscriptModel,
    genome: csq_kernel.Genome | None,
    tx: Transcript,
    changes: list[Change],
) -> tuple[list[str], int, int]:
    """Mismatches (described), changes the C code computed, and changes it flagged."""
    out = _run(model, genome, changes)
    bad, flagged = [], 0
    for i, change in enumerate(changes):
        want, got = _expected(annotator, tx, tx.chrom, change), _got(out, i)
        if got == "unsupported":
            flagged += 1
            continue
        if want != got:
            bad.append(f"{tx.transcript_id} ({tx.strand:+d}) {change}:\n  python {want}\n  C      {got}")
    return bad, len(changes) - flagged, flagged


def _inside(tx: Transcript, c: Change) -> bool:
    """Does the change lie within the transcript (not up- or downstream of it)?"""
    first, last = tx.tx_start0 + 1, tx.tx_end
    if c.dele:
        return c.start <= last and c.end >= first
    return first <= c.start - 1 and c.start <= last


# -- the demo bundle -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(bundle_reference: Reference, chr17_transcripts: TranscriptIndex) -> dict[str, Any]:
    annotator = Annotator(bundle_reference)
    (contig,) = bundle_reference.contigs["chr17"]
    genome = csq_kernel.Genome.of(bundle_reference, "chr17", contig.offset, contig.offset + contig.length)
    txs = list(chr17_transcripts)
    models = {t.transcript_id: csq_kernel.TranscriptModel.of(t, annotator.sequences.mrna(t)) for t in txs}
    return {"annotator": annotator, "genome": genome, "transcripts": txs, "models": models,
            "reference": bundle_reference}  # fmt: skip


def _bases(reference: Reference | None, chrom: str, start0: int, n: int, rng: random.Random) -> str:
    seq = reference.fetch(chrom, start0, start0 + n) if reference is not None else None
    return seq if seq is not None else "".join(rng.choice("ACGT") for _ in range(n))


def _sweep(tx: Transcript, reference: Reference, rng: random.Random) -> Iterator[Change]:
    """Changes at every position within 12 bp of an exon boundary or a CDS end of ``tx``."""
    edges = {p for s0, e in tx.exons for p in (s0 + 1, e)}
    if tx.cds_start0 is not None and tx.cds_end is not None:
        edges |= {tx.cds_start0 + 1, tx.cds_end}
    for p in sorted({b + d for b in edges for d in range(-12, 13)}):
        around = _bases(reference, tx.chrom, p - 8, 21, rng)
        before, here = around[:7], around[7:]  # bases p-7 … p-1, and p …
        yield from (Change(p, here[0], a) for a in "ACGT" if a != here[0])
        yield from (Change(p, here[:n], "") for n in range(1, 13))
        for n in range(1, 7):
            yield Change(p, "", "".join(rng.choice("ACGT") for _ in range(n)))
            yield Change(p, "", before[-n:])  # a duplication of the bases before
            yield Change(p, "", here[:n])  # a duplication of the bases after (shifts on)
        for n in (2, 3):  # MNVs and delins
            for alt in (
                "".join(rng.choice("ACGT") for _ in range(n)),
                rng.choice("ACGT") * rng.randint(1, 5),
            ):
                change = Change.from_vcf(p, here[:n], alt)
                if change.dele or change.ins:
                    yield change


def test_sweep_of_every_exon_boundary_and_cds_end(bundle: dict[str, Any]) -> None:
    rng = random.Random(17)
    bad: list[str] = []
    computed = flagged = 0
    for tx in bundle["transcripts"]:
        changes = list(_sweep(tx, bundle["reference"], rng))
        b, c, f = _compare(
            bundle["annotator"], bundle["models"][tx.transcript_id], bundle["genome"], tx, changes
        )
        bad += b
        computed += c
        flagged += f
    assert not bad, f"{len(bad)} of {computed} changes differ; first:\n" + "\n".join(bad[:10])
    # 52 transcripts: > 1 million changes, of which the C code leaves only those where the
    # Python code raises (an in-frame insertion that makes a stop after the reference stop)
    assert computed > 1_000_000
    assert flagged < 20


@st.composite
def _changes_near(draw: st.DrawFn, tx: Transcript, reference: Reference | None, far: int) -> list[Change]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    out = []
    for _ in range(draw(st.integers(1, 40))):
        where = draw(st.sampled_from(["exon", "any", "far"]))
        if where == "exon":
            s0, e = draw(st.sampled_from(tx.exons))
            p = draw(st.integers(s0 - 3, e + 3))
        elif where == "any":
            p = draw(st.integers(tx.tx_start0 - 30, tx.tx_end + 30))
        else:
            p = draw(st.integers(tx.tx_start0 - far, tx.tx_end + far))
        p = max(p, 1)
        kind = draw(st.sampled_from(["snv", "del", "ins", "dup", "delins", "odd"]))
        n = draw(st.integers(1, 20))
        here = _bases(reference, tx.chrom, p - 1, 21, rng)
        if kind == "snv":
            alt = draw(st.sampled_from([b for b in "ACGT" if b != here[0]] or ["A"]))
            change = Change(p, here[0], alt)
        elif kind == "del":
            change = Change(p, here[:n], "")
        elif kind == "ins":
            change = Change(p, "", draw(st.text("ACGT", min_size=1, max_size=20)))
        elif kind == "dup":
            change = Change(p, "", _bases(reference, tx.chrom, p - 1 - n, n, rng))
        elif kind == "delins":
            change = Change.from_vcf(p, here[:n], draw(st.text("ACGT", min_size=1, max_size=20)))
        else:  # other letters, as a caller might pass them: Ns, IUPAC codes, lower case
            odd = st.text("ACGTNacgtnRY*", max_size=8)
            change = Change(p, draw(st.sampled_from([here[:n], draw(odd)])), draw(odd))
        if change.dele or change.ins:
            out.append(change)
    return out


@PROPERTY
@given(data=st.data())
def test_random_changes_on_bundle_transcripts(bundle: dict[str, Any], data: st.DataObject) -> None:
    tx = data.draw(st.sampled_from(bundle["transcripts"]))
    changes = data.draw(_changes_near(tx, bundle["reference"], FLANK + 500))
    bad, _, _ = _compare(
        bundle["annotator"], bundle["models"][tx.transcript_id], bundle["genome"], tx, changes
    )
    assert not bad, "\n".join(bad[:5])


@PROPERTY
@given(data=st.data())
def test_random_changes_without_a_reference(bundle: dict[str, Any], data: st.DataObject) -> None:
    tx = data.draw(st.sampled_from(bundle["transcripts"]))
    changes = data.draw(_changes_near(tx, bundle["reference"], FLANK + 500))
    model = csq_kernel.TranscriptModel.of(tx, None)
    bad, computed, _ = _compare(Annotator(None), model, None, tx, changes)
    assert not bad, "\n".join(bad[:5])
    assert computed == len(changes)  # without sequence nothing is left to the Python code


def test_transcripts_outside_the_slice_have_no_sequence(bundle: dict[str, Any]) -> None:
    outside = [t for t in bundle["transcripts"] if bundle["annotator"].sequences.mrna(t) is None]
    assert outside, "the demo bundle's chr17 slice is expected to leave some MANE transcripts out"
    tx = outside[0]
    s0, e = tx.exons[len(tx.exons) // 2]
    changes = [Change(p, "A", "G") for p in range(s0 + 1, e + 1)]
    out = _run(bundle["models"][tx.transcript_id], bundle["genome"], changes)
    coding = np.array([tx.cds_index(c.start) is not None for c in changes])
    assert coding.any()
    assert not out.sequence_available[coding].any()
    bad, _, _ = _compare(
        bundle["annotator"], bundle["models"][tx.transcript_id], bundle["genome"], tx, changes
    )
    assert not bad, "\n".join(bad[:5])


def test_a_short_segment_leaves_only_far_indels_to_python(bundle: dict[str, Any]) -> None:
    tx = next(t for t in bundle["transcripts"] if bundle["models"][t.transcript_id].mrna is not None)
    # the segment stops 150 bp inside the transcript: indels near its ends would shift or check
    # for a duplication over bases the C code does not hold
    genome = csq_kernel.Genome.of(bundle["reference"], "chr17", tx.tx_start0 + 150, tx.tx_end - 150)
    assert genome is not None
    rng = random.Random(3)
    changes = []
    for p in [*range(tx.tx_start0 - 700, tx.tx_start0 + 700, 7), *range(tx.tx_end - 700, tx.tx_end + 700, 7)]:
        here = _bases(bundle["reference"], "chr17", p - 1, 4, rng)
        alt = "T" if here[0] != "T" else "C"
        changes += [
            Change(p, here[0], alt),
            Change(p, here[:3], ""),
            Change(p, "", here[:2]),
            Change(p, here[:2], alt),
        ]
    out = _run(bundle["models"][tx.transcript_id], genome, changes)
    pure = np.array([not (c.dele and c.ins) for c in changes])
    inside = np.array([_inside(tx, c) for c in changes])
    window_out = np.array([c.start - 1 - 300 < genome.seg_lo or c.end + 300 > genome.seg_hi for c in changes])
    must = pure & inside & window_out
    assert must.sum() > 100
    assert out.unsupported[must].all()
    assert not out.unsupported[~(pure & inside)].any()
    bad, computed, _ = _compare(bundle["annotator"], bundle["models"][tx.transcript_id], genome, tx, changes)
    assert not bad, "\n".join(bad[:5])
    assert computed > len(changes) // 2


def test_the_documented_segment_is_enough(bundle: dict[str, Any]) -> None:
    rng = random.Random(8)
    with_sequence = [t for t in bundle["transcripts"] if bundle["models"][t.transcript_id].mrna is not None]
    for strand in (1, -1):
        tx = next(t for t in with_sequence if t.strand == strand)
        changes = list(_sweep(tx, bundle["reference"], rng))
        longest = max(max(len(c.dele), len(c.ins)) for c in changes)
        reach = SHIFT_WINDOW + longest
        genome = csq_kernel.Genome.of(bundle["reference"], "chr17", tx.tx_start0 - reach, tx.tx_end + reach)
        bad, _, flagged = _compare(
            bundle["annotator"], bundle["models"][tx.transcript_id], genome, tx, changes
        )
        assert not bad, "\n".join(bad[:5])
        raises = sum(_expected(bundle["annotator"], tx, tx.chrom, c) == "raises" for c in changes)
        assert flagged == raises


# -- a synthetic reference: a whole chrM (offset 0) and two slices of chr5 -----------------------

CHRM_LEN = 16569  # GRCh38 chrM: a whole chromosome of a size a test can hold


def _synthetic(length: int, seed: int) -> str:
    """Random bases with tandem repeats (for shifting and dups) and a run of Ns (for X codons)."""
    rng = random.Random(seed)
    parts, n = [], 0
    while n < length:
        unit = "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 4)))
        piece = unit * rng.randint(1, 6) if rng.random() < 0.4 else unit
        parts.append(piece)
        n += len(piece)
    seq = "".join(parts)[:length]
    return seq[:200] + "NNNN" + seq[204:]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("csq-toy") / "toy.fa"
    records = [("chrM", _synthetic(CHRM_LEN, 1)), ("chr5_10001_12000", _synthetic(2000, 2)),
               ("chr5_20001_21000", _synthetic(1000, 3))]  # fmt: skip
    path.write_text("".join(f">{name}\n{seq}\n" for name, seq in records))
    pysam.faidx(str(path))
    reference = Reference(path)
    yield {"reference": reference, "annotator": Annotator(reference)}
    reference.close()


@st.composite
def _toy_transcripts(draw: st.DrawFn, chrom: str, places: list[tuple[int, int]]) -> Transcript:
    lo, hi = draw(st.sampled_from(places))
    pos = draw(st.integers(lo, hi))
    exons = []
    for i in range(draw(st.integers(1, 5))):
        pos += draw(st.integers(0, 40)) if i else 0  # 0: exons that abut
        length = draw(st.integers(1, 60))
        exons.append((pos, pos + length))
        pos += length
    cds_start0 = cds_end = None
    if draw(st.booleans()):
        exonic = [p for s, e in exons for p in range(s, e)]
        i = draw(st.integers(0, len(exonic) - 1))
        j = draw(st.integers(i, min(len(exonic) - 1, i + draw(st.integers(0, 200)))))
        cds_start0, cds_end = exonic[i], exonic[j] + 1
    strand = draw(st.sampled_from([1, -1]))
    return Transcript("ENSTTOY", chrom, strand, exons, cds_start0, cds_end, "TOY")


CHRM_PLACES = [
    (0, 40),
    (300, 420),
    (8000, 8100),
    (CHRM_LEN - 500, CHRM_LEN - 150),
    (CHRM_LEN - 40, CHRM_LEN + 20),
]


@PROPERTY
@given(data=st.data())
def test_random_transcripts_on_a_whole_chromosome(toy: dict[str, Any], data: st.DataObject) -> None:
    tx = data.draw(_toy_transcripts("chrM", CHRM_PLACES))
    annotator = Annotator(toy["reference"])  # a fresh sequence cache: transcripts share an ID
    model = csq_kernel.TranscriptModel.of(tx, annotator.sequences.mrna(tx))
    genome = csq_kernel.Genome.of(toy["reference"], "chrM", 0, CHRM_LEN)
    assert genome is not None and genome.alone
    changes = data.draw(_changes_near(tx, toy["reference"], FLANK + 200))
    bad, _, _ = _compare(annotator, model, genome, tx, changes)
    assert not bad, "\n".join(bad[:5])


def test_non_coding_transcripts(toy: dict[str, Any]) -> None:
    genome = csq_kernel.Genome.of(toy["reference"], "chrM", 0, CHRM_LEN)
    rng = random.Random(11)
    for strand in (1, -1):
        tx = Transcript(
            f"ENSTNC{strand}", "chrM", strand, [(500, 560), (600, 640), (641, 700)], None, None, "NC"
        )
        changes = list(_sweep(tx, toy["reference"], rng))
        model = csq_kernel.TranscriptModel.of(tx, toy["annotator"].sequences.mrna(tx))
        assert model.mrna is None and not model.coding
        bad, computed, _ = _compare(toy["annotator"], model, genome, tx, changes)
        assert not bad, "\n".join(bad[:5])
        assert computed == len(changes)
        out = _run(model, genome, changes)
        terms = set().union(*(out.terms(i) for i in range(len(out)) if out.present[i]))
        assert {"non_coding_transcript_exon_variant", "intron_variant", "splice_donor_variant"} <= terms
        assert all(h is None or h.startswith("n.") for h in out.hgvs_c.to_pylist())


def test_several_contigs_of_a_chromosome_leave_indels_to_python(toy: dict[str, Any]) -> None:
    genome = csq_kernel.Genome.of(toy["reference"], "chr5", 10000, 12000)
    assert genome is not None and not genome.alone and genome.contig_lo == 10000
    tx = Transcript("ENSTC5", "chr5", 1, [(10500, 10600), (10700, 10800)], 10550, 10750, "C5")
    model = csq_kernel.TranscriptModel.of(tx, toy["annotator"].sequences.mrna(tx))
    rng = random.Random(5)
    changes = list(_sweep(tx, toy["reference"], rng))
    out = _run(model, genome, changes)
    # HGVS c. (which shifts indels) is given only to changes inside the transcript; the CDS has
    # no stop codon, and the C code leaves the changes that run past its end to the Python code,
    # which names them p.? (it raised IndexError for them before)
    pure_inside = np.array([not (c.dele and c.ins) and _inside(tx, c) for c in changes])
    expected = [_expected(toy["annotator"], tx, "chr5", c) for c in changes]
    assert "raises" not in expected
    past_end = np.array([r is not None and r[2] == "p.?" for r in expected])
    assert pure_inside.sum() > 1000 and past_end.any()
    assert (out.unsupported == (pure_inside | past_end)).all()
    bad, _, _ = _compare(toy["annotator"], model, genome, tx, changes)
    assert not bad, "\n".join(bad[:5])


def test_bases_outside_ascii_are_left_to_python() -> None:
    model = csq_kernel.TranscriptModel.of(Transcript("T", "chr1", 1, [(1000, 1100)], None, None, "G"), None)
    out = csq_kernel.consequences(model, None, [1050, 1050], pa.array(["A", "A"]), pa.array(["é", "G"]))
    assert out.unsupported.tolist() == [True, False]
    assert out.hgvs_c.to_pylist() == [None, "n.50A>G"]


def test_a_malformed_transcript_is_left_to_python(toy: dict[str, Any]) -> None:
    # the CDS starts in an intron: Transcript gives cds_cdna_start 0, which the Python code
    # slices with as an index of -1
    tx = Transcript("ENSTBAD", "chrM", 1, [(500, 560), (600, 640)], 570, 620, "BAD")
    model = csq_kernel.TranscriptModel.of(tx, toy["annotator"].sequences.mrna(tx))
    assert model.malformed is not None
    out = _run(model, None, [Change(510, "A", "C"), Change(620, "", "A")])
    assert out.unsupported.all() and not out.present.any()


# -- the pieces ------------------------------------------------------------------------------


@given(st.text("TCAGNX", max_size=40), st.booleans())
def test_translate_is_consequence_translate(seq: str, to_stop: bool) -> None:
    from genopath.annotation import _csq

    assert _csq.translate(seq.encode(), to_stop).decode() == translate(seq, to_stop)


def test_term_names_are_sequence_ontology_terms() -> None:
    from genopath.annotation import _csq

    assert set(_csq.TERM_NAMES) <= set(so.RANK)
    out = _run(
        csq_kernel.TranscriptModel.of(Transcript("T", "chr1", 1, [(1000, 1100)], None, None, "G"), None),
        None,
        [Change(500, "A", "G"), Change(1050, "A", "G"), Change(9000, "A", "G")],
    )
    assert out.terms(0) == {"upstream_gene_variant"} and out.distance[0] == 501
    assert out.terms(1) == {"non_coding_transcript_exon_variant"}
    assert not out.present[2] and out.hgvs_c[2].as_py() is None


def test_bad_input_is_named() -> None:
    model = csq_kernel.TranscriptModel.of(Transcript("T", "chr1", 1, [(1000, 1100)], None, None, "G"), None)
    with pytest.raises(ValueError, match="dele holds 1 values for 2 start positions"):
        csq_kernel.consequences(model, None, [5, 6], pa.array(["A"]), pa.array(["C", "G"]))
    with pytest.raises(ValueError, match="ins must not hold nulls"):
        csq_kernel.consequences(model, None, [5], pa.array(["A"]), pa.array([None], pa.string()))
    with pytest.raises(TypeError, match="dele must be a pyarrow string array"):
        csq_kernel.consequences(model, None, [5], pa.array([1]), pa.array(["C"]))
    # a sliced Arrow array keeps its parent's buffers: offsets are read from its own offset on
    dele = pa.array(["ZZ", "A", "", "AC"])[1:]
    ins = pa.array(["Q", "G", "T", ""])[1:]
    out = csq_kernel.consequences(model, None, [1050, 1051, 1060], dele, ins)
    assert out.hgvs_c.to_pylist() == ["n.50A>G", "n.50_51insT", "n.60_61del"]


def test_the_environment_variable_turns_the_kernel_off() -> None:
    code = (
        "from genopath.annotation import csq_kernel as k\n"
        "assert k.BUILT and not k.HAVE_C\n"
        "try:\n"
        "    k.consequences(None, None, [], None, None)\n"
        "except RuntimeError as e:\n"
        "    assert 'GENOPATH_NO_C_KERNELS' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
    )
    env = {**os.environ, csq_kernel.NO_C_KERNELS_ENV: "1"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).parent)


def test_the_c_constants_are_the_python_ones() -> None:
    """The port hard-codes the window sizes of consequence.py and transcripts.py."""
    from genopath.annotation import _csq, consequence

    assert (_csq.FLANK, _csq.SHIFT_WINDOW) == (FLANK, SHIFT_WINDOW)
    assert (_csq.SPLICE_SITE, _csq.SPLICE_REGION_EXON, _csq.SPLICE_REGION_INTRON) == (
        consequence.SPLICE_SITE,
        consequence.SPLICE_REGION_EXON,
        consequence.SPLICE_REGION_INTRON,
    )
