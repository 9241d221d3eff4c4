"""POST actions of the appeal card. Each one: fetch through access.py (403/404 change nothing),
parse the panel's form, call one service; on ApplicationError show its message on the card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vikno.accounts.roles import CASE_ROLES
from vikno.appeals import access, services
from vikno.appeals.access import Action
from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models import Appeal, Assignment
from vikno.core.errors import ApplicationError, NotFound, PermissionDenied
from vikno.workspace.forms import actions as action_forms
from vikno.workspace.forms.files import as_file_data
from vikno.workspace.permissions import role_required
from vikno.workspace.views.card import (
    APPEAL_PANELS,
    ASSIGNMENT_PANELS,
    decides_as_head,
    panel_id,
    render_card,
)
from vikno.workspace.views.common import safe_next

Run = Callable[[Any, Appeal, dict[str, Any]], str]


def _date(value: Any) -> str:
    return value.strftime("%d.%m.%Y")


def _route(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_assign(actor=actor, appeal=appeal, routing=services.Routing(
        main_authority_code=d["main_authority"] or None,
        co_authority_codes=tuple(d["co_authorities"]), instructions=d["instructions"]),
        question_ids=[d["question"]] if d.get("question") else None)
    return _("The appeal was routed to the executors.")


def _decider(d: dict[str, Any]) -> services.Decider:
    return services.Decider(name=d["decider_name"], position=d["decider_position"],
                            body=d["decider_body"], document_number=d["document_number"],
                            document_date=d["document_date"])


def _extend(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_extend(actor=actor, appeal=appeal, new_due=d["new_due_date"], reason=d["reason"],
                           decider=_decider(d), question=d.get("question"))
    return _("The control date is extended to %(date)s.") % {"date": _date(d["new_due_date"])}


def _shorten(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_shorten(actor=actor, appeal=appeal, new_due=d["new_due_date"], reason=d["reason"],
                            question=d.get("question"))
    return _("The control date is shortened to %(date)s.") % {"date": _date(d["new_due_date"])}


def _review(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    accept = d["decision"] == "accept"
    services.answer_review(actor=actor, appeal=appeal, accept=accept, note=d["note"],
                           file_number=d["file_number"], questions=d.get("questions"))
    return _("The answer was accepted.") if accept else _("The answer was sent back for revision.")


def _answer_record(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_answer_record(actor=actor, appeal=appeal, answer_number=d["answer_number"],
                                  answer_date=d["answer_date"], file_number=d["file_number"])
    return _("The answer's index, date and file number were recorded.")


def _repeated(appeal: Appeal) -> str | None:
    """Past the 45-day cap dissatisfaction leaves the appeal closed and starts a repeated one."""
    appeal.refresh_from_db(fields=["status"])
    repeat = appeal.repeats.order_by("-pk").first() if appeal.status == AppealStatus.CLOSED else None
    if repeat is None:
        return None
    return _("The 45-day term has passed: the repeated appeal %(number)s was registered.") % {
        "number": repeat.number}


def _feedback(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.feedback_record(actor=actor, appeal=appeal, confirmed=d["confirmed"], rating=d["rating"],
                             comment=d["comment"], questions=d.get("questions"))
    # A closed appeal with a repeat was closed by this dissatisfaction: once a repeat exists the
    # first appeal never takes feedback again.
    return _repeated(appeal) or _("The applicant's confirmation and rating were recorded.")


def _close(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_close(actor=actor, appeal=appeal, note=d["note"])
    return _("The appeal was closed.")


def _reopen(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_reopen(actor=actor, appeal=appeal, note=d["note"], questions=d.get("questions"))
    return _repeated(appeal) or _("The appeal was reopened.")


def _forward(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_forward(actor=actor, appeal=appeal, to_body=d["to_body"], note=d["note"])
    return _("The appeal was forwarded to the competent body.")


def _not_consider(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_not_considered(actor=actor, appeal=appeal, reason=d["reason"], note=d["note"])
    return _("The appeal was marked as not subject to consideration.")


def _return(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    services.appeal_return_missing_content(actor=actor, appeal=appeal, note=d["note"])
    return _("The appeal was returned to the applicant for missing content.")


def _attached(count: int) -> str:
    return ngettext("%(n)d file is attached.", "%(n)d files are attached.", count) % {"n": count}


def _attach(actor: Any, appeal: Appeal, d: dict[str, Any]) -> str:
    added = services.attachments_add(actor=actor, appeal=appeal,
                                     files=as_file_data(d["attachments"]))
    return _attached(len(added))


# URL slug → (the access decision, the service call).
APPEAL_ACTIONS: dict[str, tuple[Action, Run]] = {
    "route": (Action.ROUTE, _route),
    "extend": (Action.EXTEND, _extend),
    "shorten": (Action.SHORTEN, _shorten),
    "review": (Action.REVIEW, _review),
    "feedback": (Action.FEEDBACK, _feedback),
    "close": (Action.CLOSE, _close),
    "reopen": (Action.REOPEN, _reopen),
    "forward": (Action.FORWARD, _forward),
    "not-considered": (Action.NOT_CONSIDER, _not_consider),
    "return": (Action.RETURN, _return),
    "attach": (Action.ATTACH, _attach),
    "answer-record": (Action.ANSWER_RECORD, _answer_record),
}
ACTION_SLUGS = {action: slug for slug, (action, _run) in APPEAL_ACTIONS.items()}


def _refused(exc: ApplicationError) -> bool:
    """Access refusals end the request as 403/404; every other error is shown on the card."""
    return isinstance(exc, PermissionDenied | NotFound)


def _card_url(appeal: Appeal) -> str:
    return reverse("workspace:appeal_card", args=[appeal.number])


def appeal_action_view(slug: str) -> Callable[..., HttpResponseBase]:
    action, run = APPEAL_ACTIONS[slug]

    @role_required(*CASE_ROLES)
    @require_POST
    def view(request: HttpRequest, number: str) -> HttpResponse:
        appeal = access.appeal_get_for(user=request.user, number=number)
        access.appeal_require(user=request.user, appeal=appeal, action=action)
        form = APPEAL_PANELS[action](request.POST, request.FILES, auto_id=panel_id(action))
        if isinstance(form, action_forms.RouteForm | action_forms.QuestionChoice):
            form.set_questions(list(appeal.questions.select_related("subtopic")))
        if not form.is_valid():
            return render_card(request, appeal, bound={action: form}, status=400)
        try:
            message = run(request.user, appeal, form.cleaned_data)
        except ApplicationError as exc:
            if _refused(exc):
                raise
            form.add_service_error(exc.field, exc.message)
            appeal.refresh_from_db()
            return render_card(request, appeal, bound={action: form}, status=exc.http_status)
        messages.success(request, message)
        return redirect(safe_next(request, _card_url(appeal)))

    view.__name__ = f"appeal_{slug.replace('-', '_')}"
    return view


@role_required(*CASE_ROLES)
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor records the body head's decision; the body's head decides it here."""
    extension = access.extension_get_for(user=request.user, pk=pk)
    appeal = access.appeal_get_for(user=request.user, number=extension.appeal.number)
    as_head = decides_as_head(request.user, extension)
    form_class = action_forms.HeadDecideExtensionForm if as_head else action_forms.DecideExtensionForm
    form = form_class(request.POST, auto_id=panel_id("decide", extension.pk))
    key = ("decide", extension.pk)
    if not form.is_valid():
        return render_card(request, appeal, bound={key: form}, status=400)
    d = form.cleaned_data
    approve = d["decision"] == "approve"
    decider = (services.head_decider(actor=request.user, document_number=d["document_number"],
                                     document_date=d["document_date"]) if as_head
               else _decider(d))
    try:
        services.extension_decide(actor=request.user, extension=extension, approve=approve,
                                  note=d["note"], decider=decider)
    except ApplicationError as exc:
        if _refused(exc):
            raise
        form.add_service_error(exc.field, exc.message)
        appeal.refresh_from_db()
        return render_card(request, appeal, bound={key: form}, status=exc.http_status)
    messages.success(request, _("The extension was approved.") if approve
                     else _("The extension was refused."))
    return redirect(safe_next(request, _card_url(appeal)))


def _accept(actor: Any, assignment: Assignment, d: dict[str, Any]) -> str:
    services.assignment_accept(actor=actor, assignment=assignment)
    return _("The assignment is taken into work.")


def _reply(actor: Any, assignment: Assignment, d: dict[str, Any]) -> str:
    services.reply_submit(
        actor=actor, assignment=assignment, result=d["result"], text=d["text"],
        outgoing_number=d["outgoing_number"], outgoing_date=d["outgoing_date"],
        signatory_name=d["signatory_name"], signatory_position=d["signatory_position"],
        refusal_reasons=d["refusal_reasons"], legal_basis=d["legal_basis"],
        appeal_procedure=d["appeal_procedure"])
    return _("The answer was sent to the contact centre.")


def _request_extension(actor: Any, assignment: Assignment, d: dict[str, Any]) -> str:
    services.extension_request(actor=actor, assignment=assignment, new_due=d["new_due_date"],
                               reason=d["reason"])
    return _("The extension request was sent to the supervisor.")


def _attach_reply_documents(actor: Any, assignment: Assignment, d: dict[str, Any]) -> str:
    added = services.attachments_add(actor=actor, appeal=assignment.question.appeal,
                                     files=as_file_data(d["attachments"]))
    return _attached(len(added))


def _answer_on_behalf(actor: Any, assignment: Assignment, d: dict[str, Any]) -> str:
    scan = as_file_data([d["scan"]])[0] if d["scan"] else None
    reply = services.reply_record_on_behalf(
        actor=actor, assignment=assignment, result=d["result"], text=d["text"],
        letter=services.Letter(outgoing_number=d["outgoing_number"],
                               outgoing_date=d["outgoing_date"],
                               signatory_name=d["signatory_name"],
                               signatory_position=d["signatory_position"]),
        received_via=d["received_via"], received_on=d["received_on"], scan=scan,
        grounds=services.Grounds(refusal_reasons=d["refusal_reasons"],
                                 legal_basis=d["legal_basis"],
                                 appeal_procedure=d["appeal_procedure"]))
    if reply.assignment.status == AssignmentStatus.RETURNED:
        return _("The return received outside Vikno was recorded: re-route the question.")
    return _("The answer received outside Vikno was recorded on the executor's behalf.")


ASSIGNMENT_ACTIONS: dict[str, tuple[str, Callable[[Any, Assignment, dict[str, Any]], str]]] = {
    "accept": (access.ACCEPT, _accept),
    "reply": (access.REPLY, _reply),
    "attach": (access.ATTACH, _attach_reply_documents),
    "extension": (access.REQUEST_EXTENSION, _request_extension),
    "on-behalf": (access.ON_BEHALF, _answer_on_behalf),
}
ASSIGNMENT_SLUGS = {name: slug for slug, (name, _run) in ASSIGNMENT_ACTIONS.items()}


def assignment_action_view(slug: str) -> Callable[..., HttpResponseBase]:
    name, run = ASSIGNMENT_ACTIONS[slug]

    @role_required(*CASE_ROLES)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        assignment = access.assignment_get_for(user=request.user, pk=pk, action=name)
        number = assignment.question.appeal.number
        form = ASSIGNMENT_PANELS[name](request.POST, request.FILES,
                                       auto_id=panel_id(name, assignment.pk))
        key = (name, assignment.pk)
        if form.is_valid():
            try:
                message = run(request.user, assignment, form.cleaned_data)
            except ApplicationError as exc:
                if _refused(exc):
                    raise
                form.add_service_error(exc.field, exc.message)
                status = exc.http_status
            else:
                messages.success(request, message)
                # "Not in competence" ends this executor's access to the appeal: back to the queue.
                still_visible = access.appeals_visible_to(request.user).filter(number=number).exists()
                default = (reverse("workspace:appeal_card", args=[number]) if still_visible
                           else reverse("workspace:my_assignments"))
                return redirect(safe_next(request, default))
        else:
            status = 400
        appeal = access.appeal_get_for(user=request.user, number=number)
        return render_card(request, appeal, bound={key: form}, status=status)

    view.__name__ = f"assignment_{slug.replace('-', '_')}"
    return view
