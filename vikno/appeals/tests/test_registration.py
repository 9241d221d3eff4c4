"""appeal_register: the one path every channel ends in."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import (
    Appeal,
    Applicant,
    AssignmentRole,
    Channel,
    RegistrationCounter,
    Sign,
    Subject,
)
from vikno.appeals.models.appeals import AppealType
from vikno.appeals.services import AppealIntake, QuestionData, Routing
from vikno.appeals.tests.factories import (
    OTHER_SETTLEMENT,
    SETTLEMENT,
    SubTopicFactory,
    applicant_data,
    footprint,
    register,
)
from vikno.audit.models import AuditEvent
from vikno.core import clock

KYIV = ZoneInfo("Europe/Kyiv")


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=KYIV)


def _assignments(appeal: Appeal) -> list[tuple[str, str, str]]:
    return sorted(
        (a.authority.code, a.role, a.status)
        for question in appeal.questions.all() for a in question.assignments.all()
    )


# --- numbers -------------------------------------------------------------------------------------

def test_numbers_run_per_year_in_the_zk_format(book, operator):
    # given two appeals received today
    year = clock.today().year

    # when
    first = register(actor=operator)
    second = register(actor=operator)

    # then
    assert first.number == f"ЗК-{year}-000001"
    assert second.number == f"ЗК-{year}-000002"
    assert (second.year, second.seq) == (year, 2)
    assert RegistrationCounter.objects.get(year=year).last == 2


def test_a_repeated_submission_returns_the_first_appeal_and_writes_nothing(book, operator):
    # given a form registered once with its one-time key
    key = uuid.uuid4()
    first = register(actor=operator, idempotency_key=key)
    before = footprint()
    events = AuditEvent.objects.count()

    # when it is submitted again (a double click, a resent form, a retried call)
    again = register(actor=operator, idempotency_key=key)

    # then the first appeal, and nothing written: no applicant, number or event
    assert again.pk == first.pk
    assert footprint() == before
    assert AuditEvent.objects.count() == events
    assert RegistrationCounter.objects.get(year=first.year).last == 1


def test_a_repeat_refused_by_a_check_the_first_passed_returns_the_first_appeal(book, operator):
    # given a form registered once, whose topic has since left the classifier
    key = uuid.uuid4()
    first = register(actor=operator, idempotency_key=key)

    # when it is submitted again and the check now refuses it
    again = register(actor=operator, idempotency_key=key, subtopic="999-GONE")

    # then the first appeal, as for any repeat; without a key the refusal stands
    assert again.pk == first.pk
    with pytest.raises(AppealsError):
        register(actor=operator, subtopic="999-GONE")


def test_the_sequence_restarts_in_a_new_year_of_receipt(book, operator):
    # given two appeals received late in 2024 (a letter registered now)
    register(actor=operator, received_at=_at(2024, 12, 30))
    register(actor=operator, received_at=_at(2024, 12, 31, 23))

    # when appeals received in the first minutes of 2025 (Kyiv time; still 2024 in UTC) arrive
    new_year = register(actor=operator, received_at=dt.datetime(2025, 1, 1, 0, 30, tzinfo=KYIV))
    again_2024 = register(actor=operator, received_at=_at(2024, 12, 29))

    # then each year of receipt has its own sequence
    assert new_year.number == "ЗК-2025-000001"
    assert again_2024.number == "ЗК-2024-000003"
    assert dict(RegistrationCounter.objects.values_list("year", "last")) == {2024: 3, 2025: 1}


# --- who -----------------------------------------------------------------------------------------

def test_register_with_an_applicant_keeps_the_card(book, operator):
    # when
    appeal = register(actor=operator, applicant=applicant_data(social_status_code="8.1"))

    # then
    applicant = appeal.applicant
    assert appeal.subject == Subject.INDIVIDUAL
    assert appeal.sign == Sign.FIRST
    assert appeal.appeal_type == "6.3"  # oral: a hotline call
    assert appeal.registered_by == operator
    assert (applicant.last_name, applicant.first_name, applicant.patronymic) == (
        "Шевченко", "Тарас", "Григорович")
    assert applicant.phone_digits == "380501234567"
    assert applicant.social_status == book.pensioner
    # the problem's territory defaults to the applicant's settlement
    assert appeal.territory_id == SETTLEMENT
    assert not appeal.priority


def test_an_anonymous_appeal_has_no_applicant(book, operator):
    # when
    appeal = register(actor=operator, subject=Subject.ANONYMOUS, channel=Channel.WEB)

    # then
    assert appeal.subject == "5.3"
    assert appeal.applicant is None
    assert Applicant.objects.count() == 0


def test_without_applicant_data_the_appeal_is_anonymous(book, operator):
    # when
    appeal = services.appeal_register(actor=operator, intake=AppealIntake(
        channel=Channel.POST, text="Прошу відремонтувати дорогу.",
        questions=[QuestionData(subtopic_code="009-RD")]))

    # then
    assert appeal.subject == Subject.ANONYMOUS
    assert appeal.applicant_id is None


def test_a_collective_appeal_keeps_its_cosigners(book, operator):
    # when
    appeal = register(actor=operator, cosigners=[
        applicant_data(last_name="Коваль", first_name="Ірина", phone="0661112233"),
        applicant_data(last_name="Петренко", first_name="Андрій", phone="0971112233"),
    ])

    # then
    assert appeal.subject == Subject.COLLECTIVE
    assert sorted(appeal.cosigners.values_list("last_name", flat=True)) == ["Коваль", "Петренко"]
    assert Applicant.objects.count() == 3


def test_a_known_applicant_is_reused(book, operator):
    # given
    first = register(actor=operator)

    # when
    second = register(actor=operator, applicant_id=first.applicant_id,
                      previous_appeal_number=first.number)

    # then
    assert second.applicant_id == first.applicant_id
    assert Applicant.objects.count() == 1
    assert second.sign == Sign.REPEATED
    assert second.previous_appeal == first


def test_a_privileged_category_puts_the_appeal_first(book, operator):
    # when
    privileged = register(actor=operator, applicant=applicant_data(category_code="7.1"))
    plain = register(actor=operator, applicant=applicant_data(last_name="Бондар"))

    # then
    assert privileged.priority is True
    assert privileged.applicant.category == book.veteran
    assert plain.priority is False


# --- deadlines -----------------------------------------------------------------------------------

def test_no_study_needed_gives_15_days_and_the_45_day_cap(book, operator):
    # when
    appeal = register(actor=operator, received_at=_at(2026, 3, 10))

    # then
    assert appeal.needs_study is False
    assert appeal.due_date == dt.date(2026, 3, 25)
    assert appeal.max_due_date == dt.date(2026, 4, 24)
    assert {q.due_date for q in appeal.questions.all()} == {dt.date(2026, 3, 25)}


def test_a_subtopic_needing_study_gives_one_calendar_month(book, operator):
    # when: received on 31 January, one month later is the end of February
    appeal = register(actor=operator, subtopic=book.road_repair, received_at=_at(2026, 1, 31))

    # then
    assert appeal.needs_study is True
    assert appeal.due_date == dt.date(2026, 2, 28)
    assert appeal.max_due_date == dt.date(2026, 3, 17)


def test_the_operator_may_mark_study_needed_explicitly(book, operator):
    # when
    appeal = register(actor=operator, needs_study=True, received_at=_at(2026, 4, 15))

    # then
    assert appeal.due_date == dt.date(2026, 5, 15)
    assert appeal.questions.get().assignments.get().due_date == dt.date(2026, 5, 15)


def test_receipt_date_is_the_kyiv_calendar_date(book, operator):
    # given 23:30 UTC on 9 March is already 10 March in Kyiv
    received = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)

    # when
    appeal = register(actor=operator, received_at=received)

    # then
    assert appeal.due_date == dt.date(2026, 3, 25)


def test_a_naive_receipt_time_is_read_in_kyiv_time(book, operator):
    # when
    appeal = register(actor=operator, received_at=dt.datetime(2026, 3, 10, 0, 15))

    # then
    assert appeal.received_at == dt.datetime(2026, 3, 10, 0, 15, tzinfo=KYIV)
    assert appeal.due_date == dt.date(2026, 3, 25)


# --- routing at registration --------------------------------------------------------------------

def test_registration_routes_to_the_suggested_authority(book, operator):
    # when
    appeal = register(actor=operator)

    # then one main assignment to the hromada council the routing rule names, and the returned
    # appeal is the stored one
    assert appeal.status == AppealStatus.ASSIGNED
    assert _assignments(appeal) == [("ZAK-TG-BEREHOVE", AssignmentRole.MAIN, "assigned")]
    assert appeal.questions.get().assignments.get().due_date == appeal.due_date
    assert list(appeal.transitions.values_list("action", "from_status", "to_status")) == [
        ("assign", "registered", "assigned")]


def test_registration_with_co_executors(book, operator):
    # when
    appeal = register(actor=operator, routing=Routing(co_authority_codes=("ZAK-WATER",),
                                                      instructions="Спільно"))

    # then
    assert _assignments(appeal) == [
        ("ZAK-TG-BEREHOVE", AssignmentRole.MAIN, "assigned"),
        ("ZAK-WATER", AssignmentRole.CO, "assigned"),
    ]


def test_the_operator_may_name_the_main_executor(book, operator):
    # when
    appeal = register(actor=operator, routing=Routing(main_authority_code="ZAK-ODA"))

    # then
    assert _assignments(appeal) == [("ZAK-ODA", AssignmentRole.MAIN, "assigned")]


def test_without_routing_the_appeal_stays_registered(book, operator):
    # when
    appeal = register(actor=operator, routing=None)

    # then
    assert appeal.status == AppealStatus.REGISTERED
    assert _assignments(appeal) == []


def test_each_question_gets_its_own_main_executor(book, operator):
    # when
    appeal = register(actor=operator, questions=[QuestionData("009-HW", "Гаряча вода"),
                                                 QuestionData("009-RD", "Дорога")])

    # then the study-needing question sets the whole appeal's term
    assert appeal.questions.count() == 2
    assert appeal.needs_study is True
    assert _assignments(appeal) == [("ZAK-TG-BEREHOVE", "main", "assigned")] * 2


# --- refusals: the right code and nothing written ------------------------------------------------

REFUSALS = {
    "missing text": ({"text": "  \n\x00 "}, "missing_field", "text"),
    "no questions": ({"questions": []}, "missing_field", "questions"),
    "unknown sub-topic": ({"questions": [QuestionData("999-XX")]}, "unknown_topic",
                          "questions.0.subtopic_code"),
    "inactive sub-topic": ({"questions": [QuestionData("OLD-01")]}, "unknown_topic",
                           "questions.0.subtopic_code"),
    "missing surname": ({"applicant": applicant_data(last_name=" ")}, "missing_field",
                        "applicant.last_name"),
    "organisation without a name": ({"applicant": applicant_data(kind="organisation")},
                                    "missing_field", "applicant.organisation_name"),
    "electronic without contact": ({"channel": Channel.WEB,
                                    "applicant": applicant_data(phone="", email="")},
                                   "missing_field", "applicant.email"),
    "named subject without applicant": ({"subject": Subject.INDIVIDUAL, "applicant": None},
                                        "missing_field", "applicant"),
    "unknown territory": ({"territory_code": "UA99999999999999999"}, "unknown_territory",
                          "territory_code"),
    "unknown applicant territory": ({"applicant": applicant_data(territory_code="UA0000")},
                                    "unknown_territory", "applicant.territory_code"),
    "unknown category": ({"applicant": applicant_data(category_code="7.99")}, "invalid_value",
                         "applicant.category_code"),
    "invalid e-mail": ({"applicant": applicant_data(email="not-an-email")}, "invalid_value",
                       "applicant.email"),
    "unknown main authority": ({"routing": Routing(main_authority_code="NO-SUCH")},
                               "unknown_authority", "main_authority_code"),
    "unknown co-executor": ({"routing": Routing(co_authority_codes=("NO-SUCH",))},
                            "unknown_authority", "co_authority_codes"),
    "cosigner without a name": ({"cosigners": [applicant_data(first_name="")]}, "missing_field",
                                "cosigners.0.last_name"),
    "cosigner in an unknown place": ({"cosigners": [applicant_data(territory_code="UA0000")]},
                                     "unknown_territory", "cosigners.0.territory_code"),
    "unknown channel": ({"channel": "pigeon"}, "invalid_value", "channel"),
    "unknown kind": ({"kind": "3.9"}, "invalid_value", "kind"),
    "received in the future": ({"received_at": clock.now() + dt.timedelta(days=2)},
                               "invalid_value", "received_at"),
    "received on 0001-01-01": ({"received_at": dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC)},
                               "invalid_value", "received_at"),
    "received in the year 1000": ({"received_at": dt.datetime(1000, 5, 1, 12, tzinfo=dt.UTC)},
                                  "invalid_value", "received_at"),
    "received in 1990": ({"received_at": dt.datetime(1990, 5, 1, 12, tzinfo=dt.UTC)},
                         "invalid_value", "received_at"),
    "forwarding letter of year 1": ({"origin_date": dt.date(1, 1, 1)}, "invalid_value",
                                    "origin_date"),
    "forwarding letter after receipt": ({"origin_date": dt.date(9999, 12, 31)}, "invalid_value",
                                        "origin_date"),
    "contested decision of year 9999": ({"kind": "3.3", "contested_decision_on": dt.date(9999, 1, 1)},
                                        "invalid_value", "contested_decision_on"),
    "contested decision of year 1": ({"kind": "3.3", "contested_decision_on": dt.date(1, 1, 1)},
                                     "invalid_value", "contested_decision_on"),
    "learned in the year 9999": ({"kind": "3.3", "decision_learned_on": dt.date(9999, 1, 1)},
                                 "invalid_value", "decision_learned_on"),
    "unknown earlier appeal": ({"previous_appeal_number": "ЗК-1999-000001"}, "invalid_value",
                               "previous_appeal_number"),
    "text too long": ({"text": "а" * 20_001}, "invalid_value", "text"),
    "location too long": ({"location": "в" * 301}, "invalid_value", "location"),
}


@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_bad_input_is_refused_and_writes_nothing(book, operator, case):
    # given an earlier registration, so the year's counter and the audit trail exist
    SubTopicFactory(topic=book.topic, code="OLD-01", is_active=False)
    register(actor=operator)
    before = footprint()
    kwargs, code, field = REFUSALS[case]

    # when
    with pytest.raises(AppealsError) as caught:
        register(actor=operator, **kwargs)

    # then
    assert caught.value.code == code
    assert caught.value.field == field
    assert footprint() == before


def test_a_duplicate_legacy_id_is_a_conflict_and_writes_nothing(book, operator):
    # given
    register(actor=operator, legacy_id="1551-77")
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        register(actor=operator, legacy_id="1551-77", applicant=applicant_data(last_name="Інший"))

    # then
    assert (caught.value.code, caught.value.http_status) == ("conflict", 409)
    assert footprint() == before


# --- what the citizen wrote ----------------------------------------------------------------------

def test_control_characters_are_dropped_and_line_breaks_kept(book, operator):
    # given text as it really comes: NUL bytes, escape sequences, DEL, C1 controls, CR LF
    raw = "Немає\x00 води\r\nу будинку\x07\x1b № 5\x7f\u0085.\rДякую!\tДата: 01.03"

    # when
    appeal = register(actor=operator, text=raw, summary="Вода\x00\nвідсутня",
                      applicant=applicant_data(last_name="Шев\x00ченко\n", address="вул.\x00 Миру"))

    # then
    appeal.refresh_from_db()
    assert appeal.text == "Немає води\nу будинку № 5.\nДякую!\tДата: 01.03"
    assert appeal.summary == "Вода відсутня"
    assert appeal.applicant.last_name == "Шевченко"
    assert appeal.applicant.address == "вул. Миру"


def test_clean_text_keeps_every_letter_and_apostrophe():
    # given
    text = "Прошу з’ясувати: м'ясо, об`єкт, пʼять — «лапки» € 100 %, ünïcödé 漢字 🙂"

    # when / then
    assert services.clean_text(text) == text


def test_electronic_appeal_with_a_phone_only_is_accepted(book, operator):
    # when
    appeal = register(actor=operator, channel=Channel.EMAIL,
                      applicant=applicant_data(email="", phone="0501234567"))

    # then a letter on axis 6 (ADR 9), electronic by its channel
    assert (appeal.appeal_type, appeal.channel) == ("6.2", "email")


@pytest.mark.parametrize(("channel", "appeal_type"), [
    (Channel.WEB, "6.2"), (Channel.EMAIL, "6.2"), (Channel.API, "6.2"), (Channel.OPEN311, "6.2"),
    (Channel.POST, "6.2"), (Channel.HOTLINE, "6.3"), (Channel.PERSONAL, "6.3"),
])
def test_an_electronic_appeal_is_a_letter_kept_electronic_by_its_channel(book, operator, channel,
                                                                         appeal_type):
    # when
    appeal = register(actor=operator, channel=channel)

    # then the Classifier's axis 6 has 6.1-6.3 only (ADR 9); the channel says how it came
    assert (appeal.appeal_type, appeal.channel) == (appeal_type, channel)
    assert "6.4" not in AppealType.values


def test_registration_is_audited(book, operator):
    # when
    appeal = register(actor=operator, cosigners=[applicant_data(last_name="Коваль")])

    # then
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["applicant.create", "applicant.create", "appeal.register",
                       "assignment.create", "appeal.assign"]
    register_event = AuditEvent.objects.get(action="appeal.register")
    assert register_event.object_id == str(appeal.pk)
    assert register_event.after["number"] == appeal.number
    assert register_event.after["questions"] == ["009-HW"]
    assert register_event.actor_username == operator.username


def test_the_other_settlement_can_be_named_for_the_problem(book, operator):
    # when the problem is elsewhere than the applicant lives
    appeal = register(actor=operator, territory_code=OTHER_SETTLEMENT)

    # then
    assert appeal.territory_id == OTHER_SETTLEMENT
    assert appeal.applicant.territory_id == SETTLEMENT


def test_the_sign_of_receipt_follows_the_applicants_earlier_appeals(book, operator):
    # given an applicant's first appeal on hot water
    from vikno.appeals.models import Sign
    from vikno.appeals.tests.factories import register

    first = register(actor=operator)
    assert first.sign == Sign.FIRST

    # when a second and then a third appeal name the one before as the earlier appeal
    second = register(actor=operator, applicant_id=first.applicant_id,
                      previous_appeal_number=first.number)
    third = register(actor=operator, applicant_id=first.applicant_id,
                     previous_appeal_number=second.number)

    # then they are repeated (2.2) and many-times (2.4); an explicit sign (mass, 2.5) is kept
    assert (second.sign, third.sign) == (Sign.REPEATED, Sign.MANY_TIMES)
    mass = register(actor=operator, sign=Sign.MASS)
    assert mass.sign == Sign.MASS


def test_an_unknown_sign_is_refused_and_nothing_is_written(book, operator):
    from vikno.appeals.tests.factories import footprint, register

    before = footprint()
    with pytest.raises(AppealsError) as caught:
        register(actor=operator, sign="9.9")
    assert caught.value.code == "invalid_value" and caught.value.field == "sign"
    assert footprint() == before
