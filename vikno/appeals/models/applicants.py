"""The applicant: the one model that holds applicants' personal data.

Nothing else in Vikno copies a name, address, phone or e-mail: other rows point here, the audit
trail records only which personal fields changed, and logs never carry them.
"""

from __future__ import annotations

import re

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

from vikno.core.models import TimeStampedModel
from vikno.directory.models import ClassifierItem, Territory

PERSONAL_FIELDS = (
    "last_name", "first_name", "patronymic", "organisation_name", "address", "phone", "email",
)


def phone_normalise(raw: str) -> str:
    """One form of a phone number however it was spelled: the E.164 digits (380XXXXXXXXX for a
    Ukrainian number, a foreign one with its own country code), so search finds any spelling.

    What is not a valid number (part of one typed to search, or garbage) keeps just its digits,
    so the digits typed still find the numbers that contain them."""
    digits = re.sub(r"\D", "", raw or "")
    text = (raw or "").strip()
    if len(digits) == 11 and digits.startswith("80") and not text.startswith("+"):
        text = "+3" + digits  # the old trunk prefix «8 0XX…» still heard on the phone
    try:
        number = phonenumbers.parse(text, "UA")
    except phonenumbers.NumberParseException:
        return digits
    # «possible» would take a few digits typed to search for a short local number
    if not phonenumbers.is_valid_number(number):
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Language(models.TextChoices):
    """The languages of the interface (settings.LANGUAGES), Ukrainian first."""

    UK = "uk", _("Ukrainian")
    EN = "en", _("English")


class Sex(models.TextChoices):
    MALE = "4.1", _("Male")
    FEMALE = "4.2", _("Female")


class Applicant(TimeStampedModel):
    # Read by the audit trail: events about this model must carry an explicit, name-free label.
    holds_personal_data = True

    kind = models.CharField(
        _("applicant kind"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    last_name = models.CharField(_("surname"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    address = models.CharField(_("place of residence"), max_length=300, blank=True)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("settlement"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    sex = models.CharField(_("sex"), max_length=3, choices=Sex.choices, blank=True)
    category = models.ForeignKey(
        ClassifierItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("category"),
    )
    social_status = models.ForeignKey(
        ClassifierItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("social status"),
    )
    # ст.10: at the applicant's request name, address and workplace are disclosed only to those
    # who decide the case.
    confidential = models.BooleanField(_("confidentiality requested"), default=False)
    # The language of the notices sent to the applicant.
    language = models.CharField(_("language of notices"), max_length=8,
                                choices=Language.choices, default=Language.UK)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == ApplicantKind.ORGANISATION and self.organisation_name:
            return self.organisation_name
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def masked_name(self) -> str:
        """What a viewer without the right to personal data sees: initials only."""
        parts = [p for p in (self.last_name, self.first_name, self.patronymic) if p]
        if self.kind == ApplicantKind.ORGANISATION and self.organisation_name:
            return self.organisation_name[:1] + "…"
        return " ".join(p[0] + "." for p in parts) or "—"

    @property
    def is_privileged(self) -> bool:
        return bool(self.category_id and self.category and self.category.is_privileged)
