"""The intake on its own: `intake_check` and the ст.8 anonymity rule, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from vikno.appeals.errors import AppealsError
from vikno.appeals.intake import (
    AppealIntake,
    ApplicantData,
    QuestionData,
    complaint_term_problem,
    intake_check,
    is_anonymous_written,
)
from vikno.appeals.models import Channel, Kind, Subject

PERSON = ApplicantData(last_name="Шевченко", first_name="Тарас", address="вул. Мукачівська, 7",
                       phone="0501234567")
GOOD = AppealIntake(channel=Channel.HOTLINE, text="Немає гарячої води.",
                    questions=(QuestionData("009-HW"),), applicant=PERSON)
COMPLAINT = replace(GOOD, kind=Kind.COMPLAINT)

BAD_INTAKES = {
    "unknown channel": (replace(GOOD, channel="pigeon"), "invalid_value", "channel"),
    "unknown kind": (replace(GOOD, kind="3.9"), "invalid_value", "kind"),
    "unknown subject": (replace(GOOD, subject="5.9"), "invalid_value", "subject"),
    "unknown sign": (replace(GOOD, sign="2.9"), "invalid_value", "sign"),
    "only control characters": (replace(GOOD, text=" \x00\n"), "missing_field", "text"),
    "text too long": (replace(GOOD, text="а" * 20_001), "invalid_value", "text"),
    "no question": (replace(GOOD, questions=()), "missing_field", "questions"),
    "named subject, nobody named": (replace(GOOD, applicant=None, subject=Subject.INDIVIDUAL),
                                    "missing_field", "applicant"),
    "applicant without a name": (replace(GOOD, applicant=replace(PERSON, first_name=" ")),
                                 "missing_field", "applicant.last_name"),
    "organisation without a name": (replace(GOOD, applicant=replace(PERSON, kind="organisation")),
                                    "missing_field", "applicant.organisation_name"),
    "unknown applicant kind": (replace(GOOD, applicant=replace(PERSON, kind="robot")),
                               "invalid_value", "applicant.kind"),
    "unknown language of notices": (replace(GOOD, applicant=replace(PERSON, language="de")),
                                    "invalid_value", "applicant.language"),
    "electronic without contact": (replace(GOOD, channel=Channel.WEB,
                                           applicant=replace(PERSON, phone="")),
                                   "missing_field", "applicant.email"),
    "co-signer without a name": (replace(GOOD, cosigners=(ApplicantData(last_name="Коваль"),)),
                                 "missing_field", "cosigners.0.last_name"),
    "repeated, but anonymous": (replace(GOOD, applicant=None, previous_appeal_number="ЗК-1"),
                                "invalid_value", "previous_appeal_number"),
    "contested body of an application": (replace(GOOD, contested_authority_code="ZAK-ODA"),
                                         "invalid_value", "contested_authority_code"),
    "late application": (replace(GOOD, late_complaint=True,
                                 contested_decision_on=dt.date(2020, 1, 1)),
                         "invalid_value", "late_complaint"),
    "late proposal": (replace(GOOD, kind=Kind.PROPOSAL, late_complaint=True,
                              contested_decision_on=dt.date(2020, 1, 1)),
                      "invalid_value", "late_complaint"),
    "late complaint without the decision's date": (replace(COMPLAINT, late_complaint=True),
                                                   "missing_field", "contested_decision_on"),
    "restored term without the decision's date": (replace(COMPLAINT, term_restored=True),
                                                  "missing_field", "contested_decision_on"),
    "late and restored at once": (replace(COMPLAINT, late_complaint=True, term_restored=True,
                                          contested_decision_on=dt.date(2020, 1, 1)),
                                  "invalid_value", "late_complaint"),
    "learning of a decision, not a complaint": (
        replace(GOOD, decision_learned_on=dt.date(2026, 3, 1)), "invalid_value",
        "decision_learned_on"),
    "learned before the decision": (
        replace(COMPLAINT, contested_decision_on=dt.date(2026, 3, 2),
                decision_learned_on=dt.date(2026, 3, 1)), "invalid_value", "decision_learned_on"),
    "learned after the receipt": (
        replace(COMPLAINT, decision_learned_on=dt.date(2026, 3, 2),
                received_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)),
        "invalid_value", "decision_learned_on"),
    "decision after the receipt": (
        replace(COMPLAINT, contested_decision_on=dt.date(2026, 3, 2),
                received_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)),
        "invalid_value", "contested_decision_on"),
    "missing content described at length": (replace(GOOD, missing_content="х" * 301),
                                            "invalid_value", "missing_content"),
    "late and lacking content": (replace(COMPLAINT, late_complaint=True, missing_content="адреса",
                                         contested_decision_on=dt.date(2020, 1, 1)),
                                 "invalid_value", "missing_content"),
    "public information marked repeated": (
        replace(GOOD, kind=Kind.PUBLIC_INFORMATION, previous_appeal_number="ЗК-1"),
        "invalid_value", "kind"),
    "public information lacking content": (
        replace(GOOD, kind=Kind.PUBLIC_INFORMATION, missing_content="підпис"),
        "invalid_value", "kind"),
}


@pytest.mark.parametrize("case", list(BAD_INTAKES), ids=list(BAD_INTAKES))
def test_a_bad_intake_is_refused_with_its_code_and_field(case):
    # given
    intake, code, field = BAD_INTAKES[case]

    # when
    with pytest.raises(AppealsError) as caught:
        intake_check(intake)

    # then
    assert (caught.value.code, caught.value.field) == (code, field)


GOOD_INTAKES = {
    "a call": GOOD,
    "an anonymous call": replace(GOOD, applicant=None),
    "a complaint with its contested body": replace(COMPLAINT, contested_authority_code="ZAK-ODA"),
    "a late complaint": replace(COMPLAINT, late_complaint=True,
                                contested_decision_on=dt.date(2024, 5, 1)),
    "a complaint whose term was restored": replace(COMPLAINT, term_restored=True,
                                                  contested_decision_on=dt.date(2024, 5, 1)),
    "a request for public information": replace(GOOD, kind=Kind.PUBLIC_INFORMATION),
    "a letter lacking content": replace(GOOD, channel=Channel.POST, missing_content="підпису"),
}


@pytest.mark.parametrize("case", list(GOOD_INTAKES), ids=list(GOOD_INTAKES))
def test_a_good_intake_passes(case):
    intake_check(GOOD_INTAKES[case])


LETTER = replace(GOOD, channel=Channel.POST)

ANONYMITY = [
    # (intake, known applicant's address or None, anonymous under ст.8)
    (LETTER, None, False),
    (replace(LETTER, signed=False), None, True),
    (replace(LETTER, applicant=replace(PERSON, address="")), None, True),
    (replace(LETTER, applicant=None), None, True),
    (replace(LETTER, applicant=None, applicant_id=7), "", True),
    (replace(LETTER, applicant=None, applicant_id=7), "м. Берегове", False),
    (replace(GOOD, channel=Channel.WEB), None, False),
    (replace(GOOD, channel=Channel.WEB, signed=False), None, False),
    (replace(GOOD, channel=Channel.EMAIL, applicant=None), None, True),
    (replace(GOOD, applicant=None), None, False),
    (replace(GOOD, channel=Channel.PERSONAL, applicant=replace(PERSON, address="")), None, False),
    (replace(LETTER, applicant=None, kind=Kind.PUBLIC_INFORMATION), None, False),
]


@pytest.mark.parametrize(("intake", "address", "anonymous"), ANONYMITY)
def test_only_a_written_appeal_without_residence_signature_or_author_is_anonymous(
        intake, address, anonymous):
    assert is_anonymous_written(intake, address=address) is anonymous


def test_the_intake_is_frozen():
    with pytest.raises(AttributeError):
        GOOD.text = "інше"  # type: ignore[misc]


COMPLAINT_TERMS = [
    # (decision, received, late mark, restored, refused)
    (dt.date(2025, 3, 1), dt.date(2026, 3, 1), False, False, False),  # exactly a year: in time
    (dt.date(2025, 3, 1), dt.date(2026, 3, 2), False, False, True),  # a day too late
    (dt.date(2025, 3, 1), dt.date(2026, 3, 2), True, False, False),  # marked late: not considered
    (dt.date(2025, 3, 1), dt.date(2026, 3, 2), False, True, False),  # term restored: considered
    (dt.date(2024, 2, 29), dt.date(2025, 2, 28), False, False, False),  # leap day: 28 Feb ends it
    (dt.date(2024, 2, 29), dt.date(2025, 3, 1), False, False, True),
]


MONTH_TERMS = [
    # (decision, learned, received, late mark, restored, refused)
    (dt.date(2026, 1, 10), dt.date(2026, 2, 5), dt.date(2026, 3, 5), False, False, False),  # a month
    (dt.date(2026, 1, 10), dt.date(2026, 2, 5), dt.date(2026, 3, 6), False, False, True),  # a day late
    (dt.date(2026, 1, 10), dt.date(2026, 2, 5), dt.date(2026, 3, 6), True, False, False),  # marked
    (dt.date(2026, 1, 10), dt.date(2026, 2, 5), dt.date(2026, 3, 6), False, True, False),  # restored
    (dt.date(2026, 1, 10), dt.date(2026, 1, 31), dt.date(2026, 2, 28), False, False, False),  # clamp
    (dt.date(2026, 1, 10), dt.date(2026, 1, 31), dt.date(2026, 3, 1), False, False, True),
    (None, dt.date(2026, 2, 5), dt.date(2026, 3, 6), False, False, True),  # no decision date
    (dt.date(2025, 3, 1), dt.date(2026, 2, 20), dt.date(2026, 3, 2), False, False, True),  # year
]


@pytest.mark.parametrize(("decided", "learned", "received", "late", "restored", "refused"),
                         MONTH_TERMS)
def test_a_complaint_more_than_a_month_after_learning_of_the_decision_must_be_marked(
        decided, learned, received, late, restored, refused):
    # given
    intake = replace(COMPLAINT, contested_decision_on=decided, decision_learned_on=learned,
                     late_complaint=late, term_restored=restored)

    # when
    problem = complaint_term_problem(intake, received)

    # then
    assert (problem is not None) is refused
    if problem is not None:
        assert (problem.code, problem.field) == ("invalid_value", "late_complaint")


@pytest.mark.parametrize(("decided", "received", "late", "restored", "refused"), COMPLAINT_TERMS)
def test_a_complaint_more_than_a_year_after_the_decision_must_be_marked(
        decided, received, late, restored, refused):
    # given
    intake = replace(COMPLAINT, contested_decision_on=decided, late_complaint=late,
                     term_restored=restored)

    # when
    problem = complaint_term_problem(intake, received)

    # then
    assert (problem is not None) is refused
    if problem is not None:
        assert (problem.code, problem.field) == ("invalid_value", "late_complaint")
