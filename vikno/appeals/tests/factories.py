"""Factories for the case file and the small piece of the rulebook its tests need.

`rulebook()` builds a few directory rows with the directory's own factories, small and explicit,
so the tests never depend on the reference files being loaded. Appeals themselves are made
through the real `appeal_register` service (`register()` below), never by writing rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import services
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    Channel,
    Extension,
    Notice,
    Notification,
    Question,
    RegistrationCounter,
    Reply,
    Transition,
)
from vikno.appeals.services import AppealIntake, ApplicantData, QuestionData
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.directory.models import Authority, Axis, ClassifierItem, SubTopic, Territory, Topic
from vikno.directory.tests.factories import (
    AuthorityFactory,
    ClassifierItemFactory,
    MembershipFactory,
    RoutingRuleFactory,
    SubTopicFactory,
    TerritoryFactory,
    TopicFactory,
)

OBLAST = "UA21000000000011690"
RAION = "UA21020000000018345"
HROMADA = "UA21020010000040537"
SETTLEMENT = "UA21020010010072316"
OTHER_SETTLEMENT = "UA21020010020088877"


def executor_of(authority: Authority, **kwargs: Any) -> Any:
    """An active executor account bound to `authority`."""
    user = UserFactory(role=Role.EXECUTOR, **kwargs)
    MembershipFactory(user=user, authority=authority)
    return user


@dataclass(frozen=True)
class Rulebook:
    """The small world most tests run in: one oblast → raion → hromada → two villages, topic 009
    (communal services) with a 15-day and a 1-month sub-topic, a privileged category, and three
    authorities: the oblast administration (the default executor), the hromada council (which
    routing sends communal questions to) and the water utility."""

    oblast: Territory
    raion: Territory
    hromada: Territory
    village: Territory
    other_village: Territory
    topic: Topic
    hot_water: SubTopic  # no additional study: 15 days
    road_repair: SubTopic  # needs additional study: 1 month
    veteran: ClassifierItem  # axis 7, served first
    pensioner: ClassifierItem  # axis 8
    oda: Authority
    council: Authority
    utility: Authority


def rulebook() -> Rulebook:
    oblast = TerritoryFactory(code=OBLAST, name="Закарпатська")
    raion = TerritoryFactory(code=RAION, parent=oblast, name="Берегівський")
    hromada = TerritoryFactory(code=HROMADA, parent=raion, name="Берегівська")
    village = TerritoryFactory(code=SETTLEMENT, parent=hromada, name="Берегове", category="M")
    other_village = TerritoryFactory(code=OTHER_SETTLEMENT, parent=hromada, name="Батьово")
    topic = TopicFactory(code="009", name="Комунальне господарство")
    hot_water = SubTopicFactory(topic=topic, code="009-HW", name="Відсутність ГВП")
    road_repair = SubTopicFactory(topic=topic, code="009-RD", name="Ремонт дороги", needs_study=True)
    veteran = ClassifierItemFactory(axis=Axis.CATEGORY, code="7.1", name="Учасник війни",
                                    is_privileged=True)
    pensioner = ClassifierItemFactory(axis=Axis.SOCIAL_STATUS, code="8.1", name="Пенсіонер")
    oda = AuthorityFactory(code="ZAK-ODA", name="Закарпатська ОДА", level="oblast", territory=oblast)
    council = AuthorityFactory(code="ZAK-TG-BEREHOVE", name="Берегівська міська рада",
                               kind="council", level="hromada", territory=hromada)
    utility = AuthorityFactory(code="ZAK-WATER", name="Водоканал", kind="utility", level="hromada",
                               territory=hromada)
    RoutingRuleFactory(topic=topic, authority=council)
    return Rulebook(oblast=oblast, raion=raion, hromada=hromada, village=village,
                    other_village=other_village, topic=topic, hot_water=hot_water,
                    road_repair=road_repair, veteran=veteran, pensioner=pensioner, oda=oda,
                    council=council, utility=utility)


def applicant_data(**overrides: Any) -> ApplicantData:
    values: dict[str, Any] = {
        "last_name": "Шевченко", "first_name": "Тарас", "patronymic": "Григорович",
        "address": "вул. Мукачівська, 7", "territory_code": SETTLEMENT,
        "phone": "+380 50 123 45 67", "email": "taras.shevchenko@example.com",
    }
    values.update(overrides)
    return ApplicantData(**values)


def intake(*, subtopic: SubTopic | str = "009-HW", **kwargs: Any) -> AppealIntake:
    """An intake with sensible defaults (a named applicant, a hotline call, one question)."""
    code = subtopic if isinstance(subtopic, str) else subtopic.code
    kwargs.setdefault("channel", Channel.HOTLINE)
    kwargs.setdefault("text", "У будинку третій день немає гарячої води.")
    kwargs.setdefault("questions", [QuestionData(subtopic_code=code)])
    if "applicant_id" not in kwargs and kwargs.get("subject") != "5.3":
        kwargs.setdefault("applicant", applicant_data())
    return AppealIntake(**kwargs)


def register(*, actor: Any, subtopic: SubTopic | str = "009-HW", **kwargs: Any) -> Appeal:
    """Register an appeal through the real service (see `intake`; routing on by default)."""
    routing = {"routing": kwargs.pop("routing")} if "routing" in kwargs else {}
    return services.appeal_register(actor=actor, intake=intake(subtopic=subtopic, **kwargs),
                                    **routing)


def letter(**overrides: Any) -> dict[str, Any]:
    """The body's answer letter the main executor's reply must carry (number, date, signatory)."""
    values: dict[str, Any] = {"outgoing_number": "02-14/381", "outgoing_date": clock.today(),
                              "signatory_name": "Олена Ковач", "signatory_position": "Міська голова"}
    values.update(overrides)
    return values


def decider(**overrides: Any) -> services.Decider:
    """Who extended the term (ст.20): the body's head, with the document of the decision."""
    values: dict[str, Any] = {"name": "Олена Ковач", "position": "Міська голова",
                              "body": "Берегівська міська рада", "document_number": "15-р",
                              "document_date": clock.today()}
    values.update(overrides)
    return services.Decider(**values)


def footprint() -> dict[str, Any]:
    """Everything a refused service call must leave as it was."""
    return {
        "appeals": list(Appeal.objects.order_by("pk").values_list("pk", "status", "due_date")),
        "applicants": Applicant.objects.count(),
        "questions": list(Question.objects.order_by("pk").values_list("pk", "due_date")),
        "assignments": list(Assignment.objects.order_by("pk").values_list("pk", "status", "due_date")),
        "replies": Reply.objects.count(),
        "extensions": list(Extension.objects.order_by("pk").values_list("pk", "status")),
        "transitions": Transition.objects.count(),
        "notices": Notice.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": AuditEvent.objects.count(),
        "counters": list(RegistrationCounter.objects.order_by("year").values_list("year", "last")),
    }
