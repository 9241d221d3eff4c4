"""The operator's one screen: register a phone appeal in under a minute.

The htmx helpers that carry personal data (applicant lookup, the assist panel) are POSTs, so a
phone number or a surname never lands in a URL, a proxy log or the browser history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from vikno.accounts.roles import CENTRE_ROLES
from vikno.appeals import access, selectors, services
from vikno.appeals.errors import forbidden
from vikno.appeals.models import Appeal, Kind
from vikno.core import clock
from vikno.core.errors import ApplicationError, NotFound, PermissionDenied
from vikno.directory import deadlines
from vikno.directory.routing import route
from vikno.directory.selectors import working_calendar
from vikno.workspace import reads
from vikno.workspace.forms.register import QUESTION_ROWS, RegisterForm, applicant_initial
from vikno.workspace.permissions import role_required

ASSIST_EVENT = "vikno:assist"


def _register_allowed(request: HttpRequest) -> None:
    if not access.can_register(request.user):
        raise forbidden()


def _suggestions(form: RegisterForm) -> list[dict[str, Any]]:
    """For each chosen sub-topic: the executor the routing rules suggest for the territory."""
    territory = (reads.territory_by_code(form.value("territory_code") or "")
                 or reads.territory_by_code(form.value("settlement_code") or ""))
    rows: list[dict[str, Any]] = []
    for index in range(1, QUESTION_ROWS + 1):
        subtopic = reads.subtopic_by_code(form.value(f"subtopic_{index}") or "")
        if subtopic is None:
            continue
        try:
            authority = route(subtopic, territory)
            if (form.value("kind") == Kind.COMPLAINT
                    and authority.code == (form.value("contested_authority") or "")):
                # ст.7 ч.4: never the body complained of; its superior instead.
                authority = services.reviewing_authority(authority)
        except ApplicationError as exc:
            rows.append({"subtopic": subtopic, "authority": None, "error": exc.message})
        else:
            rows.append({"subtopic": subtopic, "authority": authority, "error": ""})
    return rows


def _repeats(form: RegisterForm) -> list[Appeal]:
    raw_id = form.value("applicant_id")
    applicant_id = int(raw_id) if str(raw_id or "").isdecimal() and str(raw_id).isascii() else None
    topics = [s.topic.code for s in (reads.subtopic_by_code(form.value(f"subtopic_{i}") or "")
                                     for i in range(1, QUESTION_ROWS + 1)) if s is not None]
    if not applicant_id or not topics:
        return []
    return list(selectors.possible_repeats(applicant_id=applicant_id, topic_codes=topics)
                .prefetch_related("questions__subtopic")[:5])


def _due(form: RegisterForm, suggestions: list[dict[str, Any]]) -> dict[str, Any]:
    """The control date the appeal would get if registered now (the service sets the real one)."""
    if not suggestions:
        return {}
    study = bool(form.value("needs_study")) or any(s["subtopic"].needs_study for s in suggestions)
    today = clock.today()
    if form.value("kind") == Kind.PUBLIC_INFORMATION:
        return {"due": deadlines.public_information_due(today, working_calendar()),
                "due_rule": _("5 working days")}
    if (form.value("missing_content") or "").strip():
        return {"due": deadlines.return_due(today), "due_rule": _("10 days: return")}
    return {"due": deadlines.consideration_due(today, needs_study=study),
            "due_rule": _("1 month") if study else _("15 days")}


def _assist_context(form: RegisterForm) -> dict[str, Any]:
    territory = reads.territory_by_code(form.value("territory_code") or "")
    settlement = reads.territory_by_code(form.value("settlement_code") or "")
    suggestions = _suggestions(form)
    return _due(form, suggestions) | {
        "form": form,
        "suggestions": suggestions,
        "repeats": _repeats(form),
        "previous_appeal_number": form.value("previous_appeal_number") or "",
        "problem_territory": territory or settlement,
        "problem_territory_is_default": territory is None and settlement is not None,
    }


def _page(request: HttpRequest, form: RegisterForm, status: int = 200) -> HttpResponse:
    if form.is_bound and form.errors:
        form.focus_first_error()
    context = _assist_context(form) | {
        "settlement": reads.territory_by_code(form.value("settlement_code") or ""),
        "territory": reads.territory_by_code(form.value("territory_code") or ""),
        # A browser never fills a file input back in: the operator must be told to choose again.
        "files_dropped": form.is_bound and bool(form.files.getlist("attachments")),
    }
    return render(request, "workspace/register.html", context, status=status)


def _save(request: HttpRequest, form: RegisterForm) -> Appeal:
    """appeal_register updates a known applicant and registers in one transaction; the page
    checks only that this user may use that applicant."""
    intake = form.intake()
    if intake.applicant_id is not None and selectors.applicant_for(
            user=request.user, pk=intake.applicant_id) is None:
        raise ApplicationError("invalid_value", _("The applicant was not found."), field="applicant")
    return services.appeal_register(actor=request.user, intake=intake, routing=form.routing())


@role_required(*CENTRE_ROLES)
def register(request: HttpRequest) -> HttpResponse:
    _register_allowed(request)
    if request.method != "POST":
        return _page(request, RegisterForm())
    form = RegisterForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        appeal = _save(request, form)
    except ApplicationError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        form.add_service_error(exc.field, exc.message)
        return _page(request, form, status=400)
    messages.success(request, _("Appeal %(number)s is registered.") % {"number": appeal.number})
    return redirect("workspace:appeal_card", number=appeal.number)


@role_required(*CENTRE_ROLES)
@require_POST
def applicant_lookup(request: HttpRequest) -> HttpResponse:
    """Applicants matching what is typed in the phone or surname field, with earlier appeals."""
    _register_allowed(request)
    htmx = getattr(request, "htmx", None)
    field = htmx.trigger_name if htmx else None
    q = request.POST.get(field or "", "") if field in ("phone", "last_name") else ""
    q = q or request.POST.get("phone", "") or request.POST.get("last_name", "")
    # A recorded search (how many were found, never what was typed).
    found = selectors.applicant_find(user=request.user, q=q)
    rows = [{"applicant": a,
             "appeals": list(selectors.applicant_appeals(user=request.user, applicant=a, limit=5))}
            for a in found]
    return render(request, "workspace/partials/applicant_matches.html", {"rows": rows, "q": q})


@role_required(*CENTRE_ROLES)
@require_POST
def applicant_use(request: HttpRequest, pk: int) -> HttpResponse:
    """"Use this applicant": the applicant block comes back filled, with the hidden id set."""
    _register_allowed(request)
    applicant = selectors.applicant_get_for(user=request.user, pk=pk)  # a recorded view
    form = RegisterForm(initial=applicant_initial(applicant))
    response = render(request, "workspace/partials/applicant_block.html",
                      {"form": form, "settlement": applicant.territory, "chosen": applicant})
    return trigger_client_event(response, ASSIST_EVENT)


@role_required(*CENTRE_ROLES)
@require_POST
def applicant_clear(request: HttpRequest) -> HttpResponse:
    _register_allowed(request)
    response = render(request, "workspace/partials/applicant_block.html",
                      {"form": RegisterForm(), "settlement": None})
    return trigger_client_event(response, ASSIST_EVENT)


@role_required(*CENTRE_ROLES)
@require_POST
def assist(request: HttpRequest) -> HttpResponse:
    """The live panel: suggested executor per question and possible repeats (ст.8)."""
    _register_allowed(request)
    form = RegisterForm(request.POST)
    return render(request, "workspace/partials/assist.html", _assist_context(form))


# Reference lookups: no personal data, plain GETs.

TERRITORY_FIELDS = {"settlement_code", "territory_code"}


@role_required(*CENTRE_ROLES)
@require_GET
def territory_search(request: HttpRequest) -> HttpResponse:
    field = request.GET.get("field", "")
    if field not in TERRITORY_FIELDS:
        field = "settlement_code"
    q = request.GET.get(f"{field}_q", "") or request.GET.get("q", "")
    results = [(t, reads.territory_label(t)) for t in reads.territory_search(q)]
    return render(request, "workspace/partials/territory_results.html",
                  {"results": results, "field": field, "q": q})


@role_required(*CENTRE_ROLES)
@require_GET
def territory_pick(request: HttpRequest) -> HttpResponse:
    field = request.GET.get("field", "")
    if field not in TERRITORY_FIELDS:
        field = "settlement_code"
    territory = reads.territory_by_code(request.GET.get("code", ""))
    response = render(request, "workspace/partials/territory_widget.html", {
        "field": field, "territory": territory,
        "label": RegisterForm.base_fields[field].label,
    })
    return trigger_client_event(response, ASSIST_EVENT)


@role_required(*CENTRE_ROLES)
@require_GET
def subtopic_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of a topic picker narrowed to what was typed."""
    row = request.GET.get("row", "1")
    return render(request, "workspace/partials/subtopic_options.html", {
        "groups": reads.subtopic_groups(request.GET.get("q", "")),
        "selected": request.GET.get(f"subtopic_{row}", ""),
    })
