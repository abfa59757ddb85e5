"""Pharmacogenomics: allele definitions → matcher → diplotype → phenotype → CPIC recommendations.

Public API::

    from genopath.pgx import PgxOptions, open_data, run_pgx, write_pgx
    document = run_pgx(open_data(settings), Path("genome.vcf.gz"), PgxOptions(outside_calls=tsv))
"""

from genopath.pgx.definitions import GeneDefinition, NamedAllele, PgxData
from genopath.pgx.genotypes import Call, PgxVcf
from genopath.pgx.matcher import Diplotype, GeneMatch, match_gene
from genopath.pgx.outside import read_outside_calls
from genopath.pgx.run import PgxOptions, open_data, run_pgx, write_pgx

__all__ = [
    "Call",
    "Diplotype",
    "GeneDefinition",
    "GeneMatch",
    "NamedAllele",
    "PgxData",
    "PgxOptions",
    "PgxVcf",
    "match_gene",
    "open_data",
    "read_outside_calls",
    "run_pgx",
    "write_pgx",
]
