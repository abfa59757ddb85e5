"""Binding the sample columns of a VCF to registered samples, behind the consent gate.

A VCF sample name is bound to a sample barcode through a sample map (TSV: ``vcf_sample``,
``barcode``) or, without one, by being the barcode itself. Every bound participant must have
programme-participation consent (:func:`genopath.registry.require_consent`) before a single
genotype of theirs is read, and the sample must have been sequenced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from genopath.core.errors import ConsentError, InputError, NotFoundError, StateTransitionError
from genopath.registry import Actor, Purpose, SampleState, Sex, require_consent
from genopath.registry.samples import failed_genome_qc, get_sample

#: Sample states from which ingest may deliver data (sequenced → data_delivered), or that
#: already have it (a re-delivery with ``--replace``; also a sample whose genome failed
#: genome QC, see :func:`genopath.registry.samples.failed_genome_qc`).
INGESTIBLE = frozenset({SampleState.SEQUENCED, SampleState.DATA_DELIVERED})


@dataclass(frozen=True)
class Binding:
    """One VCF sample column bound to a registered sample.

    Attributes
    ----------
    vcf_sample
        The column name in the VCF.
    barcode
        The registered sample's barcode (the genome is stored under it).
    programme_id
        The participant the sample belongs to.
    sex
        The participant's registered sex, for the sex check.
    family_id
        The participant's family, if any.
    """

    vcf_sample: str
    barcode: str
    programme_id: str
    sex: Sex
    family_id: str | None


def read_sample_map(path: Path) -> dict[str, str]:
    """Read a two-column TSV ``vcf_sample<TAB>barcode`` (header line optional, ``#`` comments).

    Raises
    ------
    InputError
        The file is missing, a line does not have two columns, or a VCF sample is listed twice.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"sample map {path} does not exist")
    mapping: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != 2 or not all(parts):
            raise InputError(
                f"sample map {path} line {number}: expected two tab-separated columns vcf_sample and "
                f"barcode, got {line!r}"
            )
        if number == 1 and parts == ["vcf_sample", "barcode"]:
            continue
        if parts[0] in mapping:
            raise InputError(f"sample map {path} line {number}: VCF sample {parts[0]} is listed twice")
        mapping[parts[0]] = parts[1]
    return mapping


def bind_samples(
    session: Session, actor: Actor, vcf_samples: Sequence[str], sample_map: Mapping[str, str] | None
) -> list[Binding]:
    """Bind every sample column of the VCF, checking registration, consent and sample state.

    Raises
    ------
    InputError
        A VCF sample is not in the sample map, or two VCF samples map to one barcode.
    NotFoundError
        A barcode is not registered.
    ConsentError
        A participant has no active programme-participation consent (names the participant).
    StateTransitionError
        A sample is not sequenced yet (or was rejected or destroyed).
    """
    if sample_map is not None:
        unmapped = [s for s in vcf_samples if s not in sample_map]
        if unmapped:
            raise InputError(
                f"VCF sample(s) {', '.join(unmapped[:10])}{' …' if len(unmapped) > 10 else ''} are not in "
                f"the sample map; add a line 'vcf_sample<TAB>barcode' for each (or subset the VCF with "
                "`bcftools view -s`)"
            )
    barcodes = [sample_map[s] if sample_map is not None else s for s in vcf_samples]
    seen: dict[str, str] = {}
    for vcf_sample, barcode in zip(vcf_samples, barcodes, strict=True):
        if barcode in seen:
            raise InputError(
                f"VCF samples {seen[barcode]} and {vcf_sample} are both bound to sample {barcode}"
            )
        seen[barcode] = vcf_sample
    return [
        _bind(session, actor, v, b, mapped=sample_map is not None)
        for v, b in zip(vcf_samples, barcodes, strict=True)
    ]


def _bind(session: Session, actor: Actor, vcf_sample: str, barcode: str, *, mapped: bool) -> Binding:
    try:
        sample = get_sample(session, actor, barcode)
    except NotFoundError as e:
        how = "is mapped to" if mapped else "is taken as (no --sample-map given)"
        raise NotFoundError(
            f"VCF sample {vcf_sample} {how} barcode {barcode}, which is not a registered sample; register "
            "it (`genopath registry sample add`) or give a --sample-map TSV of vcf_sample → barcode"
        ) from e
    participant = sample.participant
    try:
        require_consent(session, participant, Purpose.PARTICIPATION)
    except ConsentError as e:
        raise ConsentError(
            f"{e.message}: the genome of VCF sample {vcf_sample} (sample {barcode}, participant "
            f"{participant.programme_id}) was not read"
        ) from e
    if sample.state not in INGESTIBLE and not failed_genome_qc(session, sample):
        raise StateTransitionError(
            f"sample {barcode} (VCF sample {vcf_sample}) is {sample.state.value}; a genome can be ingested "
            "only for a sequenced sample (record the lab steps with `genopath registry sample move`)"
        )
    family = participant.family.family_id if participant.family else None
    return Binding(vcf_sample, barcode, participant.programme_id, participant.sex, family)
