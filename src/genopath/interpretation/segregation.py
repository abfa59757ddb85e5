"""Segregation: which genes carry a genotype that fits a mode of inheritance in the family.

For every variant the proband carries, each mode that its chromosome and genotype allow is
tried: autosomal dominant (including de novo), autosomal recessive homozygous, autosomal
recessive compound heterozygous (phased by the parents when they are sequenced), X-linked
recessive and dominant, and mitochondrial. A mode fits when

* the variant's population frequency passes the mode's threshold (:class:`FrequencyThresholds`;
  ClinVar P/LP variants are rescued up to ``clinvar_rescue``),
* every other affected sequenced member carries the genotype the mode needs,
* the sequenced parents can have transmitted it (a parent of a homozygous child must carry it;
  compound heterozygous variants both from one parent are in cis), and
* under complete penetrance, no unaffected sequenced member carries the same genotype
  (a heterozygote for a dominant mode, a homozygote or the same compound heterozygous pair for a
  recessive one, a hemizygous male for X-linked recessive).

A variant that fits no mode gets one filter-trace row: stage ``frequency`` when every mode
tried failed its frequency threshold, otherwise ``segregation``, with the reason of each mode
(``"AD: AF 0.004 > 0.001; AR comp-het: no second qualifying heterozygous variant in GENE"``).

Genotypes are read per member with :func:`genotype_state`: on chrX outside the
pseudo-autosomal regions (GRCh38 PARs, :data:`genopath.genome.calls.PAR_REGIONS`, which
behave autosomally) a male's ALT call (``1``, ``0/1`` or ``1/1``) is hemizygous, whatever the
caller wrote. Singletons are first-class: without parents a heterozygous variant is not
called de novo and a compound heterozygous pair is unphased (``in_trans=None``, noted).

References
----------
Frequency thresholds per mode follow DESIGN §6 (dominant 0.1 %, recessive 1 %, compound
heterozygous 2 %, ClinVar P/LP rescue 5 %), in line with Exomiser's defaults (Smedley D et al.
Nat Protoc 2015;10:2004-2015) and Whiffin N et al. Genet Med 2017;19:1151-1158 (maximum
credible allele frequency).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import pyarrow as pa

from genopath.core.errors import InputError
from genopath.genome.calls import PAR_REGIONS
from genopath.interpretation.model import (
    MOIS,
    STAGES,
    TRACE_SCHEMA,
    Family,
    GeneCandidate,
    VariantKey,
    genotype_column,
    key_text,
)
from genopath.registry.terms import AffectedStatus, Sex

PENETRANCE = ("complete", "incomplete")

REF, HET, HOM, HEMI, MISSING = "reference", "heterozygous", "homozygous", "hemizygous", "missing"
_CARRIES = frozenset({HET, HOM, HEMI})
_PATHOGENIC = frozenset({"P", "LP"})


@dataclass(frozen=True)
class FrequencyThresholds:
    """Maximum population allele frequency (``pop_af``; unseen = 0) per mode of inheritance.

    ``ad`` applies to AD and XLD, ``ar`` to homozygous AR, hemizygous/homozygous XLR and MT,
    ``comp_het`` to each variant of a compound heterozygous pair (AR, or XLR in a female);
    ClinVar P/LP variants pass any mode up to ``clinvar_rescue``.
    """

    ad: float = 0.001
    ar: float = 0.01
    comp_het: float = 0.02
    clinvar_rescue: float = 0.05


def chrom_region(chrom: str, pos: int) -> str:
    """``"autosomal"`` (autosomes and the X/Y PARs), ``"X"``, ``"Y"`` (outside the PARs) or ``"MT"``."""
    name = chrom.removeprefix("chr")
    if name in ("M", "MT"):
        return "MT"
    if name in ("X", "Y"):
        full = f"chr{name}"
        if any(a <= pos <= b for a, b in PAR_REGIONS[full]):
            return "autosomal"
        return name
    return "autosomal"


def genotype_state(region: str, gt: int | None, ploidy: int | None, sex: Sex) -> str:
    """One member's call at a variant: reference, heterozygous, homozygous, hemizygous or missing.

    ``gt`` is the ALT allele count (``-1``/null missing). Outside the PARs of chrX/chrY a male's
    ALT call, and anyone's haploid ALT call, is hemizygous whatever its written dosage; a haploid
    ALT call elsewhere is homozygous (no REF allele left). On chrM ``heterozygous`` stands for
    heteroplasmic and ``homozygous`` for homoplasmic.
    """
    if gt is None or gt < 0:
        return MISSING
    if gt == 0:
        return REF
    if region in ("X", "Y") and (sex == Sex.MALE or ploidy == 1):
        return HEMI
    if ploidy == 1:
        return HOM  # a haploid ALT call elsewhere (deletion on the other allele, chrM): no REF left
    return HOM if gt >= 2 else HET


@dataclass(frozen=True)
class _Variant:
    key: VariantKey
    gene: str | None
    af: float
    pathogenic: bool
    region: str
    states: tuple[str, ...]


@dataclass
class _Outcome:
    """One mode tried on one variant (or pair): failures (empty = fits) and what to report."""

    fails: list[str] = field(default_factory=list)
    frequency_failed: bool = False  # the mode's frequency threshold was not met
    text: str = ""
    de_novo: bool = False
    in_trans: bool | None = None
    notes: list[str] = field(default_factory=list)


class _Pedigree:
    """The family seen from the proband: who is sequenced, affected, a parent; labels for text."""

    def __init__(self, family: Family, penetrance: str) -> None:
        if penetrance not in PENETRANCE:
            raise InputError(f"penetrance {penetrance!r} is not one of {', '.join(PENETRANCE)}")
        self.complete = penetrance == "complete"
        seq = family.sequenced
        if not seq or seq[0].individual_id != family.proband:
            raise InputError(f"proband {family.proband} of family {family.family_id} is not sequenced")
        proband = seq[0]
        self.sexes = tuple(m.sex for m in seq)
        self.father = family.index(proband.father) if proband.father else None
        self.mother = family.index(proband.mother) if proband.mother else None
        roles = {self.father: "father", self.mother: "mother", 0: "proband"}
        self.labels = tuple(roles.get(i, m.individual_id) for i, m in enumerate(seq))
        self.affected = tuple(i for i, m in enumerate(seq) if i and m.affected == AffectedStatus.AFFECTED)
        self.unaffected = tuple(i for i, m in enumerate(seq) if m.affected == AffectedStatus.UNAFFECTED)
        self.status = tuple(m.affected for m in seq)

    @property
    def male(self) -> bool:
        return self.sexes[0] == Sex.MALE

    def parents(self, v: _Variant) -> list[tuple[str, str | None]]:
        """``(label, state)`` of father then mother; state ``None`` when not sequenced."""
        return [
            ("father", None if self.father is None else v.states[self.father]),
            ("mother", None if self.mother is None else v.states[self.mother]),
        ]

    def parent_status(self, label: str) -> str:
        i = self.father if label == "father" else self.mother
        status = self.status[i] if i is not None else AffectedStatus.UNKNOWN
        if status == AffectedStatus.AFFECTED:
            return "affected"
        if status == AffectedStatus.UNAFFECTED:
            return "unaffected; incomplete penetrance" if not self.complete else "unaffected"
        return "affection status unknown"


def find_candidates(
    candidates: pa.Table,
    family: Family,
    *,
    penetrance: str = "complete",
    thresholds: FrequencyThresholds = FrequencyThresholds(),
) -> tuple[list[GeneCandidate], pa.Table]:
    """Every gene × mode of inheritance that the family's genotypes fit, and the trace of the rest.

    Parameters
    ----------
    candidates
        The candidate table (:mod:`genopath.interpretation.model`): needs ``chrom``, ``pos``,
        ``ref``, ``alt``, ``gene_symbol``, ``pop_af``, ``clinvar_class`` and ``gt_<i>`` for each
        sequenced member (``ploidy_<i>`` when present).
    family
        The family; sequenced member ``i`` owns the genotype columns with suffix ``i``.
    penetrance
        ``"complete"`` (unaffected carriers of the genotype exclude a mode) or ``"incomplete"``.
    thresholds
        Maximum ``pop_af`` per mode.

    Returns
    -------
    (genes, trace)
        ``genes``: one :class:`GeneCandidate` per fitting (gene, mode, variant or pair), sorted by
        gene, mode, variants. ``segregation`` says how it fits (``"de novo (both parents
        sequenced, reference)"``, ``"compound heterozygous in trans (… from father, … from
        mother)"``); ``de_novo`` is true only with both parents sequenced and reference (for a
        male's chrX variant: the mother); ``in_trans`` is ``True`` when phased by the parents,
        ``None`` when unknown (noted). ``trace``: :data:`TRACE_SCHEMA` rows (stage ``frequency``
        or ``segregation``) for proband variants that fit no mode.

    Raises
    ------
    InputError
        A required column is missing, or ``penetrance`` is not complete/incomplete.
    """
    ped = _Pedigree(family, penetrance)
    variants = _read(candidates, ped)
    tried: dict[VariantKey, list[tuple[str, _Outcome]]] = {}
    genes: list[GeneCandidate] = []
    for v in variants:
        outcomes = [(moi, check(v, ped, thresholds)) for moi, check in _single_modes(v, ped)]
        tried[v.key] = [("AR hom" if moi == "AR" else moi, o) for moi, o in outcomes]
        genes += [_candidate(v.gene, moi, (v.key,), o) for moi, o in outcomes if not o.fails and v.gene]
    genes += _pairs(variants, ped, thresholds, tried)
    genes.sort(key=lambda g: (g.gene_symbol, MOIS.index(g.moi), g.variants))
    trace = [_trace_row(v, tried[v.key]) for v in variants]
    return genes, _trace_table([t for t in trace if t is not None])


def _candidate(gene: str | None, moi: str, keys: tuple[VariantKey, ...], o: _Outcome) -> GeneCandidate:
    return GeneCandidate(
        gene_symbol=gene or "",
        moi=moi,
        variants=keys,
        segregation=o.text,
        de_novo=o.de_novo,
        in_trans=o.in_trans,
        notes=list(o.notes),
    )


# ---------------------------------------------------------------------------------------------
# reading


def _read(table: pa.Table, ped: _Pedigree) -> list[_Variant]:
    n = len(ped.sexes)
    needed = ["chrom", "pos", "ref", "alt", "gene_symbol", "pop_af", "clinvar_class"]
    needed += [genotype_column("gt", i) for i in range(n)]
    missing = [c for c in needed if c not in table.column_names]
    if missing:
        raise InputError(
            f"the candidate table lacks column(s) {', '.join(missing)}; it must hold the annotation "
            f"columns and gt_0…gt_{n - 1} for the {n} sequenced member(s) (see interpretation.model)"
        )
    cols = {c: table.column(c).to_pylist() for c in needed}
    ploidy = [
        table.column(genotype_column("ploidy", i)).to_pylist()
        if genotype_column("ploidy", i) in table.column_names
        else [None] * table.num_rows
        for i in range(n)
    ]
    out = []
    for r in range(table.num_rows):
        chrom, pos = cols["chrom"][r], int(cols["pos"][r])
        region = chrom_region(chrom, pos)
        states = tuple(
            genotype_state(region, cols[genotype_column("gt", i)][r], ploidy[i][r], ped.sexes[i])
            for i in range(n)
        )
        if states[0] not in _CARRIES:
            continue  # not a proband variant: nothing to explain
        out.append(
            _Variant(
                key=(chrom, pos, cols["ref"][r], cols["alt"][r]),
                gene=cols["gene_symbol"][r],
                af=float(cols["pop_af"][r] or 0.0),
                pathogenic=cols["clinvar_class"][r] in _PATHOGENIC,
                region=region,
                states=states,
            )
        )
    return out


def phase(family: Family, row_a: Mapping[str, Any], row_b: Mapping[str, Any]) -> bool | None:
    """Whether two of the proband's heterozygous variants are in trans (``True``), in cis
    (``False``) or of unknown phase (``None``), from the sequenced parents' genotypes.

    Rows are candidate-table rows (``chrom``, ``pos`` and the ``gt_<i>``/``ploidy_<i>`` columns).
    """
    ped = _Pedigree(family, "complete")
    a, b = (_row_variant(row, ped) for row in (row_a, row_b))
    in_trans, cis, _ = _phase(a, b, ped)
    return False if cis else in_trans


def _row_variant(row: Mapping[str, Any], ped: _Pedigree) -> _Variant:
    region = chrom_region(row["chrom"], int(row["pos"]))
    states = tuple(
        genotype_state(region, row.get(genotype_column("gt", i)), row.get(genotype_column("ploidy", i)), sex)
        for i, sex in enumerate(ped.sexes)
    )
    key = (row["chrom"], int(row["pos"]), row["ref"], row["alt"])
    return _Variant(key, row.get("gene_symbol"), float(row.get("pop_af") or 0.0), False, region, states)


# ---------------------------------------------------------------------------------------------
# single-variant modes

_Check = Callable[[_Variant, _Pedigree, FrequencyThresholds], _Outcome]


def _single_modes(v: _Variant, ped: _Pedigree) -> list[tuple[str, _Check]]:
    proband = v.states[0]
    if v.region == "autosomal":
        return [("AD", _check_ad)] if proband == HET else [("AR", _check_ar_hom)] if proband == HOM else []
    if v.region == "X":
        if proband == HET:
            return [("XLD", _check_xld)]  # XLR in a heterozygous female needs a second variant
        return [("XLR", _check_xlr), ("XLD", _check_xld)]
    if v.region == "MT":
        return [("MT", _check_mt)]
    return []  # chrY outside the PARs: no Y-linked mode


def _frequency(v: _Variant, limit: float, t: FrequencyThresholds) -> str | None:
    if v.af <= limit or (v.pathogenic and v.af <= t.clinvar_rescue):
        return None
    rescue = f" (ClinVar P/LP rescue stops at {t.clinvar_rescue:g})" if v.pathogenic else ""
    return f"AF {v.af:.3g} > {limit:g}{rescue}"


def _members(
    v: _Variant,
    ped: _Pedigree,
    affected_ok: Callable[[str, Sex], bool],
    unaffected_bad: Callable[[str, Sex], bool],
    o: _Outcome,
) -> None:
    """Other affected members must fit; unaffected ones must not (complete penetrance)."""
    for i in ped.affected:
        state = v.states[i]
        if state == MISSING:
            o.notes.append(f"genotype of affected {ped.labels[i]} missing")
        elif not affected_ok(state, ped.sexes[i]):
            o.fails.append(f"affected {ped.labels[i]} {state}")
    for i in ped.unaffected:
        state = v.states[i]
        if state != MISSING and unaffected_bad(state, ped.sexes[i]):
            if ped.complete:
                o.fails.append(f"unaffected {ped.labels[i]} {state} (complete penetrance)")
            else:
                o.notes.append(f"unaffected {ped.labels[i]} {state} (incomplete penetrance)")


def _finish(o: _Outcome, freq: str | None) -> _Outcome:
    if freq is not None:
        o.frequency_failed = True
        o.fails.insert(0, freq)
    return o


def _origin(v: _Variant, ped: _Pedigree, relevant: Sequence[str]) -> tuple[bool, str]:
    """(de novo?, text) for a variant the proband carries once, from the relevant parents."""
    parents = [(label, state) for label, state in ped.parents(v) if label in relevant]
    both_sequenced = ped.father is not None and ped.mother is not None
    if both_sequenced and all(state == REF for _, state in parents):
        who = "reference" if len(relevant) == 2 else "mother reference"
        return True, f"de novo (both parents sequenced, {who})"
    carriers = [label for label, state in parents if state in _CARRIES]
    if carriers:
        return False, "inherited from " + " or ".join(
            f"{label} ({ped.parent_status(label)})" for label in carriers
        )
    absent = [label for label, state in parents if state == REF]
    others = ", ".join(f"{label} {state or 'not sequenced'}" for label, state in parents if state != REF)
    if absent:
        return False, f"absent from {' and '.join(absent)}" + (f" ({others})" if others else "")
    return False, f"origin unknown ({others})"


def _check_ad(v: _Variant, ped: _Pedigree, t: FrequencyThresholds) -> _Outcome:
    o = _Outcome()
    _members(v, ped, lambda s, _: s == HET, lambda s, _: s in _CARRIES, o)
    o.de_novo, o.text = _origin(v, ped, ("father", "mother"))
    return _finish(o, _frequency(v, t.ad, t))


def _check_ar_hom(v: _Variant, ped: _Pedigree, t: FrequencyThresholds) -> _Outcome:
    o = _Outcome()
    _members(v, ped, lambda s, _: s == HOM, lambda s, _: s == HOM, o)
    for label, state in ped.parents(v):
        if state == REF:
            o.fails.append(
                f"{label} reference (a homozygous child needs two carrier parents; "
                "a deletion or uniparental disomy is not assessed)"
            )
    o.text = "homozygous; " + ", ".join(
        f"{label} {state or 'not sequenced'}" for label, state in ped.parents(v)
    )
    return _finish(o, _frequency(v, t.ar, t))


def _xlr_affected(complete: bool) -> Callable[[str, Sex], bool]:
    def ok(state: str, sex: Sex) -> bool:
        if sex == Sex.MALE:
            return state == HEMI
        return state in (HOM, HEMI) or (not complete and state == HET)  # manifesting carrier

    return ok


def _xlr_unaffected(state: str, sex: Sex) -> bool:
    return state == HEMI if sex == Sex.MALE else state in (HOM, HEMI)


def _check_xlr(v: _Variant, ped: _Pedigree, t: FrequencyThresholds) -> _Outcome:
    o = _Outcome()
    _members(v, ped, _xlr_affected(ped.complete), _xlr_unaffected, o)
    parents = dict(ped.parents(v))
    if ped.male:
        o.de_novo, origin = _origin(v, ped, ("mother",))
        if parents["mother"] == HET:
            origin = "mother heterozygous (carrier)"
        o.text = f"hemizygous; {origin}" if not o.de_novo else f"hemizygous, {origin}"
    else:
        for label in ("father", "mother"):
            if parents[label] == REF:
                o.fails.append(f"{label} reference (a homozygous daughter needs a carrier {label})")
        o.text = "homozygous; " + ", ".join(f"{k} {s or 'not sequenced'}" for k, s in parents.items())
        if ped.sexes[0] == Sex.UNKNOWN:
            o.notes.append("proband's sex unknown: chrX read as diploid")
    return _finish(o, _frequency(v, t.ar, t))


def _check_xld(v: _Variant, ped: _Pedigree, t: FrequencyThresholds) -> _Outcome:
    o = _Outcome()
    _members(v, ped, lambda s, _: s in _CARRIES, lambda s, _: s in _CARRIES, o)
    relevant = ("mother",) if ped.male else ("father", "mother")
    o.de_novo, origin = _origin(v, ped, relevant)
    o.text = f"{v.states[0]}; {origin}"
    return _finish(o, _frequency(v, t.ad, t))


def _check_mt(v: _Variant, ped: _Pedigree, t: FrequencyThresholds) -> _Outcome:
    # Heteroplasmy differs between relatives and tissues, so relatives' calls are noted, never
    # used to exclude (a blood sample below detection does not rule out maternal transmission).
    o = _Outcome()
    mother = dict(ped.parents(v))["mother"]
    level = "homoplasmic" if v.states[0] == HOM else "heteroplasmic"
    if mother in _CARRIES:
        o.text = f"{level}; maternally inherited (mother carries it)"
    elif mother == REF:
        o.text = f"{level}; not detected in the mother (de novo, or below detection in her sample)"
    else:
        o.text = f"{level}; mother {mother or 'not sequenced'}"
    for i in ped.affected:
        if v.states[i] == REF:
            o.notes.append(f"not detected in affected {ped.labels[i]}")
    for i in ped.unaffected:
        if v.states[i] in _CARRIES:
            o.notes.append(f"unaffected {ped.labels[i]} carries it (heteroplasmy may differ)")
    return _finish(o, _frequency(v, t.ar, t))


# ---------------------------------------------------------------------------------------------
# compound heterozygous pairs


def _phase(a: _Variant, b: _Variant, ped: _Pedigree) -> tuple[bool | None, str | None, str]:
    """(in_trans, cis reason or None, description) from the parents' calls."""
    calls = {}
    for label, i in (("father", ped.father), ("mother", ped.mother)):
        if i is not None and MISSING not in (a.states[i], b.states[i]):
            calls[label] = (a.states[i] in _CARRIES, b.states[i] in _CARRIES)
    ta, tb = key_text(a.key), key_text(b.key)
    if len(calls) == 2:
        (fa, fb), (ma, mb) = calls["father"], calls["mother"]
        if fa and not fb and mb and not ma:
            return True, None, f"{ta} from father, {tb} from mother"
        if ma and not mb and fb and not fa:
            return True, None, f"{ta} from mother, {tb} from father"
        for label, (xa, xb), (ya, yb) in (("father", (fa, fb), (ma, mb)), ("mother", (ma, mb), (fa, fb))):
            if xa and xb and not ya and not yb:
                return None, f"in cis (both from {label})", ""
        absent = [t for t, x, y in ((ta, fa, ma), (tb, fb, mb)) if not x and not y]
        if absent:
            return None, None, f"phase unknown: {', '.join(absent)} in neither parent (de novo?)"
        return None, None, "phase unknown: a parent carries both variants"
    if len(calls) == 1:
        label, (xa, xb) = next(iter(calls.items()))
        other = "mother" if label == "father" else "father"
        if xa != xb:
            has, lacks = (ta, tb) if xa else (tb, ta)
            return (
                None,
                None,
                f"phase unknown: {has} from {label}, {lacks} not in {label} ({other} not sequenced)",
            )
        return (
            None,
            None,
            f"phase unknown: {label} carries {'both' if xa else 'neither'} ({other} not sequenced)",
        )
    return None, None, "phase unknown: parents not sequenced"


def _check_pair(a: _Variant, b: _Variant, ped: _Pedigree, moi: str, t: FrequencyThresholds) -> _Outcome:
    o = _Outcome()
    for i in ped.affected:
        pair = (a.states[i], b.states[i])
        if MISSING in pair:
            o.notes.append(f"genotype of affected {ped.labels[i]} missing")
        elif ped.sexes[i] == Sex.MALE and moi == "XLR":
            if HEMI not in pair:
                o.fails.append(f"affected {ped.labels[i]} hemizygous for neither")
        elif not all(s in _CARRIES for s in pair):
            o.fails.append(
                f"affected {ped.labels[i]} lacks {key_text((b if a.states[i] in _CARRIES else a).key)}"
            )
    for i in ped.unaffected:
        pair = (a.states[i], b.states[i])
        bad = [s for s in pair if s in (HOM, HEMI)]
        if bad or all(s in _CARRIES for s in pair):
            what = f"{bad[0]} for one" if bad else "carries both"
            if ped.complete:
                o.fails.append(f"unaffected {ped.labels[i]} {what} (complete penetrance)")
            else:
                o.notes.append(f"unaffected {ped.labels[i]} {what} (incomplete penetrance)")
    in_trans, cis, described = _phase(a, b, ped)
    if cis:
        o.fails.append(cis)
    o.in_trans = in_trans
    if in_trans:
        o.text = f"compound heterozygous in trans ({described})"
    else:
        o.text = "compound heterozygous, phase unknown"
        if described:
            o.notes.append(described)
    freq = [f"{key_text(v.key)} {f}" for v in (a, b) if (f := _frequency(v, t.comp_het, t))]
    return _finish(o, "; ".join(freq) if freq else None)


def _pairs(
    variants: Sequence[_Variant],
    ped: _Pedigree,
    t: FrequencyThresholds,
    tried: dict[VariantKey, list[tuple[str, _Outcome]]],
) -> list[GeneCandidate]:
    by_gene: dict[tuple[str, str], list[_Variant]] = {}
    for v in variants:
        if v.states[0] != HET or v.gene is None:
            continue
        if v.region == "autosomal":
            by_gene.setdefault((v.gene, "AR"), []).append(v)
        elif v.region == "X" and not ped.male:
            by_gene.setdefault((v.gene, "XLR"), []).append(v)
    found = []
    for (gene, moi), members in by_gene.items():
        label = f"{moi} comp-het"
        per_variant: dict[VariantKey, list[str]] = {v.key: [] for v in members}
        fitted: set[VariantKey] = set()
        for a, b in combinations(members, 2):
            o = _check_pair(a, b, ped, moi, t)
            if not o.fails:
                found.append(_candidate(gene, moi, (a.key, b.key), o))
                fitted |= {a.key, b.key}
            else:
                for v, w in ((a, b), (b, a)):
                    per_variant[v.key].append(f"with {key_text(w.key)}: {', '.join(o.fails)}")
        for v in members:
            if v.key in fitted:
                tried[v.key].append((label, _Outcome()))
                continue
            own = _frequency(v, t.comp_het, t)
            reasons = per_variant[v.key] or [f"no second heterozygous variant in {gene}"]
            fails = (
                ([own] if own else [])
                + reasons[:3]
                + ([f"… {len(reasons) - 3} more"] if len(reasons) > 3 else [])
            )
            tried[v.key].append((label, _Outcome(fails=fails, frequency_failed=own is not None)))
    return found


# ---------------------------------------------------------------------------------------------
# trace


def _trace_row(v: _Variant, tried: list[tuple[str, _Outcome]]) -> dict[str, Any] | None:
    if v.gene and any(not o.fails for _, o in tried):
        return None
    if not v.gene:
        reason = "not in a gene (genes are the unit of analysis)"
        stage = "segregation"
    elif not tried:
        reason = f"no mode of inheritance for a {v.states[0]} call on {v.key[0]} outside the PARs"
        stage = "segregation"
    else:
        reason = "; ".join(f"{label}: {', '.join(o.fails)}" for label, o in tried)
        stage = "frequency" if all(o.frequency_failed for _, o in tried) else "segregation"
    chrom, pos, ref, alt = v.key
    return {
        "chrom": chrom,
        "pos": pos,
        "ref": ref,
        "alt": alt,
        "gene_symbol": v.gene,
        "stage": stage,
        "reason": reason,
    }


def _trace_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    stages = pa.DictionaryArray.from_arrays(
        pa.array([STAGES.index(r["stage"]) for r in rows], pa.int8()), pa.array(STAGES, pa.string())
    )
    return pa.table(
        {
            "chrom": pa.array([r["chrom"] for r in rows], pa.string()),
            "pos": pa.array([r["pos"] for r in rows], pa.int64()),
            "ref": pa.array([r["ref"] for r in rows], pa.string()),
            "alt": pa.array([r["alt"] for r in rows], pa.string()),
            "gene_symbol": pa.array([r["gene_symbol"] for r in rows], pa.string()),
            "stage": stages,
            "reason": pa.array([r["reason"] for r in rows], pa.string()),
        },
        schema=TRACE_SCHEMA,
    )
