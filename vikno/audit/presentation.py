"""The trail in words: an event's object and its before/after as the security administrator reads
them, in the reader's language.

The stored event keeps machine names (`appeals.appeal`, `due_date`, `in_work`); the words come
from the models' own verbose names and choices, found through the app registry (the audit layer
imports no app above it), with a readable fallback for names that are not model fields.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from vikno.audit.actions import AuditAction, action_label
from vikno.audit.models import AuditEvent

# The object types the filter offers, in the order shown (what record() is called with).
OBJECT_TYPES = (
    "appeals.appeal", "appeals.applicant", "appeals.assignment", "appeals.reply",
    "appeals.attachment", "accounts.user", "directory.membership", "directory.authority",
    "directory.territory", "directory.topic", "directory.subtopic", "directory.classifierversion",
    "directory.classifieritem", "directory.routingrule", "directory.holiday",
    "directory.martiallawperiod",
)

# Where the model's verbose name is not the word a reader expects before the object's name.
OBJECT_NAMES: dict[str, Any] = {
    "accounts.user": gettext_lazy("Account record"),
    "directory.authority": gettext_lazy("Public authority"),
}

# Events without an object name the place they happened ("queue", "my_assignments:new").
PLACES: dict[str, Any] = {
    "queue": gettext_lazy("Queue of appeals"),
    "my_assignments": gettext_lazy("Assignments of the authority"),
}
REFERENCE_LABEL = re.compile(r"^reference data \((?P<code>.*)\)$")

# Events on one object whose before/after name the fields of another model.
ACTION_MODELS: dict[str, str] = {
    AuditAction.EXTENSION_REQUEST: "appeals.extension",
    AuditAction.EXTENSION_DECIDE: "appeals.extension",
    AuditAction.FEEDBACK_RECORD: "appeals.feedback",
}

# Names in before/after that are not fields of the object's model.
KEY_LABELS: dict[str, Any] = {
    "note": gettext_lazy("Explanation"),
    "questions": gettext_lazy("Questions (sub-topic codes)"),
    "personal_fields": gettext_lazy("Personal data filled in"),
    "changed_fields": gettext_lazy("Changed fields"),
    "document_number": gettext_lazy("Number of the decision"),
    "document_date": gettext_lazy("Date of the decision"),
    "assignment": gettext_lazy("Assignment no."),
    "extension": gettext_lazy("Extension request no."),
    "results": gettext_lazy("Found"),
    "applicant_ids": gettext_lazy("Applicants (row numbers)"),
    "reminded": gettext_lazy("Reminders sent"),
    "escalated": gettext_lazy("Escalations sent"),
    "unrouted": gettext_lazy("Appeals not routed in time"),
    "today": gettext_lazy("Day of the run"),
    "counts": gettext_lazy("Rows loaded"),
    "files": gettext_lazy("Files"),
    "format": gettext_lazy("Format"),
    "rows": gettext_lazy("Rows exported"),
    "date_from": gettext_lazy("From date"),
    "date_to": gettext_lazy("To date"),
    "actor": gettext_lazy("Performed by"),
    "action": gettext_lazy("Action"),
    "object_type": gettext_lazy("Object type"),
    "object": gettext_lazy("Object no. or appeal number"),
    "free_texts": gettext_lazy("Free texts (not kept in the trail)"),
}

# Lists of field names: shown as the fields' names.
FIELD_LISTS = frozenset({"personal_fields", "changed_fields", "free_texts"})

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _model(object_type: str) -> type[models.Model] | None:
    if not object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    if object_type in OBJECT_NAMES:
        return str(OBJECT_NAMES[object_type])
    model = _model(object_type)
    return str(capfirst(model._meta.verbose_name)) if model else object_type


def object_type_choices() -> list[tuple[str, str]]:
    return [(t, object_type_label(t)) for t in OBJECT_TYPES]


def _place(label: str) -> str:
    place, _sep, detail = label.partition(":")
    if place in PLACES:
        return f"{PLACES[place]} · {detail}" if detail else str(PLACES[place])
    if reference := REFERENCE_LABEL.match(label):
        return f"{_('Reference data')} ({reference['code']})"
    return label


def describe_object(event: AuditEvent) -> str:
    """«Звернення ЗК-2026-000123», «Обліковий запис ivanenko», «Заявник №12 (ЗК-2026-000123)»."""
    if not event.object_type:
        return _place(event.object_label)
    name = object_type_label(event.object_type)
    model = _model(event.object_type)
    if model is not None and getattr(model, "holds_personal_data", False):
        # Such an object's label is never its data: its row number, and where it was seen.
        own = f"№{event.object_id}"
        extra = event.object_label if event.object_label and "#" not in event.object_label else ""
        return f"{name} {own} ({extra})" if extra else f"{name} {own}"
    return f"{name} {event.object_label or '№' + event.object_id}".strip()


@dataclass(frozen=True)
class Change:
    key: str
    field: str
    old: str
    new: str
    had_before: bool


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def field_label(model: type[models.Model] | None, key: str) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    field = _field(model, key)
    if field is not None and str(field.verbose_name) != field.name.replace("_", " "):
        return str(capfirst(field.verbose_name))
    return capfirst(key.removesuffix("_id").replace("_", " ").replace(".", " "))


def _value(model: type[models.Model] | None, key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "note":
        # A history note's kind: what was typed stays in the appeal's history, never here.
        return _("in the appeal's history")
    if key == "action" and isinstance(value, str):
        return action_label(value)
    if key == "object_type" and isinstance(value, str):
        return object_type_label(value)
    if key in FIELD_LISTS and isinstance(value, list):
        return ", ".join(field_label(model, str(name)).lower() for name in value)
    if isinstance(value, list):
        return ", ".join(_value(model, key, item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    field = _field(model, key)
    if field is not None and field.choices:
        shown = dict(field.flatchoices).get(value)
        if shown is not None:
            return str(shown)
    if isinstance(value, str) and (date := DATE.match(value)):
        return f"{date[3]}.{date[2]}.{date[1]}"
    return str(value)


def describe_changes(event: AuditEvent) -> list[Change]:
    """The before/after of an event as (field name, old value, new value), in stored order."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = _model(ACTION_MODELS.get(event.action, event.object_type))
    # A value given only after the event and empty (a field left blank at creation) says nothing.
    keys = [key for key in dict.fromkeys([*before, *after])
            if key in before or after.get(key) not in (None, "", [])]
    return [
        Change(key=key, field=field_label(model, key),
               old=_value(model, key, before.get(key)) if key in before else "",
               new=_value(model, key, after.get(key)) if key in after else "",
               had_before=key in before)
        for key in keys
    ]


def changes_text(event: AuditEvent) -> str:
    """The changes on one line each, for an exported file."""
    lines = []
    for change in describe_changes(event):
        if change.had_before:
            lines.append(f"{change.field}: {change.old} → {change.new or '—'}")
        else:
            lines.append(f"{change.field}: {change.new}")
    return "\n".join(lines)


def role_label(role: str) -> str:
    """The account role's words, from the account model's own choices."""
    if not role:
        return ""
    try:
        field = apps.get_model(settings.AUTH_USER_MODEL)._meta.get_field("role")
    except (LookupError, FieldDoesNotExist):
        return role
    return str(dict(getattr(field, "flatchoices", ())).get(role, role))


def export_headers() -> list[str]:
    return [_("No."), _("Time"), _("Performed by"), _("Role"), _("Action"), _("Action code"),
            _("Object"), _("Object type"), _("Object no."), _("Changes")]


def export_row(event: AuditEvent) -> list[Any]:
    moment = timezone.localtime(event.occurred_at)
    return [event.seq, moment.strftime("%d.%m.%Y %H:%M:%S"), event.actor_username,
            role_label(event.actor_role), action_label(event.action), event.action,
            describe_object(event), object_type_label(event.object_type) if event.object_type
            else "", event.object_id, changes_text(event)]


def _cell(value: Any) -> Any:
    # A spreadsheet runs a cell that starts like a formula: such text is kept as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(events: Iterable[AuditEvent]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens the Ukrainian text as such."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_headers())
    for event in events:
        writer.writerow([_cell(v) for v in export_row(event)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(events: Iterable[AuditEvent]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Audit trail")[:31])
    sheet.append(export_headers())
    for event in events:
        sheet.append([_cell(v) for v in export_row(event)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
