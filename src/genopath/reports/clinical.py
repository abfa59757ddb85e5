"""The clinical interpretation report: one analysis of a rare-disease case, from ``results.json``.

The page is what a clinical scientist reviews and an authoriser signs: who was analysed (by
pseudonymous programme IDs only), with which phenotype, panels and resource versions; the
ranked candidate genes with the evidence behind each variant (HGVS, genotypes per family
member, population frequency, ClinVar, ACMG/AMP class with points and criteria); how many
variants each filter stage removed; and, in a separate section, the additional findings
(ACMG secondary findings). The document is always a draft: it carries a *not for clinical
use until authorised* banner and blank reviewer/authoriser sign-off fields.

The HTML is self-contained (inline CSS, no scripts, no network assets), autoescaped, and laid
out for A4 so that WeasyPrint prints the same page as PDF.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from genopath.core.errors import InputError
from genopath.interpretation.model import STAGES
from genopath.reports.render import render_html, write_report

#: The results.json schema this report reads.
SCHEMA = "genopath.interpretation/1"

#: Candidate genes shown in full; the rest are counted, not listed.
TOP_GENES = 10

#: Diseases listed per gene (best phenotype match first); the rest are counted.
MAX_DISEASES = 4

_SUFFIXES = (".html", ".htm", ".pdf")

MOI_NAMES = {
    "AD": "autosomal dominant",
    "AR": "autosomal recessive",
    "XLR": "X-linked recessive",
    "XLD": "X-linked dominant",
    "XL": "X-linked",
    "MT": "mitochondrial",
}

#: ACMG/AMP class → CSS class (colour of the class badge).
_ACMG_CSS = {
    "pathogenic": "acmg-p",
    "likely pathogenic": "acmg-lp",
    "uncertain significance": "acmg-vus",
    "likely benign": "acmg-lb",
    "benign": "acmg-b",
}

#: What each filter-trace count means. Totals are counts of variants present; the stages of
#: :data:`genopath.interpretation.model.STAGES` are counts of variants that stage removed.
_TOTALS = {
    "records": "VCF records read",
    "variants": "variants after splitting multi-allelic records",
    "candidates": "candidate variants after the genome-wide filters",
    "ranked_variants": "variants in the ranked genes",
    "ranked_genes": "candidate genes ranked",
}
_STAGE_LABELS = {
    "genotype": "not carried by an affected sequenced member",
    "quality": "failed quality (FILTER, GQ, depth, allele balance)",
    "consequence": "consequence outside the classes kept (not coding, splice or ClinVar P/LP)",
    "frequency": "too common in the population sources or the local cohort (any mode of inheritance)",
    "segregation": "no mode of inheritance fits the family's genotypes",
    "ranking": "removed at ranking",
}

_ADDITIONAL_STATUSES = {
    "reported": "",
    "not_requested": "Additional findings were not requested for this analysis.",
    "not_consented": (
        "Additional findings were not analysed: the participant has not consented to additional findings."
    ),
}


def write_clinical_report(results: Mapping[str, Any], out: Path) -> Path:
    """Write the clinical report of one analysis as HTML (``.html``) or PDF (``.pdf``).

    Parameters
    ----------
    results
        A ``results.json`` document (schema ``genopath.interpretation/1``, DESIGN §10).
    out
        Where to write; the suffix chooses the format. Written atomically.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    InputError
        When ``out`` is neither ``.html`` nor ``.pdf``, or ``results`` lacks a field the report
        needs (the message names it).
    """
    if out.suffix.lower() not in _SUFFIXES:
        raise InputError(f"cannot tell the report format from {out.name!r}; name it .html or .pdf")
    write_report(clinical_report_html(results), out)
    return out


def clinical_report_html(results: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML page (see :func:`clinical_context`)."""
    return render_html("clinical.html.j2", clinical_context(results))


def clinical_context(results: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the template shows, checked and formatted, from a ``results.json`` document.

    Returns
    -------
    dict
        ``analysis`` (id, version, created, case_id), ``genopath_version``, ``status``,
        ``resources`` [(name, version)], ``family`` (family_id, proband, structure,
        members [individual_id, sample, sex, affected, father, mother, relation]),
        ``observed`` / ``excluded`` [{id, label}], ``panels`` [{id, name, version}],
        ``summary`` (headline) and ``summary_detail``, ``genes`` (the first
        :data:`TOP_GENES` by rank, see :func:`_gene`), ``more_genes`` (how many not shown),
        ``filter_counts`` [{key, label, count, total}], ``additional`` (status, note,
        findings, sf_version).

    Raises
    ------
    InputError
        When the document is not a genopath interpretation result or lacks a field.
    """
    schema = _need(results, "schema", "")
    if schema != SCHEMA:
        raise InputError(
            f"results.json has schema {schema!r}, expected {SCHEMA!r}; "
            "render a file written by `genopath interpret`"
        )
    family = _family(_need(results, "family", ""))
    labels = {m["individual_id"]: m for m in family["members"]}
    labels.update({m["sample"]: m for m in family["members"] if m["sample"]})
    phenotype = _need(results, "phenotype", "")
    observed = [_term(t) for t in _need(phenotype, "observed", "phenotype")]
    excluded = [_term(t) for t in _need(phenotype, "excluded", "phenotype")]
    term_labels = {t["id"]: t["label"] for t in observed}
    raw_genes = sorted(_need(results, "genes", ""), key=lambda g: _need(g, "rank", "genes[]"))
    genes = [
        _gene(g, labels, family["sequenced"], term_labels, f"genes[{i}]")
        for i, g in enumerate(raw_genes[:TOP_GENES])
    ]
    resources = _need(results, "resources", "")
    if not isinstance(resources, Mapping):
        raise InputError("results.json: resources must map each resource name to its version")
    summary, detail = _summary(genes, results)
    return {
        "analysis": _analysis(_need(results, "analysis", "")),
        "genopath_version": _need(results, "genopath_version", ""),
        "status": _need(results, "status", ""),
        "resources": sorted((str(k), str(v)) for k, v in resources.items()),
        "family": family,
        "observed": observed,
        "excluded": excluded,
        "panels": [_panel(p) for p in _need(results, "panels", "")],
        "summary": summary,
        "summary_detail": detail,
        "genes": genes,
        "more_genes": max(0, len(raw_genes) - TOP_GENES),
        "filter_counts": _filter_counts(_need(results, "filter_trace", "")),
        "additional": _additional(results, labels, family["sequenced"]),
    }


# --- header, family, phenotype ---------------------------------------------------------------


def _need(mapping: Any, key: str, where: str) -> Any:
    """``mapping[key]``, or an InputError naming the missing field by its path."""
    if not isinstance(mapping, Mapping) or key not in mapping:
        path = f"{where}.{key}" if where else key
        raise InputError(
            f"results.json has no field {path!r}, which the clinical report needs; "
            "re-run `genopath interpret` to write a complete results file"
        )
    return mapping[key]


def _analysis(analysis: Mapping[str, Any]) -> dict[str, Any]:
    created = str(_need(analysis, "created_at", "analysis"))
    try:
        when = datetime.fromisoformat(created)
        created = when.strftime("%Y-%m-%d %H:%M") + (f" {when.tzname()}" if when.tzinfo else "")
    except ValueError:
        pass  # shown as written
    return {
        "id": _need(analysis, "id", "analysis"),
        "version": _need(analysis, "version", "analysis") or "—",
        "created": created,
        "case_id": analysis.get("case_id"),
    }


def _family(family: Mapping[str, Any]) -> dict[str, Any]:
    proband = _need(family, "proband", "family")
    raw = _need(family, "members", "family")
    members = []
    for i, m in enumerate(raw):
        where = f"family.members[{i}]"
        members.append(
            {
                "individual_id": _need(m, "individual_id", where),
                "sample": _need(m, "sample", where),
                "sex": _status_text(_need(m, "sex", where), {True: "male", False: "female"}),
                "affected": _status_text(
                    _need(m, "affected", where), {True: "affected", False: "unaffected"}
                ),
                "father": _need(m, "father", where),
                "mother": _need(m, "mother", where),
            }
        )
    by_id = {m["individual_id"]: m for m in members}
    if proband not in by_id:
        raise InputError(f"results.json: the proband {proband!r} is not among family.members")
    for m in members:
        m["relation"] = _relation(m, by_id[proband])
    # proband first, then the other sequenced members in the order given
    sequenced = sorted((m for m in members if m["sample"]), key=lambda m: m["individual_id"] != proband)
    return {
        "family_id": _need(family, "family_id", "family"),
        "proband": proband,
        "structure": _need(family, "structure", "family"),
        "members": members,
        "sequenced": sequenced,
    }


def _status_text(value: Any, booleans: Mapping[bool, str]) -> str:
    if isinstance(value, bool):
        return booleans[value]
    return "unknown" if value is None else str(value)


def _relation(member: Mapping[str, Any], proband: Mapping[str, Any]) -> str:
    """The member's relation to the proband as far as the pedigree tells it ('' when unclear)."""
    me = member["individual_id"]
    if me == proband["individual_id"]:
        return "proband"
    if me == proband["father"]:
        return "father"
    if me == proband["mother"]:
        return "mother"
    if proband["individual_id"] in (member["father"], member["mother"]):
        return "child"
    parents = {member["father"], member["mother"]} - {None}
    shared = parents & ({proband["father"], proband["mother"]} - {None})
    if shared:
        return "full sibling" if len(shared) == 2 else "half sibling"
    return ""


def _term(term: Mapping[str, Any]) -> dict[str, str]:
    return {"id": _need(term, "id", "phenotype term"), "label": term.get("label") or ""}


def _panel(panel: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": _need(panel, "id", "panels[]"),
        "name": panel.get("name") or "",
        "version": panel.get("version") or "",
    }


# --- genes and variants --------------------------------------------------------------------------


def _gene(
    gene: Mapping[str, Any],
    members: Mapping[str, Mapping[str, Any]],
    sequenced: Sequence[Mapping[str, Any]],
    term_labels: Mapping[str, str],
    where: str,
) -> dict[str, Any]:
    """One candidate gene for the template.

    Reads ``gene_symbol``, ``hgnc_id``, ``rank``, ``posterior``, ``moi``, ``tier``, ``diseases``
    ({id, name} or plain strings) and ``variants`` (DESIGN §10); and when present ``score``,
    ``segregation`` (text), ``evidence`` (list of sentences), ``phenotype`` ({score,
    likelihood_ratio, matched_terms}) and ``notes``.
    """
    posterior = float(_need(gene, "posterior", where))
    if not 0.0 <= posterior <= 1.0:
        raise InputError(f"results.json: {where}.posterior is {posterior}, not a probability in [0, 1]")
    moi = str(_need(gene, "moi", where))
    diseases = [_disease(d) for d in _need(gene, "diseases", where)]
    variants = [
        _variant(v, members, sequenced, f"{where}.variants[{j}]")
        for j, v in enumerate(_need(gene, "variants", where))
    ]
    return {
        "symbol": _need(gene, "gene_symbol", where),
        "hgnc_id": _need(gene, "hgnc_id", where) or "",
        "rank": _need(gene, "rank", where),
        "posterior": posterior,
        "posterior_pct": _percent(posterior),
        "score": gene.get("score"),
        "moi": moi,
        "moi_name": MOI_NAMES.get(moi, ""),
        "tier": _tier(_need(gene, "tier", where)),
        "diseases": diseases[:MAX_DISEASES],
        "more_diseases": max(0, len(diseases) - MAX_DISEASES),
        "evidence": _evidence(gene, term_labels),
        "variants": variants,
    }


def _variant(
    variant: Mapping[str, Any],
    members: Mapping[str, Mapping[str, Any]],
    sequenced: Sequence[Mapping[str, Any]],
    where: str,
) -> dict[str, Any]:
    acmg = _need(variant, "acmg", where)
    acmg_class = str(_need(acmg, "class", f"{where}.acmg"))
    points = int(_need(acmg, "points", f"{where}.acmg"))
    transcript, hgvs_c = _split_hgvs(_need(variant, "hgvs_c", where))
    _, hgvs_p = _split_hgvs(_need(variant, "hgvs_p", where))
    consequence = _need(variant, "consequence", where) or ""
    # VEP joins several SO terms with "&"; some writers give a list
    terms = consequence.split("&") if isinstance(consequence, str) else list(consequence)
    # run.py writes {"clinvar": {"class", "stars"}}; flat clinvar_class/clinvar_stars also read
    clinvar = variant.get("clinvar") or {}
    stars = clinvar.get("stars", variant.get("clinvar_stars"))
    return {
        "transcript": transcript or variant.get("transcript") or "",
        "hgvs_c": hgvs_c,
        "hgvs_p": hgvs_p,
        "consequence": ", ".join(str(t).replace("_", " ") for t in terms),
        "position": f"{_need(variant, 'chrom', where)}:{int(_need(variant, 'pos', where))}",
        "change": f"{_allele(_need(variant, 'ref', where))}>{_allele(_need(variant, 'alt', where))}",
        "genotypes": _genotypes(_need(variant, "genotypes", where), members, sequenced),
        "pop_af": _frequency(variant.get("pop_af", variant.get("max_af"))),
        "pop_af_source": _source(variant.get("pop_af_source")),
        "clinvar": clinvar.get("class") or variant.get("clinvar_class") or "",
        "clinvar_stars": "" if stars is None else "★" * int(stars) + "☆" * (4 - int(stars)),
        "acmg_class": acmg_class,
        "acmg_css": _ACMG_CSS.get(acmg_class.lower(), "acmg-vus"),
        "acmg_points": f"{points:+d}" if points else "0",
        "acmg_criteria": [str(c) for c in _need(acmg, "criteria", f"{where}.acmg")],
    }


def _split_hgvs(text: str | None) -> tuple[str, str]:
    """``NM_007294.4:c.5266dupC`` → (``NM_007294.4``, ``c.5266dupC``); VEP's ``%3D`` → ``=``."""
    if not text:
        return "", ""
    text = text.replace("%3D", "=")
    prefix, sep, rest = text.rpartition(":")
    return (prefix, rest) if sep else ("", text)


def _allele(allele: str) -> str:
    """Long indel alleles shortened so that the position column stays readable."""
    return allele if len(allele) <= 12 else f"{allele[:6]}…({len(allele)} bp)"


def _genotypes(
    genotypes: Any,
    members: Mapping[str, Mapping[str, Any]],
    sequenced: Sequence[Mapping[str, Any]],
) -> list[tuple[str, str, str]]:
    """[(label, detail, genotype text)] in family order (proband first).

    The label is ``proband``, ``father`` or ``mother`` for those members (the family table maps
    them to IDs; short labels keep the column narrow) and the individual ID for anyone else,
    whose relation, when known, is the detail.

    Accepts a mapping keyed by individual ID or VCF sample whose values are VCF-style strings
    (``0/1``), ALT allele counts (0, 1, 2; -1 missing) or ``{gt, ploidy}`` dicts as in the
    candidate table's genotype columns.
    """
    if not isinstance(genotypes, Mapping):
        raise InputError("results.json: variant genotypes must map family members to genotypes")
    found: dict[str, str] = {}
    for key, value in genotypes.items():
        member = members.get(str(key))
        found[member["individual_id"] if member else str(key)] = _genotype_text(value)
    rows = []
    for m in sequenced:
        if m["individual_id"] in found:
            gt = found.pop(m["individual_id"])
            if m["relation"] in _SHORT_RELATIONS:
                rows.append((m["relation"], "", gt))
            else:
                rows.append((m["individual_id"], m["relation"], gt))
    return rows + [(who, "", gt) for who, gt in sorted(found.items())]


_SHORT_RELATIONS = ("proband", "father", "mother")


def _genotype_text(value: Any) -> str:
    ploidy = 2
    if isinstance(value, Mapping):
        ploidy = int(value.get("ploidy") or 2)
        value = value.get("gt")
    if isinstance(value, str):
        alleles = re.split(r"[/|]", value)
        alts = sum(a not in ("0", ".") for a in alleles)
        if "." in alleles:
            return f"{value} no call"
        zygosity = ("hemi" if len(alleles) == 1 else "hom") if alts == len(alleles) else "het"
        return value + ("" if alts == 0 else f" {zygosity}")
    if value is None or int(value) < 0:
        return "./. no call"
    count = int(value)
    if ploidy == 1:
        return "1 hemi" if count else "0"
    return {0: "0/0", 1: "0/1 het", 2: "1/1 hom"}.get(count, str(count))


def _frequency(af: Any) -> str:
    """A population allele frequency as people read it: 0.012, 3.4 × 10⁻⁵; absent when unseen."""
    if af is None:
        return "absent"
    af = float(af)
    if af == 0:
        return "0"
    if af >= 0.001:
        return f"{af:.3g}"
    mantissa, exponent = f"{af:.1e}".split("e")
    superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa} × 10{superscript}"


#: Population-frequency sources (candidate-table column names) as people name them.
_AF_SOURCES = {
    "af_input": "input VCF",
    "max_af": "max over VEP populations",
    "gnomade_af": "gnomAD exomes",
    "gnomadg_af": "gnomAD genomes",
    "local_af": "local cohort",
}


def _source(column: str | None) -> str:
    """``gnomadg_eas_af`` → ``gnomAD genomes EAS``; unknown names are shown as given."""
    if not column:
        return ""
    if column in _AF_SOURCES:
        return _AF_SOURCES[column]
    match = re.fullmatch(r"gnomad([eg])_([a-z]+)_af", column)
    if match:
        kind = "exomes" if match.group(1) == "e" else "genomes"
        return f"gnomAD {kind} {match.group(2).upper()}"
    return column


def _percent(p: float) -> str:
    if 0 < p < 0.001:
        return "< 0.1 %"
    return f"{p * 100:.1f} %"


def _tier(tier: Any) -> str:
    """``TIER1`` → ``Tier 1`` (GEL tiering)."""
    match = re.fullmatch(r"(?i)tier\s*_?(\d+)", str(tier))
    return f"Tier {match.group(1)}" if match else str(tier)


def _disease(disease: Any) -> dict[str, str]:
    if isinstance(disease, Mapping):
        return {"id": str(disease.get("id") or ""), "name": str(disease.get("name") or "")}
    return {"id": "", "name": str(disease)}


def _evidence(gene: Mapping[str, Any], term_labels: Mapping[str, str]) -> list[str]:
    """The evidence sentences of a gene: segregation, phenotype fit, then the engine's own lines."""
    lines = []
    if gene.get("segregation"):
        lines.append(f"Segregation: {gene['segregation']}")
    phenotype = gene.get("phenotype")
    if isinstance(phenotype, Mapping):
        parts = []
        if phenotype.get("score") is not None:
            parts.append(f"similarity {float(phenotype['score']):.2f}")
        if phenotype.get("likelihood_ratio") is not None:
            parts.append(f"likelihood ratio {float(phenotype['likelihood_ratio']):.3g}")
        matched = [
            f"{t} {term_labels[t]}" if term_labels.get(t) else str(t)
            for t in phenotype.get("matched_terms") or ()
        ]
        if matched:
            parts.append("matched terms: " + "; ".join(matched))
        if parts:
            lines.append("Phenotype: " + ", ".join(parts))
    lines.extend(str(e) for e in gene.get("evidence") or ())
    lines.extend(str(n) for n in gene.get("notes") or ())
    return lines


# --- summary, filter trace, additional findings -------------------------------------------------


def _summary(genes: Sequence[Mapping[str, Any]], results: Mapping[str, Any]) -> tuple[str, str]:
    if not genes:
        reason = str(_need(results, "no_candidate_reason", ""))
        return "No candidate found", reason[:1].upper() + reason[1:]
    top = genes[0]
    headline = f"Top candidate: {top['symbol']} (posterior {top['posterior']:.2f}), {top['tier']}"
    variants = "; ".join(
        f"{v['hgvs_c'] or v['position'] + ' ' + v['change']}"
        + (f" {v['hgvs_p']}" if v["hgvs_p"] else "")
        + f" — {v['acmg_class']}"
        for v in top["variants"]
    )
    moi = f"{top['moi']} ({top['moi_name']})" if top["moi_name"] else top["moi"]
    return headline, f"{moi}: {variants}" if variants else moi


def _filter_counts(trace: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of the filter summary, in pipeline order; unknown keys follow as given."""
    counts = trace.get("counts", trace) if isinstance(trace, Mapping) else None
    if not isinstance(counts, Mapping):
        raise InputError("results.json: filter_trace must map stages to variant counts")
    order = ["records", "variants", *STAGES[:4], "candidates", *STAGES[4:], "ranked_variants", "ranked_genes"]
    keys = [k for k in order if k in counts] + [k for k in counts if k not in order]
    rows = []
    for key in keys:
        if isinstance(counts[key], Mapping | list):
            continue  # nested detail (e.g. per-reason breakdowns) is not a count
        total = key in _TOTALS
        label = _TOTALS.get(key) or _STAGE_LABELS.get(key) or key.replace("_", " ")
        rows.append({"key": key, "label": label, "count": int(counts[key]), "total": total})
    return rows


def _additional(
    results: Mapping[str, Any],
    members: Mapping[str, Mapping[str, Any]],
    sequenced: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The additional-findings section.

    Findings under ``additional_findings`` are reported. Otherwise ``additional_findings_status``
    says why there are none: a code (``not_requested``, ``not_consented``) or the engine's own
    words ("not requested or not consented"). An empty list with no status means none was
    found; neither list nor status, not requested.
    Each finding reads ``gene_symbol``, the variant fields of :func:`_variant` where present,
    ``clinvar_class``/``clinvar_stars``, ``acmg`` and the condition (``disease_phenotype`` or
    ``disease``/``condition``, ``disorder_mim``, ``inheritance``) from the ACMG SF list.
    """
    raw = results.get("additional_findings")
    if raw is not None and not isinstance(raw, list):
        raise InputError("results.json: additional_findings must be a list of findings")
    status = str(results.get("additional_findings_status") or "")
    if raw or (raw is not None and status in ("", "reported")):
        status, note = "reported", ""
    else:
        status = status or "not_requested"
        note = _ADDITIONAL_STATUSES.get(status) or f"Additional findings were not analysed: {status}."
    findings = []
    for i, f in enumerate(raw or ()):
        where = f"additional_findings[{i}]"
        f = {**_FINDING_DEFAULTS, **f}
        if not f["genotypes"] and f.get("genotype") is not None and sequenced:
            f["genotypes"] = {sequenced[0]["individual_id"]: f["genotype"]}  # the proband's call
        v = _variant(f, members, sequenced, where)
        condition = f.get("disease_phenotype") or f.get("disease") or f.get("condition") or ""
        mim = f.get("disorder_mim")
        v.update(
            symbol=_need(f, "gene_symbol", where),
            condition=str(condition) + (f" (OMIM:{mim})" if mim else ""),
            inheritance=str(f.get("inheritance") or ""),
        )
        findings.append(v)
    return {
        "status": status,
        "note": note,
        "findings": findings,
        "sf_version": str(results.get("resources", {}).get("acmg_sf", "")),
    }


#: Fields an additional finding may leave out (it is a ClinVar/ACMG call, not a ranked gene).
_FINDING_DEFAULTS: dict[str, Any] = {
    "consequence": "",
    "hgvs_c": "",
    "hgvs_p": "",
    "genotypes": {},
    "acmg": {"class": "not classified", "points": 0, "criteria": []},
}
