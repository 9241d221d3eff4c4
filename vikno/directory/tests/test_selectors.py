"""Reads of the rulebook over the real reference files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from vikno.directory.loaders import load_reference
from vikno.directory.models import Axis, SubTopic, TerritoryLevel
from vikno.directory.selectors import (
    authority_list,
    classifier_items,
    current_version,
    subtopic_list,
    subtopic_search,
    territory_children,
    territory_search,
)
from vikno.directory.tests.factories import ClassifierVersionFactory

pytestmark = pytest.mark.django_db

OBLAST = "UA21000000000011690"


@pytest.fixture
def loaded():
    return load_reference(directory=Path(settings.BASE_DIR) / "data" / "reference")


def test_territory_search_puts_the_exact_settlement_first(loaded):
    # when
    found = territory_search("ужгород")

    # then
    assert found[0].code == "UA21100230010016545"
    assert found[0].level == TerritoryLevel.SETTLEMENT
    assert any(t.level == TerritoryLevel.HROMADA and t.name == "Ужгородська" for t in found)


def test_territory_search_accepts_any_apostrophe_and_case(loaded):
    # when: typed with a plain apostrophe, stored with ’
    found = territory_search("КАМ'ЯНСЬКА")

    # then
    assert [t.full_name for t in found][:1] == ["Кам’янська сільська територіальна громада"]


def test_territory_search_tells_same_named_villages_apart(loaded):
    # when
    found = territory_search("Свобода", limit=5)

    # then: several villages named so, each with its hromada at hand to tell them apart
    same = [t for t in found if t.name == "Свобода"]
    assert len(same) >= 2
    assert len({t.parent.name for t in same}) == len(same)
    assert all(t.parent.parent.level == TerritoryLevel.RAION for t in same)


def test_territory_search_respects_the_limit_and_ignores_blank_queries(loaded):
    assert len(territory_search("а", limit=3)) == 3
    assert territory_search("   ") == []


def test_territory_children_walks_the_tree(loaded):
    raions = territory_children(OBLAST)
    oblasts = territory_children()

    assert raions.count() == 6
    assert [t.code for t in oblasts] == [OBLAST]
    assert territory_children(raions[0].code).filter(level=TerritoryLevel.HROMADA).exists()


def test_subtopic_search_finds_leaves_by_any_word_order(loaded):
    # when
    found = subtopic_search("води гарячої")

    # then
    assert "Відсутність гарячої води" in [s.name for s in found]
    assert all(not s.children.exists() for s in found)


def test_subtopic_search_by_code_prefix(loaded):
    found = subtopic_search("009.01", limit=50)

    assert found and all(s.code.startswith("009.01") for s in found)


def test_subtopic_list_skips_inactive_and_can_drop_groups(loaded):
    # given one sub-topic switched off
    SubTopic.objects.filter(name="Відсутність гарячої води").update(is_active=False)

    # when
    everything = list(subtopic_list())
    leaves = list(subtopic_list(leaves_only=True))

    # then
    assert "Відсутність гарячої води" not in {s.name for s in everything}
    assert "Теплопостачання" in {s.name for s in everything}
    assert "Теплопостачання" not in {s.name for s in leaves}
    assert len(leaves) < len(everything)


def test_classifier_items_of_the_version_in_force(loaded):
    # given a later edition that starts in the future
    ClassifierVersionFactory(code="future", valid_from=date(2999, 1, 1))

    # when
    kinds = classifier_items(Axis.KIND)

    # then
    assert [i.code for i in kinds] == ["3.1", "3.2", "3.3"]
    assert current_version().code == "858-2024"
    assert current_version(on=date(2999, 1, 2)).code == "future"
    assert current_version(on=date(2000, 1, 1)) is None
    assert not classifier_items(Axis.KIND, on=date(2000, 1, 1)).exists()


def test_privileged_categories_are_marked(loaded):
    categories = {i.code: i.is_privileged for i in classifier_items(Axis.CATEGORY)}

    assert categories["7.1"] and categories["7.16"] and categories["7.12"] and categories["7.18"]
    assert not categories["7.19"]


def test_authority_list_filters(loaded):
    councils = authority_list(level="hromada")

    assert councils.count() == 64
    assert not authority_list().filter(is_active=False).exists()
    assert authority_list(active_only=False).filter(is_active=False).exists()
    oblast_bodies = {a.code for a in authority_list(territory_code=OBLAST, level="oblast")}
    assert {"ZAK-ODA", "ZAK-ODA-DSZN"} <= oblast_bodies
