"""The citizen portal: submit an electronic appeal, track it by number and code, confirm or say
"not resolved". Public pages: no login; a staff session sees nothing more here.

The tracking code is never in a URL nor kept anywhere to be shown later: the result page is the
answer to the form's POST, and tracking is a POST whose success keeps the access (the appeal and
its code's hash, not the code) in the session.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from vikno.appeals import selectors_public as public
from vikno.appeals import services
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.tracking import APPLICANT, grouped
from vikno.core.errors import ApplicationError
from vikno.portal import antiabuse, reads
from vikno.portal.forms import AppealForm, FeedbackForm, TrackForm

ACCESS_KEY = "portal_track"  # [appeal id, code hash]: the tracking page without retyping
FIELD_OF = {"applicant.last_name": "last_name", "applicant.first_name": "first_name",
            "applicant.email": "email", "applicant.phone": "phone",
            "applicant.address": "address", "territory_code": "settlement_code",
            "questions": "subtopic", "questions.0.subtopic_code": "subtopic",
            "contested_authority_code": "contested_authority_code", "text": "text",
            "attachments": "attachments", "kind": "kind"}
# The status in plain words: what is happening, for someone who never saw the Law.
STATUS_WORDS: dict[AppealStatus, Any] = {
    AppealStatus.REGISTERED: gettext_lazy("Registered: being sent to the body that will consider it."),
    AppealStatus.ASSIGNED: gettext_lazy("Sent to the body that will consider it."),
    AppealStatus.IN_WORK: gettext_lazy("Being considered."),
    AppealStatus.RETURNED_FOR_REVISION: gettext_lazy("Being considered again."),
    AppealStatus.ANSWERED: gettext_lazy("Answered: the answer is being checked before it is sent."),
    AppealStatus.AWAITING_CONFIRMATION: gettext_lazy("Answered: tell us whether the answer suits you."),
    AppealStatus.CLOSED: gettext_lazy("Consideration is completed."),
    AppealStatus.FORWARDED: gettext_lazy("Forwarded to the body that decides such matters."),
    AppealStatus.NOT_CONSIDERED: gettext_lazy("Not subject to consideration under the Law."),
    AppealStatus.RETURNED_MISSING_CONTENT: gettext_lazy(
        "Returned to you: required content is missing (ст.5 of the Law)."),
}
STAMP_MESSAGES = {
    "fast": gettext_lazy("The form was sent too quickly. Check it and send it again."),
    "expired": gettext_lazy("The form was open for more than a day. Check it and send it again."),
    "invalid": gettext_lazy("The form could not be checked. Check it and send it again."),
}


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/limited.html", status=429)


def _appeal_page(request: HttpRequest, form: AppealForm, *, status: int = 200,
                 found: list[tuple[str, str]] | None = None, problem: str = "") -> HttpResponse:
    form.settlement_options(found or [])
    return render(request, "portal/appeal.html", {
        "nav": "appeal", "form": form, "problem": problem, "searched": found is not None,
        "files_dropped": form.is_bound and bool(form.files.getlist("attachments")),
    }, status=status)


def _send_code(*, email: str, number: str, code: str) -> None:
    """The number and the code by e-mail, after commit (a rolled-back registration sends
    nothing). The code is in the message body alone: never logged, never in a notice."""
    body = render_to_string("portal/email_registered.txt", {"number": number, "code": grouped(code)})
    send_mail(_("Your appeal %(number)s is registered") % {"number": number}, body,
              settings.DEFAULT_FROM_EMAIL, [email])


def _fresh_form(form: AppealForm) -> AppealForm:
    """The same answers with a new "shown" moment (after a refusal by the time check)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["shown"] = antiabuse.shown_stamp()
    return AppealForm(data, form.files)


def _done(request: HttpRequest, *, number: str, code: str, emailed: bool) -> HttpResponse:
    """The result page, as the answer to the POST itself: the code is never stored to be shown
    later (no session, no URL). Reloading re-sends the form, which registers nothing new."""
    response = render(request, "portal/done.html", {
        "number": number, "code": grouped(code) if code else "", "emailed": emailed})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _appeal_page(request, AppealForm())
    form = AppealForm(request.POST, request.FILES)
    if "find" in request.POST:  # the settlement search without JavaScript: nothing is sent
        return _appeal_page(request, AppealForm(request.POST),
                            found=reads.territory_search(request.POST.get("settlement_q", "")))
    # Counted here, not by a decorator: the search above is no submission.
    if is_ratelimited(request, group="portal-submit", key="ip", rate=antiabuse.submit_rate,
                      method="POST", increment=True):
        return _limited(request)
    if request.POST.get(antiabuse.HONEYPOT):
        return _appeal_page(request, AppealForm(), status=400,
                            problem=_("The form could not be accepted. Fill it in again."))
    stamp = antiabuse.stamp_problem(request.POST.get("shown", ""))
    if stamp:
        return _appeal_page(request, _fresh_form(form), status=400, problem=str(STAMP_MESSAGES[stamp]))
    if not form.is_valid():
        return _appeal_page(request, form, status=400)
    try:
        registered = services.appeal_register(actor=APPLICANT, intake=form.intake())
    except ApplicationError as exc:
        field = FIELD_OF.get(exc.field or "")
        form.add_error(field if field in form.fields else None, exc.message)
        return _appeal_page(request, form, status=400)
    # Only a new registration carries its code; a repeated submission returns the first appeal.
    code = getattr(registered, "tracking_code", "")
    email = form.cleaned_data["email"]
    if email and code:
        transaction.on_commit(lambda: _send_code(email=email, number=registered.number, code=code))
    return _done(request, number=registered.number, code=code, emailed=bool(email and code))


@require_GET
def settlements(request: HttpRequest) -> HttpResponse:
    """The settlement select's options for what is typed (htmx); reference data only."""
    found = reads.territory_search(request.GET.get("settlement_q", ""))
    return render(request, "portal/partials/settlement_options.html",
                  {"found": found, "selected": request.GET.get("settlement_code", "")})


def _track_page(request: HttpRequest, *, form: TrackForm | None = None,
                view: public.PublicAppeal | None = None, feedback: FeedbackForm | None = None,
                status: int = 200, problem: str = "", notice: str = "") -> HttpResponse:
    response = render(request, "portal/track.html", {
        "nav": "track", "form": form or TrackForm(), "view": view,
        "status_words": STATUS_WORDS.get(AppealStatus(view.status), "") if view else "",
        "feedback": feedback or FeedbackForm(),
        "problem": problem, "notice": notice}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@ratelimit(key="ip", rate=antiabuse.track_rate, method="POST", block=False, group="portal-track")
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        found = public.appeal_for_access(access=request.session.get(ACCESS_KEY))
        return _track_page(request, view=public.appeal_public_view(appeal=found) if found else None)
    if getattr(request, "limited", False):
        return _limited(request)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, form=form, status=400)
    found = public.appeal_for_tracking(number=form.cleaned_data["number"],
                                       code=form.cleaned_data["code"])
    if found is None:
        request.session.pop(ACCESS_KEY, None)
        return _track_page(request, form=TrackForm(initial={"number": form.cleaned_data["number"]}),
                           status=400, problem=_("The registration number or the tracking code is "
                                                 "wrong. Check both and try again."))
    view = public.appeal_public_view(appeal=found)
    request.session.cycle_key()  # a new session id for the access it now holds
    request.session[ACCESS_KEY] = list(view.access)
    return _track_page(request, view=view)


@require_POST
def track_end(request: HttpRequest) -> HttpResponse:
    request.session.pop(ACCESS_KEY, None)
    return redirect("portal:track")


@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    """"The result suits me" with a rating, or "not resolved": the appeal kept in the session."""
    found = public.appeal_for_access(access=request.session.get(ACCESS_KEY))
    if found is None:
        return _track_page(request, status=403, problem=_(
            "Enter the registration number and the tracking code first."))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _track_page(request, view=public.appeal_public_view(appeal=found), feedback=form,
                           status=400)
    confirmed = form.cleaned_data["decision"] == "confirm"
    try:
        services.feedback_record(actor=APPLICANT, appeal=found, confirmed=confirmed,
                                 rating=form.cleaned_data["rating"],
                                 comment=form.cleaned_data["comment"])
    except ApplicationError as exc:
        return _track_page(request, view=public.appeal_public_view(appeal=found), status=409,
                           problem=exc.message)
    view = public.appeal_public_view(appeal=found)
    notice = (_("Thank you: your confirmation and rating are recorded.") if confirmed else
              _("Your answer is recorded: the appeal goes back for consideration."))
    return _track_page(request, view=view, notice=notice)
