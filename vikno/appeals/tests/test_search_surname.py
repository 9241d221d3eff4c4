"""A frequent surname in the queue's search: the appeals of the applicants found and of the texts
that name it, the same rows in the same order whichever way the database is asked (ADR 0026)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from vikno.appeals import selectors_queue
from vikno.appeals.models import Appeal
from vikno.appeals.selectors import OPEN, AppealFilters, appeal_list_for
from vikno.appeals.tests.factories import applicant_data, register
from vikno.core import clock, fulltext


@pytest.fixture
def surname(book, operator):
    """Appeals of two applicants named Шевченко, of others whose text names the surname, and
    of others that neither name nor are of a Шевченко; received on different days, some of
    them priority, one closed."""
    texts = ["Прошу полагодити ліхтар біля будинку.",
             "Сусід Шевченко залив квартиру, просимо перевірити стояк.",
             "Не вивозять сміття третій тиждень.",
             "Вулиця Шевченка без освітлення: просимо відновити.",
             "Яма на дорозі біля школи.",
             "У будинку немає гарячої води."]
    people = [applicant_data(last_name="Шевченко", first_name="Тарас", phone="+380501110001"),
              applicant_data(last_name="Коваль", first_name="Олена", phone="+380501110002",
                             email="olena@example.com"),
              applicant_data(last_name="Шевченко", first_name="Марія", phone="+380501110003",
                             email="maria@example.com"),
              applicant_data(last_name="Бондар", first_name="Іван", phone="+380501110004",
                             email="ivan@example.com")]
    made = [register(actor=operator, text=texts[i % len(texts)], applicant=people[i % len(people)])
            for i in range(12)]
    now = clock.now()
    for i, appeal in enumerate(made):
        # received in an order unlike the ids', some on the same moment (the id breaks the tie)
        Appeal.objects.filter(pk=appeal.pk).update(
            received_at=now - timedelta(days=(i * 5) % 7, hours=0 if i % 4 else 1),
            priority=i % 5 == 0)
    Appeal.objects.filter(pk=made[3].pk).update(status="closed")
    return [Appeal.objects.get(pk=a.pk) for a in made]


def _expected(appeals, *, open_only: bool, newest_first: bool):
    """The appeals of a Шевченко or whose text names one, in the queue's order, computed here."""
    found = [a for a in appeals
             if a.applicant.last_name == "Шевченко" or "Шевченк" in a.text]
    if open_only:
        found = [a for a in found if a.status != "closed"]
    if newest_first:
        return sorted(found, key=lambda a: (a.received_at, a.pk), reverse=True)
    # the work order: priority first, the nearest control date, then newest, then the id
    by_id = sorted(found, key=lambda a: a.pk, reverse=True)
    by_received = sorted(by_id, key=lambda a: a.received_at, reverse=True)
    by_due = sorted(by_received, key=lambda a: (a.due_date is None, a.due_date or clock.today()))
    return sorted(by_due, key=lambda a: not a.priority)


ORDERS = [({"statuses": (OPEN,)}, True, False), ({"sort": "-received"}, False, True)]


@pytest.mark.parametrize(("filters", "open_only", "newest_first"), ORDERS)
def test_a_surname_finds_the_same_rows_in_the_queues_order(surname, supervisor, filters,
                                                           open_only, newest_first):
    # when
    found = list(appeal_list_for(user=supervisor, filters=AppealFilters(**filters, q="Шевченко")))

    # then the applicants' appeals and the texts that name the surname, in the queue's order
    expected = _expected(surname, open_only=open_only, newest_first=newest_first)
    assert len(expected) >= 8
    assert found == expected


@pytest.mark.parametrize(("filters", "open_only", "newest_first"), ORDERS)
@pytest.mark.parametrize(("middle", "inline"), [(0, 0), (0, 20_000), (20_000, 0)])
def test_every_way_of_asking_gives_the_same_page(surname, supervisor, monkeypatch, filters,
                                                 open_only, newest_first, middle, inline):
    # given the words tested on the row and/or the applicants as a subquery, instead of arrays
    monkeypatch.setattr(fulltext, "MIDDLE_MATCHES", middle)
    monkeypatch.setattr(selectors_queue, "APPLICANT_IDS_INLINE", inline)
    chosen = AppealFilters(**filters, q="Шевченко")

    # when
    page = selectors_queue.appeal_queue_page(user=supervisor, filters=chosen, page=1, per_page=5)

    # then the same first page, in the same order
    expected = _expected(surname, open_only=open_only, newest_first=newest_first)
    assert list(page.page.object_list) == expected[:5]
    assert page.page.paginator.count == len(expected)


def test_the_arrays_of_ids_are_of_the_keys_own_type(surname, supervisor):
    if connection.vendor != "postgresql":
        pytest.skip("the arrays of ids exist on PostgreSQL: set DATABASE_URL")
    # given a surname found among the applicants and in the texts (both as arrays of ids)
    qs = appeal_list_for(user=supervisor, filters=AppealFilters(q="Шевченко"))

    # then each array is of the bigint of the keys it is tested against: an array of integers
    # is a cross-type test PostgreSQL cannot hash, and every row walked searched it in turn
    sql = str(qs.query)
    assert '"appeals_appeal".id = ANY(' in sql and '"applicant_id" = ANY(' in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                       "WHERE attrelid = 'appeals_appeal'::regclass AND attname = 'id'")
        key_type = cursor.fetchone()[0]
    assert sql.count(f"::{key_type}[])") == 2
    assert set(qs) == set(_expected(surname, open_only=False, newest_first=True))


@pytest.mark.parametrize("q", ["Шевченко", "шевч", "ШЕВЧЕНКО", "Марія", "марi", "Коваль", "ль"])
def test_the_applicants_of_one_word_are_those_applicant_match_finds(surname, q):
    from vikno.appeals.selectors import applicant_match

    # when / then: the union of the three tests finds the very applicants of applicant_match
    assert set(selectors_queue.applicant_ids_by_name(q)) == set(
        applicant_match(q).values_list("pk", flat=True))


@pytest.mark.parametrize(("q", "index"), [("Шевченко", "applicant_last_name_fold_id"),
                                          ("Марія", "applicant_first_name_fold_id")])
def test_the_applicants_of_a_name_are_read_from_the_index_alone(surname, q, index):
    if connection.vendor != "postgresql":
        pytest.skip("the applicants' indexes exist on PostgreSQL: set DATABASE_URL")
    # given the table vacuumed (its pages all visible) and the planner told to use an index
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = selectors_queue.applicant_ids_by_name(q).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then the name's test is answered by its index alone (the name and the id are in it)
    assert f"Index Only Scan using {index}" in plan
