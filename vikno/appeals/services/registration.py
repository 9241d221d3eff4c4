"""Registration of appeals: the one path every channel ends in (hotline, web, e-mail, API, Open311…)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import (
    Appeal,
    AppealCosigner,
    Applicant,
    ApplicantKind,
    Channel,
    Kind,
    Question,
    RegistrationCounter,
    Sign,
    Subject,
)
from vikno.appeals.models.appeals import AppealType
from vikno.appeals.models.applicants import PERSONAL_FIELDS, phone_normalise
from vikno.appeals.services._common import APPEAL_AUDIT_FIELDS, snapshot
from vikno.appeals.services.assignment import Routing, assign_questions
from vikno.appeals.services.attachments import FileData, attachments_prepare, attachments_store
from vikno.appeals.services.routing_terms import term_open
from vikno.audit import services as audit
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.models import Axis, ClassifierItem, SubTopic, Territory
from vikno.directory.selectors import classifier_edition_for

CHANNEL_TYPES = {
    Channel.HOTLINE: AppealType.ORAL,
    Channel.PERSONAL: AppealType.ORAL,
    Channel.POST: AppealType.LETTER,
    Channel.OTHER_BODY: AppealType.LETTER,
    Channel.AUTHORISED: AppealType.LETTER,
    Channel.MEDIA: AppealType.LETTER,
}
ELECTRONIC_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL, Channel.API, Channel.OPEN311})
MAX_TEXT_LENGTH = 20_000
# Channels' clocks drift a little; a receipt further in the future than this is a typing error.
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_ROUTING = Routing()


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


@dataclass(frozen=True)
class QuestionData:
    subtopic_code: str
    summary: str = ""


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


def _missing(field_name: str, message: str) -> AppealsError:
    return AppealsError(Code.MISSING_FIELD, message, field=field_name)


def _classifier_item(axis: Axis, code: str, field_name: str, *, on: date | None = None
                     ) -> ClassifierItem | None:
    """The code in the Classifier edition in force on `on` (the date of receipt; today by default)."""
    if not code:
        return None
    edition = classifier_edition_for(on or clock.today())
    item = ClassifierItem.objects.filter(version=edition, axis=axis, code=code).first()
    if item is None:
        raise AppealsError(Code.INVALID_VALUE, _("Unknown classifier code “%(code)s”.") % {"code": code},
                           field=field_name)
    return item


def _territory(code: str, field_name: str) -> Territory | None:
    if not code:
        return None
    territory = Territory.objects.filter(code=code).first()
    if territory is None:
        raise AppealsError(Code.UNKNOWN_TERRITORY, _("Unknown territory “%(code)s”.") % {"code": code},
                           field=field_name)
    return territory


def _validate_applicant(data: ApplicantData, *, field_prefix: str) -> None:
    if data.kind == ApplicantKind.ORGANISATION:
        if not data.organisation_name.strip():
            raise _missing(f"{field_prefix}organisation_name",
                           _("Enter the name of the organisation."))
    elif not data.last_name.strip() or not data.first_name.strip():
        raise _missing(f"{field_prefix}last_name", _("Enter the applicant's surname and name."))


def _cleaned(data: ApplicantData) -> ApplicantData:
    """The applicant's details as they will be stored: one-line fields without control chars."""
    return ApplicantData(
        kind=data.kind, last_name=clean_line(data.last_name), first_name=clean_line(data.first_name),
        patronymic=clean_line(data.patronymic), organisation_name=clean_line(data.organisation_name),
        address=clean_line(data.address), territory_code=data.territory_code.strip(),
        phone=clean_line(data.phone), email=clean_line(data.email).lower(), sex=data.sex,
        category_code=data.category_code.strip(), social_status_code=data.social_status_code.strip(),
        confidential=data.confidential,
    )


def _full_clean(obj: Any, *, field_prefix: str, **kwargs: Any) -> None:
    """Model validation as an AppealsError (code invalid_value), never a bare ValidationError."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise AppealsError(Code.INVALID_VALUE, " ".join(messages),
                           field=f"{field_prefix}{name}") from exc


def applicant_create(*, actor: Any, data: ApplicantData, field_prefix: str = "applicant.") -> Applicant:
    data = _cleaned(data)
    _validate_applicant(data, field_prefix=field_prefix)
    applicant = Applicant(
        kind=data.kind,
        last_name=data.last_name,
        first_name=data.first_name,
        patronymic=data.patronymic,
        organisation_name=data.organisation_name,
        address=data.address,
        territory=_territory(data.territory_code, f"{field_prefix}territory_code"),
        phone=data.phone,
        phone_digits=phone_normalise(data.phone),
        email=data.email,
        sex=data.sex,
        category=_classifier_item(Axis.CATEGORY, data.category_code, f"{field_prefix}category_code"),
        social_status=_classifier_item(Axis.SOCIAL_STATUS, data.social_status_code,
                                       f"{field_prefix}social_status_code"),
        confidential=data.confidential,
    )
    # The references were looked up above; validating them again would query them again.
    _full_clean(applicant, field_prefix=field_prefix, exclude=["territory", "category", "social_status"])
    applicant.save()
    audit.record(
        actor=actor, action="applicant.create", obj=applicant, object_label=f"applicant #{applicant.pk}",
        after={"personal_fields": [f for f in PERSONAL_FIELDS if getattr(applicant, f)],
               "confidential": applicant.confidential, "category_id": applicant.category_id},
    )
    return applicant


@transaction.atomic
def applicant_update(*, actor: Any, applicant: Applicant, data: ApplicantData) -> Applicant:
    """Update the applicant's details. The trail records which personal fields changed, not values."""
    data = _cleaned(data)
    _validate_applicant(data, field_prefix="applicant.")
    new_values: dict[str, Any] = {
        "kind": data.kind, "last_name": data.last_name, "first_name": data.first_name,
        "patronymic": data.patronymic, "organisation_name": data.organisation_name,
        "address": data.address, "phone": data.phone, "email": data.email,
        "sex": data.sex, "confidential": data.confidential,
    }
    territory = _territory(data.territory_code, "applicant.territory_code")
    category = _classifier_item(Axis.CATEGORY, data.category_code, "applicant.category_code")
    status = _classifier_item(Axis.SOCIAL_STATUS, data.social_status_code,
                              "applicant.social_status_code")
    changed = [name for name, value in new_values.items() if getattr(applicant, name) != value]
    for name in changed:
        setattr(applicant, name, new_values[name])
    for name, value in (("territory", territory), ("category", category), ("social_status", status)):
        if getattr(applicant, f"{name}_id") != (value.pk if value else None):
            setattr(applicant, name, value)
            changed.append(name)
    if not changed:
        return applicant
    applicant.phone_digits = phone_normalise(applicant.phone)
    applicant.updated_at = clock.now()
    _full_clean(applicant, field_prefix="applicant.")
    applicant.save()
    audit.record(actor=actor, action="applicant.update", obj=applicant,
                 object_label=f"applicant #{applicant.pk}", after={"changed_fields": sorted(changed)})
    return applicant


def _next_number(year: int) -> tuple[int, str]:
    """Take the next number of the year under a row lock; rolled back with the registration, so
    the sequence has no gaps and no duplicates however many operators register at once."""
    counters = RegistrationCounter.objects.filter(year=year)
    # The UPDATE takes the row's write lock until commit, so the increment and the read below
    # see no other registration in between.
    if not counters.update(last=F("last") + 1):
        RegistrationCounter.objects.get_or_create(year=year)
        counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    prefix = settings.VIKNO["NUMBER_PREFIX"]
    return last, f"{prefix}-{year}-{last:06d}"


def _subtopics(questions: Sequence[QuestionData]) -> list[SubTopic]:
    if not questions:
        raise _missing("questions", _("Choose the topic of at least one question."))
    found: list[SubTopic] = []
    for index, question in enumerate(questions):
        subtopic = SubTopic.objects.filter(code=question.subtopic_code, is_active=True).first()
        if subtopic is None:
            raise AppealsError(
                Code.UNKNOWN_TOPIC,
                _("Unknown topic “%(code)s”: choose a topic from the classifier.")
                % {"code": question.subtopic_code},
                field=f"questions.{index}.subtopic_code",
            )
        found.append(subtopic)
    return found


def _validate_content(*, text: str, subject: str, channel: str, applicant: Applicant | None,
                      applicant_data: ApplicantData | None) -> None:
    if not text.strip():
        raise _missing("text", _("Enter the substance of the appeal."))
    if len(text) > MAX_TEXT_LENGTH:
        raise AppealsError(Code.INVALID_VALUE,
                           _("The text is too long: at most %(n)d characters.") % {"n": MAX_TEXT_LENGTH},
                           field="text")
    if subject == Subject.ANONYMOUS:
        return
    if applicant is None and applicant_data is None:
        raise _missing("applicant", _("Enter the applicant or mark the appeal as anonymous."))
    if channel in ELECTRONIC_CHANNELS:
        email = applicant.email if applicant else (applicant_data.email if applicant_data else "")
        phone = applicant.phone if applicant else (applicant_data.phone if applicant_data else "")
        if not (email or phone):
            raise _missing("applicant.email",
                           _("An electronic appeal needs an e-mail address or another contact for "
                             "the answer."))


def _sign_of_repeat(previous: Appeal | None) -> str:
    """Classifier axis 2: first; repeated (a second appeal on the issue); many-times (the issue
    was raised more than once before by the same applicant)."""
    if previous is None:
        return Sign.FIRST
    earlier = 1 + (Appeal.objects.filter(
        applicant_id=previous.applicant_id, received_at__lt=previous.received_at,
        questions__subtopic__topic__in=previous.questions.values("subtopic__topic"),
    ).distinct().count() if previous.applicant_id else 0)
    return Sign.MANY_TIMES if earlier >= 2 else Sign.REPEATED


@transaction.atomic
def appeal_register(
    *,
    actor: Any,
    channel: str,
    text: str,
    questions: Sequence[QuestionData],
    applicant: ApplicantData | None = None,
    applicant_id: int | None = None,
    cosigners: Sequence[ApplicantData] = (),
    received_at: datetime | None = None,
    kind: str = Kind.APPLICATION,
    subject: str | None = None,
    sign: str | None = None,
    summary: str = "",
    territory_code: str = "",
    location: str = "",
    lat: Decimal | None = None,
    lon: Decimal | None = None,
    needs_study: bool | None = None,
    previous_appeal_number: str = "",
    origin_body: str = "",
    origin_number: str = "",
    origin_date: Any = None,
    legacy_id: str | None = None,
    routing: Routing | None = DEFAULT_ROUTING,
    attachments: Sequence[FileData] = (),
) -> Appeal:
    """Register an appeal and, unless `routing` is None, assign its questions to executors.

    Refuses (AppealsError, nothing written) when the text or a topic is missing or unknown, when a
    named applicant lacks a surname and name, when an electronic appeal has no contact for the answer,
    when a code (territory, classifier, executor) is unknown, when `legacy_id` is already taken,
    or when one of `attachments` (name, content, claimed type) is refused (see attachment_add).
    The registration number comes from the year of receipt and is taken before anything else is
    written: every registration then locks the year's counter before the audit trail's head, in
    one order, so concurrent registrations queue instead of deadlocking.
    """
    if channel not in Channel.values:
        raise AppealsError(Code.INVALID_VALUE, _("Unknown channel."), field="channel")
    if kind not in Kind.values:
        raise AppealsError(Code.INVALID_VALUE, _("Unknown kind of appeal."), field="kind")
    text = clean_text(text or "")
    now = clock.now()
    received = _received(received_at, now)
    existing = None
    if applicant_id is not None:
        existing = Applicant.objects.filter(pk=applicant_id).first()
        if existing is None:
            raise AppealsError(Code.INVALID_VALUE, _("The applicant was not found."), field="applicant")
    if subject is None:
        if existing is None and applicant is None:
            subject = Subject.ANONYMOUS
        else:
            subject = Subject.COLLECTIVE if cosigners else Subject.INDIVIDUAL
    if subject not in Subject.values:
        raise AppealsError(Code.INVALID_VALUE, _("Unknown subject of appeal."), field="subject")
    _validate_content(text=text, subject=subject, channel=channel, applicant=existing,
                      applicant_data=_cleaned(applicant) if applicant else None)
    if subject != Subject.ANONYMOUS and existing is None and applicant is not None:
        _validate_applicant(_cleaned(applicant), field_prefix="applicant.")
    for index, cosigner in enumerate(cosigners):
        _validate_applicant(_cleaned(cosigner), field_prefix=f"cosigners.{index}.")
    subtopics = _subtopics(questions)
    territory = _territory(territory_code, "territory_code")
    previous = None
    if previous_appeal_number:
        previous = Appeal.objects.filter(number=previous_appeal_number).first()
        if previous is None:
            raise AppealsError(Code.INVALID_VALUE, _("The earlier appeal was not found."),
                               field="previous_appeal_number")
    if legacy_id and Appeal.objects.filter(legacy_id=legacy_id).exists():
        raise _duplicate()
    if sign and sign not in Sign.values:
        raise AppealsError(Code.INVALID_VALUE, _("Unknown sign of receipt."), field="sign")
    # Files are checked before anything is written: a refused one leaves no row and no file.
    files = attachments_prepare(attachments)

    received_on = clock.local_date(received)
    seq, number = _next_number(received_on.year)
    person = None
    if subject != Subject.ANONYMOUS:
        person = existing or applicant_create(actor=actor, data=applicant)  # type: ignore[arg-type]
    study = needs_study if needs_study is not None else any(s.needs_study for s in subtopics)
    due = deadlines.consideration_due(received_on, needs_study=study)
    appeal = Appeal(
        number=number, year=received_on.year, seq=seq, legacy_id=legacy_id or None,
        channel=channel, kind=kind, subject=subject,
        sign=sign or _sign_of_repeat(previous),
        appeal_type=AppealType.ELECTRONIC if channel in ELECTRONIC_CHANNELS
        else CHANNEL_TYPES.get(Channel(channel), AppealType.LETTER),
        applicant=person, previous_appeal=previous,
        received_at=received, registered_at=now,
        registered_by=actor if getattr(actor, "pk", None) else None,
        summary=clean_line(summary or text[:200])[:300], text=text,
        territory=territory or (person.territory if person else None),
        location=clean_line(location), lat=lat, lon=lon,
        origin_body=clean_line(origin_body), origin_number=clean_line(origin_number),
        origin_date=origin_date,
        needs_study=study, priority=bool(person and person.is_privileged),
        status=AppealStatus.REGISTERED, status_changed_at=now,
        due_date=due, max_due_date=deadlines.max_due(received_on),
    )
    # Uniqueness is not re-queried here: the number comes from the locked counter, legacy_id was
    # checked above, and the database constraints catch the rest (a racing import, below).
    _full_clean(appeal, field_prefix="", exclude=["applicant", "registered_by", "previous_appeal",
                                                  "territory"],
                validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError as exc:
        raise _duplicate() from exc
    for index, data in enumerate(cosigners):
        AppealCosigner.objects.create(
            appeal=appeal,
            applicant=applicant_create(actor=actor, data=data, field_prefix=f"cosigners.{index}."),
        )
    created = [
        Question.objects.create(appeal=appeal, subtopic=subtopic,
                                summary=clean_line(q.summary)[:500], due_date=due)
        for subtopic, q in zip(subtopics, questions, strict=True)
    ]
    audit.record(actor=actor, action="appeal.register", obj=appeal,
                 after=snapshot(appeal, APPEAL_AUDIT_FIELDS) | {
                     "questions": [q.subtopic.code for q in created]})
    # ст.7: the 5-day term to route or forward runs from receipt, not from registration.
    term_open(appeal=appeal, start=received_on)
    if routing is not None:
        # Nobody else sees this appeal before commit: no lock to take, no assignment to look for.
        assign_questions(actor=actor, appeal=appeal, questions=created, routing=routing, fresh=True)
    # Last, so that no later step can fail and roll back rows whose files are already stored.
    attachments_store(actor=actor, appeal=appeal, prepared=files, fresh=True)
    return appeal


def _duplicate() -> AppealsError:
    return AppealsError(Code.CONFLICT, _("This appeal is already registered."),
                        field="legacy_id", http_status=409)


def _received(received_at: datetime | None, now: datetime) -> datetime:
    """The moment of receipt: aware (a naive one is read in the centre's time zone), not future."""
    if received_at is None:
        return now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now + FUTURE_TOLERANCE:
        raise AppealsError(Code.INVALID_VALUE, _("The date of receipt cannot be in the future."),
                           field="received_at")
    return received_at
