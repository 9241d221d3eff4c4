"""The tracking code: issued with every registration, returned once, kept only as its hash."""

from __future__ import annotations

from typing import Any

import pytest

from vikno.appeals import selectors_public, services, tracking
from vikno.appeals.models import Appeal
from vikno.appeals.tests.factories import intake, register
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_registration_returns_the_code_once_and_keeps_only_its_hash(book: Any, operator: Any) -> None:
    appeal = register(actor=operator)
    code = appeal.tracking_code  # type: ignore[attr-defined]
    assert len(code) == tracking.LENGTH and set(code) <= set(tracking.ALPHABET)
    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.tracking_hash == tracking.code_hash(code) and code not in stored.tracking_hash
    assert not hasattr(stored, "tracking_code")
    for event in AuditEvent.objects.all():
        assert code not in str([event.before, event.after, event.object_label])


def test_codes_differ_between_appeals(book: Any, operator: Any) -> None:
    codes = {register(actor=operator).tracking_code for _ in range(5)}  # type: ignore[attr-defined]
    assert len(codes) == 5


def test_a_repeated_submission_returns_the_first_appeal_without_a_code(book: Any,
                                                                       operator: Any) -> None:
    key = "8d3c1a4e-7f0b-4a8e-9c61-2b5d0e9f1a37"
    first = services.appeal_register(actor=operator, intake=intake(idempotency_key=key))
    again = services.appeal_register(actor=operator, intake=intake(idempotency_key=key))
    assert again.pk == first.pk and getattr(again, "tracking_code", None) is None
    assert Appeal.objects.get().tracking_hash == tracking.code_hash(first.tracking_code)  # type: ignore[attr-defined]


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{grouped}", " {grouped} "])
def test_the_code_matches_however_it_is_typed(book: Any, operator: Any, typed: str) -> None:
    appeal = register(actor=operator)
    code = appeal.tracking_code  # type: ignore[attr-defined]
    given = typed.format(code=code, lower=code.lower(), grouped=tracking.grouped(code))
    assert selectors_public.appeal_for_tracking(number=appeal.number, code=given) == appeal


def test_wrong_number_or_code_finds_nothing(book: Any, operator: Any) -> None:
    appeal = register(actor=operator)
    code = appeal.tracking_code  # type: ignore[attr-defined]
    other = register(actor=operator)
    assert selectors_public.appeal_for_tracking(number=other.number, code=code) is None
    assert selectors_public.appeal_for_tracking(number="ЗК-1999-000001", code=code) is None
    assert selectors_public.appeal_for_tracking(number=appeal.number, code="") is None
    assert selectors_public.appeal_for_tracking(number="", code="") is None


def test_an_appeal_without_a_hash_never_matches() -> None:
    assert not tracking.matches("", "")
    assert not tracking.matches(None, "ACDE")
    assert tracking.matches(tracking.code_hash("ACDE-FGHJ"), "acdefghj")


def test_a_new_code_replaces_the_old_and_is_audited_without_it(book: Any, operator: Any,
                                                               supervisor: Any) -> None:
    appeal = register(actor=operator)
    old = appeal.tracking_code  # type: ignore[attr-defined]
    new = services.tracking_code_issue(actor=supervisor, appeal=appeal)
    assert new != old
    assert selectors_public.appeal_for_tracking(number=appeal.number, code=old) is None
    assert selectors_public.appeal_for_tracking(number=appeal.number, code=new) is not None
    event = AuditEvent.objects.get(action=AuditAction.APPEAL_TRACKING_CODE_ISSUE)
    assert event.actor_username == supervisor.username
    stored = Appeal.objects.get(pk=appeal.pk).tracking_hash
    for value in (new, stored):
        assert value not in str([event.before, event.after, event.object_label])


def test_the_public_view_records_the_read(book: Any, operator: Any) -> None:
    appeal = register(actor=operator)
    view = selectors_public.appeal_public_view(appeal=appeal)
    assert view.number == appeal.number and view.access == (appeal.pk, appeal.tracking_hash)
    event = AuditEvent.objects.get(action=AuditAction.APPEAL_TRACK)
    assert event.actor_username == "applicant" and event.object_id == str(appeal.pk)


def test_consent_is_recorded_only_when_given(book: Any, operator: Any) -> None:
    register(actor=operator)
    register(actor=operator, personal_data_consent=True)
    afters = [e.after for e in AuditEvent.objects.filter(action=AuditAction.APPEAL_REGISTER)
              .order_by("seq")]
    assert "personal_data_consent" not in afters[0]
    assert afters[1]["personal_data_consent"] is True
