"""The citizen's forms: the e-appeal (ст.5 of the Law), tracking, and the confirmation.

They only collect and tidy what was typed: the Law's rules and the file checks are the
registration service's, the same for every channel (AppealIntake)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vikno.appeals.intake import MAX_TEXT_LENGTH, AppealIntake, ApplicantData, QuestionData
from vikno.appeals.models import Channel, Kind
from vikno.appeals.services.attachments import (
    ACCEPTED_EXTENSIONS,
    ACCEPTED_LABELS,
    MAX_FILES_PER_APPEAL,
    max_bytes,
    size_label,
)
from vikno.directory import geo
from vikno.portal import antiabuse, reads

KINDS = [(Kind.APPLICATION.value, gettext_lazy("Application (request)")),
         (Kind.PROPOSAL.value, gettext_lazy("Proposal")),
         (Kind.COMPLAINT.value, gettext_lazy("Complaint"))]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; their size, type and content are checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


class AppealForm(forms.Form):
    last_name = forms.CharField(label=gettext_lazy("Surname"), max_length=100,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    first_name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    patronymic = forms.CharField(label=gettext_lazy("Patronymic"), max_length=100, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "additional-name"}))
    address = forms.CharField(
        label=gettext_lazy("Place of residence"), max_length=300,
        help_text=gettext_lazy("Settlement, street, house: the Law requires it (ст.5); an appeal "
                               "without it is anonymous and is not considered (ст.8)."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind of appeal"), choices=KINDS,
                             initial=Kind.APPLICATION.value, widget=forms.RadioSelect)
    contested_authority_code = forms.ChoiceField(
        label=gettext_lazy("The body complained of"), required=False, choices=(),
        help_text=gettext_lazy("For a complaint: the body whose decision or actions you contest."))
    subtopic = forms.ChoiceField(label=gettext_lazy("Topic"), choices=())
    text = forms.CharField(label=gettext_lazy("Substance of the appeal"), max_length=MAX_TEXT_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 8}))
    settlement_q = forms.CharField(label=gettext_lazy("Find the settlement"), required=False,
                                   max_length=100)
    settlement_code = forms.CharField(label=gettext_lazy("Settlement the appeal concerns"),
                                      required=False, max_length=19,
                                      widget=forms.Select(choices=()))
    lat = forms.DecimalField(required=False, max_digits=9, decimal_places=6,
                             widget=forms.HiddenInput)
    lon = forms.DecimalField(required=False, max_digits=9, decimal_places=6,
                             widget=forms.HiddenInput)
    attachments = MultipleFileField(label=gettext_lazy("Attachments"), required=False)
    consent = forms.BooleanField(
        label=gettext_lazy("I agree to the processing of my personal data to consider this appeal "
                           "(Law of Ukraine «Про захист персональних даних»)."),
        error_messages={"required": gettext_lazy(
            "Without your consent to the processing of personal data the appeal cannot be "
            "accepted.")})
    website = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"))
    shown = forms.CharField(widget=forms.HiddenInput)
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("shown", antiabuse.shown_stamp())
        kwargs["initial"].setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["subtopic"].choices = reads.subtopic_choices()  # type: ignore[attr-defined]
        self.fields["contested_authority_code"].choices = (  # type: ignore[attr-defined]
            reads.authority_choices())
        self.fields["attachments"].help_text = _(
            "%(types)s; up to %(size)s each, at most %(n)d files.") % {
            "types": ACCEPTED_LABELS, "size": size_label(max_bytes()), "n": MAX_FILES_PER_APPEAL}
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["settlement_q"].widget.attrs.update({"autocomplete": "off"})

    def settlement_options(self, found: list[tuple[str, str]]) -> None:
        """The settlement select: the current pick (if any) and what the search found."""
        current = reads.territory_by_code(str(self.data.get("settlement_code") or "")
                                          if self.is_bound else "")
        options = [("", _("— not chosen —"))]
        if current:
            options.append(current)
        options += [row for row in found if not current or row[0] != current[0]]
        self.fields["settlement_code"].widget.choices = options

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and sum(ch.isdigit() for ch in phone) < 9:
            raise forms.ValidationError(_("Enter the phone number with the area code."))
        return phone

    def clean_settlement_code(self) -> str:
        code = self.cleaned_data.get("settlement_code", "").strip()
        if code and reads.territory_by_code(code) is None:
            raise forms.ValidationError(_("Choose the settlement from the list."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("email") or data.get("phone")) and not (
                self.errors.get("email") or self.errors.get("phone")):
            self.add_error("email", _("Enter an e-mail address or a phone number for the answer."))
        if data.get("kind") == Kind.COMPLAINT and not data.get("contested_authority_code"):
            self.add_error("contested_authority_code", _("Choose the body you complain of."))
        lat, lon = data.get("lat"), data.get("lon")
        if lat is None or lon is None or not geo.valid_point(lat, lon):
            data["lat"] = data["lon"] = None
        return data

    def territory_code(self) -> str:
        """The picked settlement; failing that, the hromada the map's point lies in."""
        code = self.cleaned_data.get("settlement_code") or ""
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        if not code and lat is not None and lon is not None:
            code = geo.hromada_code_at(lat, lon) or ""
        return code

    def intake(self) -> AppealIntake:
        d = self.cleaned_data
        complaint = d["kind"] == Kind.COMPLAINT
        lat: Decimal | None = d.get("lat")
        lon: Decimal | None = d.get("lon")
        return AppealIntake(
            channel=Channel.WEB, text=d["text"], kind=d["kind"],
            questions=[QuestionData(subtopic_code=d["subtopic"])],
            applicant=ApplicantData(last_name=d["last_name"], first_name=d["first_name"],
                                    patronymic=d["patronymic"], address=d["address"],
                                    email=d["email"], phone=d["phone"]),
            territory_code=self.territory_code(), lat=lat, lon=lon,
            contested_authority_code=d["contested_authority_code"] if complaint else "",
            idempotency_key=d["token"],
            attachments=[(f.name or "", f, f.content_type or "") for f in d["attachments"]],
            personal_data_consent=bool(d["consent"]),
        )


class TrackForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Registration number"), max_length=32,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
    code = forms.CharField(label=gettext_lazy("Tracking code"), max_length=40,
                           widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


RATINGS = [(str(n), str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("not_resolved", "not_resolved")],
                                 widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(label=gettext_lazy("Your rating, 1 to 5"), choices=RATINGS,
                                    coerce=int, required=False, empty_value=None,
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "confirm" and data.get("rating") is None:
            self.add_error("rating", _("Rate the answer from 1 to 5."))
        return data
