"""The open appeals' index by id also carries the applicant, so the count of a search by ids and
applicants reads it alone (9 400 rows of the table visited for «Шевченко» before); it replaces
`appeal_open_id`, built first, then the old one dropped (both concurrently on PostgreSQL).

PostgreSQL: the folded surname's and first name's indexes of the applicant's search carry the
name and the id, so a frequent surname's applicants are read from the index alone (ADR 26):
the 12 851 «Шевченко» of a million appeals read 10 103 pages of the applicants' table before.
They replace 0027's indexes of the same expressions (the same keys, one index to keep up each).
Built concurrently: registrations go on meanwhile. SQLite: nothing (its search scans)."""

from django.db import migrations, models

OPEN = ["answered", "assigned", "awaiting_confirmation", "in_work", "registered", "returned_for_revision"]
OLD_OPEN_ID = models.Index(fields=["id"], include=["priority", "due_date", "received_at"],
                           condition=models.Q(("status__in", OPEN)), name="appeal_open_id")
NEW_OPEN_ID = models.Index(fields=["id"], include=["priority", "due_date", "received_at", "applicant"],
                           condition=models.Q(("status__in", OPEN)), name="appeal_open_id_applicant")

# The folded form of vikno.core.search.Fold on PostgreSQL, spelled as the queries spell it.
_APOSTROPHES = "’`ʼ‘"
_FOLD = ("translate(lower(({col})::text), " f"'{_APOSTROPHES}'::text, "
         "'" + "''" * len(_APOSTROPHES) + "'::text)")

FORWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS applicant_last_name_fold_id ON appeals_applicant "
    f"({_FOLD.format(col='last_name')} text_pattern_ops) INCLUDE (last_name, id)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS applicant_first_name_fold_id ON appeals_applicant "
    f"({_FOLD.format(col='first_name')} text_pattern_ops) INCLUDE (first_name, id)",
    "DROP INDEX CONCURRENTLY IF EXISTS applicant_last_name_fold",
    "DROP INDEX CONCURRENTLY IF EXISTS applicant_first_name_fold",
    "ANALYZE appeals_applicant",
]
BACKWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS applicant_last_name_fold ON appeals_applicant "
    f"({_FOLD.format(col='last_name')} text_pattern_ops)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS applicant_first_name_fold ON appeals_applicant "
    f"({_FOLD.format(col='first_name')} text_pattern_ops)",
    "DROP INDEX CONCURRENTLY IF EXISTS applicant_last_name_fold_id",
    "DROP INDEX CONCURRENTLY IF EXISTS applicant_first_name_fold_id",
]


def _swap(apps, schema_editor, new, old):
    appeal = apps.get_model("appeals", "Appeal")
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    schema_editor.add_index(appeal, new, **concurrently)
    schema_editor.remove_index(appeal, old, **concurrently)


def forward(apps, schema_editor):
    _swap(apps, schema_editor, NEW_OPEN_ID, OLD_OPEN_ID)
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    _swap(apps, schema_editor, OLD_OPEN_ID, NEW_OPEN_ID)
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY runs outside a transaction.
    atomic = False

    dependencies = [
        ("appeals", "0031_intake_drop_lemmas_trgm"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="appeal", name="appeal_open_id"),
                migrations.AddIndex(model_name="appeal", index=NEW_OPEN_ID),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
