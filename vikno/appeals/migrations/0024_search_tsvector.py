"""PostgreSQL: the lemmas also as a stored tsvector (ADR 0026), so the queue can test a row's words
cheaply while it walks its own order for a frequent word; its GIN index replaces the expression
index of 0023. The applicant's exact search gets indexes of the very expressions it filters by
(folded surname and name by their beginning, organisation and phone digits by a fragment).
SQLite: nothing (its search scans).

Cost at a million appeals: adding the generated column rewrites appeals_appeal and its indexes
(minutes, under an exclusive lock); run it in a maintenance window."""

from django.db import migrations

# The folded form of vikno.core.search.Fold on PostgreSQL, spelled as the queries spell it.
_APOSTROPHES = "’`ʼ‘"
_FOLD = ("translate(lower(({col})::text), " f"'{_APOSTROPHES}'::text, "
         "'" + "''" * len(_APOSTROPHES) + "'::text)")

FORWARD = [
    "ALTER TABLE appeals_appeal ADD COLUMN IF NOT EXISTS search_tsv tsvector "
    "GENERATED ALWAYS AS (strip(to_tsvector('simple'::regconfig, search_lemmas))) STORED",
    "CREATE INDEX IF NOT EXISTS appeal_search_tsv ON appeals_appeal USING gin (search_tsv)",
    "DROP INDEX IF EXISTS appeal_search_lemmas_fts",
    "CREATE INDEX IF NOT EXISTS applicant_last_name_fold ON appeals_applicant "
    f"({_FOLD.format(col='last_name')} text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS applicant_first_name_fold ON appeals_applicant "
    f"({_FOLD.format(col='first_name')} text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS applicant_organisation_fold_trgm ON appeals_applicant "
    f"USING gin ({_FOLD.format(col='organisation_name')} gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS applicant_phone_digits_trgm ON appeals_applicant "
    "USING gin (phone_digits gin_trgm_ops)",
    "ANALYZE appeals_appeal",
    "ANALYZE appeals_applicant",
]
BACKWARD = [
    "DROP INDEX IF EXISTS applicant_phone_digits_trgm",
    "DROP INDEX IF EXISTS applicant_organisation_fold_trgm",
    "DROP INDEX IF EXISTS applicant_first_name_fold",
    "DROP INDEX IF EXISTS applicant_last_name_fold",
    "CREATE INDEX IF NOT EXISTS appeal_search_lemmas_fts ON appeals_appeal "
    "USING gin (to_tsvector('simple', search_lemmas))",
    "DROP INDEX IF EXISTS appeal_search_tsv",
    "ALTER TABLE appeals_appeal DROP COLUMN IF EXISTS search_tsv",
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
        ("appeals", "0023_appeal_search_lemmas"),
    ]

    operations = [migrations.RunPython(forward, backward)]
