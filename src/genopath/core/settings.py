"""One typed settings object for the whole platform.

Values come from the environment (prefix ``GENOPATH_``), then a ``.env`` file, then defaults.
Outside development the secret key and the identity-vault key must be set explicitly:
a default would let anyone with the source decrypt the vault or forge tokens.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from genopath.core.errors import ConfigurationError

DEVELOPMENT_SECRET = "genopath-development-secret-not-for-real-data"
DEVELOPMENT_VAULT_KEY = "genopath-development-vault-key-not-for-real-data"


class Environment(StrEnum):
    """Where genopath runs; only ``development`` accepts the built-in keys."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Settings of a genopath installation.

    Attributes
    ----------
    home
        The data home: database, resources, genomes, cases, population, reports.
    database_url
        SQLAlchemy URL of the operational database; ``None`` means ``sqlite:///<home>/genopath.db``.
        In production, a PostgreSQL URL such as ``postgresql+psycopg://user@host/genopath``.
    environment
        ``development`` (default), ``test`` or ``production``.
    secret_key
        Signs tokens and derives research IDs; must be changed outside development.
    vault_key
        Encrypts the identity vault at rest; must be changed outside development and kept
        apart from database backups.
    resource_mirror
        A local folder laid out like the shared reference-data mirror (``hpo/``, ``clinvar/`` …),
        used by ``--from`` imports, tests and benchmarks.
    resource_base_url
        Base URL of a programme-hosted HTTP mirror laid out like ``resource_mirror``;
        ``genopath resources fetch`` tries ``<resource_base_url>/<relative path>`` before any
        upstream URL.
    log_level
        Python logging level name.
    reference_fasta
        A bgzipped, faidx-indexed whole-genome GRCh38 FASTA used by ``genome ingest`` to
        left-align indels (``bcftools norm -f``); without it, records are split only.
    qc_*
        Genome QC thresholds (``genopath genome qc``); each field's description says what it
        bounds. See ``docs/genome.md`` for where the defaults come from.
    """

    model_config = SettingsConfigDict(env_prefix="GENOPATH_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path("genopath-data"))
    database_url: str | None = None
    environment: Environment = Environment.DEVELOPMENT
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    vault_key: SecretStr = SecretStr(DEVELOPMENT_VAULT_KEY)
    resource_mirror: Path | None = None
    resource_base_url: str | None = None
    log_level: str = "INFO"
    reference_fasta: Path | None = None
    # Genome QC thresholds (docs/genome.md). A sample fails a check when its value is outside.
    qc_max_missingness: float = Field(
        default=0.05, description="largest fraction of no-call genotypes at variant sites of the file"
    )
    qc_min_mean_dp: float = Field(default=15.0, description="smallest mean FORMAT/DP over called genotypes")
    qc_min_mean_gq: float = Field(default=20.0, description="smallest mean FORMAT/GQ over called genotypes")
    qc_min_call_gq: int = Field(
        default=20, description="calls with a lower GQ are treated as missing in kinship and Mendelian checks"
    )
    qc_titv_min: float = Field(default=1.8, description="Ti/Tv below this is a warning (WGS ≈ 2.0-2.1)")
    qc_titv_max: float = Field(default=2.4, description="Ti/Tv above this is a warning (exomes ≈ 2.8)")
    qc_het_hom_max: float = Field(default=2.5, description="het/hom-alt ratio above this is a warning")
    qc_sex_min_x_calls: int = Field(
        default=50, description="fewest non-PAR chrX non-reference calls for the X heterozygosity check"
    )
    qc_sex_x_het_male_max: float = Field(
        default=0.2, description="largest non-PAR chrX het/(het+hom-alt) fraction for a male"
    )
    qc_sex_x_het_female_min: float = Field(
        default=0.4, description="smallest non-PAR chrX het/(het+hom-alt) fraction for a female"
    )
    qc_sex_y_calls_female_max: int = Field(
        default=20, description="most non-PAR chrY non-reference calls (GQ ≥ qc_min_call_gq) for a female"
    )
    qc_kinship_min_sites: int = Field(
        default=200, description="fewest informative autosomal SNVs for a KING-robust kinship estimate"
    )
    qc_mendel_max_error_rate: float = Field(
        default=0.02, description="largest Mendelian error rate of a trio (errors / informative sites)"
    )
    qc_mendel_min_sites: int = Field(
        default=100, description="fewest informative autosomal sites called in all three of a trio"
    )

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        for name, default in (("secret_key", DEVELOPMENT_SECRET), ("vault_key", DEVELOPMENT_VAULT_KEY)):
            value = getattr(self, name).get_secret_value()
            if value == default or len(value) < 32:
                raise ConfigurationError(
                    f"GENOPATH_{name.upper()} is left at its development default or is shorter "
                    f"than 32 characters, which is unsafe in the {self.environment.value} "
                    f"environment; set GENOPATH_{name.upper()} to a long random value "
                    '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
                )
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'genopath.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment; tests build their own ``Settings``."""
    return Settings()
