"""Filter forms of the lists (queue, statistics, audit trail). GET parameters, never personal data
in the statistics and audit filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Channel
from vikno.appeals.selectors import OPEN, AppealFilters
from vikno.appeals.selectors_control import Attention
from vikno.audit.actions import ACTION_GROUPS
from vikno.audit.presentation import object_type_choices
from vikno.audit.selectors import TrailFilter
from vikno.workspace import reads
from vikno.workspace.forms import set_choices


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("Status"), required=False, initial=OPEN,
                               choices=[(OPEN, _("Under consideration")), ("", _("All")),
                                        *AppealStatus.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All")), *Channel.choices])
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    territory = forms.ChoiceField(label=_("Territory"), required=False)
    authority = forms.ChoiceField(label=_("Executor"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    priority = forms.BooleanField(label=_("Priority"), required=False)
    # From the dashboard's counts; a hidden field: the list shows which one is applied.
    attention = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                  choices=[("", ""), *Attention.choices])

    def __init__(self, *args: Any, with_authority: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["topic"], reads.topic_choices())
        set_choices(self.fields["territory"], reads.territory_filter_choices())
        if with_authority:
            set_choices(self.fields["authority"], reads.authority_choices())
        else:
            # An executor's queue holds its own authority's appeals only.
            del self.fields["authority"]

    def filters(self) -> AppealFilters:
        # The queue opens on the appeals still under consideration; "All" must be asked for.
        if not self.is_valid():
            return AppealFilters(status=OPEN)
        d = self.cleaned_data
        return AppealFilters(
            status=d["status"] if "status" in self.data else OPEN,
            channel=d["channel"], topic_code=d["topic"],
            territory_code=d["territory"], authority_code=d.get("authority", ""),
            overdue=d["overdue"], priority=d["priority"], q=d["q"],
            attention=d.get("attention", ""),
        )

    def attention_label(self) -> str:
        """The dashboard's category this list is filtered to, for the heading; else empty."""
        value = self.cleaned_data.get("attention", "") if self.is_valid() else ""
        return str(Attention(value).label) if value else ""


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
