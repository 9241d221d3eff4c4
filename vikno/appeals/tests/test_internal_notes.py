"""Internal notes between the centre and the executors: who writes, who reads, what the trail
keeps (never the text)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vikno.appeals import selectors, services
from vikno.appeals.models import Assignment, InternalNote
from vikno.appeals.tests.factories import Rulebook, executor_of, letter, register
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db
SECRET = "Заявниця Коваль просила дзвонити після 18:00 на 050 765 43 21"


def _main(appeal: Any) -> Assignment:
    return Assignment.objects.get(question__appeal=appeal, role="main")


@pytest.fixture
def appeal(operator: Any, book: Rulebook) -> Any:
    # routed by the rules to the hromada council, the water utility a co-executor
    return register(actor=operator, routing=services.Routing(co_authority_codes=("ZAK-WATER",)))


@pytest.fixture
def stranger(book: Rulebook) -> Any:
    """An executor of the oblast administration: no assignment on the appeal."""
    return executor_of(book.oda)


def test_the_centre_and_the_executors_write_and_each_executor_reads_the_centre_and_its_own(
        appeal: Any, operator: Any, supervisor: Any, executor: Any, other_executor: Any,
        stranger: Any) -> None:
    # given a note of the centre and one of each executor on the appeal
    centre = services.note_add(actor=operator, appeal=appeal, text="Просимо зателефонувати.")
    council = services.note_add(actor=executor, appeal=appeal, text="Виїзд бригади у вівторок.")
    utility = services.note_add(actor=other_executor, appeal=appeal, text="Мережі не наші.")

    # when each reads the notes
    def read(user: Any) -> list[int]:
        return [n.pk for n in selectors.internal_notes_for(user=user, appeal=appeal)]

    # then the centre reads all; an executor the centre's and its own authority's; a stranger none
    assert read(supervisor) == read(operator) == [centre.pk, council.pk, utility.pk]
    assert read(executor) == [centre.pk, council.pk]
    assert read(other_executor) == [centre.pk, utility.pk]
    assert read(stranger) == []
    assert centre.authority is None and council.authority.code == "ZAK-TG-BEREHOVE"


def test_an_executor_without_an_assignment_in_force_writes_nothing(
        appeal: Any, executor: Any, stranger: Any, analyst: Any, security_admin: Any) -> None:
    for user in (stranger, analyst, security_admin):
        with pytest.raises(PermissionDenied):
            services.note_add(actor=user, appeal=appeal, text="Ні.")
    # an authority that returned its assignment writes no more, and reads no more
    services.reply_submit(actor=executor, assignment=_main(appeal), result="not_in_competence",
                          text="Не наша компетенція.")
    with pytest.raises(PermissionDenied):
        services.note_add(actor=executor, appeal=appeal, text="Ще одне.")
    assert selectors.internal_notes_for(user=executor, appeal=appeal) == []
    assert InternalNote.objects.count() == 0


def test_an_answered_assignment_still_writes(appeal: Any, executor: Any) -> None:
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result="done",
                          text="Воду подано.")
    assert services.note_add(actor=executor, appeal=appeal, text="Акт додано.").pk


def test_the_trail_records_the_note_without_its_text(appeal: Any, executor: Any) -> None:
    # when
    note = services.note_add(actor=executor, appeal=appeal, text=f"  {SECRET}  ")

    # then
    assert note.text == SECRET
    event = AuditEvent.objects.get(action=AuditAction.INTERNAL_NOTE_ADD)
    assert event.object_id == str(note.pk)
    assert event.after == {"appeal": appeal.pk, "authority": "ZAK-TG-BEREHOVE"}
    stored = json.dumps([event.before, event.after, event.object_label], ensure_ascii=False)
    assert "Коваль" not in stored and "765" not in stored


def test_an_empty_or_overlong_note_is_refused(appeal: Any, operator: Any) -> None:
    from vikno.appeals.services.notes import NOTE_MAX_LENGTH
    from vikno.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as empty:
        services.note_add(actor=operator, appeal=appeal, text="   ")
    with pytest.raises(ApplicationError) as long:
        services.note_add(actor=operator, appeal=appeal, text="я" * (NOTE_MAX_LENGTH + 1))
    assert (empty.value.code, long.value.code) == ("missing_field", "invalid_value")
    assert not AuditEvent.objects.filter(action=AuditAction.INTERNAL_NOTE_ADD).exists()
