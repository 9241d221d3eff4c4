"""ст.7 ч.4 and ст.16: a complaint never goes to the body complained of, but to its superior."""

from __future__ import annotations

import pytest
from django.utils import translation

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Assignment, Kind
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import footprint, register
from vikno.directory.tests.factories import AuthorityFactory, RoutingRuleFactory

REFUSAL = "Скаргу не можна передавати на розгляд органу, дії чи рішення якого вона оскаржує"


def _main(appeal) -> list[str]:
    return sorted(Assignment.objects.filter(question__appeal=appeal, role="main")
                  .exclude(status="cancelled").values_list("authority__code", flat=True))


@pytest.fixture
def raion_administration(book):
    return AuthorityFactory(code="ZAK-RDA-BER", name="Берегівська РДА", level="raion",
                            territory=book.raion)


ROUTES = {
    # case: (kind, contested, superior of the council, expected main executors)
    "an application goes where the rules say": (Kind.APPLICATION, "", None, ["ZAK-TG-BEREHOVE"]),
    "a complaint about the council goes to its superior": (
        Kind.COMPLAINT, "ZAK-TG-BEREHOVE", "ZAK-RDA-BER", ["ZAK-RDA-BER"]),
    "a complaint about a council without a superior goes to the default body": (
        Kind.COMPLAINT, "ZAK-TG-BEREHOVE", None, ["ZAK-ODA"]),
    "a complaint about another body keeps the rules' executor": (
        Kind.COMPLAINT, "ZAK-WATER", None, ["ZAK-TG-BEREHOVE"]),
}


@pytest.mark.parametrize("case", list(ROUTES), ids=list(ROUTES))
def test_routing_never_sends_a_complaint_to_the_body_complained_of(
        book, operator, raion_administration, case):
    # given
    kind, contested, superior, expected = ROUTES[case]
    if superior:
        book.council.superior = raion_administration
        book.council.save()

    # when
    appeal = register(actor=operator, kind=kind, contested_authority_code=contested)

    # then
    assert _main(appeal) == expected
    assert (appeal.contested_authority.code if appeal.contested_authority else "") == contested


def test_a_complaint_about_the_top_body_is_registered_unrouted_to_be_forwarded(book, operator,
                                                                               supervisor):
    # given the rules send road repairs to the oblast administration, which has no superior here
    RoutingRuleFactory(subtopic=book.road_repair, authority=book.oda)

    # when
    appeal = register(actor=operator, subtopic=book.road_repair, kind=Kind.COMPLAINT,
                      contested_authority_code="ZAK-ODA")

    # then it waits for forwarding, and routing it is refused with the reason
    assert appeal.status == AppealStatus.REGISTERED
    assert _main(appeal) == []
    before = footprint()
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        services.appeal_assign(actor=supervisor, appeal=appeal, routing=Routing())
    assert "перешліть її до компетентного органу (ст.7)" in caught.value.message
    assert footprint() == before


MANUAL = {
    "main executor at registration": (Routing(main_authority_code="ZAK-TG-BEREHOVE"),
                                      "main_authority_code"),
    "co-executor at registration": (Routing(co_authority_codes=("ZAK-TG-BEREHOVE",)),
                                    "co_authority_codes"),
}


@pytest.mark.parametrize("case", list(MANUAL), ids=list(MANUAL))
def test_choosing_the_body_complained_of_is_refused_and_changes_nothing(book, operator, case):
    # given
    routing, field = MANUAL[case]
    register(actor=operator)
    before = footprint()

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        register(actor=operator, kind=Kind.COMPLAINT, contested_authority_code="ZAK-TG-BEREHOVE",
                 routing=routing)

    # then
    assert caught.value.field == field
    assert caught.value.message.startswith(REFUSAL)
    assert footprint() == before


@pytest.mark.parametrize("field", ["main_authority_code", "co_authority_codes"])
def test_rerouting_to_the_body_complained_of_is_refused_and_changes_nothing(book, operator,
                                                                            supervisor, field):
    # given a complaint about the water utility, routed to the council
    appeal = register(actor=operator, kind=Kind.COMPLAINT, contested_authority_code="ZAK-WATER")
    before = footprint()
    routing = (Routing(main_authority_code="ZAK-WATER") if field == "main_authority_code"
               else Routing(co_authority_codes=("ZAK-WATER",)))

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        services.appeal_assign(actor=supervisor, appeal=appeal, routing=routing)

    # then
    assert caught.value.field == field
    assert caught.value.message.startswith(REFUSAL)
    assert footprint() == before


def test_an_unknown_contested_body_is_refused_and_changes_nothing(book, operator):
    # given
    register(actor=operator)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        register(actor=operator, kind=Kind.COMPLAINT, contested_authority_code="NO-SUCH")

    # then
    assert (caught.value.code, caught.value.field) == ("unknown_authority",
                                                       "contested_authority_code")
    assert footprint() == before
