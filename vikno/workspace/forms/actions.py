"""Forms of the action panels on the appeal card. They parse input; the services decide.

Fields the services check themselves (reasons, notes, texts) are not required here, so the
user sees the service's own message, the same one the API and every other channel give.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vikno.appeals.models import NotConsideredReason, ReplyResult
from vikno.workspace import reads
from vikno.workspace.forms import set_choices
from vikno.workspace.forms.files import MultipleFileField, files_help
from vikno.workspace.forms.templates import template_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 2})


class ActionForm(forms.Form):
    def add_service_error(self, field: str | None, message: str) -> None:
        self.add_error(field if field in self.fields else None, message)


class RouteForm(ActionForm):
    # Choices (the appeal's questions) are set by the card; the service ignores other ids.
    question = forms.TypedChoiceField(label=_("Question"), required=False, coerce=int,
                                      empty_value=None)
    main_authority = forms.ChoiceField(label=_("Main executor"), required=False)
    co_authorities = forms.MultipleChoiceField(
        label=_("Co-executors"), required=False, widget=forms.SelectMultiple(attrs={"size": 5}))
    instructions = forms.CharField(label=_("Resolution"), required=False, widget=NOTE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = reads.authority_choices(blank=str(_("— as the routing rules suggest —")))
        set_choices(self.fields["main_authority"], choices)
        set_choices(self.fields["co_authorities"], choices[1:])

    def set_questions(self, questions: list[Any]) -> None:
        field = self.fields["question"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("All questions not answered yet")),
            *((q.pk, f"{n}. {q.subtopic}") for n, q in enumerate(questions, start=1))]

    def add_service_error(self, field: str | None, message: str) -> None:
        names = {"main_authority_code": "main_authority", "co_authority_codes": "co_authorities",
                 "question_ids": "question"}
        super().add_service_error(names.get(field or "", field), message)


def _question_label(number: int, question: Any) -> str:
    return f"{number}. {question.subtopic.name}"


class QuestionChoice(ActionForm):
    """Per-question control: which of the appeal's questions the action concerns. The field is
    there only when the appeal has more than one question; the card and the action view give the
    questions (`set_questions`), and the cleaned value is the Question itself, or None for all."""

    # Set by subclasses: "one" (a select, blank = every question) or "many" (checkboxes).
    question_field = ""
    question_label: Any = ""
    question_help: Any = ""
    # The fields the question choice follows.
    question_after: tuple[str, ...] = ()

    def set_questions(self, questions: list[Any]) -> None:
        if len(questions) < 2:
            return
        by_pk = {str(q.pk): q for q in questions}
        choices = [(str(q.pk), _question_label(n, q)) for n, q in enumerate(questions, start=1)]
        field: forms.Field
        if self.question_field == "one":
            field = forms.TypedChoiceField(
                label=self.question_label, required=False, coerce=lambda v: by_pk[str(v)],
                empty_value=None, choices=[("", _("All questions")), *choices],
                help_text=self.question_help)
            name = "question"
        else:
            field = forms.TypedMultipleChoiceField(
                label=self.question_label, required=False, coerce=lambda v: by_pk[str(v)],
                empty_value=None, choices=choices, widget=forms.CheckboxSelectMultiple,
                help_text=self.question_help)
            name = "questions"
        self.fields[name] = field
        self.order_fields([*self.question_after, name])


class NewDueForm(QuestionChoice):
    question_field = "one"
    question_label = _("Question")
    question_help = _("The other questions keep their control dates.")

    new_due_date = forms.DateField(label=_("New control date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False, widget=NOTE)

    def add_service_error(self, field: str | None, message: str) -> None:
        super().add_service_error("reason" if field == "note" else field, message)


class DeciderFields(ActionForm):
    """ст.20: who extended the term (the body's head or a deputy) and the document of it."""

    decider_name = forms.CharField(label=_("Decided by (name)"), max_length=200, required=False)
    decider_position = forms.CharField(label=_("Position"), max_length=200, required=False)
    decider_body = forms.CharField(label=_("Body"), max_length=300, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_date = forms.DateField(label=_("Document date"), required=False, widget=DATE)


class ExtendForm(NewDueForm, DeciderFields):
    pass


class ShortenForm(NewDueForm):
    reason = forms.CharField(label=_("The applicant's reasoned request"), required=False,
                             widget=NOTE)


class ExtensionRequestForm(NewDueForm):
    """The executor's request concerns its own assignment's question: no choice."""

    def set_questions(self, questions: list[Any]) -> None:
        return


class HeadDecideExtensionForm(ActionForm):
    """The body's head decides in the workspace: who decided comes from the account."""

    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, initial="approve",
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    document_date = forms.DateField(label=_("Document date"), required=False, widget=DATE)


class DecideExtensionForm(HeadDecideExtensionForm, DeciderFields):
    """The supervisor records the decision of the body's head on its behalf."""

    field_order = ["decision", "note", "decider_name", "decider_position", "decider_body",
                   "document_number", "document_date"]


class ReviewForm(QuestionChoice):
    question_field = "many"
    question_label = _("Questions sent back for revision")
    question_help = _("None checked: every answered question.")
    question_after = ("decision", "note")

    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, initial="accept",
        choices=[("accept", _("Accept the answer and pass it to the applicant")),
                 ("revise", _("Send back for revision"))])
    # The centre's reply templates for the note (see forms/templates.py; filled by the card).
    template_target = "note"
    reply_template = template_field()
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)
    file_number = forms.CharField(label=_("File number (where the case is filed)"), max_length=64,
                                  required=False)


class AnswerRecordForm(ActionForm):
    answer_number = forms.CharField(label=_("Answer index"), max_length=64, required=False)
    answer_date = forms.DateField(label=_("Answer date"), required=False, widget=DATE)
    file_number = forms.CharField(label=_("File number"), max_length=64, required=False)


class FeedbackForm(QuestionChoice):
    question_field = "many"
    question_label = _("Questions the applicant names as not resolved")
    question_help = _("For an unconfirmed result or a poor rating. None checked: every answered "
                      "question.")
    question_after = ("confirmed", "rating")

    confirmed = forms.TypedChoiceField(
        label=_("The applicant confirms the result"), widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda v: v == "yes")
    rating = forms.TypedChoiceField(
        label=_("Rating"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=NOTE)


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Reason"), required=False, widget=NOTE)


class CloseForm(NoteForm):
    pass


class ReopenForm(NoteForm, QuestionChoice):
    question_field = "many"
    question_label = _("Questions reopened")
    question_help = _("None checked: every answered question.")
    question_after = ("note",)


class ReturnForm(NoteForm):
    note = forms.CharField(label=_("What is missing (the explanation for the applicant)"),
                           required=False, widget=NOTE)


class ForwardForm(ActionForm):
    to_body = forms.CharField(label=_("Competent body"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)


class NotConsideredForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason (ст.8)"), required=False,
                               choices=[("", "—"), *NotConsideredReason.choices])
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)


class AcceptForm(ActionForm):
    pass


# Shown only when the result is a refusal (vikno.css); the service requires them then (ст.15).
REFUSAL = forms.Textarea(attrs={"rows": 2, "data-refusal": "1"})


class ReplyForm(ActionForm):
    result = forms.ChoiceField(label=_("Result"), required=False,
                               choices=[("", "—"), *ReplyResult.choices])
    reply_template = template_field()
    text = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    refusal_reasons = forms.CharField(label=_("Reasons for the refusal"), required=False,
                                      widget=REFUSAL)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=REFUSAL)
    appeal_procedure = forms.CharField(label=_("How to appeal the refusal"), required=False,
                                       widget=REFUSAL)
    outgoing_number = forms.CharField(label=_("Outgoing number of the letter"), max_length=64,
                                      required=False)
    outgoing_date = forms.DateField(label=_("Date of the letter"), required=False, widget=DATE)
    signatory_name = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    signatory_position = forms.CharField(label=_("Signatory's position"), max_length=200,
                                         required=False)


class AttachForm(ActionForm):
    attachments = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = files_help()
