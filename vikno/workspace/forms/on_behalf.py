"""The centre's panel for an answer that arrived outside Vikno (a letter, an e-mail, a fax): the
executor's answer fields, how and when it arrived, and the scan of the letter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vikno.appeals.models import ReceivedVia
from vikno.workspace.forms.actions import DATE, ReplyForm


class AnswerOnBehalfForm(ReplyForm):
    """Parses only; the service checks the letter, the refusal's grounds, the dates and the scan
    (PDF, JPEG or PNG) and shows its own message."""

    text = forms.CharField(
        label=_("Answer (for a return: the body's reason)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}))
    received_via = forms.ChoiceField(label=_("How the answer arrived"), required=False,
                                     choices=ReceivedVia.choices, initial=ReceivedVia.LETTER,
                                     widget=forms.RadioSelect)
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DATE)
    scan = forms.FileField(label=_("Scan of the letter"), required=False, allow_empty_file=True,
                           help_text=_("PDF, JPEG or PNG."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    field_order = ["received_via", "received_on", "result", "text", "refusal_reasons",
                   "legal_basis", "appeal_procedure", "outgoing_number", "outgoing_date",
                   "signatory_name", "signatory_position", "scan"]
