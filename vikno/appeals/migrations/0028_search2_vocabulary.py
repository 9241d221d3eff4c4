"""The search's vocabulary (ADR 26): every word of the appeals' search keys, once, with a pg_trgm
GIN index on PostgreSQL for the typo lookup. Filled set-based from the stored keys (one
INSERT … SELECT DISTINCT); the index is built after the fill. PostgreSQL: ~18 s at 100 000
appeals (150 000 words; the shared machine loaded), some 3 min at a million; SQLite: read in
batches (a demo's few hundred)."""

from django.db import migrations, models

# As vikno.appeals.services.search_index spells them at the time of this migration.
VOCABULARY_FILL_SQL = (
    "INSERT INTO appeals_searchword (word) "
    "SELECT DISTINCT w FROM appeals_appeal AS a, "
    "unnest(string_to_array(btrim(a.search_lemmas), ' ')) AS w "
    "WHERE char_length(w) BETWEEN 4 AND 64 "
    "ON CONFLICT (word) DO NOTHING"
)


def vocabulary_words(key):
    return [w for w in key.split() if 4 <= len(w) <= 64]

TRGM_INDEX = ("CREATE INDEX IF NOT EXISTS searchword_word_trgm ON appeals_searchword "
              "USING gin (word gin_trgm_ops)")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VOCABULARY_FILL_SQL)
        schema_editor.execute(TRGM_INDEX)
        schema_editor.execute("ANALYZE appeals_searchword")
        return
    Appeal = apps.get_model("appeals", "Appeal")
    SearchWord = apps.get_model("appeals", "SearchWord")
    last = 0
    while rows := list(Appeal.objects.filter(pk__gt=last).order_by("pk")
                       .values_list("pk", "search_lemmas")[:5000]):
        found = {w for _, key in rows for w in vocabulary_words(key)}
        SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(found)],
                                       ignore_conflicts=True, batch_size=500)
        last = rows[-1][0]


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchword_word_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0027_search_applicant_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("word", models.CharField(max_length=64, unique=True, verbose_name="word")),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
