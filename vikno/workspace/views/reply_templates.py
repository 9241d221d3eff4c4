"""The centre's reply templates: supervisors list, write, change, deactivate and activate them
(directory.services); the answer forms on the card offer the active ones."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vikno.accounts.roles import Role
from vikno.core.errors import ApplicationError, NotFound, PermissionDenied
from vikno.directory import services
from vikno.directory.models import ReplyTemplate
from vikno.directory.selectors import reply_template_get, reply_templates
from vikno.workspace.forms.templates import ReplyTemplateForm
from vikno.workspace.permissions import role_required


def _get(pk: int) -> ReplyTemplate:
    template = reply_template_get(pk=pk)
    if template is None:
        raise Http404
    return template


@role_required(Role.SUPERVISOR)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/reply_templates.html",
                  {"templates": reply_templates(active_only=False)})


@role_required(Role.SUPERVISOR)
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = _get(pk) if pk is not None else None
    initial = {}
    if template is not None:
        initial = {"title": template.title, "text": template.text,
                   "subtopic": template.subtopic.code if template.subtopic else "",
                   "topic": template.topic.code if template.topic and not template.subtopic else ""}
    form = ReplyTemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            values = {"title": d["title"], "text": d["text"], "topic_code": d["topic"],
                      "subtopic_code": d["subtopic"]}
            try:
                if template is None:
                    services.reply_template_create(actor=request.user, **values)
                else:
                    services.reply_template_update(actor=request.user, template=template, **values)
            except ApplicationError as exc:
                if isinstance(exc, PermissionDenied | NotFound):
                    raise
                form.add_service_error(exc.field, exc.message)
                status = exc.http_status
            else:
                messages.success(request, _("The template was saved."))
                return redirect(reverse("workspace:reply_templates"))
    return render(request, "workspace/reply_template_form.html",
                  {"form": form, "template": template}, status=status)


@role_required(Role.SUPERVISOR)
@require_POST
def template_active(request: HttpRequest, pk: int) -> HttpResponse:
    template = _get(pk)
    active = request.POST.get("active") == "1"
    services.reply_template_set_active(actor=request.user, template=template, active=active)
    messages.success(request, _("The template is active again.") if active
                     else _("The template is deactivated: the answer forms no longer offer it."))
    return redirect(reverse("workspace:reply_templates"))
