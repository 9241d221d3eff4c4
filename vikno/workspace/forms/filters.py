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
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80)
    actor = forms.CharField(label=_("Account"), required=False, max_length=150)
    object_label = forms.CharField(label=_("Object"), required=False, max_length=200)

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"action": "", "actor": "", "object_label": ""}
        return {k: v.strip() for k, v in self.cleaned_data.items()}
