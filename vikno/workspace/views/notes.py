"""Internal notes on the card: a word between the centre and the executors, never shown to the
applicant. The form posts with htmx (the section is swapped in place) and without it (back to
the card)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vikno.accounts.roles import CASE_ROLES
from vikno.appeals import access, selectors, services
from vikno.appeals.errors import forbidden
from vikno.appeals.models import Appeal
from vikno.core.errors import ApplicationError, NotFound, PermissionDenied
from vikno.workspace.forms.templates import InternalNoteForm
from vikno.workspace.permissions import role_required
from vikno.workspace.views.card import NOTE_FORM, render_card
from vikno.workspace.views.common import is_fragment_request


def _section(request: HttpRequest, appeal: Appeal, form: InternalNoteForm) -> HttpResponse:
    # htmx swaps 2xx answers only: a refused note comes back as 200 with the form's message.
    return render(request, "workspace/partials/card_notes.html", {
        "appeal": appeal, "note_form": form,
        "notes": selectors.internal_notes_for(user=request.user, appeal=appeal)})


@role_required(*CASE_ROLES)
@require_POST
def note_add(request: HttpRequest, number: str) -> HttpResponse:
    appeal = access.appeal_get_for(user=request.user, number=number)
    if not access.notes_writable_by(user=request.user, appeal=appeal):
        raise forbidden()
    form = InternalNoteForm(request.POST, auto_id="note-%s")
    status = 400
    if form.is_valid():
        try:
            services.note_add(actor=request.user, appeal=appeal, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            if isinstance(exc, PermissionDenied | NotFound):
                raise
            form.add_service_error(exc.field, exc.message)
            status = exc.http_status
        else:
            if is_fragment_request(request):
                return _section(request, appeal, InternalNoteForm(auto_id="note-%s"))
            messages.success(request, _("The note was added."))
            return redirect(reverse("workspace:appeal_card", args=[appeal.number]) + "#notes")
    if is_fragment_request(request):
        return _section(request, appeal, form)
    return render_card(request, appeal, bound={NOTE_FORM: form}, status=status)
