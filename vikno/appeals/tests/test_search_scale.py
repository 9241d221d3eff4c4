"""Search at scale: the lemmas as a stored tsvector tested on the row itself, the applicant's
exact search by its own indexes, and a reindex that writes only what changed (ADR 0026)."""

from __future__ import annotations

import pytest
from django.db import connection

from vikno.appeals.models import Appeal
from vikno.appeals.selectors import AppealFilters, appeal_list_for, applicant_match
from vikno.appeals.services import search_reindex
from vikno.appeals.services.search_index import SEARCH_INDEXES
from vikno.appeals.tests.factories import applicant_data, register
from vikno.core import fulltext


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the tsvector column and the search indexes exist on PostgreSQL: set "
                    "DATABASE_URL")


@pytest.fixture
def texts(book, operator):
    hot = register(actor=operator, text="Третій тиждень у будинку немає гарячої води.",
                   applicant=applicant_data(last_name="Шевченко", phone="+380 50 123 45 67"))
    road = register(actor=operator, text="Просимо відремонтувати дорогу біля школи, ями глибокі.")
    return {"hot": hot, "road": road}


@pytest.mark.parametrize("middle", [0, 2000])
def test_the_words_match_inside_a_subquery_too(texts, monkeypatch, middle):
    # given the condition used where the appeals' table has another alias (a subquery's)
    monkeypatch.setattr(fulltext, "MIDDLE_MATCHES", middle)
    inner = Appeal.objects.filter(fulltext.text_match("гарячої води", model=Appeal)).values("pk")

    # when
    found = set(Appeal.objects.filter(pk__in=inner))

    # then
    assert found == {texts["hot"]}


def test_rare_words_come_as_a_list_of_ids(texts, operator):
    _postgresql_only()
    # given words that match fewer rows than MIDDLE_MATCHES
    qs = appeal_list_for(user=operator, filters=AppealFilters(q="гарячої води"))

    # then the queue orders that known handful: no text condition left for the planner to misjudge
    assert "to_tsquery" not in str(qs.query)
    assert set(qs) == {texts["hot"]}


def test_frequent_words_are_tested_on_the_row(texts, operator, monkeypatch):
    _postgresql_only()
    # given words that match more rows than MIDDLE_MATCHES
    monkeypatch.setattr(fulltext, "MIDDLE_MATCHES", 0)
    qs = appeal_list_for(user=operator, filters=AppealFilters(q="гарячої води"))

    # then the condition is on the row's lemmas (the expression of the GIN index), which lets the
    # planner walk the queue's order and stop at the page
    sql = str(qs.query)
    assert """to_tsvector('simple'::regconfig, "appeals_appeal".search_lemmas) @@ to_tsquery""" in sql
    assert "OFFSET 0" not in sql
    assert set(qs) == {texts["hot"]}


def test_a_middle_band_of_matches_comes_as_one_array_of_ids(texts, operator, monkeypatch):
    _postgresql_only()
    from vikno.appeals.selectors_queue import (
        SEARCH_COUNT_LIMIT,
        appeal_queue_page,
        queue_count_limit,
    )

    # given words that match fewer rows than MIDDLE_MATCHES
    filters = AppealFilters(q="гарячої води")
    qs = appeal_list_for(user=operator, filters=filters)

    # then the ids come as one array, which the queue's order indexes test index-only: no
    # lemmas tested on each row walked, and the search is counted as far as rare words are
    sql, params = qs.query.sql_with_params()
    assert """"appeals_appeal".id = ANY(""" in sql and "to_tsquery" not in sql
    assert [texts["hot"].pk] in [list(p) for p in params if isinstance(p, list)]
    assert not fulltext.tests_rows_for_words(qs.query.where)
    assert queue_count_limit(filters, qs) == SEARCH_COUNT_LIMIT
    listed = appeal_queue_page(user=operator, filters=filters, page=1, per_page=10)
    assert list(listed.page.object_list) == [texts["hot"]]
    assert listed.page.paginator.count == 1 and not listed.page.paginator.capped


def test_the_first_step_reads_the_lemmas_index(texts):
    _postgresql_only()
    # given the planner told to use an index wherever one answers (few rows here)
    tsv = fulltext.TSV_EXPRESSION.format(column="search_lemmas")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM appeals_appeal WHERE {tsv} @@ "  # noqa: S608
                       "to_tsquery('simple', 'вода') LIMIT 10")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then the expression is the index's own: the GIN index answers it
    assert "appeal_search_lemmas_fts" in plan


@pytest.mark.parametrize(("q", "index"), [
    ("Шевч", "applicant_last_name_fold_id"),
    ("0501234567", "applicant_phone_digits_trgm"),
])
def test_the_applicants_search_is_answered_by_its_indexes(texts, q, index):
    _postgresql_only()
    # given the planner told to use an index wherever one answers (few rows here)
    qs = applicant_match(q)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then
    assert index in plan
    assert texts["hot"].applicant_id in set(qs.values_list("pk", flat=True))


def test_a_reindex_writes_only_the_keys_that_changed(texts, operator):
    # given one key emptied
    Appeal.objects.filter(pk=texts["road"].pk).update(search_lemmas="")

    # when / then: one key written, then none
    assert search_reindex(batch=1) == 1
    assert search_reindex(batch=1) == 0
    assert set(appeal_list_for(user=operator, filters=AppealFilters(q="дороги"))) == {texts["road"]}


def test_a_large_reindex_builds_the_search_indexes_again(texts, operator):
    _postgresql_only()
    # given (the constraints checked at once, as outside a test's transaction: an index is not
    # built while checks are pending)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Appeal.objects.update(search_lemmas="")

    # when the indexes are dropped around the reindex
    assert search_reindex(drop_indexes=True) == 2

    # then they are back and the search finds
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'appeals_appeal'")
        names = {row[0] for row in cursor.fetchall()}
    assert set(SEARCH_INDEXES) <= names
    assert set(appeal_list_for(user=operator, filters=AppealFilters(q="гарячої води"))) == {
        texts["hot"]}


@pytest.mark.parametrize("inline", [1000, 0])
def test_the_applicants_found_come_as_ids_when_few(texts, supervisor, monkeypatch, inline):
    from vikno.appeals import selectors_queue as selectors

    # given as many applicants inline as the parameter allows
    monkeypatch.setattr(selectors, "APPLICANT_IDS_INLINE", inline)
    qs = appeal_list_for(user=supervisor, filters=AppealFilters(q="Шевченко"))

    # then a few are a list of ids (no subquery over the applicants), more a subquery; same answer
    assert ('FROM "appeals_applicant" U0' in str(qs.query)) == (inline == 0)
    assert texts["hot"] in set(qs)


def test_frequent_words_are_counted_less_far(texts, operator, monkeypatch):
    _postgresql_only()
    from vikno.appeals.selectors_queue import appeal_queue_page

    monkeypatch.setattr("vikno.appeals.selectors_queue.FREQUENT_SEARCH_COUNT_LIMIT", 0)
    # given rare words: counted up to the search's bound
    rare = appeal_queue_page(user=operator, filters=AppealFilters(q="гарячої води"), page=1,
                             per_page=10)
    assert rare.page.paginator.count == 1 and not rare.page.paginator.capped
    # when the same words are frequent (their text tested on each row)
    monkeypatch.setattr(fulltext, "MIDDLE_MATCHES", 0)
    frequent = appeal_queue_page(user=operator, filters=AppealFilters(q="гарячої води"), page=1,
                                 per_page=10)
    # then the count stops at the smaller bound, the page is the same
    assert frequent.page.paginator.limit == 0 and frequent.page.paginator.capped
    assert list(frequent.page.object_list) == [texts["hot"]]


def test_the_first_step_never_walks_the_table_and_leaves_the_planner_as_it_was(texts):
    _postgresql_only()
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        fulltext.text_match("гарячої води", model=Appeal)
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == "on"
    assert any("set_config('enable_seqscan', 'off', true)" in q["sql"]
               for q in ctx.captured_queries)


# -- frequent words by the statistics, step 1 with memory for an exact bitmap ---------------------

@pytest.fixture
def statistics(monkeypatch):
    """The statistics of the lemmas' index as given: (the table's rows, word → share of rows)."""
    given: dict[str, object] = {"rows": 1_000_000.0, "shares": {}}
    monkeypatch.setattr(fulltext, "_element_shares",
                        lambda db_table: (given["rows"], given["shares"]))
    return given


def test_the_estimated_share_of_frequent_words(statistics):
    statistics["shares"] = {"вода": 0.24, "води": 0.06, "гарячий": 0.1, "водопостачання": 0.05}
    # the commonest alternative of a group, a prefix by the common words it begins
    assert fulltext.estimated_share([["вод:*"]], "appeals_appeal") == 0.24
    assert fulltext.estimated_share([["води", "вода:*"]], "appeals_appeal") == 0.24
    # the groups as if independent
    assert fulltext.estimated_share([["гарячий"], ["вода"]], "appeals_appeal") == pytest.approx(
        0.024)
    # a word not among the common ones counts as rare
    assert fulltext.estimated_share([["бомбосховище"]], "appeals_appeal") == 0.0
    assert fulltext.estimated_share([["вода"], ["бомбосховище"]], "appeals_appeal") == 0.0
    # and so does every word of a small table
    statistics["rows"] = 1000.0
    assert fulltext.estimated_share([["вода"]], "appeals_appeal") == 0.0


def test_words_frequent_by_the_statistics_skip_the_first_step(texts, operator, statistics):
    _postgresql_only()
    from django.test.utils import CaptureQueriesContext

    # given statistics that call both words frequent
    statistics["shares"] = {"вода": 0.3, "гарячий": 0.3}
    with CaptureQueriesContext(connection) as ctx:
        qs = appeal_list_for(user=operator, filters=AppealFilters(q="гарячої води"))
    # then no ids are read first: the words are tested on the row, as frequent ones
    assert not any("LIMIT" in q["sql"] and "to_tsquery" in q["sql"]
                   for q in ctx.captured_queries)
    assert "to_tsquery" in str(qs.query)
    assert set(qs) == {texts["hot"]}


def test_rare_words_by_the_statistics_still_come_as_ids(texts, operator, statistics):
    _postgresql_only()
    statistics["shares"] = {"вода": 0.3}
    qs = appeal_list_for(user=operator, filters=AppealFilters(q="дороги"))
    assert "to_tsquery" not in str(qs.query)
    assert set(qs) == {texts["road"]}


def test_the_statistics_are_those_of_the_lemmas_index(texts):
    _postgresql_only()
    # given the table analysed (its rows and the commonest words of the keys)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appeals_appeal")
    fulltext._statistics.clear()
    try:
        rows, shares = fulltext._element_shares("appeals_appeal")
    finally:
        fulltext._statistics.clear()
    # then each word's share of the rows: "вода" is in one key of two
    assert rows == 2
    assert shares["вода"] == pytest.approx(0.5)


def test_the_first_step_has_memory_for_an_exact_bitmap_and_gives_it_back(texts):
    _postgresql_only()
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        fulltext.text_match("гарячої води", model=Appeal)
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            assert cursor.fetchone()[0] == before
    assert any("set_config('work_mem'" in q["sql"] for q in ctx.captured_queries)


def test_many_applicants_found_are_counted_less_far(texts, supervisor, monkeypatch):
    from vikno.appeals import selectors_queue as selectors

    filters = AppealFilters(q="Шевченко")
    # given the applicants found few: a list of ids, counted to the search's bound
    few = appeal_list_for(user=supervisor, filters=filters)
    assert selectors.queue_count_limit(filters, few) == selectors.SEARCH_COUNT_LIMIT
    # when they are many (a subquery tested on each row counted)
    monkeypatch.setattr(selectors, "APPLICANT_IDS_INLINE", 0)
    many = appeal_list_for(user=supervisor, filters=filters)
    # then the count stops at the smaller bound, the answer is the same
    assert selectors.queue_count_limit(filters, many) == selectors.FREQUENT_SEARCH_COUNT_LIMIT
    assert set(many) == set(few) and texts["hot"] in set(few)


def test_the_applicants_found_come_as_one_array_and_many_count_less_far(texts, supervisor,
                                                                        monkeypatch):
    _postgresql_only()
    from vikno.appeals import selectors_queue as selectors

    filters = AppealFilters(q="Шевченко")
    # given the applicants found: one array parameter, not a parameter per id
    qs = appeal_list_for(user=supervisor, filters=filters)
    assert '"appeals_appeal"."applicant_id" = ANY(' in str(qs.query)
    # and it holds inside the page's subquery of ids too (the table under another alias)
    from vikno.appeals.selectors_queue import appeal_queue_page

    page = appeal_queue_page(user=supervisor, filters=filters, page=1, per_page=10)
    assert texts["hot"] in page.page.object_list
    assert selectors.queue_count_limit(filters, qs) == selectors.SEARCH_COUNT_LIMIT
    # when more of them are found than are counted far
    monkeypatch.setattr(selectors, "APPLICANTS_COUNTED_FAR", 0)
    many = appeal_list_for(user=supervisor, filters=filters)
    # then the count stops at the smaller bound, the answer is the same
    assert selectors.queue_count_limit(filters, many) == selectors.FREQUENT_SEARCH_COUNT_LIMIT
    assert set(many) == set(qs) and texts["hot"] in set(qs)
