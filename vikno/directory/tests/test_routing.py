"""Routing: the most specific active rule names the main executor."""

from __future__ import annotations

import pytest
from django.conf import settings

from vikno.directory.models import TargetLevel
from vikno.directory.routing import NoRoute, route
from vikno.directory.tests.factories import (
    AuthorityFactory,
    RoutingRuleFactory,
    SubTopicFactory,
    territory_chain,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return territory_chain()


@pytest.fixture
def subtopic():
    return SubTopicFactory()


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (("subtopic", "topic", "any"), "subtopic"),
        (("topic", "any"), "topic"),
        (("any",), "any"),
        (("subtopic", "any"), "subtopic"),
    ],
)
def test_subtopic_beats_topic_beats_any_topic(place, subtopic, present, expected):
    # given rules for any territory at several topic levels
    match = {"subtopic": {"subtopic": subtopic}, "topic": {"topic": subtopic.topic}, "any": {}}
    rules = {name: RoutingRuleFactory(**match[name]) for name in present}

    # when
    chosen = route(subtopic, place.settlement)

    # then
    assert chosen == rules[expected].authority


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (("settlement", "hromada", "raion", "oblast", "any"), "settlement"),
        (("hromada", "raion", "oblast", "any"), "hromada"),
        (("raion", "oblast", "any"), "raion"),
        (("oblast", "any"), "oblast"),
        (("any",), "any"),
        (("oblast", "settlement"), "settlement"),
    ],
)
def test_deeper_territory_beats_wider(place, subtopic, present, expected):
    # given rules for the sub-topic's topic at several territory levels
    where = {
        "settlement": place.settlement, "hromada": place.hromada, "raion": place.raion,
        "oblast": place.oblast, "any": None,
    }
    rules = {
        name: RoutingRuleFactory(topic=subtopic.topic, territory=where[name]) for name in present
    }

    # when
    chosen = route(subtopic, place.settlement)

    # then
    assert chosen == rules[expected].authority


def test_topic_specificity_outranks_territory_specificity(place, subtopic):
    # given a rule for any topic in the very settlement and one for the topic anywhere
    RoutingRuleFactory(territory=place.settlement)
    by_topic = RoutingRuleFactory(topic=subtopic.topic)

    # when / then
    assert route(subtopic, place.settlement) == by_topic.authority


def test_rules_for_other_places_and_topics_do_not_match(place, subtopic):
    # given rules for another hromada and another topic, and a catch-all
    elsewhere = territory_chain(place.oblast)
    RoutingRuleFactory(topic=subtopic.topic, territory=elsewhere.hromada)
    RoutingRuleFactory(subtopic=SubTopicFactory())
    catch_all = RoutingRuleFactory()

    # when / then
    assert route(subtopic, place.settlement) == catch_all.authority


@pytest.mark.parametrize(
    ("level", "expected"), [("hromada", "council"), ("raion", "raion_admin"), ("oblast", "oda")]
)
def test_target_level_resolves_through_the_territory_tree(place, subtopic, level, expected):
    # given the council of the settlement's hromada, the raion and oblast administrations,
    # and a council of a neighbouring hromada
    bodies = {
        "council": AuthorityFactory(level="hromada", territory=place.hromada),
        "raion_admin": AuthorityFactory(level="raion", territory=place.raion),
        "oda": AuthorityFactory(level="oblast", territory=place.oblast),
    }
    AuthorityFactory(level="hromada", territory=territory_chain(place.oblast).hromada)
    RoutingRuleFactory(topic=subtopic.topic, authority=None, target_level=level)

    # when
    chosen = route(subtopic, place.settlement)

    # then
    assert chosen == bodies[expected]


def test_target_level_without_a_body_there_falls_to_the_next_rule(place, subtopic):
    # given "the hromada's council" for the topic, but this hromada's council is not listed
    RoutingRuleFactory(topic=subtopic.topic, authority=None, target_level=TargetLevel.HROMADA)
    catch_all = RoutingRuleFactory()

    # when / then
    assert route(subtopic, place.settlement) == catch_all.authority


def test_target_level_needs_a_territory(subtopic):
    # given a hromada-level rule and an appeal without a known place
    RoutingRuleFactory(subtopic=subtopic, authority=None, target_level=TargetLevel.HROMADA)
    catch_all = RoutingRuleFactory()

    # when / then
    assert route(subtopic, None) == catch_all.authority


def test_inactive_rule_is_skipped(place, subtopic):
    # given a specific rule switched off and a wider one
    RoutingRuleFactory(subtopic=subtopic, is_active=False)
    wider = RoutingRuleFactory(topic=subtopic.topic)

    # when / then
    assert route(subtopic, place.settlement) == wider.authority


def test_rule_to_an_inactive_authority_is_skipped(place, subtopic):
    # given a specific rule whose authority is no longer active
    RoutingRuleFactory(subtopic=subtopic, authority=AuthorityFactory(is_active=False))
    wider = RoutingRuleFactory(topic=subtopic.topic)

    # when / then
    assert route(subtopic, place.settlement) == wider.authority


def test_inactive_council_is_not_chosen_by_target_level(place, subtopic):
    # given the hromada's council is inactive
    AuthorityFactory(level="hromada", territory=place.hromada, is_active=False)
    RoutingRuleFactory(topic=subtopic.topic, authority=None, target_level=TargetLevel.HROMADA)
    catch_all = RoutingRuleFactory()

    # when / then
    assert route(subtopic, place.settlement) == catch_all.authority


def test_default_authority_when_no_rule_matches(place, subtopic):
    # given no rules, but the centre's default authority
    default = AuthorityFactory(code=settings.VIKNO["DEFAULT_AUTHORITY"])

    # when / then
    assert route(subtopic, place.settlement) == default


def test_no_route_when_nothing_at_all(place, subtopic):
    # given no rules and an inactive default authority
    AuthorityFactory(code=settings.VIKNO["DEFAULT_AUTHORITY"], is_active=False)

    # when / then
    with pytest.raises(NoRoute) as refused:
        route(subtopic, place.settlement)
    assert refused.value.code == "no_route"
