"""Texts are stored as a kind and parameters and rendered for the reader, not frozen in the
language of the staff member who acted."""

from __future__ import annotations

import pytest
from django.utils import translation

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.messages import KINDS, render
from vikno.appeals.models import Appeal, Notice, Notification, Transition
from vikno.appeals.tests.factories import applicant_data, decider, footprint, letter, register
from vikno.audit.models import AuditEvent

COUNCIL = "Берегівська міська рада"  # book.council's name, shown as stored (nominative)

# kind → parameters, a fragment of the English text, a fragment of the Ukrainian text.
KIND_TABLE = {
    "legacy": ({"legacy": "Old text as typed"}, "Old text as typed", "Old text as typed"),
    "history.note": ({"note": "Заявник не відповідає"}, "Заявник не відповідає",
                     "Заявник не відповідає"),
    "history.executors": ({"authorities": ["ZAK-TG-BEREHOVE"]}, f"Executor: {COUNCIL}",
                          f"Виконавець: {COUNCIL}"),
    "history.authority_note": ({"authority": "ZAK-TG-BEREHOVE", "note": "Не наше."},
                               f"Executor: {COUNCIL}. Не наше.", f"Виконавець: {COUNCIL}. Не наше."),
    "history.forwarded": ({"body": "Держпраці", "note": ""}, "Forwarded to: Держпраці.",
                          "Переслано за належністю: Держпраці."),
    "history.not_considered": ({"reason": "anonymous", "note": ""},
                               "Reason: Anonymous: authorship not established.", "Причина: "),
    "history.extension_requested": (
        {"authority": "ZAK-TG-BEREHOVE", "number": "ЗК-1", "date": "2026-04-24", "note": "Труби"},
        f"{COUNCIL} asks to extend ЗК-1 to 24.04.2026. Труби", f"Виконавець: {COUNCIL}"),
    "history.term_changed": ({"old_date": "2026-03-25", "date": "2026-04-24", "note": "Обстеження"},
                             "Control date: 25.03.2026 → 24.04.2026. Обстеження",
                             "Контрольний термін: 25.03.2026 → 24.04.2026. Обстеження"),
    "history.confirmed": ({"r": 5}, "Confirmed, rating 5", "Підтверджено, оцінка 5"),
    "history.not_confirmed": ({"r": None}, "Not confirmed by the applicant",
                              "Не підтверджено заявником"),
    "history.poor_rating": ({"r": 1, "repeat": "ЗК-2026-000009"},
                            "Poor rating: 1\n\nRepeated appeal: ЗК-2026-000009.", "Низька оцінка: 1"),
    "notice.forwarded": ({"number": "ЗК-1", "body": "Держпраці"},
                         "has been forwarded to Держпраці",
                         "переслано за належністю. Орган, до якого переслано: Держпраці"),
    "notice.not_considered": ({"number": "ЗК-1", "reason": "repeated"},
                              "is not subject to consideration: Repeated", "не підлягає розгляду"),
    "notice.returned": ({"number": "ЗК-1", "note": "Немає адреси"}, "is returned: Немає адреси",
                        "повернуто: Немає адреси"),
    "notice.extended": ({"number": "ЗК-1", "date": "2026-04-24", "reason_text": "Обстеження",
                         "decider_name": "Петренко П.П.", "decider_position": "голова",
                         "decider_body": "Берегівська РДА", "document": "12-р",
                         "document_date": "2026-03-20"},
                        "is extended to 24.04.2026: Обстеження\n\nDecided by: Петренко П.П., голова, "
                        "Берегівська РДА (No. 12-р of 20.03.2026).",
                        "продовжено до 24.04.2026: Обстеження"),
    "notice.answered": ({"number": "ЗК-1", "answers": [{
        "authority": "ZAK-TG-BEREHOVE", "result": "refused", "text": "Ремонт не передбачено.",
        "refusal_reasons": "Немає коштів", "legal_basis": "ст.15", "appeal_procedure": "До ОДА",
        "outgoing_number": "01-12/345", "outgoing_date": "2026-04-02",
        "signatory_name": "Петренко П.П.", "signatory_position": "голова"}]},
        f"Your appeal ЗК-1 has been considered.\n\nExecutor: {COUNCIL}. Result: Refused.\n"
        "Ремонт не передбачено.\nReasons for the refusal: Немає коштів\nLegal basis: ст.15\n"
        "How to appeal: До ОДА\nLetter No. 01-12/345 of 02.04.2026.\nSigned by: Петренко П.П., голова.",
        f"Виконавець: {COUNCIL}"),
    "history.extended": ({"old_date": "2026-03-25", "date": "2026-04-24", "note": "Обстеження",
                          "decider_position": "голова", "decider_body": "Берегівська РДА",
                          "document": "12-р"},
                         "Control date: 25.03.2026 → 24.04.2026 (голова, Берегівська РДА, No. 12-р). "
                         "Обстеження", "Контрольний термін: 25.03.2026 → 24.04.2026 (голова"),
    "history.repeated": ({"repeat": "ЗК-2026-000009"}, "Repeated appeal ЗК-2026-000009 registered",
                         "Зареєстровано повторне звернення ЗК-2026-000009"),
    "notification.extension": ({"number": "ЗК-1", "authority": "ZAK-TG-BEREHOVE",
                                "date": "2026-04-24"},
                               f"{COUNCIL} asks to extend ЗК-1 to 24.04.2026.", f"Виконавець: {COUNCIL}."),
    "notification.returned": ({"number": "ЗК-1", "authority": "ZAK-TG-BEREHOVE"},
                              f"{COUNCIL} returned ЗК-1 as not in its competence", COUNCIL),
    "notification.reminder": ({"number": "ЗК-1", "date": "2026-03-25"},
                              "The control date of ЗК-1 is 25.03.2026.",
                              "Контрольний термін звернення ЗК-1 — 25.03.2026."),
    "notification.overdue": ({"number": "ЗК-1", "authority": "ZAK-TG-BEREHOVE",
                              "date": "2026-03-25"}, f"ЗК-1 is overdue at {COUNCIL}",
                             f"прострочене (контрольний термін 25.03.2026). Виконавець: {COUNCIL}."),
    "notification.unrouted": ({"number": "ЗК-1", "date": "2026-03-16"},
                              "it had to be routed or forwarded by 16.03.2026",
                              "ЗК-1 не має виконавця"),
    "notification.routed_late": ({"number": "ЗК-1", "start_date": "2026-03-10",
                                  "date": "2026-03-16", "done_date": "2026-03-20"},
                                 "the term began 10.03.2026, ended 16.03.2026",
                                 "строк почався 10.03.2026, закінчився 16.03.2026"),
    "history.answer_on_behalf": (
        {"authority": "ZAK-TG-BEREHOVE", "outgoing_number": "02-14/381",
         "outgoing_date": "2026-03-12", "received_on": "2026-03-16", "received_via": "email",
         "accepted": True},
        f"The answer of the executor “{COUNCIL}” was recorded by the centre from the letter No. "
        "02-14/381 of 12.03.2026, received 16.03.2026 by e-mail.\n\nThe centre took the "
        "assignment into work on the executor's behalf.",
        f"Відповідь виконавця «{COUNCIL}» внесено центром з листа № 02-14/381 від 12.03.2026, що "
        "надійшов 16.03.2026 електронною поштою."),
    "history.return_on_behalf": (
        {"authority": "ZAK-TG-BEREHOVE", "outgoing_number": "", "outgoing_date": None,
         "received_on": "2026-03-16", "received_via": "letter", "accepted": False},
        f"The return of the executor “{COUNCIL}” (not in its competence) was recorded by the centre "
        "from the letter received 16.03.2026 by post.",
        f"Повернення виконавця «{COUNCIL}» (питання не належить до його повноважень) внесено "
        "центром з листа, що надійшов 16.03.2026 поштою."),
}


def test_every_kind_of_the_registry_has_a_row_in_the_table():
    assert set(KIND_TABLE) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KIND_TABLE))
def test_every_kind_renders_in_ukrainian_and_english_with_its_parameters(book, kind):
    # given the kind's parameters as stored (JSON: ISO dates, authority codes, reason codes)
    params, english, ukrainian = KIND_TABLE[kind]

    # when rendered for an English and for a Ukrainian reader
    with translation.override("en"):
        in_english = render(kind, params)
    with translation.override("uk"):
        in_ukrainian = render(kind, params)

    # then each reads in its language, every placeholder filled
    assert english in in_english
    assert ukrainian in in_ukrainian
    assert "%(" not in in_english + in_ukrainian
    if KINDS[kind].template is not None:
        assert in_english != in_ukrainian


def test_a_notice_made_by_an_english_speaking_actor_reads_in_ukrainian(book, operator, supervisor):
    # given an appeal of an applicant who reads Ukrainian (the default)
    appeal = register(actor=operator, routing=None)

    # when a supervisor working in English forwards it
    with translation.override("en"):
        services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Держпраці")

    # then the notice owed to the applicant reads in Ukrainian, whoever reads it now
    notice = Notice.objects.get(appeal=appeal)
    with translation.override("en"):
        text = notice.text
    assert text.startswith(f"Ваше звернення {appeal.number} не належить до нашої компетенції")
    assert "Держпраці" in text


def test_a_notice_reads_in_the_applicants_own_language(book, operator, supervisor):
    # given an applicant who asked for notices in English
    appeal = register(actor=operator, routing=None)
    appeal.applicant.language = "en"
    appeal.applicant.save()

    # when a supervisor working in Ukrainian forwards the appeal
    with translation.override("uk"):
        services.appeal_forward(actor=supervisor, appeal=appeal, to_body="State Labour Service")
        text = Notice.objects.get(appeal=appeal).text

    # then
    assert text == (f"Your appeal {appeal.number} is outside our competence and has been "
                    "forwarded to State Labour Service.")


def test_the_language_given_at_registration_is_the_language_of_the_notices(book, operator,
                                                                          supervisor):
    # given an applicant registered with notices in English
    appeal = register(actor=operator, routing=None, applicant=applicant_data(language="en"))

    # when a supervisor working in Ukrainian forwards the appeal
    with translation.override("uk"):
        services.appeal_forward(actor=supervisor, appeal=appeal, to_body="State Labour Service")
        text = Notice.objects.get(appeal=appeal).text

    # then
    assert appeal.applicant.language == "en"
    assert text.startswith(f"Your appeal {appeal.number} is outside our competence")


def test_ukrainian_is_the_language_of_notices_unless_asked(book, operator):
    # when
    appeal = register(actor=operator, routing=None)

    # then
    assert appeal.applicant.language == "uk"


def test_the_applicant_update_changes_the_language_of_notices(book, operator, supervisor):
    # given a known applicant with Ukrainian notices
    applicant = register(actor=operator).applicant

    # when the applicant asks for English
    services.applicant_update(actor=operator, applicant=applicant,
                              data=applicant_data(language="en"))

    # then the change is stored and the trail names the field, not the value
    applicant.refresh_from_db()
    assert applicant.language == "en"
    event = AuditEvent.objects.filter(action="applicant.update").latest("pk")
    assert event.after == {"changed_fields": ["language"]}


def test_an_unknown_language_of_notices_is_refused_and_changes_nothing(book, operator):
    # given
    applicant = register(actor=operator).applicant
    before = footprint()

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        services.applicant_update(actor=operator, applicant=applicant,
                                  data=applicant_data(language="de"))

    # then
    assert (caught.value.code, caught.value.field) == ("invalid_value", "applicant.language")
    assert caught.value.message == "Оберіть мову повідомлень зі списку."
    applicant.refresh_from_db()
    assert applicant.language == "uk"
    assert footprint() == before


def test_history_and_notifications_read_in_the_viewers_language(book, operator, executor):
    # given an executor working in English returns an appeal as not in its competence
    appeal = register(actor=operator)
    assignment = appeal.questions.get().assignments.get()
    with translation.override("en"):
        services.reply_submit(actor=executor, assignment=assignment, result="not_in_competence",
                              text="Не наша компетенція.")

    # when a Ukrainian-speaking supervisor reads the history and the notification
    with translation.override("uk"):
        said = Transition.objects.get(appeal=appeal, message="history.authority_note").note
        moved = Transition.objects.get(appeal=appeal, to_status="registered",
                                       action="returned_not_in_competence").note
        told = Notification.objects.get(appeal=appeal).text

    # then all are in Ukrainian, the authority's name as stored and the typed text as typed
    assert said == f"Виконавець: {COUNCIL}. Не наша компетенція."
    assert moved == f"Виконавець: {COUNCIL}"
    with translation.override("uk"):
        expected = translation.gettext("%(authority)s returned %(number)s as not in its "
                                       "competence: re-route it within 5 days.")
    assert told == expected % {"authority": COUNCIL, "number": appeal.number}
    assert "returned" not in told


def test_the_stored_parameters_are_json_without_rendered_text(book, operator, supervisor):
    # given
    appeal = register(actor=operator)

    # when the term is extended
    services.appeal_extend(actor=supervisor, appeal=appeal, new_due=appeal.max_due_date,
                           reason="Потрібне обстеження", decider=decider())

    # then dates are ISO strings and the reason is kept as typed; nothing is pre-rendered
    transition = Transition.objects.get(appeal=appeal, action="extended")
    assert transition.message == "history.extended"
    assert transition.params == {"old_date": appeal.due_date.isoformat(),
                                 "date": appeal.max_due_date.isoformat(),
                                 "note": "Потрібне обстеження",
                                 "decider_position": "Міська голова",
                                 "decider_body": "Берегівська міська рада", "document": "15-р"}


def test_an_old_row_keeps_its_text(book, operator):
    # given a history line written before texts were kinds (the data migration's form)
    appeal = register(actor=operator)
    row = Transition.objects.create(appeal=appeal, action="assign", message="legacy",
                                    params={"legacy": "Old English note"})

    # when read in Ukrainian
    with translation.override("uk"):
        note = row.note

    # then it is shown as it was written
    assert note == "Old English note"


def test_a_typed_close_reason_is_kept_as_typed_and_stays_out_of_the_audit_trail(
        book, operator, executor, supervisor):
    from vikno.audit.models import AuditEvent

    # given an answered appeal
    appeal = register(actor=operator, applicant=applicant_data(last_name="Коваль"))
    services.reply_submit(**letter(), actor=executor,
                          assignment=appeal.questions.get().assignments.get(),
                          result="done", text="Воду подано.")

    # when a supervisor closes it with a reason naming a person
    services.appeal_close(actor=supervisor, appeal=Appeal.objects.get(pk=appeal.pk),
                          note="Коваль не відповідає на дзвінки")

    # then the card's history keeps the reason; the audit trail only the kind of note
    assert appeal.transitions.get(action="close").note == "Коваль не відповідає на дзвінки"
    event = AuditEvent.objects.filter(action="appeal.close").get()
    assert "Коваль" not in str(event.after)
    assert event.after["note"] == "history.note"


def test_a_row_missing_a_parameter_of_its_kind_still_renders(book):
    # given a reminder written before its kind gained the date parameter
    params = {"number": "ЗК-1"}

    # when
    with translation.override("uk"):
        text = render("notification.reminder", params)

    # then the page does not break: the missing value shows as a dash
    assert text == "Контрольний термін звернення ЗК-1 — —."
