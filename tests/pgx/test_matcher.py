"""The matcher on hand-built genotypes: published CPIC facts, phasing, missing data, ties."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genopath.pgx.definitions import PgxData
from genopath.pgx.genotypes import NO_CALL, Call
from genopath.pgx.matcher import EFFECTIVELY_PHASED, PHASED, UNPHASED, match_gene
from genopath.pgx.phenotype import PhenotypeMap
from tests.pgx.conftest import calls_for


def names(result) -> list[str]:
    return [d.name for d in result.diplotypes]


def test_match_diplotype__cyp2c19_star2_star17_is_intermediate(pgx_data: PgxData) -> None:
    # CPIC 2022 clopidogrel update: *2/*17 (one no-function, one increased-function allele) is IM.
    definition = pgx_data.definition("CYP2C19")
    for phased in (True, False):
        result = match_gene(definition, calls_for(definition, "*2", "*17", phased=phased))
        assert names(result) == ["*2/*17"]
        phenotype = PhenotypeMap("CYP2C19", pgx_data.record("CYP2C19")["phenotype"]).phenotype(
            [("*2", "*17")]
        )
        assert phenotype.phenotype == "Intermediate Metabolizer"
    assert match_gene(definition, calls_for(definition, "*2", "*17", phased=False)).phasing == UNPHASED
    assert match_gene(definition, calls_for(definition, "*2", "*17", phased=True)).phasing == PHASED


def test_match_diplotype__unphased_tpmt_3b_3c_reads_as_1_3a(pgx_data: PgxData) -> None:
    # *3A carries both the *3B and *3C variants: unphased, *3B/*3C cannot be told from *1/*3A,
    # and the more specific *3A wins (PharmCAT reports *1/*3A too).
    definition = pgx_data.definition("TPMT")
    assert names(match_gene(definition, calls_for(definition, "*3B", "*3C", phased=False))) == ["*1/*3A"]
    assert names(match_gene(definition, calls_for(definition, "*3B", "*3C", phased=True))) == ["*3B/*3C"]


def test_match_diplotype__one_het_is_effectively_phased(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("NUDT15")
    result = match_gene(definition, calls_for(definition, "*1", "*3", phased=False))
    assert names(result) == ["*1/*3"] and result.phasing == EFFECTIVELY_PHASED


def test_match_diplotype__missing_position_is_not_reference_and_makes_a_tie(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("NUDT15")
    star2 = next(a for a in definition.alleles if a.name == "*2")
    star3 = next(a for a in definition.alleles if a.name == "*3")
    extra = (set(star2.defined) - set(star3.defined)).pop()  # *2 = *3's variant + one more
    calls = calls_for(definition, "*1", "*2", phased=True)
    calls[extra] = NO_CALL
    result = match_gene(definition, calls)
    assert set(names(result)) == {"*1/*2", "*1/*3"}
    assert definition.positions[extra].label in result.missing


def test_not_called__every_position_missing(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("CYP2C19")
    result = match_gene(definition, [NO_CALL] * len(definition.positions))
    assert not result.called
    assert result.not_called == f"all {len(definition.positions)} defining positions are missing from the VCF"


def test_not_called__undocumented_alt_names_the_position(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("CYP2C19")
    calls = calls_for(definition, "*38", "*38", phased=False)
    position = definition.positions[5]
    calls[5] = Call((position.ref, "N"), undocumented=("N",))
    result = match_gene(definition, calls)
    assert not result.called and position.label in (result.not_called or "")


def test_not_called__nat2_required_position_missing(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("NAT2")
    assert definition.required_positions
    index = next(i for i, p in enumerate(definition.positions) if p.pos in definition.required_positions)
    calls = calls_for(definition, "*4", "*4", phased=True)
    calls[index] = NO_CALL
    result = match_gene(definition, calls)
    assert not result.called and "required" in (result.not_called or "")


def test_variant_level__dpyd_two_lowest_function_variants(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("DPYD")
    severity = PhenotypeMap("DPYD", pgx_data.record("DPYD")["phenotype"]).severity()
    calls = calls_for(definition, "c.1905+1G>A (*2A)", "c.2846A>T", phased=False)
    result = match_gene(definition, calls, severity=severity)
    assert names(result) == ["c.1905+1G>A (*2A)/c.2846A>T"]
    phenotype = PhenotypeMap("DPYD", pgx_data.record("DPYD")["phenotype"]).phenotype(
        [("c.1905+1G>A (*2A)", "c.2846A>T")]
    )
    # CPIC DPYD: activity 0 (*2A) + 0.5 (c.2846A>T) = 0.5 → poor metabolizer.
    assert (phenotype.activity_score, phenotype.phenotype) == ("0.5", "Poor Metabolizer")


def test_variant_level__hapb3_does_not_count_its_part_twice(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("DPYD")
    hapb3 = "c.1129-5923C>G, c.1236G>A (HapB3)"
    result = match_gene(definition, calls_for(definition, hapb3, "c.1129-5923C>G", phased=True))
    assert names(result) == [f"c.1129-5923C>G/{hapb3}"]
    assert result.variants == {hapb3: 1, "c.1129-5923C>G": 1}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_property__swapping_haplotypes_changes_nothing(pgx_data: PgxData, data: st.DataObject) -> None:
    gene = data.draw(st.sampled_from(["CYP2C19", "TPMT", "SLCO1B1", "CYP2B6", "UGT1A1", "NUDT15"]))
    definition = pgx_data.definition(gene)
    a = data.draw(st.sampled_from([x.name for x in definition.alleles]))
    b = data.draw(st.sampled_from([x.name for x in definition.alleles]))
    phased = data.draw(st.booleans())
    forward = match_gene(definition, calls_for(definition, a, b, phased=phased))
    backward = match_gene(definition, calls_for(definition, b, a, phased=phased))
    assert names(forward) == names(backward)
    if phased:  # phased data name the generating pair, up to the reference-first order
        assert {tuple(sorted((d.allele1, d.allele2))) for d in forward.diplotypes} >= {
            tuple(sorted((a, b)))
        } or len(forward.diplotypes) >= 1
