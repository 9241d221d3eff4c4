"""Lookups of the registration screen over the real reference files: one folding rule
(core.search.Fold) for case and apostrophes, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from vikno.directory.loaders import load_reference
from vikno.directory.models import Authority, Axis, TerritoryLevel
from vikno.workspace import reads

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return load_reference(directory=Path(settings.BASE_DIR) / "data" / "reference")


def test_territory_search_puts_the_settlement_first(loaded):
    # when
    found = reads.territory_search("ужгород")

    # then
    assert found[0].code == "UA21100230010016545"
    assert found[0].level == TerritoryLevel.SETTLEMENT
    assert any(t.level == TerritoryLevel.HROMADA and t.name == "Ужгородська" for t in found)


def test_territory_search_accepts_any_apostrophe_and_case(loaded):
    # when: typed with a plain apostrophe in capitals, stored with ’
    found = reads.territory_search("КАМ'ЯНСЬКА")

    # then
    assert "Кам’янська сільська територіальна громада" in [t.full_name for t in found]


def test_territory_search_tells_same_named_villages_apart(loaded):
    # when
    found = reads.territory_search("Свобода", limit=5)

    # then: several villages named so, each with its hromada at hand to tell them apart
    same = [t for t in found if t.name == "Свобода"]
    assert len(same) >= 2
    assert len({t.parent.name for t in same}) == len(same)
    assert all(t.parent.parent.level == TerritoryLevel.RAION for t in same)


def test_territory_search_respects_the_limit_and_ignores_short_queries(loaded):
    assert len(reads.territory_search("Бе", limit=3)) == 3
    assert reads.territory_search("   ") == []
    assert reads.territory_search("а") == []


def test_subtopic_groups_match_any_case_and_a_code_prefix(loaded):
    # when
    by_word = dict(reads.subtopic_groups("ГАРЯЧОЇ"))
    by_code = dict(reads.subtopic_groups("009.01"))

    # then
    assert any("Відсутність гарячої води" in dict(items).values() for items in by_word.values())
    assert by_code and all(code.startswith("009.01") for items in by_code.values()
                           for code, _name in items)


def test_privileged_categories_are_among_the_choices(loaded):
    codes = [code for code, _name in reads.classifier_choices(Axis.CATEGORY)]

    assert {"7.1", "7.12", "7.16", "7.18"} <= set(codes)
    assert codes[0] == ""


def test_authority_choices_are_in_ukrainian_alphabetical_order(world):
    # given bodies whose names begin with letters byte order puts out of place
    for code, name in [("T-IR", "Іршавська міська рада"), ("T-YE", "Єрданська рада"),
                       ("T-IZ", "Їжицька рада"), ("T-YI", "Иршава-тест")]:
        Authority.objects.create(code=code, name=name, kind="council", level="hromada")

    # when the pickers are built
    names = [name for _code, name in reads.authority_choices()[1:]]

    # then Є comes after Е-words, І after И, Ї after І, as in the Ukrainian alphabet
    assert names == ["Батівська селищна рада", "Берегівська РДА", "Єрданська рада",
                     "Закарпатська ОДА", "Иршава-тест", "Іршавська міська рада", "Їжицька рада"]
