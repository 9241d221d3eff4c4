"""PostgreSQL: the folded surname's and first name's indexes of the applicant's search carry the
name and the id, so a frequent surname's applicants are read from the index alone (ADR 26):
the 12 851 «Шевченко» of a million appeals read 10 103 pages of the applicants' table before.
They replace 0027's indexes of the same expressions (the same keys, one index to keep up each).
Built concurrently: registrations go on meanwhile. SQLite: nothing (its search scans)."""

from django.db import migrations

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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY runs outside a transaction.
    atomic = False

    dependencies = [
        ("appeals", "0031_intake_drop_lemmas_trgm"),
    ]

    operations = [migrations.RunPython(forward, backward)]
