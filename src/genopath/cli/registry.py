"""``genopath registry``: the registry's command groups gathered under one name."""

from __future__ import annotations

import typer

from genopath.cli import clinical, lab, people

registry_app = typer.Typer(
    help="Participants, families, consent, phenotypes, samples, cases and the audit log.",
    no_args_is_help=True,
)
for sub, name in (
    (people.centre_app, "centre"),
    (people.user_app, "user"),
    (people.participant_app, "participant"),
    (clinical.family_app, "family"),
    (clinical.phenotype_app, "phenotype"),
    (clinical.consent_app, "consent"),
    (lab.sample_app, "sample"),
    (lab.case_app, "case"),
    (lab.audit_app, "audit"),
):
    registry_app.add_typer(sub, name=name)
