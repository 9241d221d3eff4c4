"""Search in the work queue: number, words of the text in any case and apostrophe, the applicant."""

from __future__ import annotations

import pytest

from vikno.appeals.selectors import AppealFilters, appeal_list_for
from vikno.appeals.tests.factories import applicant_data, register


def _found(user, q):
    return set(appeal_list_for(user=user, filters=AppealFilters(q=q)))


@pytest.fixture
def appeals(book, operator):
    water = register(actor=operator, text="Третій день немає ВОДИ, вода тече брудна.",
                     applicant=applicant_data(last_name="Шевченко", phone="+380 50 123 45 67"))
    meat = register(actor=operator, text="На ринку продають м’ясо без перевірки.",
                    applicant=applicant_data(last_name="Ґудзь", first_name="Олег",
                                             phone="(067) 765-43-21", email=""))
    five = register(actor=operator, text="Через пʼять днів знову відключать світло.",
                    applicant=applicant_data(last_name="Коваль", phone="0957770000", email=""))
    return {"water": water, "meat": meat, "five": five}


def test_by_number(appeals, operator):
    # when / then
    assert _found(operator, appeals["meat"].number) == {appeals["meat"]}
    assert _found(operator, appeals["five"].number[-6:]) == {appeals["five"]}
    assert _found(operator, appeals["water"].number.lower()) == {appeals["water"]}


@pytest.mark.parametrize("q", ["ВОДА", "вода", "Вода", "ВоДи"])
def test_a_ukrainian_word_in_any_case(appeals, operator, q):
    assert _found(operator, q) == {appeals["water"]}


@pytest.mark.parametrize(("q", "key"), [("м'ясо", "meat"), ("м’ясо", "meat"), ("мʼясо", "meat"),
                                         ("П'ЯТЬ", "five"), ("п`ять", "five")])
def test_apostrophe_variants_match_each_other(appeals, operator, q, key):
    assert _found(operator, q) == {appeals[key]}


@pytest.mark.parametrize("q", ["+380 50 123 45 67", "0501234567", "050 123-45-67",
                               "(050)1234567", "380501234567"])
def test_the_applicants_phone_in_any_spelling(appeals, operator, q):
    assert _found(operator, q) == {appeals["water"]}


@pytest.mark.parametrize("q", ["Шевченко", "шевченко", "ШЕВЧ", "ґудзь олег"])
def test_the_applicants_name(appeals, supervisor, q):
    found = _found(supervisor, q)
    assert found and found <= {appeals["water"], appeals["meat"]}
    assert len(found) == 1


def test_an_executor_cannot_search_by_the_applicant(appeals, executor):
    # given the executor sees all three appeals (they are routed to its council)
    assert len(set(appeal_list_for(user=executor))) == 3

    # when / then: the text matches, the applicant's phone and name do not
    assert _found(executor, "вода") == {appeals["water"]}
    assert _found(executor, "0501234567") == set()
    assert _found(executor, "Шевченко") == set()


def test_no_match_finds_nothing(appeals, operator):
    assert _found(operator, "газопровід") == set()


# -- words by their lemmas, typos, number fragments (vikno.core.fulltext) ------------------------

@pytest.fixture
def texts(book, operator):
    hot = register(actor=operator, text="Третій тиждень у будинку немає гарячої води.")
    road = register(actor=operator, text="Просимо відремонтувати дорогу біля школи, ями глибокі.")
    heat = register(actor=operator, text="В квартире холодные батареи, отопление не работает.")
    return {"hot": hot, "road": road, "heat": heat}


@pytest.mark.parametrize(("q", "key"), [
    ("гаряча вода", "hot"), ("гарячої води", "hot"), ("Гарячу воду", "hot"),
    ("дороги", "road"), ("школа ями", "road"), ("дорога біля школи", "road"),
    ("холодная батарея", "heat"), ("отоплением", "heat"),  # Russian, by the Russian dictionary
])
def test_inflected_forms_find_each_other(texts, operator, q, key):
    assert _found(operator, q) == {texts[key]}


@pytest.mark.parametrize(("q", "key"), [("гаряч", "hot"), ("відремонт", "road"), ("отопл", "heat")])
def test_the_beginning_of_a_word_finds(texts, operator, q, key):
    assert _found(operator, q) == {texts[key]}


def test_every_word_must_be_found(texts, operator):
    assert _found(operator, "гаряча дорога") == set()


@pytest.mark.parametrize(("q", "key"), [("гарячя", "hot"), ("відремонтуваті", "road"),
                                         ("батарэи", "heat")])
def test_a_typo_within_reason_still_finds(texts, operator, q, key):
    assert _found(operator, q) == {texts[key]}


def test_a_typo_too_far_finds_nothing(texts, operator):
    assert _found(operator, "гхрячхя") == set()


def test_a_fragment_of_the_number_finds(texts, operator):
    number = texts["road"].number  # e.g. ЗК-2026-000002
    assert _found(operator, number[-4:]) == {texts["road"]}
    assert _found(operator, number[2:].lower()) == {texts["road"]}


def test_registration_indexes_the_new_appeal_at_once(book, operator):
    appeal = register(actor=operator, text="Не вивозять сміття з контейнерного майданчика.")
    appeal.refresh_from_db()
    assert " сміття " in appeal.search_lemmas and " майданчик " in appeal.search_lemmas
    assert _found(operator, "майданчики") == {appeal}


def test_the_applicants_search_stays_exact(appeals, supervisor):
    # a surname is matched by its beginning, exactly, never by a lemma or a similar one
    assert _found(supervisor, "Шевченко") == {appeals["water"]}
    assert _found(supervisor, "Шевченка") == set()
    assert _found(supervisor, "Шевчанко") == set()


def test_search_reindex_fills_older_rows(texts, operator):
    from django.core.management import call_command

    from vikno.appeals.models import Appeal

    # given rows written before the key existed
    Appeal.objects.update(search_lemmas="")
    assert _found(operator, "гарячої води") == set()

    # when
    call_command("search_reindex", "--batch", "2", verbosity=0)

    # then
    assert _found(operator, "гарячої води") == {texts["hot"]}
    assert _found(operator, "дороги") == {texts["road"]}
