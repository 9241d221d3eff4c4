"""The search key of an appeal and, on PostgreSQL, its indexes (ADR 0015): a GIN index over the
lemmas for the words, pg_trgm GIN indexes for typos and for fragments of the number. SQLite keeps
the column only (its search scans). Fill older rows with `manage.py search_reindex`."""

from django.db import migrations, models

INDEXES = [
    "CREATE INDEX IF NOT EXISTS appeal_search_lemmas_fts ON appeals_appeal "
    "USING gin (to_tsvector('simple', search_lemmas))",
    "CREATE INDEX IF NOT EXISTS appeal_search_lemmas_trgm ON appeals_appeal "
    "USING gin (search_lemmas gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS appeal_number_lower_trgm ON appeals_appeal "
    "USING gin (lower(number) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS appeal_search_lemmas_fts", "DROP INDEX IF EXISTS appeal_search_lemmas_trgm",
        "DROP INDEX IF EXISTS appeal_number_lower_trgm"]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0022_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="search_lemmas",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search key"),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
