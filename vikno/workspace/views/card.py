"""The appeal card: the registration-control card of Instruction No. 348, the work on it and the
panels of the actions this user may take now (access.appeal_actions / assignment_actions)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from vikno.accounts.roles import CASE_ROLES
from vikno.appeals import access, selectors
from vikno.appeals.access import Action
from vikno.appeals.lifecycle import (
    NO_TERM_STATUSES,
    OWING_STATUSES,
    UNDER_CONTROL_STATUSES,
    AssignmentStatus,
)
from vikno.appeals.models import Appeal, AssignmentRole, Extension, ExtensionStatus, ReplyResult
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.selectors import reply_templates, working_calendar
from vikno.workspace.forms import actions as action_forms
from vikno.workspace.forms.on_behalf import AnswerOnBehalfForm
from vikno.workspace.forms.templates import InternalNoteForm, offer_templates
from vikno.workspace.permissions import role_required

# The panel of each centre action: its form. The order is the order on the card.
APPEAL_PANELS: dict[Action, type[action_forms.ActionForm]] = {
    Action.ROUTE: action_forms.RouteForm,
    Action.REVIEW: action_forms.ReviewForm,
    Action.FEEDBACK: action_forms.FeedbackForm,
    Action.EXTEND: action_forms.ExtendForm,
    Action.SHORTEN: action_forms.ShortenForm,
    Action.CLOSE: action_forms.CloseForm,
    Action.REOPEN: action_forms.ReopenForm,
    Action.FORWARD: action_forms.ForwardForm,
    Action.NOT_CONSIDER: action_forms.NotConsideredForm,
    Action.RETURN: action_forms.ReturnForm,
    Action.ANSWER_RECORD: action_forms.AnswerRecordForm,
    # Shown under the attachments, not among the actions at the side (see card_context).
    Action.ATTACH: action_forms.AttachForm,
}
ASSIGNMENT_PANELS: dict[str, type[action_forms.ActionForm]] = {
    access.ACCEPT: action_forms.AcceptForm,
    access.REPLY: action_forms.ReplyForm,
    access.ATTACH: action_forms.AttachForm,
    access.REQUEST_EXTENSION: action_forms.ExtensionRequestForm,
    access.ON_BEHALF: AnswerOnBehalfForm,
}


def panel_id(name: str, pk: int | None = None) -> str:
    """Field ids of one panel: several panels on one card share field names (note, reason…)."""
    return f"{name}-{pk}-%s" if pk is not None else f"{name}-%s"


# The key of the internal note form in `bound` (card_context).
NOTE_FORM = "internal_note"


def _split_replies(assignment: Any) -> tuple[list[Any], Any]:
    """The assignment's replies, and apart from them the executor's reason for returning it as
    not in its competence (shown next to the returned assignment)."""
    replies = list(assignment.replies.all())
    reason = None
    if assignment.status == AssignmentStatus.RETURNED:
        returns = [r for r in replies if r.result == ReplyResult.NOT_IN_COMPETENCE]
        reason = returns[-1] if returns else None
    return [r for r in replies if r is not reason], reason


def _route_initial(assignments: list[Any], questions: int) -> dict[str, Any]:
    active = [a for a in assignments
              if a.status not in (AssignmentStatus.RETURNED, AssignmentStatus.CANCELLED)]
    # With several questions each has its own main executor: none is offered for all of them.
    main = next((a.authority.code for a in active if a.role == AssignmentRole.MAIN),
                "") if questions == 1 else ""
    return {"main_authority": main,
            "co_authorities": sorted({a.authority.code for a in active if a.role == AssignmentRole.CO})}


def decides_as_head(user: Any, extension: Extension) -> bool:
    """The body's head decides with its own name; anyone else (the supervisor) enters whose."""
    return extension.assignment is not None and access.is_body_head(
        user=user, authority_id=extension.assignment.authority_id)


def _extension_row(user: Any, extension: Extension, bound: dict[Any, Any]) -> dict[str, Any]:
    key = ("decide", extension.pk)
    decide_form: action_forms.ActionForm | None = None
    if access.extension_decidable_by(user=user, extension=extension):
        form_class = (action_forms.HeadDecideExtensionForm if decides_as_head(user, extension)
                      else action_forms.DecideExtensionForm)
        decide_form = bound.get(key) or form_class(auto_id=panel_id("decide", extension.pk))
    return {"ext": extension, "form": decide_form, "open": key in bound}


def card_context(
    request: HttpRequest, appeal: Appeal, *, bound: dict[Any, action_forms.ActionForm] | None = None
) -> dict[str, Any]:
    """Everything the card shows. `bound` holds forms that failed, keyed by the action (centre
    actions) or by (action, object pk) for assignment and extension panels."""
    user = request.user
    bound = bound or {}
    actions = access.appeal_actions(user=user, appeal=appeal)
    assignments = list(selectors.appeal_assignments(appeal=appeal))
    templates = reply_templates()
    by_question: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for assignment in assignments:
        panels = []
        allowed = access.assignment_actions(user=user, assignment=assignment)
        for name in (n for n in ASSIGNMENT_PANELS if n in allowed):
            form = bound.get((name, assignment.pk)) or ASSIGNMENT_PANELS[name](
                auto_id=panel_id(name, assignment.pk))
            offer_templates(form, templates=templates,
                            subtopics=[assignment.question.subtopic])
            panels.append({"name": name, "form": form, "open": (name, assignment.pk) in bound})
        replies, return_reason = _split_replies(assignment)
        by_question[assignment.question_id].append({
            "a": assignment, "panels": panels, "replies": replies,
            # Returned assignments are the centre's to see (the executor no longer sees the card).
            "return_reason": return_reason,
            # The body has no executor account: its answer comes on paper, the centre records it.
            "paper_only": getattr(assignment, "without_accounts", False)
            and assignment.status in OWING_STATUSES})
    question_list = list(appeal.questions.select_related("subtopic__topic"))
    questions = [{"q": question, "assignments": by_question.get(question.pk, [])}
                 for question in question_list]

    panels = []
    attach_panel = None
    for action, form_class in APPEAL_PANELS.items():
        if action not in actions:
            continue
        initial = _route_initial(assignments, len(questions)) if action == Action.ROUTE else None
        panel_form = bound.get(action) or form_class(initial=initial, auto_id=panel_id(action))
        if isinstance(panel_form, action_forms.RouteForm | action_forms.QuestionChoice):
            panel_form.set_questions([row["q"] for row in questions])
        offer_templates(panel_form, templates=templates,
                        subtopics=[question.subtopic for question in question_list])
        panel = {"name": str(action), "form": panel_form, "open": action in bound}
        if action == Action.ATTACH:
            attach_panel = panel
        else:
            panels.append(panel)

    extensions = [_extension_row(user, extension, bound) for extension in appeal.extensions
                  .select_related("assignment__authority", "requested_by", "decided_by",
                                  "question__subtopic")]

    # A recorded view of the applicant and co-signers when they are shown unmasked.
    people = selectors.appeal_personal_data(user=user, appeal=appeal)
    today = clock.today()
    # A term runs (a countdown, a warning date) only until the appeal leaves consideration.
    term_runs = appeal.due_date is not None and appeal.status not in NO_TERM_STATUSES
    return {
        "appeal": appeal,
        "has_assignment_panels": any(panel["name"] != access.ON_BEHALF for rows in by_question.values()
                                     for row in rows for panel in row["panels"]),
        "applicant": people.applicant,
        "personal_visible": people.visible,
        "questions": questions,
        "panels": panels,
        "extensions": extensions,
        "feedback": list(appeal.feedback.select_related("recorded_by")),
        "attachments": list(appeal.attachments.select_related("uploaded_by").order_by("created_at",
                                                                                     "pk")),
        "attach_panel": attach_panel,
        # Listed to every viewer of the card; masked in the template like the applicant (ст.10).
        "cosigners": people.cosigners,
        "timeline": selectors.appeal_timeline(appeal=appeal),
        "routing_missed": selectors.appeal_routing_missed(appeal=appeal, today=today),
        "today": today,
        # An appeal not considered (ст.8) has no term: nothing to show or count down.
        # Per-question control: a question still owed past its own date, though the appeal's
        # (the latest) may not be.
        "overdue": (appeal.due_date is not None and appeal.status in UNDER_CONTROL_STATUSES
                    and selectors.appeal_is_overdue(appeal=appeal, today=today)),
        "days_left": (deadlines.days_left(appeal.due_date, today)
                      if term_runs and appeal.due_date is not None else None),
        "term_runs": term_runs,
        "notes": selectors.internal_notes_for(user=user, appeal=appeal),
        "note_form": (bound.get(NOTE_FORM) or InternalNoteForm(auto_id="note-%s")
                      if access.notes_writable_by(user=user, appeal=appeal) else None),
        "calendar": working_calendar(),
        "repeats_of": appeal.previous_appeal,
        "can_view_previous": appeal.previous_appeal_id is not None and access.appeals_visible_to(
            user).filter(pk=appeal.previous_appeal_id).exists(),
    }


def render_card(
    request: HttpRequest, appeal: Appeal, *, bound: dict[Any, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = card_context(request, appeal, bound=bound)
    return render(request, "workspace/card.html", context, status=status)


@role_required(*CASE_ROLES)
def appeal_card(request: HttpRequest, number: str) -> HttpResponse:
    appeal = access.appeal_get_for(user=request.user, number=number)
    return render_card(request, appeal)


@role_required(*CASE_ROLES)
def appeal_print(request: HttpRequest, number: str) -> HttpResponse:
    """The registration-control card of Instruction No. 348 on paper: the same access as the card
    and the same recorded view of the applicant and co-signers (appeal_personal_data)."""
    appeal = access.appeal_get_for(user=request.user, number=number)
    people = selectors.appeal_personal_data(user=request.user, appeal=appeal)
    assignments = list(selectors.appeal_assignments(appeal=appeal))
    questions = [{"q": question, "assignments": [a for a in assignments
                                                 if a.question_id == question.pk]}
                 for question in appeal.questions.select_related("subtopic__topic")]
    return render(request, "workspace/print_card.html", {
        "appeal": appeal,
        "applicant": people.applicant,
        "cosigners": people.cosigners,
        "personal_visible": people.visible,
        "questions": questions,
        "extensions": list(appeal.extensions.filter(status=ExtensionStatus.APPROVED)
                           .select_related("assignment__authority")),
        "printed_at": clock.now(),
    })


@role_required(*CASE_ROLES)
def attachment_download(request: HttpRequest, number: str, pk: int) -> FileResponse:
    # Refused unless the applicant's data is visible (ст.10); a recorded download.
    attachment = selectors.attachment_download_for(user=request.user, number=number, pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.original_name,
                        content_type=attachment.content_type or "application/octet-stream")
