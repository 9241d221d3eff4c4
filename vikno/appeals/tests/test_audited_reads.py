"""Reads of personal data record themselves on the audit trail, whoever calls them.

The selectors are called here directly, with no view in between: an API or any other interface
that shows what they return is audited the same way as the staff workspace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import selectors, services
from vikno.appeals.models import Assignment
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import applicant_data, register
from vikno.audit.models import AuditEvent
from vikno.core.errors import NotFound, PermissionDenied

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def events_after(seq: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq, action=action).order_by("seq"))


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def test_a_search_that_finds_applicants_is_recorded_without_what_was_typed(book, operator):
    # given
    appeal = register(actor=operator)
    seq = last_seq()

    # when
    found = selectors.applicant_find(user=operator, q="0501234567")

    # then
    assert found == [appeal.applicant]
    [event] = events_after(seq, "applicant.search")
    assert event.actor_id == operator.pk
    assert event.after == {"results": 1, "applicant_ids": [appeal.applicant_id]}
    assert "0501234567" not in str(event.after) and "Шевченко" not in str(event.after)


@pytest.mark.parametrize(("role", "q"), [(Role.OPERATOR, "Неіснуючий"), (Role.ANALYST, "Шевченко")])
def test_a_search_that_shows_nobody_records_nothing(book, operator, role, q):
    # given
    register(actor=operator)
    seq = last_seq()

    # when
    found = selectors.applicant_find(user=UserFactory(role=role), q=q)

    # then
    assert found == []
    assert last_seq() == seq


def test_showing_one_applicant_is_a_recorded_view(book, operator):
    # given
    appeal = register(actor=operator)
    seq = last_seq()

    # when
    applicant = selectors.applicant_get_for(user=operator, pk=appeal.applicant_id)

    # then
    assert applicant == appeal.applicant
    [event] = events_after(seq, "applicant.view")
    assert (event.object_type, event.object_id) == ("appeals.applicant", str(applicant.pk))


def test_an_applicant_refused_to_an_executor_is_not_found_and_records_nothing(book, operator,
                                                                            executor):
    # given
    appeal = register(actor=operator)
    seq = last_seq()

    # when / then
    with pytest.raises(NotFound):
        selectors.applicant_get_for(user=executor, pk=appeal.applicant_id)
    assert last_seq() == seq


def test_the_applicant_for_editing_is_not_a_recorded_view(book, operator):
    # given: the registration service records the write that follows
    appeal = register(actor=operator)
    seq = last_seq()

    # when
    applicant = selectors.applicant_for(user=operator, pk=appeal.applicant_id)

    # then
    assert applicant == appeal.applicant
    assert last_seq() == seq


@pytest.mark.parametrize(("who", "confidential", "recorded"), [
    ("operator", False, True),
    ("main_executor", True, True),
    ("co_executor", False, True),
    ("co_executor", True, False),  # ст.10: initials only, so nothing was read
])
def test_the_card_people_are_a_recorded_view_when_shown_unmasked(
        book, operator, executor, other_executor, who, confidential, recorded):
    # given an appeal of the council (main) and the utility (co)
    appeal = register(actor=operator, applicant=applicant_data(confidential=confidential),
                      routing=Routing(co_authority_codes=("ZAK-WATER",)))
    user = {"operator": operator, "main_executor": executor, "co_executor": other_executor}[who]
    seq = last_seq()

    # when
    people = selectors.appeal_personal_data(user=user, appeal=appeal)

    # then
    assert people.visible is recorded
    assert people.applicant == appeal.applicant
    viewed = [e.object_id for e in events_after(seq, "applicant.view")]
    assert viewed == ([str(appeal.applicant_id)] if recorded else [])
    assert all(e.object_label == appeal.number for e in events_after(seq, "applicant.view"))


def test_a_queue_page_records_the_applicants_it_shows(book, operator):
    # given two appeals of one applicant and one anonymous appeal
    first = register(actor=operator)
    register(actor=operator, applicant_id=first.applicant_id)
    register(actor=operator, applicant=None, subject="5.3")
    seq = last_seq()

    # when
    shown = selectors.appeal_queue_page(user=operator, filters=selectors.AppealFilters(), page=1,
                                        per_page=50)

    # then
    assert len(shown.page.object_list) == 3
    [event] = events_after(seq, "applicant.list_view")
    assert event.after == {"applicant_ids": [first.applicant_id]}
    assert event.object_label == "queue"


def test_a_queue_page_without_applicants_shown_records_nothing(book, operator):
    # given
    register(actor=operator)
    seq = last_seq()

    # when: an analyst sees no appeals at all
    shown = selectors.appeal_queue_page(user=UserFactory(role=Role.ANALYST),
                                        filters=selectors.AppealFilters(), page=1, per_page=50)

    # then
    assert list(shown.page.object_list) == []
    assert last_seq() == seq


def test_an_executors_assignment_page_records_the_applicants_it_shows(book, operator, executor):
    # given
    appeal = register(actor=operator)
    seq = last_seq()

    # when
    shown = selectors.assignment_page_for(user=executor, authority_id=book.council.pk, page=1,
                                          per_page=50, where="my_assignments:new",
                                          status="assigned")

    # then
    assert [a.question.appeal for a in shown.page.object_list] == [appeal]
    [event] = events_after(seq, "applicant.list_view")
    assert event.after == {"applicant_ids": [appeal.applicant_id]}
    assert event.object_label == "my_assignments:new"


def test_a_download_is_recorded(book, operator):
    # given
    appeal = register(actor=operator)
    stored = services.attachment_add(actor=operator, appeal=appeal, name="лист.pdf", content=PDF)
    seq = last_seq()

    # when
    attachment = selectors.attachment_download_for(user=operator, number=appeal.number,
                                                   pk=stored.pk)

    # then
    assert attachment == stored
    [event] = events_after(seq, "attachment.download")
    assert event.object_label == appeal.number


@pytest.mark.parametrize(("who", "refusal"), [
    ("co_executor", PermissionDenied),  # confidential applicant: the letter carries the name
    ("stranger", NotFound),  # an executor of an authority without an assignment on it
])
def test_a_refused_download_records_nothing(book, operator, other_executor, who, refusal):
    # given
    appeal = register(actor=operator, applicant=applicant_data(confidential=True),
                      routing=Routing(co_authority_codes=("ZAK-WATER",)))
    stored = services.attachment_add(actor=operator, appeal=appeal, name="лист.pdf", content=PDF)
    if who == "stranger":
        Assignment.objects.filter(question__appeal=appeal, authority=book.utility).update(
            status="cancelled")
    seq = last_seq()

    # when / then
    with pytest.raises(refusal):
        selectors.attachment_download_for(user=other_executor, number=appeal.number, pk=stored.pk)
    assert last_seq() == seq
