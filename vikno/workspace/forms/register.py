"""The operator's registration form: parses what was typed; every rule lives in appeal_register."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from vikno.appeals.models import Applicant, ApplicantKind, Channel, Kind, Sign, Subject
from vikno.appeals.models.applicants import Language, Sex
from vikno.appeals.services import AppealIntake, ApplicantData, QuestionData, Routing
from vikno.core import clock
from vikno.directory.models import Axis
from vikno.workspace import reads
from vikno.workspace.forms import set_choices
from vikno.workspace.forms.files import MultipleFileField, as_file_data, files_help

QUESTION_ROWS = 2
# Co-signers of a collective appeal (Classifier 5.2) the screen takes; the service takes any number.
COSIGNER_ROWS = 5
COSIGNER_FIELDS = (
    ("last_name", _("Surname"), 100), ("first_name", _("Name"), 100),
    ("patronymic", _("Patronymic"), 100), ("address", _("Place of residence"), 300),
    ("phone", _("Phone"), 32),
)

APPLICANT_FIELDS = (
    "applicant_id", "phone", "last_name", "first_name", "patronymic", "applicant_kind",
    "organisation_name", "address", "settlement_code", "email", "sex", "category_code",
    "social_status_code", "confidential", "anonymous", "notice_language",
)

# Where the service's error (its `field`) is shown on this form.
SERVICE_FIELDS = {
    "applicant": "last_name",
    "applicant.territory_code": "settlement_code",
    "applicant.language": "notice_language",
    "questions": "subtopic_1",
    "main_authority_code": "main_authority",
    "co_authority_codes": "co_authorities",
    "subject": "anonymous",
    "legacy_id": None,
    "contested_authority_code": "contested_authority",
    "signed": "unsigned",
}


class CodeChoiceField(forms.ChoiceField):
    """A code picked from a reference list. appeal_register checks the code (an unknown one
    comes back as the service's message on this field), so the list is read only to render the
    form, never to validate a POST."""

    def valid_value(self, value: Any) -> bool:
        return True


class CodesChoiceField(forms.MultipleChoiceField):
    """Several codes picked from a reference list, checked by the service (as CodeChoiceField)."""

    def valid_value(self, value: Any) -> bool:
        return True


def _once(build: Callable[[], Any]) -> Callable[[], Any]:
    """`build`, called at most once, when first needed (a lazy choice list of one form)."""
    cache: list[Any] = []

    def value() -> Any:
        if not cache:
            cache.append(build())
        return cache[0]
    return value


class RegisterForm(forms.Form):
    # The applicant: the phone comes first, it is what the caller is asked for first.
    applicant_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    last_name = forms.CharField(label=_("Surname"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    applicant_kind = forms.ChoiceField(
        label=_("Kind of applicant"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    address = forms.CharField(label=_("Place of residence"), max_length=300, required=False)
    settlement_code = forms.CharField(label=_("Settlement"), max_length=19, required=False,
                                      widget=forms.HiddenInput)
    email = forms.EmailField(label=_("E-mail"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    category_code = CodeChoiceField(label=_("Category of the author"), required=False)
    social_status_code = CodeChoiceField(label=_("Social status"), required=False)
    confidential = forms.BooleanField(
        label=_("Keep name and address confidential (ст.10)"), required=False)
    anonymous = forms.BooleanField(label=_("Anonymous appeal"), required=False)
    # The notices to the applicant are sent in it; Ukrainian unless the applicant asks otherwise.
    notice_language = forms.ChoiceField(label=_("Language of notices"), choices=Language.choices,
                                 initial=Language.UK, required=False)

    # The appeal.
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.APPLICATION)
    text = forms.CharField(label=_("Substance of the appeal"), required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))
    subtopic_1 = forms.CharField(label=_("Topic"), max_length=20, required=False,
                                 widget=forms.Select)
    summary_1 = forms.CharField(label=_("Question"), max_length=500, required=False)
    subtopic_2 = forms.CharField(label=_("Topic of the second question"), max_length=20,
                                 required=False, widget=forms.Select)
    summary_2 = forms.CharField(label=_("Second question"), max_length=500, required=False)
    territory_code = forms.CharField(label=_("Territory of the problem"), max_length=19,
                                     required=False, widget=forms.HiddenInput)
    location = forms.CharField(label=_("Address of the problem"), max_length=300, required=False)
    needs_study = forms.BooleanField(
        label=_("Needs additional study (1 month)"), required=False,
        help_text=_("Leave unchecked to use the topic's default term."))

    # Routing: empty means "as the routing rules suggest".
    main_authority = CodeChoiceField(label=_("Main executor"), required=False)
    co_authorities = CodesChoiceField(label=_("Co-executors"), required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 4}))
    instructions = forms.CharField(label=_("Resolution"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    previous_appeal_number = forms.CharField(max_length=32, required=False)
    # Empty: first, or repeated / many-times when an earlier appeal is named (appeal_register).
    sign = forms.ChoiceField(label=_("Sign of receipt"), required=False,
                             choices=[("", _("Determine automatically")), *Sign.choices])

    # One per opened form: a double click or a resent POST carries the same one, and the service
    # then registers nothing and returns the first appeal.
    intake_token = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)
    # Card of Instruction No. 348: when another body sent the appeal, or it came by post earlier.
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."))
    origin_body = forms.CharField(label=_("Sent by (body)"), max_length=300, required=False)
    origin_number = forms.CharField(label=_("Their index"), max_length=64, required=False)
    origin_date = forms.DateField(label=_("Their date"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    # The Law at the door: what decides whether and where the appeal is considered.
    unsigned = forms.BooleanField(
        label=_("The letter is not signed by its author"), required=False,
        help_text=_("A letter without a signature or a place of residence is anonymous and not "
                    "considered (ст.8)."))
    missing_content = forms.CharField(
        label=_("Lacks required content"), max_length=300, required=False,
        help_text=_("What is missing (ст.5): the appeal is not routed and is returned with an "
                    "explanation within 10 days."))
    contested_authority = CodeChoiceField(
        label=_("Body complained of"), required=False,
        help_text=_("The complaint never goes to this body, but to its superior (ст.7 ч.4)."))
    contested_decision_on = forms.DateField(
        label=_("Date of the contested decision"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}))
    decision_learned_on = forms.DateField(
        label=_("Date the applicant learned of the decision"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A complaint is filed no later than a month after it (ст.17)."))
    late_complaint = forms.BooleanField(
        label=_("Complaint filed after the term (ст.17)"), required=False,
        help_text=_("Not considered: a year from the decision, a month from learning of it."))
    term_restored = forms.BooleanField(
        label=_("The missed term was restored for good reason"), required=False)

    # The letter, its scans, photos of the problem: stored with the appeal, in the same transaction.
    attachments = MultipleFileField(label=_("Attachments"), required=False,
                                    help_text=lazy(files_help, str)())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choice lists (290 sub-topics, the classifier, the authorities) are read only when
        # something iterates them: rendering the form, or checking a value that was chosen. A
        # successful POST with nothing chosen from them never builds them.
        categories = _once(lambda: reads.classifier_choices(Axis.CATEGORY))
        set_choices(self.fields["category_code"], categories)
        set_choices(self.fields["social_status_code"],
                    _once(lambda: reads.classifier_choices(Axis.SOCIAL_STATUS)))
        authorities = _once(
            lambda: reads.authority_choices(blank=str(_("— as the routing rules suggest —"))))
        set_choices(self.fields["main_authority"], authorities)
        set_choices(self.fields["co_authorities"], _once(lambda: authorities()[1:]))
        set_choices(self.fields["contested_authority"],
                    _once(lambda: [("", "—"), *authorities()[1:]]))
        groups = _once(reads.subtopic_groups)
        set_choices(self.fields["subtopic_1"].widget,
                    _once(lambda: [("", _("— choose the topic —")), *groups()]))
        set_choices(self.fields["subtopic_2"].widget,
                    _once(lambda: [("", _("— no second question —")), *groups()]))
        for row in range(1, COSIGNER_ROWS + 1):
            set_choices(self.fields[f"cosigner_{row}_category_code"], categories)

    def focus_first_error(self) -> None:
        """Put the cursor where the operator must correct (no scripts: the autofocus attribute)."""
        first = next((name for name in self.fields if name in self.errors), None)
        if first is None:
            return
        self.fields["phone"].widget.attrs.pop("autofocus", None)
        self.fields[first].widget.attrs["autofocus"] = True

    def clean_received_at(self) -> Any:
        value = self.cleaned_data.get("received_at")
        if value and value > clock.now():
            raise forms.ValidationError(_("The time of receipt cannot be in the future."))
        return value

    def value(self, name: str) -> Any:
        """What the form holds for `name`, bound or not (for the htmx panels)."""
        return self[name].value()

    # What the services take.

    def applicant_data(self) -> ApplicantData | None:
        d = self.cleaned_data
        if d["anonymous"]:
            return None
        return ApplicantData(
            kind=d["applicant_kind"], last_name=d["last_name"], first_name=d["first_name"],
            patronymic=d["patronymic"], organisation_name=d["organisation_name"],
            address=d["address"], territory_code=d["settlement_code"], phone=d["phone"],
            email=d["email"], sex=d["sex"], category_code=d["category_code"],
            social_status_code=d["social_status_code"], confidential=d["confidential"],
            language=d["notice_language"] or Language.UK,
        )

    def cosigner_rows(self) -> list[int]:
        """Form rows (1-based) with a co-signer typed in, in the order the service receives them."""
        return [row for row in range(1, COSIGNER_ROWS + 1)
                if any(str(self.cleaned_data.get(f"cosigner_{row}_{name}") or "").strip()
                       for name, _label, _length in COSIGNER_FIELDS)]

    def cosigners(self) -> list[ApplicantData]:
        """An anonymous appeal has no co-signers: like the applicant's, their details are dropped."""
        if self.cleaned_data["anonymous"]:
            return []
        return [ApplicantData(**{name: self.cleaned_data[f"cosigner_{row}_{name}"]
                                 for name, _label, _length in COSIGNER_FIELDS},
                              category_code=self.cleaned_data[f"cosigner_{row}_category_code"])
                for row in self.cosigner_rows()]

    def cosigner_fieldsets(self) -> list[dict[str, Any]]:
        """The co-signer rows as the template lays them out."""
        return [{"row": row, "fields": [self[f"cosigner_{row}_{name}"]
                                        for name, _label, _length in COSIGNER_FIELDS]
                 + [self[f"cosigner_{row}_category_code"]]}
                for row in range(1, COSIGNER_ROWS + 1)]

    def cosigners_open(self) -> bool:
        """Keep the section open when it holds something (or an error) after a refusal."""
        return any(self[f"cosigner_{row}_{name}"].value() or f"cosigner_{row}_{name}" in self.errors
                   for row in range(1, COSIGNER_ROWS + 1) for name, _label, _length in COSIGNER_FIELDS)

    def question_rows(self) -> list[int]:
        """Form rows (1-based) that carry a question, in the order the service receives them."""
        return [i for i in range(1, QUESTION_ROWS + 1) if self.cleaned_data[f"subtopic_{i}"]]

    def questions(self) -> list[QuestionData]:
        d = self.cleaned_data
        return [QuestionData(subtopic_code=d[f"subtopic_{i}"], summary=d[f"summary_{i}"])
                for i in self.question_rows()]

    def routing(self) -> Routing:
        d = self.cleaned_data
        return Routing(main_authority_code=d["main_authority"] or None,
                       co_authority_codes=tuple(d["co_authorities"]),
                       instructions=d["instructions"])

    def intake(self) -> AppealIntake:
        d = self.cleaned_data
        anonymous = d["anonymous"]
        return AppealIntake(
            channel=d["channel"], kind=d["kind"], text=d["text"], questions=self.questions(),
            applicant=self.applicant_data(),
            applicant_id=None if anonymous else d["applicant_id"],
            subject=Subject.ANONYMOUS if anonymous else None,
            territory_code=d["territory_code"], location=d["location"],
            needs_study=True if d["needs_study"] else None,
            previous_appeal_number=d["previous_appeal_number"].strip(), sign=d["sign"] or None,
            received_at=d["received_at"], origin_body=d["origin_body"],
            origin_number=d["origin_number"], origin_date=d["origin_date"],
            cosigners=self.cosigners(), attachments=as_file_data(d["attachments"]),
            signed=not d["unsigned"], missing_content=d["missing_content"].strip(),
            contested_authority_code=d["contested_authority"],
            contested_decision_on=d["contested_decision_on"],
            decision_learned_on=d["decision_learned_on"],
            late_complaint=d["late_complaint"], term_restored=d["term_restored"],
            idempotency_key=d["intake_token"],
        )

    def complaint_open(self) -> bool:
        """Show the complaint's fields when the kind is a complaint or they hold something."""
        names = ("contested_authority", "contested_decision_on", "decision_learned_on",
                 "late_complaint", "term_restored")
        return (self["kind"].value() == Kind.COMPLAINT
                or any(self[n].value() or n in self.errors for n in names))

    def add_service_error(self, field: str | None, message: str) -> None:
        target = SERVICE_FIELDS.get(field or "", field)
        if target and target.startswith("applicant."):
            target = target.removeprefix("applicant.")
        if target and target.startswith("questions."):
            index, rows = target.split(".")[1], self.question_rows() if self.is_bound else []
            target = (f"subtopic_{rows[int(index)]}" if index.isdigit() and int(index) < len(rows)
                      else "subtopic_1")
        if target and target.startswith("cosigners."):
            target = self._cosigner_field(target)
        self.add_error(target if target in self.fields else None, message)

    def _cosigner_field(self, target: str) -> str:
        """"cosigners.<i>.<name>" of the service → the field of the i-th filled row."""
        _prefix, index, name = [*target.split("."), "", ""][:3]
        rows = self.cosigner_rows() if self.is_bound else []
        if not index.isdigit() or int(index) >= len(rows):
            return "cosigner_1_last_name"
        field = f"cosigner_{rows[int(index)]}_{name}"
        return field if field in self.fields else f"cosigner_{rows[int(index)]}_last_name"


def _prepare(base: dict[str, forms.Field]) -> None:
    """What every RegisterForm has and nothing changes per form: built once, when the module is
    imported, and copied with the declared fields (a POST no longer builds 30 fields)."""
    # Typing a phone or a surname looks the applicant up (POST: no personal data in URLs).
    lookup = {"hx-post": reverse_lazy("workspace:applicant_lookup"),
              "hx-target": "#applicant-matches", "hx-trigger": "input changed delay:350ms",
              "hx-params": "phone,last_name", "hx-sync": "this:replace", "autocomplete": "off"}
    base["phone"].widget.attrs.update(lookup | {"inputmode": "tel", "autofocus": True})
    base["last_name"].widget.attrs.update(lookup)
    base["text"].widget.attrs["spellcheck"] = "true"
    for row in range(1, COSIGNER_ROWS + 1):
        for name, label, max_length in COSIGNER_FIELDS:
            base[f"cosigner_{row}_{name}"] = forms.CharField(
                label=label, max_length=max_length, required=False)
        # ст.20: a privileged co-signer makes the collective appeal a priority one.
        base[f"cosigner_{row}_category_code"] = CodeChoiceField(
            label=_("Category of the author"), required=False)


_prepare(RegisterForm.base_fields)


def applicant_initial(applicant: Applicant) -> dict[str, Any]:
    """The form's applicant fields filled from a known applicant ("use this applicant")."""
    return {
        "applicant_id": applicant.pk, "phone": applicant.phone, "last_name": applicant.last_name,
        "first_name": applicant.first_name, "patronymic": applicant.patronymic,
        "applicant_kind": applicant.kind, "organisation_name": applicant.organisation_name,
        "address": applicant.address, "settlement_code": applicant.territory_id or "",
        "email": applicant.email, "sex": applicant.sex,
        "category_code": applicant.category.code if applicant.category else "",
        "social_status_code": applicant.social_status.code if applicant.social_status else "",
        "confidential": applicant.confidential, "notice_language": applicant.language,
    }
