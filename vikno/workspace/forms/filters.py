"""Filter forms of the lists (queue, statistics, audit trail). GET parameters, never personal data
in the statistics and audit filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Channel
from vikno.appeals.selectors import OPEN, SORTS, AppealFilters
from vikno.appeals.selectors_control import Attention
from vikno.audit.actions import ACTION_GROUPS
from vikno.audit.presentation import object_type_choices
from vikno.audit.selectors import TrailFilter
from vikno.workspace import reads
from vikno.workspace.forms import set_choices
from vikno.workspace.forms.widgets import QuickSelect, QuickSelectMultiple

# The queue's filters that carry no personal data travel in the URL (back, refresh, bookmarks,
# saved views, links from the dashboard); the text search (a phone, a surname) never does.
QUEUE_GET_FILTERS = ("status", "channel", "topic", "subtopic", "territory", "authority",
                     "received_from", "received_to", "due_from", "due_to", "overdue", "priority",
                     "sort", "attention")
ALL = "all"
# Dates a filter may name: the register holds nothing older, and a year such as 0001 or 9999 is
# a typing slip (it must not reach the database as a boundary).
FILTER_YEARS = (2000, 2100)


def _bounded(value: Any) -> Any:
    if value is not None and not FILTER_YEARS[0] <= value.year <= FILTER_YEARS[1]:
        raise forms.ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="out_of_range", params={"first": FILTER_YEARS[0], "last": FILTER_YEARS[1]})
    return value


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, validators=[_bounded],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class FlagInput(forms.CheckboxInput):
    """A checkbox whose URL form is `1`; `0`, `off` and `false` in a URL mean unchecked."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"value": "1", **(attrs or {})})

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in ("0", "off", "false", "no", ""):
            return False
        return super().value_from_datadict(data, files, name)


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False,
        choices=[(OPEN, _("Under consideration")), (ALL, _("All")), *AppealStatus.choices],
        widget=QuickSelectMultiple(attrs={"size": 4}),
        help_text=_("Several with Ctrl or Shift."))
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=QuickSelect,
                                choices=[("", _("All")), *Channel.choices])
    topic = forms.ChoiceField(label=_("Topic"), required=False, widget=QuickSelect)
    subtopic = forms.ChoiceField(label=_("Sub-topic"), required=False, widget=QuickSelect)
    territory = forms.ChoiceField(label=_("Territory"), required=False, widget=QuickSelect)
    authority = forms.ChoiceField(label=_("Executor"), required=False, widget=QuickSelect)
    received_from = _date_field(_("Received from"))
    received_to = _date_field(_("Received to"))
    due_from = _date_field(_("Control date from"))
    due_to = _date_field(_("Control date to"))
    overdue = forms.BooleanField(label=_("Overdue"), required=False, widget=FlagInput)
    priority = forms.BooleanField(label=_("Priority"), required=False, widget=FlagInput)
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                             choices=[("", ""), *((f"{sign}{key}", key) for key in SORTS
                                                  for sign in ("", "-"))])
    # From the dashboard's counts; a hidden field: the list shows which one is applied.
    attention = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                  choices=[("", ""), *Attention.choices])

    def __init__(self, *args: Any, with_authority: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["topic"], reads.topic_choices())
        set_choices(self.fields["subtopic"], [("", "—"), *reads.subtopic_groups()])
        set_choices(self.fields["territory"], reads.territory_filter_choices())
        if with_authority:
            set_choices(self.fields["authority"], reads.authority_choices())
        else:
            # An executor's queue holds its own authority's appeals only.
            del self.fields["authority"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for first, last in (("received_from", "received_to"), ("due_from", "due_to")):
            if data.get(first) and data.get(last) and data[first] > data[last]:
                self.add_error(last, _("The end of the period comes before its start."))
        return data

    def filters(self) -> AppealFilters:
        """The filters as understood: a value that is not valid is left out (the form shows
        why), the others still apply. The queue opens on the appeals still under consideration;
        "All" must be asked for."""
        self.is_valid()
        d = self.cleaned_data
        statuses = d.get("status") or [OPEN]
        return AppealFilters(
            statuses=() if ALL in statuses else tuple(statuses),
            channel=d.get("channel", ""), topic_code=d.get("topic", ""),
            subtopic_code=d.get("subtopic", ""), territory_code=d.get("territory", ""),
            authority_code=d.get("authority", ""), overdue=d.get("overdue", False),
            priority=d.get("priority", False), q=d.get("q", ""),
            received_from=d.get("received_from"), received_to=d.get("received_to"),
            due_from=d.get("due_from"), due_to=d.get("due_to"), sort=d.get("sort", ""),
            attention=d.get("attention", ""),
        )

    def attention_label(self) -> str:
        """The dashboard's category this list is filtered to, for the heading; else empty."""
        value = self.cleaned_data.get("attention", "") if self.is_valid() else ""
        return str(Attention(value).label) if value else ""

    def query(self, **changes: Any) -> str:
        """The URL query of the filters as understood (never the search), with `changes`."""
        self.is_valid()
        params = QueryDict(mutable=True)
        for name in QUEUE_GET_FILTERS:
            if name not in self.fields:
                continue
            value = changes[name] if name in changes else self.cleaned_data.get(name)
            if isinstance(value, list):
                params.setlist(name, value)
            elif value is True:
                params[name] = "1"
            elif isinstance(value, date):
                params[name] = value.isoformat()
            elif value not in (None, "", False):
                params[name] = str(value)
        return params.urlencode()


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=80,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> tuple[Any, Any]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data["since"], self.cleaned_data["until"]


class AuditFilterForm(forms.Form):
    """The security administrator's filter of the trail: GET parameters (bookmarks, back and
    refresh keep it), none of them personal data."""

    date_from = forms.DateField(label=_("From date"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To date"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("Performed by (login)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object = forms.CharField(label=_("Object no. or appeal number"), required=False,
                             max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        object_type = self.fields["object_type"]
        assert isinstance(action, forms.ChoiceField)
        assert isinstance(object_type, forms.ChoiceField)
        action.choices = [("", _("Any action")), *[
            (str(group), [(a.value, str(a.label)) for a in actions])
            for group, actions in ACTION_GROUPS]]
        object_type.choices = [("", _("Any type")), *object_type_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> TrailFilter:
        """The valid part of the filter (a wrong field is shown with its error and left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return TrailFilter(date_from=data.get("date_from"), date_to=data.get("date_to"),
                           actor=(data.get("actor") or "").strip(),
                           action=data.get("action") or "",
                           object_type=data.get("object_type") or "",
                           object=(data.get("object") or "").strip())
