"""Full-text search over appeal texts: one small adapter for SQLite and PostgreSQL (ADR 0015).

Neither database stems Ukrainian, so words are lemmatised here, in Python, by pymorphy3 with its
Ukrainian dictionary (Russian as the second): once when an appeal is registered (the lemmas are
stored beside the text, `Appeal.search_lemmas`) and again for every query. "гарячої води" and
"гаряча вода" then both become "гарячий вода" and find each other.

- `index_text(text)` is what gets stored: every word folded, plus each of its dictionary lemmas,
  each once, between spaces: " гаряча гарячий вода ... ".
- `text_match(q)` is a Q on Appeal: every word of the query must be found, by one of its lemmas
  or — for a word the dictionary does not know, likely a typo — by trigram similarity; a chunk with
  digits also matches inside the registration number.

PostgreSQL: a GIN index on `to_tsvector('simple', search_lemmas)` answers the lemmas; pg_trgm
GIN indexes answer the typos (`%>`, word similarity ≥ 0.6) and the number fragments (LIKE).
Every condition is on the row itself, so the planner may walk the queue's own order for a
frequent word and stop at the page.
SQLite (development, small installs): the same conditions as LIKE on the stored lemmas and a
Python word-similarity function, scanning every row.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, F, Func, Q
from django.db.models.expressions import RawSQL

from vikno.core.search import fold

_WORD = re.compile(r"[^\W_]+")
_TYPO_MIN_LENGTH = 4
_PREFIX_MIN_LENGTH = 3
SIMILARITY_THRESHOLD = 0.6  # pg_trgm's default pg_trgm.word_similarity_threshold


@lru_cache(maxsize=1)
def _analyzers() -> tuple[Any, Any]:
    import pymorphy3  # heavy (dictionaries): loaded on first use only

    return pymorphy3.MorphAnalyzer(lang="uk"), pymorphy3.MorphAnalyzer(lang="ru")


def words(text: str) -> list[str]:
    """Folded words of a text; apostrophes dropped so "п'ять" stays one word on every backend."""
    return _WORD.findall(fold(text).replace("'", ""))


def warm() -> None:
    """Load the dictionaries now (the gunicorn master before it forks, config/gunicorn.py), not
    on some request's first word."""
    _analyzers()


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """Dictionary forms of a folded word by the Ukrainian and the Russian dictionaries that know
    it (a word can be both: "холодная"); () if neither knows it or it has digits."""
    if not word.isalpha():
        return ()
    found: set[str] = set()
    for morph in _analyzers():
        if morph.word_is_known(word):
            found.update(p.normal_form.replace("'", "").replace("’", "") for p in morph.parse(word))
    return tuple(sorted(f for f in found if f))


def index_text(text: str) -> str:
    """The stored search key of a text: its words and their lemmas, each once, space-delimited."""
    seen: dict[str, None] = {}
    for word in words(text):
        seen.setdefault(word, None)
        for lemma in lemmas(word):
            seen.setdefault(lemma, None)
    return f" {' '.join(seen)} " if seen else ""


def _ids(table: str, where: str, params: tuple[Any, ...]) -> Q:
    """SQLite: pk IN (SELECT id FROM table WHERE …) for a condition only a registered function
    answers. The table is the model's own quoted name and `where` one of this module's fixed
    conditions; what the user typed only ever travels in `params`."""
    sql = f"SELECT id FROM {table} WHERE {where}"  # noqa: S608
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611


# PostgreSQL reads the lemmas as a tsvector through this expression, the very one its GIN index
# is built on (appeals migration 0023): the first step reads the index, the row test computes it
# for the few rows the queue walks, and ANALYZE keeps the words' frequencies for the expression
# index. A stored tsvector column would save that little computing at the cost of rewriting the
# whole table to add it (tens of minutes at a million appeals, under an exclusive lock).
TSV_EXPRESSION = "to_tsvector('simple'::regconfig, {column})"


class _OnRow(Func):
    """PostgreSQL: one of this module's fixed conditions on the row itself, its columns named
    through the row's own alias (`{table}`), so it also holds inside subqueries; what the user
    typed only ever travels in `params`.

    A condition on the row, not `pk IN (…)`, leaves the planner every way: for a frequent word,
    walk the queue's order index and test each row until the page is full; for a rare one, read
    the GIN index first; for a count, OR the text's, the number's and the applicants' indexes
    into one bitmap. It knows the words' frequencies from the expression index's statistics."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, condition: str, params: tuple[Any, ...]) -> None:
        super().__init__(F("search_lemmas"))
        self.condition = condition
        self.params = params

    def as_sql(self, compiler: Any, connection: Any, function: str | None = None,
               template: str | None = None, arg_joiner: str | None = None,
               **extra_context: Any) -> Any:
        column = self.get_source_expressions()[0]
        return (self.condition.format(table=compiler.quote_name_unless_alias(column.alias)),
                self.params)


# A query whose words match at most this many rows (and that the statistics do not call frequent)
# gets them as one array parameter, `id = ANY(…)`: the queue then orders a known handful, and its
# order indexes hold the id, so the page and the count may walk them index-only and test each
# entry against the array (a few ms for 13 297 matches of "ями дороги", where testing each row's
# lemmas in that order visited the table: 200–330 ms). Reading the ids from an exact bitmap of the
# GIN index costs a few microseconds a match, testing a row's lemmas some 40 (ADR 26).
MIDDLE_MATCHES = 20_000
# Step 1 builds the GIN bitmap of every match in memory: with the default 4 MB it turns lossy
# from some tens of thousands of matches on, and each row of a lossy page is tested again (its
# lemmas made into a tsvector): 250 ms for "гарячої води" at a million appeals.
STEP1_WORK_MEM = "64MB"
# Words whose rows are at least this share of the table, by the planner's own statistics of the
# lemmas' index, skip step 1: a frequent word is found every few rows of the queue's order, and
# step 1 would read the whole of its GIN posting lists (300 000 matches of "вода") for nothing.
FREQUENT_SHARE = 0.02
FREQUENT_ROWS = 20_000
# How long a process keeps the statistics it read (they change with ANALYZE only).
STATISTICS_SECONDS = 600.0
_statistics: dict[tuple[str, str], tuple[float, float, dict[str, float]]] = {}


def _element_shares(db_table: str) -> tuple[float, dict[str, float]]:
    """PostgreSQL: the table's estimated rows and the share of its rows holding each of the most
    common words of the keys (ANALYZE's `most_common_elems` of the lemmas' expression index);
    (0, {}) when not analysed. Kept per process for STATISTICS_SECONDS."""
    key = (connection.settings_dict.get("NAME") or "", db_table)
    now = time.monotonic()
    kept = _statistics.get(key)
    if kept is not None and now - kept[0] < STATISTICS_SECONDS:
        return kept[1], kept[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = ic.relname "
            "WHERE c.relname = %s AND pg_get_indexdef(i.indexrelid) LIKE %s "
            "AND s.most_common_elems IS NOT NULL LIMIT 1",
            (db_table, "%to_tsvector%"))
        row = cursor.fetchone()
    rows, shares = (0.0, {}) if row is None else (float(row[0]), dict(zip(row[1], row[2], strict=False)))
    _statistics[key] = (now, rows, shares)
    return rows, shares


def estimated_share(groups: list[list[str]], db_table: str) -> float:
    """PostgreSQL: a low estimate of the share of rows matching every group (AND) of
    alternatives (OR; `word` or a prefix `word:*`), from the most common words' statistics:
    the commonest alternative of each group, the groups as if independent. A word not among the
    most common counts as none (rare, or not known): step 1 then runs, as for any rare word."""
    rows, shares = _element_shares(db_table)
    if rows < FREQUENT_ROWS or not shares:
        return 0.0
    share = 1.0
    for group in groups:
        best = 0.0
        for form in group:
            if form.endswith(":*"):
                prefix = form[:-2]
                best = max([best, *(f for w, f in shares.items() if w.startswith(prefix))])
            else:
                best = max(best, shares.get(form, 0.0))
        share *= best
    return share if share * rows >= FREQUENT_ROWS else 0.0


def _on_row(tsquery: str) -> Q:
    tsv = TSV_EXPRESSION.format(column="{table}.search_lemmas")
    return Q(_OnRow(f"{tsv} @@ to_tsquery('simple', %s)", (tsquery,)))


def ids_q(ids: list[int], id_type: str = "bigint") -> Q:
    """PostgreSQL: the rows whose id is one of `ids`, `id = ANY(%s::<id_type>[])`, one array
    parameter of the key's own type, named through the row's own alias.

    The type matters: an array of `integer` (what the ids bind as, and what `id IN (1, 2, …)`
    is) against a `bigint` key is a cross-type comparison, which PostgreSQL cannot hash, so each
    row walked searched the whole array in turn: 57 µs a row for the 4 723 + 12 852 ids of
    "Шевченко" at a million appeals, 240 ms for the first page; of the key's type, it is hashed
    once per statement (ADR 26)."""
    return Q(_OnRow(f"{{table}}.id = ANY(%s::{id_type}[])", (list(ids),)))


def _tsquery_q(tsquery: str, table: str, groups: list[list[str]] | None = None,
               db_table: str = "", id_type: str = "bigint") -> Q:
    """The rows whose lemmas answer `tsquery` (`groups`: its AND of ORs, when known). Words the
    statistics call frequent (`estimated_share`) are tested on the row at once: the planner walks
    the queue's order index and stops at the page. Otherwise in two steps: first the matching
    ids, at most MIDDLE_MATCHES + 1, from the GIN index: when that is all of them, the condition
    is that list as one array of the key's own type (`ids_q`: the queue then orders a known
    handful, whatever it guesses, and its order indexes test it index-only); else the words are
    frequent after all, tested on the row. The planner alone misjudges rare words (a prefix
    `вод:*` above all) and walks the whole table in order looking for them."""
    if groups and db_table and estimated_share(groups, db_table) >= FREQUENT_SHARE:
        return _on_row(tsquery)
    with transaction.atomic(), connection.cursor() as cursor:
        # From the GIN index, always: for a frequent word the planner prefers to walk the table
        # and lemmatise each row's key until it has enough (0.1 ms a row: 935 ms for "вода" at
        # 100 000 appeals, 70 ms from the index); and with the memory for an exact bitmap. Only
        # for this statement: the settings are put back at once, within this transaction (or
        # savepoint).
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('work_mem'), "
                       "set_config('enable_seqscan', 'off', true), "
                       "set_config('work_mem', %s, true)", (STEP1_WORK_MEM,))
        (seqscan, work_mem, _off, _mem), = cursor.fetchall()
        tsv = TSV_EXPRESSION.format(column="search_lemmas")
        cursor.execute(f"SELECT id FROM {table} WHERE {tsv} @@ to_tsquery('simple', %s) "  # noqa: S608
                       "LIMIT %s", (tsquery, MIDDLE_MATCHES + 1))
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT set_config('enable_seqscan', %s, true), "
                       "set_config('work_mem', %s, true)", (seqscan, work_mem))
    if len(ids) <= MIDDLE_MATCHES:
        return ids_q(ids, id_type)
    return _on_row(tsquery)


def tests_rows_for_words(where: Any) -> bool:
    """Whether a query's WHERE tree (`queryset.query.where`) holds a text condition tested on
    each row — frequent words (step 3 of `_tsquery_q`): counting its matches then costs a
    lemmatisation per row walked, so the caller may count less far."""
    for child in getattr(where, "children", ()):
        if tests_rows_for_words(child):
            return True
        lhs = getattr(child, "lhs", None)
        if isinstance(lhs, _OnRow) and "@@" in lhs.condition:
            return True
    return False


def _forms(word: str) -> list[str]:
    """Its lemmas and the word itself, which also stands for the beginning of a longer word
    (tsquery `вод:*`: "вод" finds "водопостачання")."""
    prefix = f"{word}:*" if len(word) >= _PREFIX_MIN_LENGTH else word
    return sorted({prefix, *lemmas(word)})


def _may_be_typo(word: str) -> bool:
    """A word the dictionaries do not know, long enough for trigrams to tell: looked up by
    similarity as well."""
    return len(word) >= _TYPO_MIN_LENGTH and word.isalpha() and not lemmas(word)


def _word_q(word: str, table: str, id_type: str = "bigint") -> Q:
    """One query word: any of its lemmas (or the word itself) among the stored ones, or — if the
    dictionary does not know it — a stored word similar enough."""
    forms = _forms(word)
    typo = _may_be_typo(word)
    if connection.vendor == "postgresql":
        cond = _tsquery_q(" | ".join(forms), table, id_type=id_type)
        if typo:  # the trigram index on search_lemmas, or a test of each row walked in order
            cond |= Q(_OnRow("{table}.search_lemmas %%> %s", (word,)))
        return cond
    cond = Q()
    for form in forms:
        if form.endswith(":*"):
            cond |= Q(search_lemmas__contains=f" {form[:-2]}")
        else:
            cond |= Q(search_lemmas__contains=f" {form} ")
    if typo:
        cond |= _ids(table, "vikno_word_similarity(%s, search_lemmas) >= %s",
                     (word, SIMILARITY_THRESHOLD))
    return cond


def _number_q(chunk: str, table: str) -> Q:
    if connection.vendor == "postgresql":  # answered by the trigram index on lower(number)
        return Q(_OnRow("lower({table}.number) LIKE %s", (f"%{_like_escape(fold(chunk))}%",)))
    return _ids(table, "vikno_fold(number) LIKE %s ESCAPE '\\'",
                (f"%{_like_escape(fold(chunk))}%",))


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# A word no dictionary knows stands for at most this many of the most similar stored words.
SIMILAR_WORDS = 10


def similar_words(word: str, vocabulary: Any) -> list[str]:
    """PostgreSQL: the stored words most like `word` (pg_trgm word similarity ≥ 0.6, as `%>`
    over the whole key was), best first, from the vocabulary's trigram index. `vocabulary` is a
    model with a unique `word` column of every word of the keys."""
    table = connection.ops.quote_name(vocabulary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word FROM {table} WHERE word %%> %s "  # noqa: S608
                       "ORDER BY word_similarity(%s, word) DESC, word LIMIT %s",
                       (word, word, SIMILAR_WORDS))
        return [row[0] for row in cursor.fetchall()]


def text_match(q: str, *, model: Any, vocabulary: Any = None) -> Q:
    """Appeals whose text has every word of `q` (by lemma, or by similarity for an unknown word),
    or whose registration number contains `q`. Q() matching nothing for an empty query.
    `model` has `search_lemmas` (kept by `index_text`) and `number` fields and an `id` key; on
    PostgreSQL also the GIN indexes of appeals migration 0023 on its own table. `vocabulary`
    (PostgreSQL): the model of the keys' words (`similar_words`); an unknown word then becomes
    the similar stored words, alternatives of the one tsquery, instead of a trigram test of every
    row's key."""
    table = connection.ops.quote_name(model._meta.db_table)
    query = q.strip()
    if not words(query):
        return Q(pk__in=[])
    by_text = Q()
    known: list[list[str]] = []  # PostgreSQL: the words found by lemma alone go into one tsquery
    postgresql = connection.vendor == "postgresql"
    id_type = model._meta.pk.db_type(connection)
    for word in dict.fromkeys(words(query)):
        if postgresql and not _may_be_typo(word):
            known.append(_forms(word))
        elif postgresql and vocabulary is not None:
            known.append(sorted({*_forms(word), *similar_words(word, vocabulary)}))
        else:
            by_text &= _word_q(word, table, id_type)
    if known:
        tsquery = " & ".join("(" + " | ".join(forms) + ")" for forms in known)
        by_text &= _tsquery_q(tsquery, table, known, model._meta.db_table, id_type)
    cond = by_text
    if any(ch.isdigit() for ch in query):
        cond |= _number_q(query, table)
    return cond


# -- SQLite: the word-similarity function pg_trgm gives PostgreSQL --------------------------------

def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def word_similarity(word: str, stored: str | None) -> float:
    """The best share of the word's trigrams found in one stored word (close to pg_trgm's
    word_similarity)."""
    if not stored or not word:
        return 0.0
    mine = _trigrams(word)
    return max((len(mine & _trigrams(w)) / len(mine) for w in stored.split()), default=0.0)


def _register_sqlite_similarity(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("vikno_word_similarity", 2, word_similarity,
                                              deterministic=True)


connection_created.connect(_register_sqlite_similarity, dispatch_uid="vikno_word_similarity")
