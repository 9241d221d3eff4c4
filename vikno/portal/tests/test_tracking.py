"""Tracking by number and code: the applicant's own appeal only, one message for any wrong pair,
the access kept in the session (never the URL), confirmation, rating and "not resolved"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from vikno.appeals import services
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Appeal, Feedback
from vikno.appeals.tests.factories import decider
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.core import clock

pytestmark = pytest.mark.django_db
TRACK = "/portal/track/"
WRONG = "Реєстраційний номер або код відстеження неправильний"


def _track(client: Any, number: str, code: str) -> Any:
    return client.post(TRACK, {"number": number, "code": code})


def test_the_number_and_code_show_the_status_and_record_the_read(client: Any, flow: Any) -> None:
    appeal, code = flow.registered()
    before = AuditEvent.objects.count()
    response = _track(client, appeal.number, code.lower())  # typed any way: case, spaces
    html = response.content.decode()
    assert response.status_code == 200
    assert appeal.number in html and "Передано органу, який його розглядатиме." in html
    assert appeal.due_date.strftime("%d.%m.%Y") in html
    read = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert read.action == AuditAction.APPEAL_TRACK and read.actor_username == "applicant"
    assert code not in str([read.before, read.after, read.object_label])
    # kept in the session: the page opens again without the code, and never from the URL
    assert appeal.number in client.get(TRACK).content.decode()
    assert appeal.number not in response.wsgi_request.get_full_path()


@pytest.mark.parametrize("wrong", ["number", "code", "both", "empty_code"])
def test_a_wrong_number_or_code_gets_one_message(client: Any, flow: Any, wrong: str) -> None:
    appeal, code = flow.registered()
    number = "ЗК-2020-999999" if wrong in ("number", "both") else appeal.number
    given = {"code": "AAAA-AAAA-AAAA", "both": "AAAA-AAAA-AAAA", "empty_code": ""}.get(wrong, code)
    before = AuditEvent.objects.count()
    response = _track(client, number, given)
    assert response.status_code == 400
    html = response.content.decode()
    if wrong != "empty_code":
        assert WRONG in html
    assert "appeal-status" not in html and AuditEvent.objects.count() == before
    assert appeal.number not in client.get(TRACK).content.decode()


def test_an_appeal_registered_without_a_code_never_opens(client: Any, flow: Any) -> None:
    appeal, _code = flow.registered()
    Appeal.objects.filter(pk=appeal.pk).update(tracking_hash="")  # a bulk-generated row
    for guess in ("AAAA", "ACDE-FGHJ-KMNP"):
        response = _track(client, appeal.number, guess)
        assert response.status_code == 400 and WRONG in response.content.decode()


def test_the_code_in_the_url_is_ignored(client: Any, flow: Any) -> None:
    appeal, code = flow.registered()
    html = client.get(TRACK, {"number": appeal.number, "code": code}).content.decode()
    assert "appeal-status" not in html


def test_another_appeals_data_is_never_shown(client: Any, flow: Any) -> None:
    mine, my_code = flow.registered(text="Моє звернення про воду.")
    other, _ = flow.registered(text="Чуже звернення про дорогу.")
    assert _track(client, other.number, my_code).status_code == 400
    html = _track(client, mine.number, my_code).content.decode()
    assert mine.number in html and other.number not in html
    assert "Чуже" not in html and "Шевченко" not in html  # nor anyone's personal data


@override_settings(PORTAL_RATES={"track": "3/h"})
def test_guessing_is_rate_limited(client: Any, flow: Any) -> None:
    appeal, code = flow.registered()
    for _ in range(3):
        assert _track(client, appeal.number, "AAAA-AAAA-AAAA").status_code == 400
    response = _track(client, appeal.number, code)  # even the right code, once limited
    assert response.status_code == 429 and "Забагато" in response.content.decode()


def test_the_answer_is_shown_without_staff_names(client: Any, flow: Any) -> None:
    appeal, code = flow.answered()
    html = _track(client, appeal.number, code).content.decode()
    assert "Воду подано." in html and "02-14/381" in html
    assert flow.book.council.name in html  # the answering body, as the directory names it
    for name in ("Петро Підписант", "Олена", "Виконавиця", flow.supervisor.username):
        assert name not in html
    assert "Результат мене влаштовує" in html and "Не вирішено" in html


def test_extensions_show_their_reason_and_new_date(client: Any, flow: Any) -> None:
    appeal, code = flow.registered()
    new_due = appeal.due_date + timedelta(days=10)
    services.appeal_extend(actor=flow.supervisor, appeal=appeal, new_due=new_due,
                           reason="Потрібне обстеження мережі.", decider=decider())
    html = _track(client, appeal.number, code).content.decode()
    assert "Потрібне обстеження мережі." in html and new_due.strftime("%d.%m.%Y") in html
    assert "Олена Ковач" not in html  # the decider is staff


def test_the_applicant_confirms_and_rates(client: Any, flow: Any) -> None:
    appeal, code = flow.answered()
    _track(client, appeal.number, code)
    response = client.post("/portal/track/feedback/", {"decision": "confirm", "rating": "5",
                                                       "comment": "Дякую."})
    assert response.status_code == 200 and "Дякуємо" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    feedback = Feedback.objects.get(appeal=appeal)
    assert feedback.confirmed and feedback.rating == 5 and feedback.recorded_by is None
    event = AuditEvent.objects.get(action=AuditAction.FEEDBACK_RECORD)
    assert event.actor_username == "applicant" and event.actor_id is None


def test_a_rating_is_required_to_confirm(client: Any, flow: Any) -> None:
    appeal, code = flow.answered()
    _track(client, appeal.number, code)
    response = client.post("/portal/track/feedback/", {"decision": "confirm"})
    assert response.status_code == 400 and Feedback.objects.count() == 0


def test_not_resolved_sends_it_back(client: Any, flow: Any) -> None:
    appeal, code = flow.answered()
    _track(client, appeal.number, code)
    response = client.post("/portal/track/feedback/", {"decision": "not_resolved",
                                                       "comment": "Води досі немає."})
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RETURNED_FOR_REVISION
    assert not Feedback.objects.get(appeal=appeal).confirmed


def test_not_resolved_past_the_cap_shows_the_repeated_appeal(client: Any, flow: Any) -> None:
    appeal, code = flow.answered()
    with time_machine.travel(clock.now() + timedelta(days=50)):
        _track(client, appeal.number, code)
        html = client.post("/portal/track/feedback/", {"decision": "not_resolved"}).content.decode()
    repeated = Appeal.objects.get(previous_appeal=appeal)
    assert 'id="repeat-number"' in html and repeated.number in html


def test_feedback_without_the_kept_access_changes_nothing(client: Any, flow: Any) -> None:
    appeal, _code = flow.answered()
    response = client.post("/portal/track/feedback/", {"decision": "confirm", "rating": "5"})
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.AWAITING_CONFIRMATION and Feedback.objects.count() == 0


def test_a_new_code_ends_the_kept_access(client: Any, flow: Any) -> None:
    appeal, code = flow.registered()
    _track(client, appeal.number, code)
    services.tracking_code_issue(actor=flow.supervisor, appeal=appeal)
    assert appeal.number not in client.get(TRACK).content.decode()
    assert _track(client, appeal.number, code).status_code == 400


def test_track_end_forgets_the_access(client: Any, flow: Any) -> None:
    appeal, code = flow.registered()
    _track(client, appeal.number, code)
    client.post("/portal/track/end/")
    assert appeal.number not in client.get(TRACK).content.decode()
