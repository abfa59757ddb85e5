"""The exhaustive definitional suite: the matcher against a brute-force oracle (benchmarks/pgx.py runs all)."""

from __future__ import annotations

import pytest

from genopath.pgx.definitions import PgxData
from genopath.pgx.suite import MISSING, PHASED, UNPHASED, cases, run_suite


@pytest.mark.parametrize(
    "gene", ["CYP2C19", "TPMT", "NUDT15", "UGT1A1", "CYP3A5", "SLCO1B1", "VKORC1", "ABCG2"]
)
def test_suite__every_pair_matches_exactly(pgx_data: PgxData, gene: str) -> None:
    tally = run_suite(pgx_data.definition(gene))
    assert tally.cases > 0
    assert tally.rate == 1.0, tally.mismatches


def test_suite__oracle_knows_the_documented_ambiguity(pgx_data: PgxData) -> None:
    by_case = {(c.allele1, c.allele2, c.mode): c for c in cases(pgx_data.definition("TPMT"))}
    assert by_case[("*3B", "*3C", UNPHASED)].expected == frozenset({"*1/*3A"})
    assert by_case[("*3B", "*3C", PHASED)].expected == frozenset({"*3B/*3C"})
    assert not by_case[("*1", "*2", PHASED)].ambiguous


def test_suite__missing_cases_drop_one_defining_position(pgx_data: PgxData) -> None:
    definition = pgx_data.definition("NUDT15")
    missing = [c for c in cases(definition, modes=(MISSING,))]
    assert missing
    for case in missing:
        assert sum(1 for call in case.calls if call.missing) == 1


def test_suite__large_genes_sampled(pgx_data: PgxData) -> None:
    for gene in ("CYP2C9", "CYP2B6", "DPYD", "G6PD"):
        tally = run_suite(pgx_data.definition(gene), limit=400)
        assert tally.rate >= 0.99, (gene, tally.mismatches)
