"""PostgreSQL: the applicant's exact search gets indexes of the very expressions it filters by
(folded surname and name by their beginning, organisation and phone digits by a fragment).
SQLite: nothing (its search scans). Seconds at a million appeals (the applicants' table only)."""

from django.db import migrations

# The folded form of vikno.core.search.Fold on PostgreSQL, spelled as the queries spell it.
_APOSTROPHES = "’`ʼ‘"
_FOLD = ("translate(lower(({col})::text), " f"'{_APOSTROPHES}'::text, "
         "'" + "''" * len(_APOSTROPHES) + "'::text)")

FORWARD = [
    "CREATE INDEX IF NOT EXISTS applicant_last_name_fold ON appeals_applicant "
    f"({_FOLD.format(col='last_name')} text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS applicant_first_name_fold ON appeals_applicant "
    f"({_FOLD.format(col='first_name')} text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS applicant_organisation_fold_trgm ON appeals_applicant "
    f"USING gin ({_FOLD.format(col='organisation_name')} gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS applicant_phone_digits_trgm ON appeals_applicant "
    "USING gin (phone_digits gin_trgm_ops)",
    "ANALYZE appeals_applicant",
]
BACKWARD = [
    "DROP INDEX IF EXISTS applicant_phone_digits_trgm",
    "DROP INDEX IF EXISTS applicant_organisation_fold_trgm",
    "DROP INDEX IF EXISTS applicant_first_name_fold",
    "DROP INDEX IF EXISTS applicant_last_name_fold",
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

    dependencies = [
        ("appeals", "0026_stats_daily_counts"),
    ]

    operations = [migrations.RunPython(forward, backward)]
