"""The security administrator's reading of the trail: the action registry's words and groups, the
filters, the keyset pages and the export, which is itself an event of the trail."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from vikno.audit.actions import ACTION_GROUPS, AuditAction
from vikno.audit.errors import AuditError
from vikno.audit.models import AuditEvent
from vikno.audit.presentation import describe_changes, describe_object
from vikno.audit.selectors import TrailFilter, chain_verify, event_filter, event_page, trail_export
from vikno.audit.services import record
from vikno.core import clock

KYIV = ZoneInfo("Europe/Kyiv")
IVANENKO = SimpleNamespace(pk=7, username="ivanenko", role="operator")
PETRENKO = SimpleNamespace(pk=8, username="petrenko", role="supervisor")
SECURITY = SimpleNamespace(pk=9, username="security", role="security_admin")


def test_every_registered_action_is_in_exactly_one_group_of_the_filter():
    grouped = [action for _, actions in ACTION_GROUPS for action in actions]

    assert sorted(grouped) == sorted(AuditAction)
    assert len(grouped) == len(set(grouped))


def test_every_registered_action_has_a_ukrainian_label():
    with translation.override("uk"):
        untranslated = [a.value for a in AuditAction
                        if not re.search("[а-яіїєґ]", str(a.label), re.IGNORECASE)]

    assert untranslated == []
    with translation.override("uk"):
        assert str(AuditAction.AUDIT_EXPORT.label) == "Журнал аудиту вивантажено"


def _at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=KYIV)


@pytest.fixture
def trail(db: Any) -> dict[str, AuditEvent]:
    """Events on three days by two people on appeals, assignments and an account."""
    events = {}
    with clock.as_of(_at(1, 9)):
        events["login"] = record(actor=IVANENKO, action=AuditAction.ACCOUNT_LOGIN,
                                 object_label="ivanenko")
    with clock.as_of(_at(2, 0)):  # just after midnight in Kyiv: still the 2nd there
        events["register"] = record(actor=IVANENKO, action=AuditAction.APPEAL_REGISTER,
                                    object_label="ЗК-2026-000123", after={"status": "registered"})
    with clock.as_of(_at(2, 23)):
        events["assign"] = record(actor=IVANENKO, action=AuditAction.ASSIGNMENT_CREATE,
                                  object_label="ЗК-2026-000123 → ZAK-ODA")
        events["other"] = record(actor=IVANENKO, action=AuditAction.APPEAL_REGISTER,
                                 object_label="ЗК-2026-0001234")
    with clock.as_of(_at(3)):
        events["close"] = record(actor=PETRENKO, action=AuditAction.APPEAL_CLOSE,
                                 object_label="ЗК-2026-000123",
                                 before={"status": "answered"}, after={"status": "closed"})
    return events


def _seqs(filters: TrailFilter) -> list[int]:
    return list(event_filter(filters).order_by("-seq").values_list("seq", flat=True))


def test_each_filter_keeps_only_its_events(trail):
    e = {name: event.seq for name, event in trail.items()}

    assert _seqs(TrailFilter()) == [e["close"], e["other"], e["assign"], e["register"], e["login"]]
    assert _seqs(TrailFilter(actor="petrenko")) == [e["close"]]
    assert _seqs(TrailFilter(action=AuditAction.APPEAL_REGISTER)) == [e["other"], e["register"]]
    assert _seqs(TrailFilter(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 2))) == [
        e["other"], e["assign"], e["register"]]
    assert _seqs(TrailFilter(date_from=dt.date(2026, 3, 3))) == [e["close"]]
    assert _seqs(TrailFilter(date_to=dt.date(2026, 3, 1))) == [e["login"]]
    assert _seqs(TrailFilter(actor="ivanenko", action=AuditAction.ACCOUNT_LOGIN)) == [e["login"]]


def test_an_appeals_number_finds_the_appeal_and_its_assignments_but_no_longer_number(trail):
    e = {name: event.seq for name, event in trail.items()}

    assert _seqs(TrailFilter(object="ЗК-2026-000123")) == [e["close"], e["assign"], e["register"]]
    assert _seqs(TrailFilter(object="ivanenko")) == [e["login"]]


def test_pages_run_newest_first_with_cursors_both_ways(db):
    events = [record(actor=IVANENKO, action=AuditAction.ACCOUNT_LOGIN, object_label=str(i))
              for i in range(7)]
    seqs = [e.seq for e in reversed(events)]  # newest first

    first = event_page(TrailFilter(), size=3)
    second = event_page(TrailFilter(), before=first.older, size=3)
    last = event_page(TrailFilter(), before=second.older, size=3)
    back = event_page(TrailFilter(), after=last.newer, size=3)

    assert [e.seq for e in first.events] == seqs[:3] and first.newer is None
    assert [e.seq for e in second.events] == seqs[3:6]
    assert second.newer == seqs[3] and second.older == seqs[5]
    assert [e.seq for e in last.events] == seqs[6:] and last.older is None
    assert [e.seq for e in back.events] == seqs[3:6]


def test_the_export_is_itself_recorded_with_its_filter_and_row_count(trail):
    filters = TrailFilter(actor="ivanenko", action=AuditAction.APPEAL_REGISTER,
                          date_from=dt.date(2026, 3, 2))

    rows = trail_export(user=SECURITY, filters=filters, file_format="xlsx")

    assert [r.seq for r in rows] == [trail["other"].seq, trail["register"].seq]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == AuditAction.AUDIT_EXPORT
    assert event.actor_username == "security"
    assert event.after == {"format": "xlsx", "rows": 2, "actor": "ivanenko",
                           "action": "appeal.register", "date_from": "2026-03-02"}
    assert chain_verify().ok


def test_an_export_above_the_limit_is_refused_and_records_nothing(trail):
    before = AuditEvent.objects.count()

    with pytest.raises(AuditError) as refused:
        trail_export(user=SECURITY, filters=TrailFilter(), file_format="csv", limit=4)

    assert refused.value.code == "export_too_large"
    assert "4" in refused.value.message
    assert AuditEvent.objects.count() == before


def test_events_without_an_object_name_their_place_in_words(db):
    # given reads recorded on an executor's tab and a reference load
    tab = record(actor=IVANENKO, action=AuditAction.APPLICANT_LIST_VIEW,
                 object_label="my_assignments:new", after={"applicant_ids": [3, 5]})
    load = record(actor=None, action=AuditAction.REFERENCE_LOAD,
                  object_label="reference data (858-2024)")

    # then
    with translation.override("uk"):
        assert describe_object(tab) == "Доручення органу · new"
        assert describe_object(load) == "Довідники (858-2024)"
        assert [(c.field, c.new) for c in describe_changes(tab)] == [
            ("Заявники (номери записів)", "3, 5")]
