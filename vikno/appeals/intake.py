"""What a channel hands in: one frozen object, the same for the hotline screen, the portal, the
partner API, Open311 and e-mail. Plain types with defaults, so each channel fills what it knows.

`intake_check` is the Law's and the card's rules on the object alone (no database): it raises the
first refusal as an AppealsError with a code and a field. Lookups (unknown codes, the earlier
appeal, the contested body) are the service's, since they need the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.models import ApplicantKind, Channel, Kind, Sign, Subject
from vikno.appeals.models.appeals import ELECTRONIC_CHANNELS, AppealType
from vikno.appeals.models.applicants import Language
from vikno.directory.deadlines import add_months

CHANNEL_TYPES = {
    Channel.HOTLINE: AppealType.ORAL,
    Channel.PERSONAL: AppealType.ORAL,
    Channel.POST: AppealType.LETTER,
    Channel.OTHER_BODY: AppealType.LETTER,
    Channel.AUTHORISED: AppealType.LETTER,
    Channel.MEDIA: AppealType.LETTER,
}
MAX_TEXT_LENGTH = 20_000
MAX_NOTE_LENGTH = 300


# C0 and C1 control characters (but tab and newline), DEL, and lone surrogates: PostgreSQL refuses
# NUL, UTF-8 cannot encode a surrogate, and the rest only garbles the card on screen and in print.
_UNSTORABLE = dict.fromkeys(
    [*(c for c in range(0x20) if c not in (0x09, 0x0A)), 0x7F, *range(0x80, 0xA0),
     *range(0xD800, 0xE000)]
)
_LINE_BREAKS = dict.fromkeys([0x09, 0x0A], " ")


def clean_text(raw: str) -> str:
    """Keep what the citizen wrote; drop only what cannot be stored (NUL and other control chars).

    Line breaks are kept (CR LF and a lone CR become LF), so paragraphs survive."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_UNSTORABLE)


def clean_line(raw: str) -> str:
    """A one-line field (a name, an address): control characters dropped, breaks made spaces."""
    return clean_text(raw).translate(_LINE_BREAKS).strip()


@dataclass(frozen=True)
class ApplicantData:
    """What a channel knows of the applicant. Empty strings mean "not given"."""

    kind: str = ApplicantKind.PERSON
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    organisation_name: str = ""
    address: str = ""
    territory_code: str = ""
    phone: str = ""
    email: str = ""
    sex: str = ""
    category_code: str = ""
    social_status_code: str = ""
    confidential: bool = False
    language: str = Language.UK  # the notices to the applicant are written in it


@dataclass(frozen=True)
class QuestionData:
    subtopic_code: str
    summary: str = ""


@dataclass(frozen=True)
class AppealIntake:
    """One appeal (or request for public information) as received, before any lookup.

    `applicant_id` names a known applicant; `applicant` then carries their details as corrected
    now (the service updates them and registers in one transaction). Neither: anonymous.
    """

    channel: str
    text: str
    questions: Sequence[QuestionData] = ()
    applicant: ApplicantData | None = None
    applicant_id: int | None = None
    cosigners: Sequence[ApplicantData] = ()
    received_at: datetime | None = None
    kind: str = Kind.APPLICATION
    # None: derived (anonymous without an applicant, collective with co-signers).
    subject: str | None = None
    # None: first, or repeated / many-times when `previous_appeal_number` is given.
    sign: str | None = None
    summary: str = ""
    territory_code: str = ""
    location: str = ""
    lat: Decimal | None = None
    lon: Decimal | None = None
    needs_study: bool | None = None
    previous_appeal_number: str = ""
    origin_body: str = ""
    origin_number: str = ""
    origin_date: date | None = None
    legacy_id: str | None = None
    # One per submission (the form's hidden token, an API client's key): a repeat registers nothing.
    idempotency_key: UUID | None = None
    attachments: Sequence[tuple[str, object, str]] = ()
    # The Law at the door.
    signed: bool = True  # ст.8: a letter not signed by its author is anonymous
    contested_authority_code: str = ""  # ст.7 ч.4: the body whose actions a complaint contests
    missing_content: str = ""  # ст.5: what required content is missing (returned within 10 days)
    late_complaint: bool = False  # ст.17: filed after the term, not subject to consideration
    contested_decision_on: date | None = None  # ст.17: the date of the contested decision
    decision_learned_on: date | None = None  # ст.17: when the applicant learned of the decision
    term_restored: bool = False  # ст.17: the body restored the missed term for good reason
    # The applicant agreed to the processing of their personal data (the portal asks): recorded
    # as a fact with the registration's audit event.
    personal_data_consent: bool = False

    @property
    def appeal_type(self) -> str:
        """Axis 6 of the Classifier: an electronic appeal is a letter (6.2, ADR 9); what makes it
        electronic is its channel."""
        return CHANNEL_TYPES.get(Channel(self.channel), AppealType.LETTER)

    @property
    def is_electronic(self) -> bool:
        return self.channel in ELECTRONIC_CHANNELS

    @property
    def is_written(self) -> bool:
        """ст.5: letters and electronic appeals are written; calls and receptions are oral."""
        return self.appeal_type != AppealType.ORAL

    @property
    def resolved_subject(self) -> str:
        if self.subject is not None:
            return self.subject
        if self.applicant_id is None and self.applicant is None:
            return Subject.ANONYMOUS
        return Subject.COLLECTIVE if self.cosigners else Subject.INDIVIDUAL

    @property
    def is_public_information(self) -> bool:
        return self.kind == Kind.PUBLIC_INFORMATION


def _refuse(code: str, message: str, field: str) -> AppealsError:
    return AppealsError(code, message, field=field)


def applicant_problem(data: ApplicantData, *, field_prefix: str) -> AppealsError | None:
    if data.kind not in ApplicantKind.values:
        return _refuse(Code.INVALID_VALUE, _("Unknown kind of applicant."), f"{field_prefix}kind")
    if data.language not in Language.values:
        return _refuse(Code.INVALID_VALUE, _("Choose the language of notices from the list."),
                       f"{field_prefix}language")
    if data.kind == ApplicantKind.ORGANISATION:
        if not data.organisation_name.strip():
            return _refuse(Code.MISSING_FIELD, _("Enter the name of the organisation."),
                           f"{field_prefix}organisation_name")
    elif not data.last_name.strip() or not data.first_name.strip():
        return _refuse(Code.MISSING_FIELD, _("Enter the applicant's surname and name."),
                       f"{field_prefix}last_name")
    return None


def is_anonymous_written(intake: AppealIntake, *, address: str | None = None) -> bool:
    """ст.8 ч.1: a written appeal without the place of residence, not signed by its author, or
    whose authorship cannot be established is anonymous. `address` is a known applicant's (the
    service passes it); oral appeals are never anonymous in this sense (ст.5: the official
    records them)."""
    if not intake.is_written or intake.is_public_information:
        return False
    if intake.resolved_subject == Subject.ANONYMOUS:
        return True
    # An electronic appeal needs no signature (ст.5 ч.6); a letter does.
    if not intake.is_electronic and not intake.signed:
        return True
    if address is None:
        address = intake.applicant.address if intake.applicant else ""
    return not address.strip()


def _basic_problem(intake: AppealIntake) -> AppealsError | None:
    if intake.channel not in Channel.values:
        return _refuse(Code.INVALID_VALUE, _("Unknown channel."), "channel")
    if intake.kind not in Kind.values:
        return _refuse(Code.INVALID_VALUE, _("Unknown kind of appeal."), "kind")
    if intake.subject is not None and intake.subject not in Subject.values:
        return _refuse(Code.INVALID_VALUE, _("Unknown subject of appeal."), "subject")
    if intake.sign and intake.sign not in Sign.values:
        return _refuse(Code.INVALID_VALUE, _("Unknown sign of receipt."), "sign")
    if not clean_text(intake.text).strip():
        return _refuse(Code.MISSING_FIELD, _("Enter the substance of the appeal."), "text")
    if len(clean_text(intake.text)) > MAX_TEXT_LENGTH:
        return _refuse(Code.INVALID_VALUE,
                       _("The text is too long: at most %(n)d characters.") % {"n": MAX_TEXT_LENGTH},
                       "text")
    if not intake.questions:
        return _refuse(Code.MISSING_FIELD, _("Choose the topic of at least one question."),
                       "questions")
    return None


def _who_problem(intake: AppealIntake) -> AppealsError | None:
    subject = intake.resolved_subject
    if subject != Subject.ANONYMOUS:
        if intake.applicant is None and intake.applicant_id is None:
            return _refuse(Code.MISSING_FIELD,
                           _("Enter the applicant or mark the appeal as anonymous."), "applicant")
        if intake.applicant is not None:
            problem = applicant_problem(intake.applicant, field_prefix="applicant.")
            if problem is not None:
                return problem
        if (intake.is_electronic and intake.applicant is not None
                and not (intake.applicant.email.strip() or intake.applicant.phone.strip())):
            return _refuse(Code.MISSING_FIELD,
                           _("An electronic appeal needs an e-mail address or another contact for "
                             "the answer."), "applicant.email")
    for index, cosigner in enumerate(intake.cosigners):
        problem = applicant_problem(cosigner, field_prefix=f"cosigners.{index}.")
        if problem is not None:
            return problem
    if intake.previous_appeal_number.strip() and subject == Subject.ANONYMOUS:
        return _refuse(Code.INVALID_VALUE,
                       _("An anonymous appeal cannot be repeated: the earlier appeal of the same "
                         "applicant cannot be established."), "previous_appeal_number")
    return None


def _law_problem(intake: AppealIntake) -> AppealsError | None:
    complaint = intake.kind == Kind.COMPLAINT
    if intake.contested_authority_code and not complaint:
        return _refuse(Code.INVALID_VALUE,
                       _("Only a complaint contests the actions or decision of a body."),
                       "contested_authority_code")
    if intake.late_complaint or intake.term_restored:
        if not complaint:
            return _refuse(Code.INVALID_VALUE,
                           _("The term of ст.17 applies to complaints only."), "late_complaint")
        if intake.contested_decision_on is None:
            return _refuse(Code.MISSING_FIELD,
                           _("Enter the date of the contested decision."), "contested_decision_on")
    if intake.late_complaint and intake.term_restored:
        return _refuse(Code.INVALID_VALUE,
                       _("A complaint whose missed term was restored is considered: do not mark "
                         "it as late."), "late_complaint")
    received = intake.received_at.date() if intake.received_at else None
    if intake.contested_decision_on and received and intake.contested_decision_on > received:
        return _refuse(Code.INVALID_VALUE,
                       _("The contested decision cannot be later than the receipt of the "
                         "complaint."), "contested_decision_on")
    return _learned_problem(intake, received) or _content_problem(intake)


def _learned_problem(intake: AppealIntake, received: date | None) -> AppealsError | None:
    """ст.17: the day the applicant learned of the contested decision, a complaint's alone, lies
    between the decision and the receipt of the complaint."""
    learned = intake.decision_learned_on
    if learned is None:
        return None
    if intake.kind != Kind.COMPLAINT:
        return _refuse(Code.INVALID_VALUE,
                       _("The term of ст.17 applies to complaints only."), "decision_learned_on")
    if intake.contested_decision_on and learned < intake.contested_decision_on:
        return _refuse(Code.INVALID_VALUE,
                       _("The applicant cannot learn of the decision before it was made."),
                       "decision_learned_on")
    if received and learned > received:
        return _refuse(Code.INVALID_VALUE,
                       _("The day the applicant learned of the decision cannot be later than the "
                         "receipt of the complaint."), "decision_learned_on")
    return None


def _content_problem(intake: AppealIntake) -> AppealsError | None:
    if len(intake.missing_content) > MAX_NOTE_LENGTH:
        return _refuse(Code.INVALID_VALUE,
                       _("Describe the missing content in at most %(n)d characters.")
                       % {"n": MAX_NOTE_LENGTH}, "missing_content")
    if intake.is_public_information and (intake.late_complaint or intake.missing_content.strip()
                                         or intake.previous_appeal_number.strip()):
        return _refuse(Code.INVALID_VALUE,
                       _("A request for public information is not an appeal: the marks of the "
                         "Law on citizens' appeals do not apply to it."), "kind")
    if intake.missing_content.strip() and intake.late_complaint:
        return _refuse(Code.INVALID_VALUE,
                       _("Choose one: a late complaint is not considered, an appeal lacking "
                         "content is returned."), "missing_content")
    return None


def complaint_term_problem(intake: AppealIntake, received_on: date) -> AppealsError | None:
    """ст.17: a complaint is filed within a year of the contested decision, and no later than one
    month after the applicant learned of it. One filed later must be marked late (not
    considered) or record that the body restored the term."""
    if intake.kind != Kind.COMPLAINT or intake.late_complaint or intake.term_restored:
        return None
    decided, learned = intake.contested_decision_on, intake.decision_learned_on
    # A month or a year later, on the same day number (clamped: 29 February ends on 28 February).
    if decided is not None and received_on > add_months(decided, 12):
        return _refuse(Code.INVALID_VALUE,
                       _("The complaint is filed more than a year after the contested decision "
                         "(ст.17): mark it as late, or record that the term was restored."),
                       "late_complaint")
    if learned is not None and received_on > add_months(learned, 1):
        return _refuse(Code.INVALID_VALUE,
                       _("The complaint is filed more than a month after the applicant learned of "
                         "the contested decision (ст.17): mark it as late, or record that the "
                         "term was restored."), "late_complaint")
    return None


def intake_check(intake: AppealIntake) -> None:
    """Raise the first problem of the intake itself (no database): code, field, message."""
    for check in (_basic_problem, _who_problem, _law_problem):
        problem = check(intake)
        if problem is not None:
            raise problem
