"""The search's vocabulary (ADR 26): every stored word once; a word no dictionary knows (a typo)
is looked up there by similarity and becomes the similar stored words of the full-text query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vikno.appeals.models import SearchWord
from vikno.appeals.selectors import AppealFilters, appeal_list_for
from vikno.appeals.services import search_reindex, vocabulary_fill
from vikno.appeals.tests.factories import register
from vikno.core import fulltext


def _found(user, q):
    return set(appeal_list_for(user=user, filters=AppealFilters(q=q)))


def _vocabulary() -> set[str]:
    return set(SearchWord.objects.values_list("word", flat=True))


@pytest.fixture
def drains(book, operator):
    return register(actor=operator, text="Забите водовідведення біля зупинки, калюжі на дорозі.")


def test_a_new_registration_adds_its_words_and_lemmas(drains):
    # the words of four letters or more, as written and as lemmas; short ones stay out
    assert {"водовідведення", "забите", "забитий", "зупинки", "зупинка", "калюжі",
            "калюжа", "дорозі", "дорога"} <= _vocabulary()
    assert "біля" in _vocabulary() and "на" not in _vocabulary()


def test_a_typo_finds_the_appeal_by_the_vocabulary(drains, operator):
    with CaptureQueriesContext(connection) as ctx:
        assert _found(operator, "водовідведеня") == {drains}
        assert _found(operator, "забите водовидведення") == {drains}
    if connection.vendor == "postgresql":
        # the typo became stored words of the tsquery: no similarity test of the appeals' keys
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert "appeals_searchword" in sql and "search_lemmas %>" not in sql
        assert fulltext.similar_words("водовідведеня", SearchWord) == ["водовідведення"]


def test_a_typo_finds_nothing_when_no_stored_word_is_near(drains, operator):
    assert _found(operator, "каналізаця") == set()


def test_the_vocabulary_is_filled_again_from_the_stored_keys(drains, operator):
    # given a vocabulary lost (or older than the keys)
    SearchWord.objects.all().delete()
    # when the keys are refilled, or the vocabulary alone
    search_reindex()
    assert "водовідведення" in _vocabulary()
    SearchWord.objects.all().delete()
    vocabulary_fill()
    # then every word of the keys is back, once
    assert {"водовідведення", "зупинка"} <= _vocabulary()
    assert SearchWord.objects.count() == len(_vocabulary())
    assert _found(operator, "водовідведеня") == {drains}
