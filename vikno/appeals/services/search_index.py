"""The search key of appeals (vikno.core.fulltext): filled at registration; this refills it for
rows written before the key existed or after the lemmatiser changed (`manage.py search_reindex`).

The key is derived from the text alone, so refilling it changes no fact of the case file and
records no audit event.

At scale (PostgreSQL) the time goes into the indexes, not the lemmas (each word is lemmatised
once per process, `fulltext.lemmas` is cached): every rewritten row is a new row version that
each index of the table takes again, the search's GIN index dearest. So a batch
writes only the keys that changed (a reindex with the same dictionaries writes nothing), and a
large reindex drops the search's own GIN index first and builds it again at the end, once
(searches are slow meanwhile; `drop_indexes=False` keeps them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from vikno.appeals.models import Appeal, SearchWord
from vikno.appeals.models.search import WORD_MAX_LENGTH, WORD_MIN_LENGTH
from vikno.core import fulltext

# The search's GIN index over the key on PostgreSQL (migration 0023), as it is created there.
# (Its trigram index on the key went in migration 0031: typos are looked up in the vocabulary.)
SEARCH_INDEXES = {
    "appeal_search_lemmas_fts":
        "CREATE INDEX IF NOT EXISTS appeal_search_lemmas_fts ON appeals_appeal "
        f"USING gin ({fulltext.TSV_EXPRESSION.format(column='search_lemmas')})",
}
# From this many rows to rewrite on, building the GIN indexes anew beats keeping them up to date.
DROP_INDEXES_FROM = 50_000


def search_reindex(*, batch: int = 5000, only_missing: bool = False,
                   drop_indexes: bool | None = None,
                   progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute `Appeal.search_lemmas` in batches of ids, one transaction per batch; returns the
    number of appeals whose key changed. `drop_indexes` None: decided by the number of rows
    (PostgreSQL only). `progress(read, written)` is called after each batch."""
    base = Appeal.objects.order_by("pk")
    if only_missing:
        base = base.filter(search_lemmas="")
    if drop_indexes is None:
        drop_indexes = (connection.vendor == "postgresql"
                        and base.values("pk")[:DROP_INDEXES_FROM].count() >= DROP_INDEXES_FROM)
    if drop_indexes and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in SEARCH_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    try:
        written = _reindex(base, batch, progress)
        vocabulary_fill()
        return written
    finally:
        if drop_indexes and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in SEARCH_INDEXES.values():
                    cursor.execute(sql)
                cursor.execute("ANALYZE appeals_appeal")


def _reindex(base: QuerySet[Appeal], batch: int,
             progress: Callable[[int, int], None] | None) -> int:
    written = read = 0
    last = 0
    while True:
        rows = list(base.filter(pk__gt=last).values_list("pk", "text", "search_lemmas")[:batch])
        if not rows:
            return written
        keys = [(pk, key) for pk, text, old in rows
                if (key := fulltext.index_text(text)) != old]
        if keys:
            with transaction.atomic():
                _write(keys)
        written += len(keys)
        read += len(rows)
        last = rows[-1][0]
        if progress:
            progress(read, written)


def _write(keys: list[tuple[int, str]]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE appeals_appeal AS a SET search_lemmas = v.key "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, key) WHERE a.id = v.id",
                [[pk for pk, _ in keys], [key for _, key in keys]])
        return
    Appeal.objects.bulk_update([Appeal(pk=pk, search_lemmas=key) for pk, key in keys],
                               ["search_lemmas"], batch_size=500)


# -- The vocabulary of the stored words (SearchWord), for the typo lookup -------------------------

def vocabulary_words(key: str) -> list[str]:
    """The words of a search key that belong in the vocabulary."""
    return [w for w in key.split() if WORD_MIN_LENGTH <= len(w) <= WORD_MAX_LENGTH]


def vocabulary_add(key: str) -> None:
    """The words of one new search key into the vocabulary (those already there are skipped;
    a racing registration adding the same word is no conflict either)."""
    found = vocabulary_words(key)
    if found:
        SearchWord.objects.bulk_create([SearchWord(word=w) for w in dict.fromkeys(found)],
                                       ignore_conflicts=True)


def vocabulary_add_sql(key: str) -> tuple[str, list[Any]] | None:
    """PostgreSQL: `vocabulary_add(key)` as a statement to run inside another (registration: in
    the appeal's own insert), or None when the key has no word for the vocabulary."""
    found = vocabulary_words(key)
    if not found:
        return None
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    return (f"INSERT INTO {table} (word) SELECT unnest(%s::text[]) "
            "ON CONFLICT (word) DO NOTHING", [list(dict.fromkeys(found))])


# PostgreSQL: every word of every key, set-based in one statement (the migration that introduced
# the vocabulary runs the same). Seconds per 100 000 appeals.
VOCABULARY_FILL_SQL = (
    "INSERT INTO appeals_searchword (word) "  # noqa: S608 (constants only)
    "SELECT DISTINCT w FROM appeals_appeal AS a, "
    "unnest(string_to_array(btrim(a.search_lemmas), ' ')) AS w "
    f"WHERE char_length(w) BETWEEN {WORD_MIN_LENGTH} AND {WORD_MAX_LENGTH} "
    "ON CONFLICT (word) DO NOTHING"
)


def vocabulary_fill(*, batch: int = 5000) -> None:
    """Every word of the stored keys into the vocabulary: after a reindex or a bulk load."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(VOCABULARY_FILL_SQL)
            cursor.execute("ANALYZE appeals_searchword")
        return
    last = 0
    while rows := list(Appeal.objects.filter(pk__gt=last).order_by("pk")
                       .values_list("pk", "search_lemmas")[:batch]):
        words = {w for _, key in rows for w in vocabulary_words(key)}
        SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(words)],
                                       ignore_conflicts=True, batch_size=500)
        last = rows[-1][0]
