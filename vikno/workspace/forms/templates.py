"""The reply-template picker of the answer forms, the internal note form and the supervisor's
template form.

The picker («Шаблон відповіді») is a select whose options carry the template texts; a small
static script (workspace/reply-templates.js) shows it and puts the chosen text into the answer's
textarea. Without JavaScript the picker stays hidden (vikno.css) and the form works as before:
the services never read its value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vikno.directory.models import ReplyTemplate
from vikno.workspace import reads
from vikno.workspace.forms import set_choices

PICKER = "reply_template"


class TemplateSelect(forms.Select):
    """A select whose options carry the template's text in `data-text`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts: dict[str, str] = {}

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None
                      ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        text = self.texts.get(str(value))
        if text is not None:
            option["attrs"]["data-text"] = text
        return option

    def __deepcopy__(self, memo: dict[int, Any]) -> TemplateSelect:
        copy = super().__deepcopy__(memo)
        copy.texts = dict(self.texts)
        return copy


def template_field() -> forms.CharField:
    # A CharField, not a ChoiceField: its value is never used, so nothing needs validating.
    return forms.CharField(label=_("Reply template"), required=False, widget=TemplateSelect())


def template_choices(templates: Iterable[ReplyTemplate], subtopic_ids: set[int],
                     topic_ids: set[int]) -> list[Any]:
    """The question's own templates first (its sub-topic, then its topic), then the rest."""
    def rank(t: ReplyTemplate) -> int:
        if t.subtopic_id is not None and t.subtopic_id in subtopic_ids:
            return 0
        if t.subtopic_id is None and t.topic_id is not None and t.topic_id in topic_ids:
            return 1
        return 2

    ordered = sorted(templates, key=lambda t: (rank(t), t.title.casefold(), t.pk))
    own = [(str(t.pk), t.title) for t in ordered if rank(t) < 2]
    other = [(str(t.pk), t.title) for t in ordered if rank(t) == 2]
    choices: list[Any] = [("", "—")]
    if own:
        choices.append((str(_("For this topic")), own))
    if other:
        choices.append((str(_("Other templates")) if own else str(_("All templates")), other))
    return choices


def offer_templates(form: forms.Form, *, templates: list[ReplyTemplate],
                    subtopics: Iterable[Any]) -> None:
    """Fill the form's picker (if it has one and there are templates) for its textarea (the
    form's `template_target`, "text" by default); without templates the picker is dropped.

    An answer form gets the picker by declaring `reply_template = template_field()` before its
    textarea (and `template_target` when the textarea is not called "text")."""
    if PICKER not in form.fields:
        return
    target = getattr(form, "template_target", "text")
    if not templates:
        del form.fields[PICKER]
        return
    subtopics = list(subtopics)
    widget = form.fields[PICKER].widget
    assert isinstance(widget, TemplateSelect)
    widget.choices = template_choices(templates, {s.pk for s in subtopics},
                                      {s.topic_id for s in subtopics})
    widget.texts = {str(t.pk): t.text for t in templates}
    widget.attrs["data-template-for"] = form[target].auto_id


class InternalNoteForm(forms.Form):
    text = forms.CharField(label=_("Note for the centre and the executors"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def add_service_error(self, field: str | None, message: str) -> None:
        self.add_error(field if field in self.fields else None, message)


class ReplyTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    subtopic = forms.ChoiceField(label=_("Sub-topic"), required=False)
    topic = forms.ChoiceField(label=_("Topic (when no sub-topic is chosen)"), required=False)
    text = forms.CharField(label=_("Text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["subtopic"], [("", "—"), *reads.subtopic_groups()])
        set_choices(self.fields["topic"], reads.topic_choices())

    def add_service_error(self, field: str | None, message: str) -> None:
        self.add_error(field if field in self.fields else None, message)
