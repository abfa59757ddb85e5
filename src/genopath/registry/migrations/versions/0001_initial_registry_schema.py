"""initial registry schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "centres",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centres")),
        sa.UniqueConstraint("code", name=op.f("uq_centres_code")),
    )
    op.create_table(
        "id_counters",
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_id_counters")),
    )
    op.create_table(
        "families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.String(length=16), nullable=False),
        sa.Column("local_id", sa.String(length=64), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_families_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
        sa.UniqueConstraint("centre_id", "local_id", name="uq_families_centre_local"),
        sa.UniqueConstraint("family_id", name=op.f("uq_families_family_id")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "clinician",
                "genetic_counsellor",
                "lab",
                "bioinformatician",
                "clinical_scientist",
                "authoriser",
                "researcher",
                "data_access_committee",
                "programme_manager",
                "admin",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_users_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.String(length=16), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column(
            "sex",
            sa.Enum("male", "female", "unknown", name="sex", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "referred",
                "consented",
                "enrolled",
                "withdrawn",
                name="participantstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("family_pk", sa.Integer(), nullable=True),
        sa.Column("local_id", sa.String(length=64), nullable=True),
        sa.Column("father_pk", sa.Integer(), nullable=True),
        sa.Column("mother_pk", sa.Integer(), nullable=True),
        sa.Column(
            "affected",
            sa.Enum(
                "affected",
                "unaffected",
                "unknown",
                name="affectedstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_proband", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centres.id"], name=op.f("fk_participants_centre_id_centres")
        ),
        sa.ForeignKeyConstraint(
            ["family_pk"], ["families.id"], name=op.f("fk_participants_family_pk_families")
        ),
        sa.ForeignKeyConstraint(
            ["father_pk"], ["participants.id"], name=op.f("fk_participants_father_pk_participants")
        ),
        sa.ForeignKeyConstraint(
            ["mother_pk"], ["participants.id"], name=op.f("fk_participants_mother_pk_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("family_pk", "local_id", name="uq_participants_family_local"),
        sa.UniqueConstraint("programme_id", name=op.f("uq_participants_programme_id")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=16), nullable=False),
        sa.Column("proband_pk", sa.Integer(), nullable=False),
        sa.Column("family_pk", sa.Integer(), nullable=True),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "rare_disease",
                "hereditary_cancer",
                name="casecategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("indication", sa.Text(), nullable=False),
        sa.Column("panels", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "registered",
                "awaiting_data",
                "ready",
                "interpreted",
                "in_review",
                "awaiting_authorisation",
                "authorised",
                "reported",
                "results_returned",
                "closed",
                "blocked",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("blocked_reason", sa.Text(), nullable=True),
        sa.Column(
            "resume_state",
            sa.Enum(
                "registered",
                "awaiting_data",
                "ready",
                "interpreted",
                "in_review",
                "awaiting_authorisation",
                "authorised",
                "reported",
                "results_returned",
                "closed",
                "blocked",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_cases_centre_id_centres")),
        sa.ForeignKeyConstraint(["family_pk"], ["families.id"], name=op.f("fk_cases_family_pk_families")),
        sa.ForeignKeyConstraint(
            ["proband_pk"], ["participants.id"], name=op.f("fk_cases_proband_pk_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_id", name=op.f("uq_cases_case_id")),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.String(length=64), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column(
            "signer",
            sa.Enum(
                "self",
                "legal_representative",
                "parent_and_child",
                "parent_with_assent",
                "parent",
                name="signerrole",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "age_tier",
            sa.Enum(
                "adult",
                "minor_16_17",
                "child_under_16",
                name="agetier",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("participation", sa.Boolean(), nullable=False),
        sa.Column("primary_findings", sa.Boolean(), nullable=False),
        sa.Column("additional_findings", sa.Boolean(), nullable=False),
        sa.Column("pharmacogenomics", sa.Boolean(), nullable=False),
        sa.Column("research", sa.Boolean(), nullable=False),
        sa.Column("research_duo", sa.JSON(), nullable=False),
        sa.Column("recontact", sa.Boolean(), nullable=False),
        sa.Column("designated_person", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "superseded",
                "withdrawn",
                name="consentstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_pk"],
            ["participants.id"],
            name=op.f("fk_consents_participant_pk_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        sa.UniqueConstraint("participant_pk", "version", name="uq_consents_participant_version"),
    )
    op.create_table(
        "identity_vault",
        sa.Column("participant_pk", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("id_card_index", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_pk"],
            ["participants.id"],
            name=op.f("fk_identity_vault_participant_pk_participants"),
        ),
        sa.PrimaryKeyConstraint("participant_pk", name=op.f("pk_identity_vault")),
        sa.UniqueConstraint("id_card_index", name=op.f("uq_identity_vault_id_card_index")),
    )
    op.create_table(
        "phenotypes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_pk", sa.Integer(), nullable=False),
        sa.Column("hpo_id", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("observed", sa.Boolean(), nullable=False),
        sa.Column("onset", sa.String(length=32), nullable=True),
        sa.Column("hpo_version", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_pk"],
            ["participants.id"],
            name=op.f("fk_phenotypes_participant_pk_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phenotypes")),
        sa.UniqueConstraint("participant_pk", "hpo_id", name="uq_phenotypes_participant_hpo"),
    )
    op.create_table(
        "samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("participant_pk", sa.Integer(), nullable=False),
        sa.Column(
            "sample_type",
            sa.Enum(
                "blood",
                "saliva",
                "buccal",
                "tissue",
                "dna",
                name="sampletype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "expected",
                "collected",
                "received",
                "extracted",
                "qc_passed",
                "qc_failed",
                "sequenced",
                "data_delivered",
                "rejected",
                "destroyed",
                name="samplestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("flagged_for_destruction", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_pk"],
            ["participants.id"],
            name=op.f("fk_samples_participant_pk_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_samples")),
        sa.UniqueConstraint("barcode", name=op.f("uq_samples_barcode")),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_pk", sa.Integer(), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "registered",
                "awaiting_data",
                "ready",
                "interpreted",
                "in_review",
                "awaiting_authorisation",
                "authorised",
                "reported",
                "results_returned",
                "closed",
                "blocked",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "registered",
                "awaiting_data",
                "ready",
                "interpreted",
                "in_review",
                "awaiting_authorisation",
                "authorised",
                "reported",
                "results_returned",
                "closed",
                "blocked",
                name="casestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.id"], name=op.f("fk_case_events_case_pk_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_table(
        "sample_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_pk", sa.Integer(), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "expected",
                "collected",
                "received",
                "extracted",
                "qc_passed",
                "qc_failed",
                "sequenced",
                "data_delivered",
                "rejected",
                "destroyed",
                name="samplestate",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "expected",
                "collected",
                "received",
                "extracted",
                "qc_passed",
                "qc_failed",
                "sequenced",
                "data_delivered",
                "rejected",
                "destroyed",
                name="samplestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_pk"], ["samples.id"], name=op.f("fk_sample_events_sample_pk_samples")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_events")),
    )
    _seed_rows()
    _make_audit_log_append_only()


def _seed_rows() -> None:
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer),
            sa.column("last_seq", sa.Integer),
            sa.column("last_hash", sa.String),
        ),
        [{"id": 1, "last_seq": 0, "last_hash": "0" * 64}],
    )
    op.bulk_insert(
        sa.table("id_counters", sa.column("kind", sa.String), sa.column("last", sa.Integer)),
        [{"kind": kind, "last": 0} for kind in ("P", "F", "C")],
    )


def _make_audit_log_append_only() -> None:
    # The database itself refuses UPDATE and DELETE on the audit log; only someone who can
    # drop triggers can tamper, and `genopath registry audit verify` then finds it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
            )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    for table in (
        "sample_events",
        "case_events",
        "samples",
        "phenotypes",
        "identity_vault",
        "consents",
        "cases",
        "participants",
        "users",
        "families",
        "id_counters",
        "centres",
        "audit_log",
        "audit_head",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
