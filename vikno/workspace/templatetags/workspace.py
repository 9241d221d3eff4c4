"""Template helpers of the workspace: navigation, badges, masked names, unread count."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vikno.accounts.access import role_of
from vikno.accounts.roles import CASE_ROLES, CENTRE_ROLES, Role
from vikno.appeals import selectors_notifications
from vikno.appeals.lifecycle import (
    NO_TERM_STATUSES,
    OWING_STATUSES,
    UNDER_CONTROL_STATUSES,
    TransitionAction,
)
from vikno.appeals.models.work import NotificationKind
from vikno.appeals.services.attachments import type_label
from vikno.directory import deadlines
from vikno.directory.deadlines import WorkingCalendar
from vikno.workspace import reads

register = template.Library()

UNREAD_CAP = 99

# (url name, label, roles that see the item). The order is the order in the header.
NAVIGATION = (
    ("workspace:register", gettext_lazy("New appeal"), CENTRE_ROLES),
    ("workspace:queue", gettext_lazy("Appeals"), CASE_ROLES),
    ("workspace:my_assignments", gettext_lazy("My assignments"), {Role.EXECUTOR}),
    ("workspace:dashboard", gettext_lazy("Dashboard"), {Role.SUPERVISOR, Role.ANALYST}),
    ("workspace:statistics", gettext_lazy("Statistics"), {Role.SUPERVISOR, Role.ANALYST}),
    ("workspace:reply_templates", gettext_lazy("Reply templates"), {Role.SUPERVISOR}),
    ("workspace:audit", gettext_lazy("Audit trail"), {Role.SECURITY_ADMIN}),
    ("workspace:accounts", gettext_lazy("Accounts"), {Role.SECURITY_ADMIN}),
    ("admin:index", gettext_lazy("Administration"), {Role.SYSTEM_ADMIN}),
    ("workspace:api_keys", gettext_lazy("API keys"), {Role.SYSTEM_ADMIN}),
)


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> list[dict[str, Any]]:
    request = context.get("request")
    role = role_of(getattr(request, "user", None))
    path = getattr(request, "path", "")
    items = []
    for name, label, roles in NAVIGATION:
        if role not in roles:
            continue
        url = reverse(name)
        current = path.startswith(url) and (url != reverse("workspace:queue") or
                                            not path.startswith(reverse("workspace:register")))
        items.append({"url": url, "label": label, "current": current})
    return items


def _unread_counts(context: template.Context) -> dict[str, int] | None:
    """Unread per kind for the header, read once per request (one GROUP BY); None for roles
    without notifications."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if role_of(user) not in CASE_ROLES:
        return None
    cached = getattr(request, "_vikno_unread", None)
    if cached is None:
        cached = selectors_notifications.notification_unread_counts(user=user)
        request._vikno_unread = cached  # type: ignore[union-attr]
    return cached


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> str:
    """Unread count for the header; "99+" past the cap."""
    counts = _unread_counts(context)
    if counts is None:
        return ""
    count = sum(counts.values())
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


@register.simple_tag(takes_context=True)
def unread_summary(context: template.Context) -> str:
    """The header's unread count told by kind: "Control date passed: 5; Extension requested: 2"."""
    counts = _unread_counts(context) or {}
    return "; ".join(f"{kind.label}: {counts[kind.value]}" for kind in NotificationKind
                     if kind.value in counts)


@register.filter
def role_label(user: Any) -> str:
    role = role_of(user)
    return str(Role(role).label) if role in Role.values else ""


@register.simple_tag
def applicant_label(appeal: Any, visible: bool) -> str:
    """The applicant as this viewer may see it: full name, initials (ст.10), or anonymous."""
    applicant = appeal.applicant
    if applicant is None:
        return _("Anonymous")
    return applicant.display_name if visible else applicant.masked_name


@register.filter
def is_overdue(appeal: Any, today: Any) -> bool:
    """Per-question control: by the earliest date of a question still owed when the list has it
    (selectors.next_due_subquery), else by the appeal's date (the latest of its questions')."""
    due = getattr(appeal, "next_due", None) or appeal.due_date
    return appeal.status in UNDER_CONTROL_STATUSES and due is not None and due < today


@register.filter
def working_warning(due: date | None, calendar: WorkingCalendar | None) -> date | None:
    """The last working day before a control date that falls on a day off; None otherwise."""
    if due is None or calendar is None:
        return None
    warning = deadlines.warning_date(due, calendar)
    return warning if warning != due else None


@register.filter
def term_warning(appeal: Any, calendar: WorkingCalendar | None) -> date | None:
    """working_warning of the appeal's control date while its term runs; none for an appeal
    forwarded, not considered, returned for missing content or closed (NO_TERM_STATUSES)."""
    if appeal.status in NO_TERM_STATUSES:
        return None
    return working_warning(appeal.due_date, calendar)


@register.filter
def assignment_overdue(assignment: Any, today: Any) -> bool:
    return assignment.status in OWING_STATUSES and assignment.due_date < today


@register.filter
def transition_label(action: str) -> str:
    """A history line's action in words (the domain's TransitionAction labels)."""
    return str(TransitionAction(action).label) if action in TransitionAction.values else action


@register.filter
def panel_title(name: str) -> str:
    titles = {
        "route": _("Route to executors"), "review": _("Review the answer"),
        "feedback": _("Applicant's confirmation and rating"), "extend": _("Extend the term"),
        "shorten": _("Shorten the term"), "close": _("Close"), "reopen": _("Reopen"),
        "forward": _("Forward to the competent body"),
        "not_consider": _("Not subject to consideration"),
        "return": _("Return for missing content"), "accept": _("Take into work"),
        "reply": _("Answer"), "request_extension": _("Ask for an extension"),
        "attach": _("Attach files"),
        "answer_record": _("Answer index, date and file"),
        "answer_on_behalf": _("Record an answer received outside Vikno"),
    }
    return titles.get(name, name)


@register.filter
def action_url_name(name: str) -> str:
    """URL name of a centre action panel (Action value → workspace URL)."""
    slugs = {"not_consider": "not_considered"}
    return f"workspace:appeal_{slugs.get(name, name)}"


@register.filter
def assignment_url_name(name: str) -> str:
    slugs = {"request_extension": "extension", "answer_on_behalf": "on_behalf"}
    return f"workspace:assignment_{slugs.get(name, name)}"


@register.filter
def attachment_type(content_type: str) -> str:
    """"PDF", "JPEG"… instead of the MIME name."""
    return type_label(content_type or "")


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def as_json(value: Any) -> str:
    """An audit event's before/after as compact JSON (what the chain hashes), not Python repr."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def territory_label(territory: Any) -> str:
    return reads.territory_label(territory)
