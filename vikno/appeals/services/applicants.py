"""Applicants as registration writes them: created or updated from what a channel says, with
their Classifier codes from the edition in force on the date of receipt; the priority of ст.20."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.intake import ApplicantData, applicant_problem, clean_line
from vikno.appeals.lifecycle import OPEN_STATUSES
from vikno.appeals.models import Appeal, Applicant
from vikno.appeals.models.applicants import PERSONAL_FIELDS, phone_normalise
from vikno.appeals.services import counts
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock
from vikno.directory import refcache
from vikno.directory.models import Axis, ClassifierItem, Territory


def _classifier_item(axis: Axis, code: str, field_name: str, *, on: date | None = None
                     ) -> ClassifierItem | None:
    """The code in the Classifier edition in force on `on` (the date of receipt; today by default)."""
    if not code:
        return None
    item = refcache.classifier_item(on or clock.today(), axis, code)
    if item is None:
        raise AppealsError(Code.INVALID_VALUE, _("Unknown classifier code “%(code)s”.") % {"code": code},
                           field=field_name)
    return item


def territory_of(code: str, field_name: str) -> Territory | None:
    if not code:
        return None
    territory = refcache.territory(code)
    if territory is None:
        raise AppealsError(Code.UNKNOWN_TERRITORY, _("Unknown territory “%(code)s”.") % {"code": code},
                           field=field_name)
    return territory


def _validate_applicant(data: ApplicantData, *, field_prefix: str) -> None:
    problem = applicant_problem(data, field_prefix=field_prefix)
    if problem is not None:
        raise problem


def _cleaned(data: ApplicantData) -> ApplicantData:
    """The applicant's details as they will be stored: one-line fields without control chars."""
    return ApplicantData(
        kind=data.kind, last_name=clean_line(data.last_name), first_name=clean_line(data.first_name),
        patronymic=clean_line(data.patronymic), organisation_name=clean_line(data.organisation_name),
        address=clean_line(data.address), territory_code=data.territory_code.strip(),
        phone=clean_line(data.phone), email=clean_line(data.email).lower(), sex=data.sex,
        category_code=data.category_code.strip(), social_status_code=data.social_status_code.strip(),
        confidential=data.confidential, language=data.language,
    )


def full_clean(obj: Any, *, field_prefix: str, **kwargs: Any) -> None:
    """Model validation as an AppealsError (code invalid_value), never a bare ValidationError."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise AppealsError(Code.INVALID_VALUE, " ".join(messages),
                           field=f"{field_prefix}{name}") from exc


def applicant_create(*, actor: Any, data: ApplicantData, field_prefix: str = "applicant.",
                     on: date | None = None) -> Applicant:
    """`on`: the day whose Classifier edition gives the category and status (the appeal's date of
    receipt at registration; today by default)."""
    data = _cleaned(data)
    _validate_applicant(data, field_prefix=field_prefix)
    applicant = Applicant(
        kind=data.kind,
        last_name=data.last_name,
        first_name=data.first_name,
        patronymic=data.patronymic,
        organisation_name=data.organisation_name,
        address=data.address,
        territory=territory_of(data.territory_code, f"{field_prefix}territory_code"),
        phone=data.phone,
        phone_digits=phone_normalise(data.phone),
        email=data.email,
        sex=data.sex,
        category=_classifier_item(Axis.CATEGORY, data.category_code, f"{field_prefix}category_code",
                                  on=on),
        social_status=_classifier_item(Axis.SOCIAL_STATUS, data.social_status_code,
                                       f"{field_prefix}social_status_code", on=on),
        confidential=data.confidential,
        language=data.language,
    )
    # The references were looked up above; validating them again would query them again.
    full_clean(applicant, field_prefix=field_prefix, exclude=["territory", "category", "social_status"])
    applicant.save()
    audit.record(
        actor=actor, action=AuditAction.APPLICANT_CREATE, obj=applicant,
        object_label=f"applicant #{applicant.pk}",
        after={"personal_fields": [f for f in PERSONAL_FIELDS if getattr(applicant, f)],
               "confidential": applicant.confidential, "category_id": applicant.category_id},
    )
    return applicant


@transaction.atomic
def applicant_update(*, actor: Any, applicant: Applicant, data: ApplicantData,
                     on: date | None = None) -> Applicant:
    """Update the applicant's details. The trail records which personal fields changed, not values.
    `on`: the day whose Classifier edition gives the category and status (as applicant_create)."""
    data = _cleaned(data)
    _validate_applicant(data, field_prefix="applicant.")
    new_values: dict[str, Any] = {
        "kind": data.kind, "last_name": data.last_name, "first_name": data.first_name,
        "patronymic": data.patronymic, "organisation_name": data.organisation_name,
        "address": data.address, "phone": data.phone, "email": data.email,
        "sex": data.sex, "confidential": data.confidential, "language": data.language,
    }
    territory = territory_of(data.territory_code, "applicant.territory_code")
    category = _classifier_item(Axis.CATEGORY, data.category_code, "applicant.category_code", on=on)
    status = _classifier_item(Axis.SOCIAL_STATUS, data.social_status_code,
                              "applicant.social_status_code", on=on)
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
    full_clean(applicant, field_prefix="applicant.")
    applicant.save()
    audit.record(actor=actor, action=AuditAction.APPLICANT_UPDATE, obj=applicant,
                 object_label=f"applicant #{applicant.pk}", after={"changed_fields": sorted(changed)})
    if "category" in changed:
        priority_recompute(actor=actor, applicant=applicant)
    return applicant


def priority_recompute(*, actor: Any, applicant: Applicant) -> list[Appeal]:
    """ст.20 ч.3: an appeal is served first while its applicant or any co-signer is of a
    privileged category. Re-decided for the applicant's appeals still under consideration."""
    changed = []
    ids = set(Appeal.objects.filter(Q(applicant=applicant) | Q(cosigners=applicant),
                                    status__in=OPEN_STATUSES).values_list("pk", flat=True))
    appeals = Appeal.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    for appeal in appeals:
        signers = [appeal.applicant, *appeal.cosigners.select_related("category")]
        priority = any(a.is_privileged for a in signers if a is not None)
        if priority == appeal.priority:
            continue
        appeal.priority = priority
        appeal.updated_at = clock.now()
        appeal.save(update_fields=["priority", "updated_at"])
        counts.appeal_priority_changed(appeal=appeal)
        audit.record(actor=actor, action=AuditAction.APPEAL_PRIORITY, obj=appeal,
                     before={"priority": not priority}, after={"priority": priority})
        changed.append(appeal)
    return changed
