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


# A query whose words match at most this many rows gets them as a list of ids.
FEW_MATCHES = 2000


def _tsquery_q(tsquery: str, table: str) -> Q:
    """The rows whose lemmas answer `tsquery`, in two steps. First the matching ids, at most
    FEW_MATCHES + 1, from the GIN index: when that is all of them, the condition is that list
    (the queue then orders a known handful, whatever it guesses). Otherwise the words are frequent
    and the condition is on the row: the planner walks the queue's order index and stops at the
    page, a frequent word being found every few rows. The planner alone misjudges rare words
    (a prefix `вод:*` above all) and walks the whole table in order looking for them."""
    with transaction.atomic(), connection.cursor() as cursor:
        # From the GIN index, always: for a frequent word the planner prefers to walk the table
        # and lemmatise each row's key until it has enough (0.1 ms a row: 935 ms for "вода" at
        # 100 000 appeals, 70 ms from the index). Only for this statement: the setting is put
        # back at once, within this transaction (or savepoint).
        cursor.execute("SELECT current_setting('enable_seqscan'), "
                       "set_config('enable_seqscan', 'off', true)")
        (before, _off), = cursor.fetchall()
        tsv = TSV_EXPRESSION.format(column="search_lemmas")
        cursor.execute(f"SELECT id FROM {table} WHERE {tsv} @@ to_tsquery('simple', %s) "  # noqa: S608
                       "LIMIT %s", (tsquery, FEW_MATCHES + 1))
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", (before,))
    if len(ids) <= FEW_MATCHES:
        return Q(pk__in=ids)
    tsv = TSV_EXPRESSION.format(column="{table}.search_lemmas")
    return Q(_OnRow(f"{tsv} @@ to_tsquery('simple', %s)", (tsquery,)))


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


def _word_q(word: str, table: str) -> Q:
    """One query word: any of its lemmas (or the word itself) among the stored ones, or — if the
    dictionary does not know it — a stored word similar enough."""
    forms = _forms(word)
    typo = _may_be_typo(word)
    if connection.vendor == "postgresql":
        cond = _tsquery_q(" | ".join(forms), table)
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
    known: list[str] = []  # PostgreSQL: the words found by lemma alone go into one tsquery
    postgresql = connection.vendor == "postgresql"
    for word in dict.fromkeys(words(query)):
        if postgresql and not _may_be_typo(word):
            known.append("(" + " | ".join(_forms(word)) + ")")
        elif postgresql and vocabulary is not None:
            forms = sorted({*_forms(word), *similar_words(word, vocabulary)})
            known.append("(" + " | ".join(forms) + ")")
        else:
            by_text &= _word_q(word, table)
    if known:
        by_text &= _tsquery_q(" & ".join(known), table)
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
