"""Factories of the rulebook. `territory_chain()` builds oblast → raion → hromada → settlement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from factory.django import DjangoModelFactory

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.directory.models import (
    Authority,
    ClassifierItem,
    ClassifierVersion,
    Membership,
    RoutingRule,
    SubTopic,
    Territory,
    TerritoryLevel,
    Topic,
)


class ClassifierVersionFactory(DjangoModelFactory):
    class Meta:
        model = ClassifierVersion
        django_get_or_create = ("code",)

    code = "test-edition"
    title = "Classifier (test edition)"
    valid_from = dt.date(2008, 9, 24)


class ClassifierItemFactory(DjangoModelFactory):
    class Meta:
        model = ClassifierItem

    version = factory.SubFactory(ClassifierVersionFactory)
    axis = 7
    code = factory.Sequence(lambda n: f"7.{n + 1}")
    name = factory.Sequence(lambda n: f"category {n}")


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    version = factory.SubFactory(ClassifierVersionFactory)
    code = factory.Sequence(lambda n: f"{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class SubTopicFactory(DjangoModelFactory):
    class Meta:
        model = SubTopic

    topic = factory.SubFactory(TopicFactory)
    code = factory.Sequence(lambda n: f"T.{n:04d}")
    name = factory.Sequence(lambda n: f"Sub-topic {n}")


LEVEL_CATEGORY = {
    TerritoryLevel.OBLAST: "O",
    TerritoryLevel.RAION: "P",
    TerritoryLevel.HROMADA: "H",
    TerritoryLevel.SETTLEMENT: "C",
}


class TerritoryFactory(DjangoModelFactory):
    """A unit one level below `parent` (an oblast when there is none), with its path."""

    class Meta:
        model = Territory

    parent = None
    code = factory.Sequence(lambda n: f"UA99{n:015d}")
    level = factory.LazyAttribute(
        lambda o: o.parent.level + 1 if o.parent else TerritoryLevel.OBLAST
    )
    category = factory.LazyAttribute(lambda o: LEVEL_CATEGORY[TerritoryLevel(o.level)])
    name = factory.Sequence(lambda n: f"Place {n}")
    full_name = factory.LazyAttribute(lambda o: o.name)
    path = factory.LazyAttribute(lambda o: f"{o.parent.path}/{o.code}" if o.parent else o.code)


@dataclass
class Chain:
    oblast: Territory
    raion: Territory
    hromada: Territory
    settlement: Territory


def territory_chain(oblast: Territory | None = None) -> Chain:
    oblast = oblast or TerritoryFactory()
    raion = TerritoryFactory(parent=oblast)
    hromada = TerritoryFactory(parent=raion)
    return Chain(oblast, raion, hromada, TerritoryFactory(parent=hromada))


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority

    code = factory.Sequence(lambda n: f"AUTH-{n}")
    name = factory.Sequence(lambda n: f"Authority {n}")
    kind = "test"
    level = "oblast"


class RoutingRuleFactory(DjangoModelFactory):
    """By default a catch-all rule to a new authority; pass subtopic/topic/territory to narrow."""

    class Meta:
        model = RoutingRule

    authority = factory.SubFactory(AuthorityFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, role=Role.EXECUTOR)
    authority = factory.SubFactory(AuthorityFactory)
