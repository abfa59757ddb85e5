"""GA4GH Data Use Ontology (DUO) terms used to code research consent, and how they match.

A consent carries one *permission* term (what research the data may be used for) and any
number of *modifier* terms (conditions). A research project declares its intended use as one
permission term and whether it is commercial. Matching (:func:`covers`) follows DUO's
hierarchy: general research use covers health/medical/biomedical research, which covers
disease-specific research; population-origins research is covered by general research use.

Limitation: disease-specific consent (DUO:0000007) is matched on the category only; the
disease named on the form is not compared with the project's disease.

Reference: Lawson J, et al. The Data Use Ontology to streamline responsible access to human
biomedical datasets. Cell Genomics 2021;1:100028.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from genopath.core.errors import InputError

NRES, GRU, HMB, DS, POA = "DUO:0000004", "DUO:0000042", "DUO:0000006", "DUO:0000007", "DUO:0000011"

PERMISSIONS: dict[str, str] = {
    NRES: "no restriction (NRES)",
    GRU: "general research use (GRU)",
    HMB: "health or medical or biomedical research (HMB)",
    DS: "disease specific research (DS)",
    POA: "population origins or ancestry research only (POA)",
}

MODIFIERS: dict[str, str] = {
    "DUO:0000043": "clinical care use (CC)",
    "DUO:0000012": "research specific restrictions (RS)",
    "DUO:0000015": "no general methods research (NMDS)",
    "DUO:0000016": "genetic studies only (GSO)",
    "DUO:0000018": "not for profit, non commercial use only (NPUNCU)",
    "DUO:0000019": "publication required (PUB)",
    "DUO:0000020": "collaboration required (COL)",
    "DUO:0000021": "ethics approval required (IRB)",
    "DUO:0000022": "geographical restriction (GS)",
    "DUO:0000024": "publication moratorium (MOR)",
    "DUO:0000025": "time limit on use (TS)",
    "DUO:0000026": "user specific restriction (US)",
    "DUO:0000027": "project specific restriction (PS)",
    "DUO:0000028": "institution specific restriction (IS)",
    "DUO:0000029": "return to database or resource (RTN)",
    "DUO:0000045": "not for profit organisation use only (NPU)",
    "DUO:0000046": "non-commercial use only (NCU)",
}

NON_COMMERCIAL = frozenset({"DUO:0000018", "DUO:0000045", "DUO:0000046"})

# Which intended uses each consent permission covers.
_COVERS: dict[str, frozenset[str]] = {
    NRES: frozenset({NRES, GRU, HMB, DS, POA}),
    GRU: frozenset({GRU, HMB, DS, POA}),
    HMB: frozenset({HMB, DS}),
    DS: frozenset({DS}),
    POA: frozenset({POA}),
}


@dataclass(frozen=True)
class ResearchUse:
    """What a research project intends: one DUO permission term, and whether it is commercial."""

    permission: str
    commercial: bool = False

    def __post_init__(self) -> None:
        if self.permission not in PERMISSIONS:
            raise InputError(
                f"{self.permission!r} is not a DUO permission term; use one of {_listing(PERMISSIONS)}"
            )


def validate_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """Check a consent's DUO codes: exactly one permission term, any known modifiers.

    Returns the codes upper-cased, de-duplicated, permission first.
    """
    normalised = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    unknown = [c for c in normalised if c not in PERMISSIONS and c not in MODIFIERS]
    if unknown:
        raise InputError(
            f"unknown DUO code(s) {', '.join(unknown)}; permission terms: {_listing(PERMISSIONS)}; "
            f"modifiers: {', '.join(MODIFIERS)}"
        )
    permissions = [c for c in normalised if c in PERMISSIONS]
    if len(permissions) != 1:
        raise InputError(
            f"research consent needs exactly one DUO permission term, got {len(permissions)} "
            f"({', '.join(permissions) or 'none'}); choose one of {_listing(PERMISSIONS)}"
        )
    return (permissions[0], *[c for c in normalised if c in MODIFIERS])


def covers(consent_codes: Iterable[str], use: ResearchUse) -> tuple[bool, str]:
    """Whether consent coded with ``consent_codes`` allows ``use``, and why (or why not)."""
    codes = set(consent_codes)
    permission = next((c for c in codes if c in PERMISSIONS), None)
    if permission is None:
        return False, "the research consent carries no DUO permission term"
    if use.permission not in _COVERS[permission]:
        return False, (
            f"consent allows {PERMISSIONS[permission]}, which does not cover the project's "
            f"{PERMISSIONS[use.permission]}"
        )
    blocking = sorted(codes & NON_COMMERCIAL)
    if use.commercial and blocking:
        return (
            False,
            f"consent restricts use to non-commercial research ({', '.join(MODIFIERS[c] for c in blocking)})",
        )
    return True, f"consent allows {PERMISSIONS[permission]}"


def conditions(consent_codes: Iterable[str]) -> tuple[str, ...]:
    """The modifier terms of a consent, spelled out, for the user to honour."""
    return tuple(f"{c} {MODIFIERS[c]}" for c in sorted(set(consent_codes)) if c in MODIFIERS)


def _listing(terms: dict[str, str]) -> str:
    return "; ".join(f"{code} {label}" for code, label in terms.items())
