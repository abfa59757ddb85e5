"""Reading genotypes from real VCF files: compression, missing data, phasing, gVCF blocks, bad input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genopath.core.errors import InputError, NotFoundError
from genopath.pgx.definitions import GeneDefinition, PgxData
from genopath.pgx.genotypes import SOURCE_BLOCK, SOURCE_MISSING, Call, PgxVcf
from genopath.pgx.matcher import match_gene
from genopath.pgx.run import PgxOptions, run_pgx, write_pgx
from tests.pgx.conftest import Row, allele, vcf_text

CYP2C19 = PgxOptions(genes=("CYP2C19",))


def gt(definition: GeneDefinition, index: int, a: str, b: str, sep: str = "/") -> str:
    """The VCF GT of a sample carrying bases ``a`` and ``b`` at defining position ``index``."""
    p = definition.positions[index]
    alleles = [p.ref, *p.alts]
    return f"{alleles.index(a)}{sep}{alleles.index(b)}"


def rows_for(
    definition: GeneDefinition,
    pairs: Sequence[tuple[str, str]],
    *,
    sep: str = "/",
    skip: Sequence[int] = (),
    ps: int | None = None,
) -> list[Row]:
    """One record per defining position (except ``skip``), one GT column per (allele1, allele2) pair."""
    haps = [(allele(definition, a), allele(definition, b)) for a, b in pairs]
    rows: list[Row] = []
    for i, p in enumerate(definition.positions):
        if i in skip:
            continue
        gts = [gt(definition, i, h1[i], h2[i], sep) + (f":{ps}" if ps is not None else "") for h1, h2 in haps]
        rows.append((p.chrom, p.pos, p.ref, ",".join(p.alts), "\t".join(gts)))
    return sorted(rows, key=lambda r: r[1])


def read_calls(path: Path, definition: GeneDefinition, sample: str = "S1") -> list[Call]:
    """The calls at ``definition``'s positions, read as ``run_pgx`` reads them (regions given)."""
    with PgxVcf(path, {definition.chrom: [definition.span]}) as reader:
        return reader.calls(definition, [sample])[sample]


def gene(document: dict, name: str, sample: int = 0) -> dict:
    return next(g for g in document["samples"][sample]["genes"] if g["gene"] == name)


def diplotypes(document: dict, name: str, sample: int = 0) -> list[str]:
    return [d["name"] for d in gene(document, name, sample)["diplotypes"]]


@pytest.mark.parametrize("compress", ["none", "gzip", "bgzip", "bgzip-no-index", "no-chr-prefix"])
def test_read_vcf__star2_star17_from_plain_gzip_and_indexed(
    pgx_data: PgxData, write_vcf: Callable[..., Path], compress: str
) -> None:
    definition = pgx_data.definition("CYP2C19")
    text = vcf_text(rows_for(definition, [("*2", "*17")]))
    if compress == "no-chr-prefix":  # Ensembl-style contig names (10, not chr10)
        text, compress = text.replace("chr10", "10"), "none"
    path = write_vcf(text, compress=compress.removesuffix("-no-index"))
    if compress == "bgzip":
        assert Path(f"{path}.tbi").is_file()
    if compress == "bgzip-no-index":
        Path(f"{path}.tbi").unlink()
    document = run_pgx(pgx_data, path, CYP2C19)
    result = gene(document, "CYP2C19")
    assert diplotypes(document, "CYP2C19") == ["*2/*17"]
    assert result["phenotype"] == "Intermediate Metabolizer"
    assert result["missing_positions"] == [] and result["assumed_reference"] == 0


def test_read_vcf__absent_positions_are_no_call_unless_assume_reference(
    pgx_data: PgxData, write_vcf: Callable[..., Path]
) -> None:
    definition = pgx_data.definition("CYP2C19")
    star2 = next(a for a in definition.alleles if a.name == "*2")
    star17 = next(a for a in definition.alleles if a.name == "*17")
    carried = set(star2.defined) | set(star17.defined)
    absent = [i for i in range(len(definition.positions)) if i not in carried]
    assert absent
    path = write_vcf(vcf_text(rows_for(definition, [("*2", "*17")], skip=absent)))
    result = gene(run_pgx(pgx_data, path, CYP2C19), "CYP2C19")
    assert sorted(result["missing_positions"]) == sorted(definition.positions[i].label for i in absent)
    assert result["assumed_reference"] == 0
    calls = read_calls(path, definition)
    assert all(calls[i].missing and calls[i].source == SOURCE_MISSING for i in absent)

    assumed = gene(run_pgx(pgx_data, path, PgxOptions(genes=("CYP2C19",), assume_reference=True)), "CYP2C19")
    assert assumed["missing_positions"] == []
    assert assumed["assumed_reference"] == len(absent)
    assert [d["name"] for d in assumed["diplotypes"]] == ["*2/*17"]


def test_read_vcf__dot_genotype_is_no_call(pgx_data: PgxData, write_vcf: Callable[..., Path]) -> None:
    definition = pgx_data.definition("CYP2C19")
    rows = rows_for(definition, [("*2", "*17")])
    p = definition.positions[0]
    rows[0] = (p.chrom, p.pos, p.ref, ",".join(p.alts), "./.")
    result = gene(run_pgx(pgx_data, write_vcf(vcf_text(rows)), CYP2C19), "CYP2C19")
    assert result["missing_positions"] == [p.label]
    assert result["assumed_reference"] == 0


def test_read_vcf__phased_gt_with_phase_set(pgx_data: PgxData, write_vcf: Callable[..., Path]) -> None:
    definition = pgx_data.definition("TPMT")
    # Phased, *3B/*3C is told apart from *1/*3A (unphased it cannot be: see test_matcher).
    text = vcf_text(rows_for(definition, [("*3B", "*3C")], sep="|", ps=1234), extra_format=":PS")
    path = write_vcf(text)
    calls = read_calls(path, definition)
    het = [c for c in calls if len(set(c.alleles)) > 1]
    assert len(het) == 2 and all(c.phased and c.phase_set == 1234 for c in het)
    result = gene(run_pgx(pgx_data, path, PgxOptions(genes=("TPMT",))), "TPMT")
    assert [d["name"] for d in result["diplotypes"]] == ["*3B/*3C"]
    assert result["phasing"] == "phased"
    unphased = write_vcf(vcf_text(rows_for(definition, [("*3B", "*3C")])), "unphased.vcf")
    assert diplotypes(run_pgx(pgx_data, unphased, PgxOptions(genes=("TPMT",))), "TPMT") == ["*1/*3A"]


@pytest.mark.parametrize("start_offset", [-1, 0])
def test_read_vcf__gvcf_reference_block(
    pgx_data: PgxData, write_vcf: Callable[..., Path], start_offset: int
) -> None:
    definition = pgx_data.definition("CYP2C19")
    # A reference block covers defining positions 2-11 (reference in *2 and *3); the rest are records.
    rows = rows_for(definition, [("*2", "*3")])
    covered = range(2, 12)
    first, last = definition.positions[covered[0]], definition.positions[covered[-1]]
    start = first.pos + start_offset
    block = (first.chrom, start, first.ref if start_offset == 0 else "N", "<NON_REF>", f"{last.pos};0/0")
    kept = [r for r in rows if not first.pos <= r[1] <= last.pos]
    assert all(allele(definition, n)[i] == definition.positions[i].ref for i in covered for n in ("*2", "*3"))
    path = write_vcf(vcf_text(sorted([block, *kept], key=lambda r: r[1])))
    calls = read_calls(path, definition)
    for i in covered:
        assert calls[i].alleles == (definition.positions[i].ref,) * 2
        assert calls[i].source == SOURCE_BLOCK
    result = gene(run_pgx(pgx_data, path, CYP2C19), "CYP2C19")
    assert result["reference_blocks"] == len(covered)
    assert result["missing_positions"] == []
    assert [d["name"] for d in result["diplotypes"]] == ["*2/*3"]


def test_read_vcf__split_and_joint_multiallelic_ta_repeat_agree(
    pgx_data: PgxData, write_vcf: Callable[..., Path]
) -> None:
    definition = pgx_data.definition("UGT1A1")
    index, repeat = next((i, p) for i, p in enumerate(definition.positions) if p.ref == "CAT")
    assert {"CATAT", "CATATAT"} <= set(repeat.alts)
    others = [
        (p.chrom, p.pos, p.ref, ",".join(p.alts), "0/0")
        for i, p in enumerate(definition.positions)
        if i != index
    ]
    joint = [*others, (repeat.chrom, repeat.pos, "CAT", "CATAT,CATATAT", "1/2")]
    # As ``bcftools norm -m-`` splits it.
    split = [
        *others,
        (repeat.chrom, repeat.pos, "CAT", "CATAT", "1/0"),
        (repeat.chrom, repeat.pos, "CAT", "CATATAT", "0/1"),
    ]
    results = []
    for name, rows in (("joint.vcf", joint), ("split.vcf", split)):
        document = run_pgx(
            pgx_data,
            write_vcf(vcf_text(sorted(rows, key=lambda r: r[1])), name),
            PgxOptions(genes=("UGT1A1",)),
        )
        results.append(diplotypes(document, "UGT1A1"))
    assert results[0] == results[1] == ["*28/*37"]


def test_read_vcf__undocumented_alt_is_not_called_naming_the_position(
    pgx_data: PgxData, write_vcf: Callable[..., Path]
) -> None:
    definition = pgx_data.definition("CYP2C19")
    rows = rows_for(definition, [("*1", "*1")])
    p = definition.positions[3]
    odd = next(b for b in "ACGT" if b != p.ref and b not in p.alts)
    rows[3] = (p.chrom, p.pos, p.ref, odd, "0/1")
    result = gene(run_pgx(pgx_data, write_vcf(vcf_text(rows)), CYP2C19), "CYP2C19")
    assert not result["called"] and result["diplotypes"] == []
    assert p.label in result["not_called"] and odd in result["not_called"]


def test_read_vcf__grch37_contig_lengths_refused(pgx_data: PgxData, write_vcf: Callable[..., Path]) -> None:
    definition = pgx_data.definition("CYP2C19")
    path = write_vcf(vcf_text(rows_for(definition, [("*1", "*2")]), build="GRCh37"))
    with pytest.raises(InputError, match="GRCh37"):
        run_pgx(pgx_data, path, CYP2C19)


def test_read_vcf__grch37_reference_line_without_lengths_refused(
    pgx_data: PgxData, write_vcf: Callable[..., Path]
) -> None:
    text = vcf_text(rows_for(pgx_data.definition("CYP2C19"), [("*1", "*2")]))
    lines = [line for line in text.splitlines() if not line.startswith("##contig")]
    lines.insert(1, "##reference=file:///refs/GRCh37/human_g1k_v37.fasta")
    lines.insert(2, "##contig=<ID=chr10>")
    with pytest.raises(InputError, match="GRCh37"):
        run_pgx(pgx_data, write_vcf("\n".join(lines) + "\n"), CYP2C19)


def test_read_vcf__unknown_sample_names_the_samples(
    pgx_data: PgxData, write_vcf: Callable[..., Path]
) -> None:
    definition = pgx_data.definition("CYP2C19")
    path = write_vcf(vcf_text(rows_for(definition, [("*1", "*2"), ("*2", "*2")]), samples=("NA1", "NA2")))
    with pytest.raises(NotFoundError) as raised:
        run_pgx(pgx_data, path, PgxOptions(samples=("X",), genes=("CYP2C19",)))
    assert "'X'" in str(raised.value) and "NA1" in str(raised.value) and "NA2" in str(raised.value)


def test_read_vcf__multi_sample_one_result_each(pgx_data: PgxData, write_vcf: Callable[..., Path]) -> None:
    definition = pgx_data.definition("CYP2C19")
    path = write_vcf(
        vcf_text(rows_for(definition, [("*1", "*2"), ("*2", "*2"), ("*2", "*17")]), samples=("A", "B", "C")),
        compress="bgzip",
    )
    document = run_pgx(pgx_data, path, CYP2C19)
    assert [s["sample"] for s in document["samples"]] == ["A", "B", "C"]
    assert [diplotypes(document, "CYP2C19", k) for k in range(3)] == [["*1/*2"], ["*2/*2"], ["*2/*17"]]
    assert gene(document, "CYP2C19", 1)["phenotype"] == "Poor Metabolizer"
    only_b = run_pgx(pgx_data, path, PgxOptions(samples=("B",), genes=("CYP2C19",)))
    assert [s["sample"] for s in only_b["samples"]] == ["B"]


@pytest.mark.parametrize("indexed", [True, False])
def test_read_vcf__truncated_bgzip_is_refused_and_nothing_written(
    pgx_data: PgxData, write_vcf: Callable[..., Path], tmp_path: Path, indexed: bool
) -> None:
    definition = pgx_data.definition("CYP2C19")
    # Enough records that the body spans several BGZF blocks; the cut falls inside the body.
    rows = rows_for(definition, [("*2", "*17")])
    filler = [("chr10", 94_700_000 + k, "A", "G", "0/1") for k in range(3000)]
    path = write_vcf(vcf_text(sorted(filler + rows, key=lambda r: r[1])), compress="bgzip")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    if not indexed:
        Path(f"{path}.tbi").unlink()
    out = tmp_path / "pgx.json"
    with pytest.raises(InputError):
        document = run_pgx(pgx_data, path, CYP2C19)
        write_pgx(document, out)
    assert not out.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property__missing_positions_never_contradict_the_remaining_calls(
    pgx_data: PgxData, write_vcf: Callable[..., Path], data: st.DataObject
) -> None:
    definition = pgx_data.definition("CYP2C19")
    a, b = data.draw(
        st.sampled_from([("*2", "*17"), ("*1", "*2"), ("*2", "*3"), ("*17", "*17"), ("*1", "*4")])
    )
    skip = data.draw(
        st.sets(st.integers(0, len(definition.positions) - 1), max_size=len(definition.positions) - 1)
    )
    path = write_vcf(vcf_text(rows_for(definition, [(a, b)], skip=sorted(skip))))
    calls = read_calls(path, definition)
    assert [i for i, c in enumerate(calls) if c.missing] == sorted(skip)
    result = match_gene(definition, calls)
    assert set(result.missing) == {definition.positions[i].label for i in skip}
    by_name = {x.name: x for x in definition.alleles}
    for d in result.diplotypes:
        x, y = by_name[d.allele1], by_name[d.allele2]
        for i, call in enumerate(calls):
            if call.missing:
                continue
            ref = definition.positions[i].ref
            g1, g2 = call.alleles
            assert (x.accepts(i, g1, ref) and y.accepts(i, g2, ref)) or (
                x.accepts(i, g2, ref) and y.accepts(i, g1, ref)
            )
    # The generating pair always explains the calls, so the gene is called (ties allowed).
    assert result.called


def test_read_vcf__unindexed_without_regions_still_reads_the_records(
    pgx_data: PgxData, write_vcf: Callable[..., Path]
) -> None:
    # PgxVcf used on its own (no regions): a plain VCF must not silently read as all no-call.
    definition = pgx_data.definition("CYP2C19")
    path = write_vcf(vcf_text(rows_for(definition, [("*2", "*17")])))
    with PgxVcf(path) as reader:
        calls = reader.calls(definition, ["S1"])["S1"]
    assert not any(c.missing for c in calls)
    assert match_gene(definition, calls).diplotypes[0].name == "*2/*17"
