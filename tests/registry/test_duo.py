"""GA4GH Data Use Ontology codes on research consent, and whether they cover a project's use.

Expected coverage is written out here from the matching rules of Lawson et al., Cell Genomics
2021 (GRU covers HMB, DS and POA; HMB covers DS), not read from the module.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genopath.core.errors import InputError
from genopath.registry.duo import (
    DS,
    GRU,
    HMB,
    MODIFIERS,
    NRES,
    PERMISSIONS,
    POA,
    ResearchUse,
    conditions,
    covers,
    validate_codes,
)

NCU, NPUNCU, NPU = "DUO:0000046", "DUO:0000018", "DUO:0000045"
IRB, PUB, GSO = "DUO:0000021", "DUO:0000019", "DUO:0000016"

# consent permission → the project uses it covers
EXPECTED_COVERS = {
    NRES: {NRES, GRU, HMB, DS, POA},
    GRU: {GRU, HMB, DS, POA},
    HMB: {HMB, DS},
    DS: {DS},
    POA: {POA},
}
permissions = st.sampled_from(sorted(PERMISSIONS))
modifier_sets = st.lists(st.sampled_from(sorted(MODIFIERS)), unique=True, max_size=5)


# --- validate_codes -------------------------------------------------------------------------------


def test_validate_codes__one_permission() -> None:
    assert validate_codes([GRU]) == (GRU,)


def test_validate_codes__modifiers_kept_permission_first() -> None:
    assert validate_codes([IRB, HMB, PUB]) == (HMB, IRB, PUB)


def test_validate_codes__normalised_and_deduplicated() -> None:
    assert validate_codes([" duo:0000042 ", "DUO:0000046", "duo:0000046", ""]) == (GRU, NCU)


def test_validate_codes__no_permission() -> None:
    with pytest.raises(InputError, match=r"exactly one DUO permission term, got 0 \(none\)"):
        validate_codes([NCU, IRB])


def test_validate_codes__nothing_at_all() -> None:
    with pytest.raises(InputError, match="got 0"):
        validate_codes([])


def test_validate_codes__two_permissions() -> None:
    with pytest.raises(InputError) as e:
        validate_codes([GRU, HMB])
    assert f"got 2 ({GRU}, {HMB})" in e.value.message


def test_validate_codes__unknown_code_named() -> None:
    with pytest.raises(InputError) as e:
        validate_codes([GRU, "DUO:9999999", "HMB"])
    assert e.value.message.startswith("unknown DUO code(s) DUO:9999999, HMB;")
    assert GRU in e.value.message  # lists what is accepted


@given(permission=permissions, modifiers=modifier_sets)
def test_validate_codes__any_permission_with_modifiers(permission: str, modifiers: list[str]) -> None:
    codes = validate_codes([*modifiers, permission.lower()])
    assert codes[0] == permission
    assert list(codes[1:]) == modifiers


# --- ResearchUse ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [NCU, "DUO:0000001", "GRU"])
def test_research_use__permission_term_required(code: str) -> None:
    with pytest.raises(InputError, match=f"'{code}' is not a DUO permission term"):
        ResearchUse(code)


# --- covers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "use", "allowed"),
    [
        (GRU, GRU, True),
        (GRU, HMB, True),
        (GRU, DS, True),
        (GRU, POA, True),
        (HMB, HMB, True),
        (HMB, DS, True),
        (HMB, POA, False),
        (HMB, GRU, False),
        (DS, DS, True),
        (DS, HMB, False),
        (DS, GRU, False),
        (DS, POA, False),
        (POA, POA, True),
        (POA, GRU, False),
        (POA, HMB, False),
        (NRES, GRU, True),
        (NRES, POA, True),
    ],
)
def test_covers__hierarchy(consent: str, use: str, allowed: bool) -> None:
    ok, why = covers([consent], ResearchUse(use))
    assert ok is allowed
    assert PERMISSIONS[consent] in why
    if not allowed:
        assert PERMISSIONS[use] in why and "does not cover" in why


@pytest.mark.parametrize("permission", list(PERMISSIONS))
def test_covers__every_permission_covers_itself(permission: str) -> None:
    assert covers([permission], ResearchUse(permission))[0]


@pytest.mark.parametrize("modifier", [NCU, NPUNCU, NPU])
def test_covers__non_commercial_refuses_commercial_use(modifier: str) -> None:
    ok, why = covers([GRU, modifier], ResearchUse(HMB, commercial=True))
    assert not ok
    assert "non-commercial" in why and MODIFIERS[modifier] in why


def test_covers__ncu_allows_non_commercial_use() -> None:
    assert covers([GRU, NCU], ResearchUse(HMB))[0]


def test_covers__commercial_use_allowed_without_restriction() -> None:
    assert covers([GRU, IRB, PUB], ResearchUse(GRU, commercial=True))[0]


def test_covers__hierarchy_checked_before_commercial_restriction() -> None:
    ok, why = covers([DS, NCU], ResearchUse(POA, commercial=True))
    assert not ok and "does not cover" in why


def test_covers__no_permission_term() -> None:
    ok, why = covers([NCU], ResearchUse(GRU))
    assert not ok
    assert "no DUO permission term" in why


@given(consent=permissions, use=permissions, modifiers=modifier_sets, commercial=st.booleans())
def test_covers__matches_design_table(consent: str, use: str, modifiers: list[str], commercial: bool) -> None:
    ok, _ = covers([consent, *modifiers], ResearchUse(use, commercial=commercial))
    blocked = commercial and bool({NCU, NPUNCU, NPU} & set(modifiers))
    if consent == use == NRES:
        return  # see test_covers__every_permission_covers_itself
    assert ok == (use in EXPECTED_COVERS[consent] and not blocked)


@given(a=permissions, b=permissions, c=permissions)
def test_covers__transitive(a: str, b: str, c: str) -> None:
    if covers([a], ResearchUse(b))[0] and covers([b], ResearchUse(c))[0]:
        assert covers([a], ResearchUse(c))[0]


@given(permission=permissions, use=permissions, modifiers=modifier_sets, commercial=st.booleans())
def test_covers__modifiers_never_widen(
    permission: str, use: str, modifiers: list[str], commercial: bool
) -> None:
    research = ResearchUse(use, commercial=commercial)
    if covers([permission, *modifiers], research)[0]:
        assert covers([permission], research)[0]


# --- conditions -----------------------------------------------------------------------------------


def test_conditions__modifiers_spelled_out_sorted() -> None:
    assert conditions([GRU, PUB, IRB]) == (
        "DUO:0000019 publication required (PUB)",
        "DUO:0000021 ethics approval required (IRB)",
    )


def test_conditions__permission_only() -> None:
    assert conditions([HMB]) == ()


def test_conditions__duplicates_once() -> None:
    assert conditions([GSO, GSO]) == ("DUO:0000016 genetic studies only (GSO)",)
