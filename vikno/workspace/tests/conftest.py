"""A small world for the workspace tests: reference data, one account per role, appeals made
through the real services (so every state is one the application itself can reach)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory, session_for
from vikno.appeals import services
from vikno.appeals.models import Appeal, Assignment, Channel
from vikno.appeals.services import AppealIntake, ApplicantData, QuestionData, Routing
from vikno.appeals.tests.factories import letter
from vikno.core import clock
from vikno.directory.models import (
    Authority,
    Axis,
    ClassifierItem,
    ClassifierVersion,
    Membership,
    RoutingRule,
    SubTopic,
    Territory,
    TerritoryLevel,
    Topic,
)

OBLAST = "UA21000000000011690"
RAION = "UA21020000000051405"
HROMADA = "UA21020010000055068"
SETTLEMENT = "UA21020010010017959"
OTHER_SETTLEMENT = "UA21020010020022222"
OTHER_RAION = "UA21040000000000001"

RULES = Routing()  # "as the routing rules suggest"

ROLES = ("anonymous", "operator", "supervisor", "executor", "other_executor", "analyst",
         "security_admin", "system_admin")


def letter_post(**overrides: Any) -> dict[str, str]:
    """The answer letter's fields as the reply panel posts them."""
    values = {"outgoing_number": "02-14/381", "outgoing_date": clock.today().isoformat(),
              "signatory_name": "Олена Ковач", "signatory_position": "Селищна голова"}
    return values | overrides


def decider_post(**overrides: Any) -> dict[str, str]:
    """Who extended the term and the document, as the supervisor's panels post them."""
    values = {"decider_name": "Олена Ковач", "decider_position": "Селищна голова",
              "decider_body": "Батівська селищна рада", "document_number": "15-р",
              "document_date": clock.today().isoformat()}
    return values | overrides


@dataclass
class World:
    users: dict[str, Any]
    authority: Authority
    other_authority: Authority
    default_authority: Authority
    hot_water: SubTopic
    road: SubTopic
    settlement: Territory
    category_privileged: ClassifierItem
    social_pensioner: ClassifierItem

    def client(self, role: str) -> Client:
        return Client() if role == "anonymous" else session_for(self.users[role])

    def register(self, *, routing: Routing | None = RULES, confidential: bool = False,
                 last_name: str = "Шевченко", co: tuple[str, ...] = (), **kwargs: Any) -> Appeal:
        """An appeal registered by the operator; by default routed by the rules to `authority`."""
        applicant = kwargs.pop("applicant", ApplicantData(
            last_name=last_name, first_name="Тарас", patronymic="Григорович",
            phone="050 123 45 67", address="вул. Миру, 1", territory_code=SETTLEMENT,
            confidential=confidential))
        if co and routing is not None:
            routing = Routing(main_authority_code=routing.main_authority_code,
                              co_authority_codes=co, instructions=routing.instructions)
        return services.appeal_register(actor=self.users["operator"], routing=routing,
                                        intake=AppealIntake(
            channel=kwargs.pop("channel", Channel.HOTLINE),
            text=kwargs.pop("text", "Немає гарячої води третій день."),
            questions=kwargs.pop("questions", [QuestionData(subtopic_code=self.hot_water.code)]),
            applicant=applicant, **kwargs))

    def main_assignment(self, appeal: Appeal) -> Assignment:
        return Assignment.objects.get(question__appeal=appeal, role="main",
                                      status__in=["assigned", "in_work", "answered",
                                                  "for_revision", "closed"])

    def answered(self, **kwargs: Any) -> Appeal:
        appeal = self.register(**kwargs)
        services.reply_submit(**letter(),
                              actor=self.users["executor"], assignment=self.main_assignment(appeal),
                              result="done", text="Воду подано.")
        appeal.refresh_from_db()
        return appeal

    def closed(self) -> Appeal:
        appeal = self.answered()
        services.appeal_close(actor=self.users["supervisor"], appeal=appeal, note="Виконано.")
        appeal.refresh_from_db()
        return appeal

    def with_extension_request(self) -> tuple[Appeal, Any]:
        appeal = self.register()
        extension = services.extension_request(
            actor=self.users["executor"], assignment=self.main_assignment(appeal),
            new_due=appeal.max_due_date,
            reason="Потрібне обстеження мереж.")
        appeal.refresh_from_db()
        return appeal, extension


def _territories() -> Territory:
    oblast = Territory.objects.create(code=OBLAST, level=TerritoryLevel.OBLAST, category="O",
                                      name="Закарпатська", full_name="Закарпатська область",
                                      path=OBLAST)
    raion = Territory.objects.create(code=RAION, parent=oblast, level=TerritoryLevel.RAION,
                                     category="P", name="Берегівський",
                                     full_name="Берегівський район", path=f"{OBLAST}/{RAION}")
    Territory.objects.create(code=OTHER_RAION, parent=oblast, level=TerritoryLevel.RAION,
                             category="P", name="Мукачівський", full_name="Мукачівський район",
                             path=f"{OBLAST}/{OTHER_RAION}")
    hromada = Territory.objects.create(code=HROMADA, parent=raion, level=TerritoryLevel.HROMADA,
                                       category="H", name="Батівська",
                                       full_name="Батівська селищна територіальна громада",
                                       path=f"{OBLAST}/{RAION}/{HROMADA}")
    Territory.objects.create(code=OTHER_SETTLEMENT, parent=hromada, level=TerritoryLevel.SETTLEMENT,
                             category="C", name="Батрадь", full_name="село Батрадь",
                             path=f"{OBLAST}/{RAION}/{HROMADA}/{OTHER_SETTLEMENT}")
    return Territory.objects.create(code=SETTLEMENT, parent=hromada, level=TerritoryLevel.SETTLEMENT,
                                    category="X", name="Батьово", full_name="селище Батьово",
                                    path=f"{OBLAST}/{RAION}/{HROMADA}/{SETTLEMENT}")


@pytest.fixture
def world(db: Any, operator: Any, supervisor: Any, analyst: Any, security_admin: Any,
          system_admin: Any) -> World:
    version = ClassifierVersion.objects.create(code="858-2024", title="Класифікатор",
                                               valid_from=date(2024, 1, 1))
    privileged = ClassifierItem.objects.create(version=version, axis=Axis.CATEGORY, code="7.1",
                                               name="Учасник війни", is_privileged=True)
    pensioner = ClassifierItem.objects.create(version=version, axis=Axis.SOCIAL_STATUS, code="8.1",
                                              name="Пенсіонер")
    communal = Topic.objects.create(version=version, code="009", name="Комунальне господарство")
    transport = Topic.objects.create(version=version, code="003", name="Транспорт і зв'язок")
    hot_water = SubTopic.objects.create(topic=communal, code="009.001",
                                        name="Відсутність гарячої води")
    road = SubTopic.objects.create(topic=transport, code="003.002", name="Ремонт дорожнього покриття",
                                   needs_study=True)
    settlement = _territories()
    default = Authority.objects.create(code="ZAK-ODA", name="Закарпатська ОДА", kind="oda",
                                       level="oblast", territory_id=OBLAST)
    authority = Authority.objects.create(code="ZAK-TG-BATIVSKA", name="Батівська селищна рада",
                                         kind="council", level="hromada", territory_id=HROMADA)
    other = Authority.objects.create(code="ZAK-RDA-BEREHIVSKA", name="Берегівська РДА",
                                     kind="rda", level="raion", territory_id=RAION)
    RoutingRule.objects.create(subtopic=hot_water, authority=authority)
    executor = UserFactory(role=Role.EXECUTOR)
    other_executor = UserFactory(role=Role.EXECUTOR)
    Membership.objects.create(user=executor, authority=authority)
    Membership.objects.create(user=other_executor, authority=other)
    users = {"operator": operator, "supervisor": supervisor, "executor": executor,
             "other_executor": other_executor, "analyst": analyst,
             "security_admin": security_admin, "system_admin": system_admin}
    return World(users=users, authority=authority, other_authority=other, default_authority=default,
                 hot_water=hot_water, road=road, settlement=settlement,
                 category_privileged=privileged, social_pensioner=pensioner)


@pytest.fixture
def uk() -> Any:
    """Render in Ukrainian, the centre's language (LANGUAGE_CODE)."""
    with translation.override("uk"):
        yield


@pytest.fixture
def message_in() -> Callable[..., bool]:
    """`message_in(html, msgid, **params)`: the message is on the page in Ukrainian, the centre's
    language (the translation once the catalogue is compiled, the English msgid until then)."""
    from django.utils.html import escape

    def check(html: str, msgid: str, **params: Any) -> bool:
        with translation.override("uk"):
            expected = translation.gettext(msgid)
        if params:
            expected = expected % params
        return escape(expected) in html

    return check
