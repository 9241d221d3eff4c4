"""PostgreSQL: drop the pg_trgm GIN index on `Appeal.search_lemmas` (migration 0023). Since the
vocabulary (migration 0028, ADR 26) the queue's search looks typos up in `SearchWord` and never
tests `search_lemmas %> …` on appeals, so nothing reads the index; every registration still
wrote it twice (the appeal's row, then its number's update, the second time while the year's
counter is held: ADR 24). Reversing builds it again (minutes at a million appeals)."""

from django.db import migrations

CREATE = ("CREATE INDEX IF NOT EXISTS appeal_search_lemmas_trgm ON appeals_appeal "
          "USING gin (search_lemmas gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS appeal_search_lemmas_trgm")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0030_lists3_sort_indexes"),
    ]

    operations = [
        migrations.RunPython(drop, create),
    ]
