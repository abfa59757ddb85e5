"""One typed settings object for the whole platform.

Values come from keyword arguments, then the environment (prefix ``GENOPATH_``, any case),
then a ``.env`` file in the working directory, then defaults. Each value is converted to its
field's type; a value that cannot be (``GENOPATH_QC_MIN_MEAN_DP=abc``) is a
:class:`ConfigurationError` naming the variable. Outside development the secret key and the
identity-vault key must be set explicitly: a default would let anyone with the source decrypt
the vault or forge tokens.

The object is a frozen dataclass converted by the standard library, so that every command
starts without a validation framework (it was pydantic-settings, about 0.15 s of each
command's start-up); a ``.env`` file is read by python-dotenv, as pydantic-settings read it.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from genopath.core.errors import ConfigurationError

DEVELOPMENT_SECRET = "genopath-development-secret-not-for-real-data"
DEVELOPMENT_VAULT_KEY = "genopath-development-vault-key-not-for-real-data"
ENV_PREFIX = "GENOPATH_"
DOTENV = ".env"


class Environment(StrEnum):
    """Where genopath runs; only ``development`` accepts the built-in keys."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SecretStr:
    """A string that does not show itself in ``repr``, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._value else "SecretStr('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _setting(default: Any, description: str = "") -> Any:
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True, init=False)
class Settings:
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

    home: Path = Path("genopath-data")
    database_url: str | None = None
    environment: Environment = Environment.DEVELOPMENT
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)  # noqa: RUF009 (immutable)
    vault_key: SecretStr = SecretStr(DEVELOPMENT_VAULT_KEY)  # noqa: RUF009 (immutable)
    resource_mirror: Path | None = None
    resource_base_url: str | None = None
    log_level: str = "INFO"
    reference_fasta: Path | None = None
    # Genome QC thresholds (docs/genome.md). A sample fails a check when its value is outside.
    qc_max_missingness: float = _setting(
        0.05, "largest fraction of no-call genotypes at variant sites of the file"
    )
    qc_min_mean_dp: float = _setting(15.0, "smallest mean FORMAT/DP over called genotypes")
    qc_min_mean_gq: float = _setting(20.0, "smallest mean FORMAT/GQ over called genotypes")
    qc_min_call_gq: int = _setting(
        20, "calls with a lower GQ are treated as missing in kinship and Mendelian checks"
    )
    qc_titv_min: float = _setting(1.8, "Ti/Tv below this is a warning (WGS ≈ 2.0-2.1)")
    qc_titv_max: float = _setting(2.4, "Ti/Tv above this is a warning (exomes ≈ 2.8)")
    qc_het_hom_max: float = _setting(2.5, "het/hom-alt ratio above this is a warning")
    qc_sex_min_x_calls: int = _setting(
        50, "fewest non-PAR chrX non-reference calls for the X heterozygosity check"
    )
    qc_sex_x_het_male_max: float = _setting(0.2, "largest non-PAR chrX het/(het+hom-alt) fraction for a male")
    qc_sex_x_het_female_min: float = _setting(
        0.4, "smallest non-PAR chrX het/(het+hom-alt) fraction for a female"
    )
    qc_sex_y_calls_female_max: int = _setting(
        20, "most non-PAR chrY non-reference calls (GQ ≥ qc_min_call_gq) for a female"
    )
    qc_kinship_min_sites: int = _setting(
        200, "fewest informative autosomal SNVs for a KING-robust kinship estimate"
    )
    qc_mendel_max_error_rate: float = _setting(
        0.02, "largest Mendelian error rate of a trio (errors / informative sites)"
    )
    qc_mendel_min_sites: int = _setting(
        100, "fewest informative autosomal sites called in all three of a trio"
    )

    def __init__(self, **values: Any) -> None:
        _check_names(values)
        given = {**_from_environment(_read_dotenv(Path(DOTENV))), **_from_environment(os.environ), **values}
        self._fill({f.name: given.get(f.name, f.default) for f in dataclasses.fields(self)})

    def _fill(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, _convert(name, _TYPES[name], value))
        self._refuse_unsafe_defaults()

    def _refuse_unsafe_defaults(self) -> None:
        if self.environment is Environment.DEVELOPMENT:
            return
        for name, default in (("secret_key", DEVELOPMENT_SECRET), ("vault_key", DEVELOPMENT_VAULT_KEY)):
            value = getattr(self, name).get_secret_value()
            if value == default or len(value) < 32:
                raise ConfigurationError(
                    f"GENOPATH_{name.upper()} is left at its development default or is shorter "
                    f"than 32 characters, which is unsafe in the {self.environment.value} "
                    f"environment; set GENOPATH_{name.upper()} to a long random value "
                    '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
                )

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied, converted and checked like any other value (the
        environment and ``.env`` are not read again)."""
        _check_names(changes)
        copy = object.__new__(Settings)
        copy._fill({f.name: changes.get(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)})
        return copy

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside the data home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'genopath.db').resolve()}"


_NAMES = frozenset(f.name for f in dataclasses.fields(Settings))
_TYPES: dict[str, Any] = typing.get_type_hints(Settings)


def _check_names(values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - _NAMES)
    if unknown:
        raise TypeError(f"Settings got unknown settings {', '.join(unknown)}")


def _whole(value: str | int) -> int:
    """A whole number from ``20``, ``"20"`` or ``"20.0"`` (not ``"20.5"``)."""
    try:
        return int(value)
    except ValueError:
        number = float(value)
        if not number.is_integer():
            raise
        return int(number)


#: Field type → (conversion, the Python types it accepts, what the message says is expected).
_KINDS: dict[Any, tuple[Callable[[Any], Any], tuple[type, ...], str]] = {
    str: (str, (str,), "a string"),
    Path: (Path, (str, os.PathLike), "a path"),
    int: (_whole, (str, int), "a whole number"),
    float: (float, (str, int, float), "a number"),
    SecretStr: (SecretStr, (str,), "a string"),
    Environment: (Environment, (str,), f"one of {', '.join(e.value for e in Environment)}"),
}


def _convert(name: str, kind: Any, value: Any) -> Any:
    """``value`` (a string from the environment, or a Python value) as a field of type ``kind``."""
    if isinstance(kind, types.UnionType):  # ``X | None``: unset, or empty in the environment
        if value is None or value == "":
            return None
        (kind,) = (k for k in typing.get_args(kind) if k is not type(None))
    convert, accepted, expected = _KINDS[kind]
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    if isinstance(value, accepted) and not isinstance(value, bool):
        try:
            return convert(value)
        except (TypeError, ValueError):
            pass
    shown = f"a value of type {type(value).__name__}" if kind is SecretStr else repr(value)  # no key shown
    raise ConfigurationError(
        f"{ENV_PREFIX}{name.upper()} must be {expected}, not {shown}; set it in the environment or in {DOTENV}"
    )


def _from_environment(variables: Mapping[str, str]) -> dict[str, str]:
    """Settings named in ``variables`` (any case, ``GENOPATH_`` prefix); other names are ignored."""
    found: dict[str, str] = {}
    for key, value in variables.items():
        name = key.lower().removeprefix(ENV_PREFIX.lower())
        if len(name) < len(key) and name in _NAMES:
            found[name] = value
    return found


def _read_dotenv(path: Path) -> dict[str, str]:
    """The assignments of a ``.env`` file, read by python-dotenv as pydantic-settings read them
    (quotes and escapes, ``export``, comments, ``${VAR}`` expansion, a UTF-8 byte-order mark).

    A missing file is no settings; python-dotenv imports only when there is a file. A line it
    cannot parse is skipped with a warning naming its line number (not its text, which may
    hold a key), and a name without a value is unset."""
    if not path.is_file():
        return {}
    from dotenv import dotenv_values  # ≈ 0.04 s: only for a working directory with a .env

    try:
        values = dotenv_values(path, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigurationError(f"cannot read {path}: {e}") from e
    return {key: value for key, value in values.items() if value is not None}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once from the environment; tests build their own ``Settings``."""
    return Settings()
