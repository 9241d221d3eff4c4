"""ст.20: the term is extended by the head (or a deputy) of the body considering the appeal. Vikno
records who decided it and the document; the centre's supervisor records it on the body's behalf,
or the body's head decides its own body's requests in the workspace."""

from __future__ import annotations

import datetime as dt

import pytest

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import access, services
from vikno.appeals.errors import AppealsError
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Extension, Notice
from vikno.appeals.tests.factories import decider, footprint, register
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.core.errors import NotFound, PermissionDenied
from vikno.directory.tests.factories import MembershipFactory


def _main(appeal: Appeal) -> Assignment:
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN)


def _head_of(authority, **kwargs):
    user = UserFactory(role=Role.EXECUTOR, first_name="Олена", last_name="Ковач", **kwargs)
    MembershipFactory(user=user, authority=authority, is_head=True, position="Міська голова")
    return user


def _requested(operator, executor) -> tuple[Appeal, Extension]:
    appeal = register(actor=operator)
    extension = services.extension_request(actor=executor, assignment=_main(appeal),
                                           new_due=appeal.max_due_date, reason="Обстеження мереж")
    return appeal, extension


def test_the_supervisor_records_who_extended_the_term_and_the_document(book, operator, supervisor):
    # given
    appeal = register(actor=operator)

    # when
    extension = services.appeal_extend(actor=supervisor, appeal=appeal, new_due=appeal.max_due_date,
                                       reason="Потрібна експертиза", decider=decider())

    # then
    extension.refresh_from_db()
    assert (extension.decider_name, extension.decider_position, extension.decider_body,
            extension.document_number, extension.document_date) == (
        "Олена Ковач", "Міська голова", "Берегівська міська рада", "15-р", clock.today())
    appeal.refresh_from_db()
    assert appeal.due_date == appeal.max_due_date
    notice = Notice.objects.get(appeal=appeal, kind="extended").text
    for part in (appeal.max_due_date.strftime("%d.%m.%Y"), "Потрібна експертиза", "Олена Ковач",
                 "Міська голова", "Берегівська міська рада", "15-р"):
        assert part in notice, part


@pytest.mark.parametrize("missing", ["name", "position", "body", "document_number",
                                     "document_date"])
def test_an_extension_without_who_decided_it_is_refused_and_changes_nothing(
        book, operator, supervisor, missing):
    # given
    appeal = register(actor=operator)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(actor=supervisor, appeal=appeal, new_due=appeal.max_due_date,
                               reason="Треба",
                               decider=decider(**{missing: None if missing == "document_date"
                                                  else " "}))

    # then
    field = missing if missing.startswith("document") else f"decider_{missing}"
    assert (caught.value.code, caught.value.field) == ("extension_decider_required", field)
    assert footprint() == before


def test_an_extension_with_no_decider_at_all_is_refused_in_ukrainian(book, operator, supervisor):
    # given
    from django.utils import translation

    appeal = register(actor=operator)
    before = footprint()

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        services.appeal_extend(actor=supervisor, appeal=appeal, new_due=appeal.max_due_date,
                               reason="Треба")

    # then
    assert caught.value.message == ("Зазначте, хто продовжив строк: керівник органу або його "
                                    "заступник (ст.20).")
    assert footprint() == before


@pytest.mark.parametrize("signed_on", [
    pytest.param(lambda today: today + dt.timedelta(days=2), id="in two days"),
    pytest.param(lambda today: dt.date(9999, 12, 31), id="year 9999"),
    pytest.param(lambda today: today - dt.timedelta(days=3), id="before the receipt"),
    pytest.param(lambda today: dt.date(1, 1, 1), id="year 1"),
])
def test_a_document_dated_outside_the_appeals_life_is_refused_and_changes_nothing(
        book, operator, supervisor, signed_on):
    # given an appeal received yesterday
    appeal = register(actor=operator, received_at=clock.now() - dt.timedelta(days=1))
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(actor=supervisor, appeal=appeal, new_due=appeal.max_due_date,
                               reason="Треба",
                               decider=decider(document_date=signed_on(clock.today())))

    # then
    assert (caught.value.code, caught.value.field) == ("invalid_value", "document_date")
    assert footprint() == before


def test_the_supervisor_approves_a_request_on_the_body_heads_behalf(book, operator, supervisor,
                                                                   executor):
    # given
    _appeal, extension = _requested(operator, executor)

    # when
    services.extension_decide(actor=supervisor, extension=extension, approve=True,
                              decider=decider(name="Іван Попович", position="Заступник голови"))

    # then
    extension.refresh_from_db()
    assert (extension.status, extension.decider_name, extension.decider_position) == (
        "approved", "Іван Попович", "Заступник голови")
    assert extension.decided_by == supervisor


def test_approving_a_request_without_who_decided_it_is_refused_and_changes_nothing(
        book, operator, supervisor, executor):
    # given
    _appeal, extension = _requested(operator, executor)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.extension_decide(actor=supervisor, extension=extension, approve=True)

    # then
    assert caught.value.code == "extension_decider_required"
    assert footprint() == before


def test_a_refusal_of_the_request_needs_no_decider(book, operator, supervisor, executor):
    # given
    _appeal, extension = _requested(operator, executor)

    # when
    services.extension_decide(actor=supervisor, extension=extension, approve=False,
                              note="Строк достатній")

    # then
    extension.refresh_from_db()
    assert (extension.status, extension.decider_name) == ("refused", "")


def test_the_body_head_approves_its_own_bodys_request_in_its_own_name(book, operator, executor):
    # given
    head = _head_of(book.council)
    appeal, extension = _requested(operator, executor)

    # when
    services.extension_decide(
        actor=head, extension=extension, approve=True,
        decider=services.head_decider(actor=head, document_number="7-р",
                                      document_date=clock.today()))

    # then
    extension.refresh_from_db()
    assert (extension.status, extension.decider_name, extension.decider_position,
            extension.decider_body, extension.document_number) == (
        "approved", "Олена Ковач", "Міська голова", "Берегівська міська рада", "7-р")
    appeal.refresh_from_db()
    assert appeal.due_date == extension.new_due_date
    event = AuditEvent.objects.get(action="appeal.extend")
    assert event.after["document_number"] == "7-р"


@pytest.mark.parametrize(("who", "outcome"), [
    ("supervisor", "allowed"),
    ("head of the body that asked", "allowed"),
    ("plain executor of the body that asked", PermissionDenied),
    ("head of another body", NotFound),
    ("operator", PermissionDenied),
])
def test_who_may_decide_an_extension_request(book, operator, supervisor, executor, who, outcome):
    # given
    users = {
        "supervisor": supervisor,
        "head of the body that asked": _head_of(book.council),
        "plain executor of the body that asked": executor,
        "head of another body": _head_of(book.utility),
        "operator": operator,
    }
    _appeal, extension = _requested(operator, executor)
    user = users[who]

    # when / then
    if outcome == "allowed":
        assert access.extension_get_for(user=user, pk=extension.pk) == extension
        assert access.extension_decidable_by(user=user, extension=extension)
    else:
        with pytest.raises(outcome):
            access.extension_get_for(user=user, pk=extension.pk)
        assert not access.extension_decidable_by(user=user, extension=extension)
