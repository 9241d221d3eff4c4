"""The texts Vikno writes about an appeal, stored as a kind and its parameters and rendered in the
reader's language when shown or sent.

A notice to the applicant, a staff notification and a note in the appeal's history are stored as
`message` (a key of KINDS) and `params` (JSON). Rendering happens in the language active at that
moment: the applicant's for a notice (Notice.text), the viewer's for the rest. Nothing is frozen
in the language of the staff member who acted.

Parameters are plain JSON: dates as ISO strings, authorities by code, reason codes; free text a
person typed (a reason, an answer, a body's name) is kept as typed. How a parameter is shown is
decided by its name (FORMATS); a name not listed there is shown as is.

To add a kind: add `"area.name": Kind(gettext_lazy("… %(param)s …"))` to KINDS, its msgid to both
catalogues, and a row to the table test (vikno/appeals/tests/test_messages.py). A new parameter that
needs formatting gets its name in FORMATS. Authority names are never put into a grammatical case by
a template: phrase it so the name stays in the nominative ("Виконавець: %(authority)s").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from vikno.directory.models import Authority

# The kind of the rows written before texts were stored as kinds: the old text, shown as is.
LEGACY = "legacy"
# A history note that is only what a person typed (a reason for closing, reopening…).
NOTE = "history.note"


@dataclass(frozen=True)
class Kind:
    # None: the kind is its `tail` parameter alone.
    template: Promise | None
    # A parameter typed by a person, appended after the text when given (a reason, a comment).
    tail: str = ""
    # Further paragraphs built from structured parameters (the answer's substance, who decided).
    paragraphs: Callable[[Mapping[str, Any], Mapping[str, str]], list[str]] | None = None


def _decided_by(params: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """ст.20: who extended the term (the body's head or deputy) and the document."""
    if not params.get("decider_name"):
        return []
    return [str(_("Decided by: %(name)s, %(position)s, %(body)s (No. %(document)s of %(on)s).") % {
        "name": params["decider_name"], "position": params.get("decider_position") or "—",
        "body": params.get("decider_body") or "—", "document": params.get("document") or "—",
        "on": _date(params.get("document_date"), names)})]


def _questions(params: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """Per-question control: the question (its sub-topic) a term change or a revision concerns,
    when it is not every question of the appeal."""
    if params.get("question"):
        return [str(_("Question: %(question)s.") % {"question": params["question"]})]
    if params.get("questions"):
        return [str(_("Questions: %(questions)s.") % {"questions": "; ".join(params["questions"])})]
    return []


def _then(*parts: Callable[[Mapping[str, Any], Mapping[str, str]], list[str]]
          ) -> Callable[[Mapping[str, Any], Mapping[str, str]], list[str]]:
    return lambda params, names: [p for part in parts for p in part(params, names)]


def _repeat(params: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """Past the 45-day cap dissatisfaction goes on in a new, repeated appeal: name it."""
    if not params.get("repeat"):
        return []
    return [str(_("Repeated appeal: %(number)s.") % {"number": params["repeat"]})]


def _accepted_by_centre(params: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """The assignment was still new: the centre took it into work when it recorded the answer."""
    if not params.get("accepted"):
        return []
    return [str(_("The centre took the assignment into work on the executor's behalf."))]


def _answers(params: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """ст.15, ст.19: each main executor's result and answer, the refusal's grounds, the letter and
    who signed it. The authority's name follows a label, so no case is forced on it."""
    from vikno.appeals.models.work import ReplyResult

    paragraphs = []
    for answer in params.get("answers") or []:
        result = answer.get("result")
        label = ReplyResult(result).label if result in ReplyResult.values else result
        lines = [str(_("Executor: %(authority)s. Result: %(result)s.") % {
            "authority": _authority(answer.get("authority"), names), "result": label}),
            str(answer.get("text") or "")]
        if answer.get("refusal_reasons"):
            lines += [str(_("Reasons for the refusal: %(text)s") % {"text": answer["refusal_reasons"]}),
                      str(_("Legal basis: %(text)s") % {"text": answer.get("legal_basis") or "—"}),
                      str(_("How to appeal: %(text)s") % {"text": answer.get("appeal_procedure") or "—"})]
        if answer.get("outgoing_number"):
            lines.append(str(_("Letter No. %(number)s of %(date)s.") % {
                "number": answer["outgoing_number"], "date": _date(answer.get("outgoing_date"), names)}))
        if answer.get("signatory_name"):
            lines.append(str(_("Signed by: %(name)s, %(position)s.") % {
                "name": answer["signatory_name"], "position": answer.get("signatory_position") or "—"}))
        paragraphs.append("\n".join(line for line in lines if line))
    return paragraphs


KINDS: dict[str, Kind] = {
    LEGACY: Kind(None, tail="legacy"),
    NOTE: Kind(None, tail="note", paragraphs=_questions),
    # History of the appeal (Transition): shown in the viewer's language.
    "history.executors": Kind(ngettext_lazy("Executor: %(authorities)s",
                                            "Executors: %(authorities)s", "count")),
    "history.authority_note": Kind(_("Executor: %(authority)s."), tail="note"),
    # The centre recorded the body's answer (or its return) that came by letter or e-mail.
    "history.answer_on_behalf": Kind(
        _("The answer of the executor “%(authority)s” was recorded by the centre from the letter "
          "No. %(outgoing_number)s of %(outgoing_date)s, received %(received_on)s %(received_via)s."),
        paragraphs=_accepted_by_centre),
    "history.return_on_behalf": Kind(
        _("The return of the executor “%(authority)s” (not in its competence) was recorded by the "
          "centre from the letter received %(received_on)s %(received_via)s.")),
    "history.forwarded": Kind(_("Forwarded to: %(body)s."), tail="note"),
    "history.not_considered": Kind(_("Reason: %(reason)s."), tail="note"),
    "history.extension_requested": Kind(
        _("%(authority)s asks to extend %(number)s to %(date)s."), tail="note"),
    "history.term_changed": Kind(_("Control date: %(old_date)s → %(date)s."), tail="note",
                                 paragraphs=_questions),
    "history.extended": Kind(_("Control date: %(old_date)s → %(date)s (%(decider_position)s, "
                               "%(decider_body)s, No. %(document)s)."), tail="note",
                                 paragraphs=_questions),
    "history.confirmed": Kind(_("Confirmed, rating %(r)s")),
    "history.not_confirmed": Kind(_("Not confirmed by the applicant"),
                                  paragraphs=_then(_questions, _repeat)),
    "history.poor_rating": Kind(_("Poor rating: %(r)s"), paragraphs=_then(_questions, _repeat)),
    "history.repeated": Kind(_("Repeated appeal %(repeat)s registered: the 45-day term of this one "
                               "has passed.")),
    # Notices to the applicant (Notice): shown and sent in the applicant's language.
    "notice.forwarded": Kind(_("Your appeal %(number)s is outside our competence and has been "
                               "forwarded to %(body)s.")),
    "notice.not_considered": Kind(
        _("Your appeal %(number)s is not subject to consideration: %(reason)s.")),
    "notice.returned": Kind(_("Your appeal %(number)s is returned: %(note)s")),
    "notice.extended": Kind(_("The term of consideration of your appeal %(number)s is extended "
                              "to %(date)s: %(reason_text)s"),
                               paragraphs=_then(_questions, _decided_by)),
    "notice.answered": Kind(_("Your appeal %(number)s has been considered."), paragraphs=_answers),
    # Notifications to staff (Notification): shown in the viewer's language.
    "notification.extension": Kind(_("%(authority)s asks to extend %(number)s to %(date)s.")),
    "notification.returned": Kind(_("%(authority)s returned %(number)s as not in its competence: "
                                    "re-route it within 5 days.")),
    "notification.reminder": Kind(_("The control date of %(number)s is %(date)s.")),
    "notification.overdue": Kind(_("%(number)s is overdue at %(authority)s (control date "
                                   "%(date)s).")),
    "notification.unrouted": Kind(_("%(number)s has no executor: it had to be routed or "
                                    "forwarded by %(date)s.")),
    "notification.routed_late": Kind(_("%(number)s was routed or forwarded late: the term began "
                                       "%(start_date)s, ended %(date)s, the step was taken "
                                       "%(done_date)s.")),
}


def _date(value: Any, names: Mapping[str, str]) -> str:
    return date.fromisoformat(str(value)).strftime("%d.%m.%Y") if value else "—"


def _authority(value: Any, names: Mapping[str, str]) -> str:
    return names.get(str(value), str(value))


def _authorities(value: Any, names: Mapping[str, str]) -> str:
    return ", ".join(names.get(str(code), str(code)) for code in value or [])


def _reason(value: Any, names: Mapping[str, str]) -> str:
    from vikno.appeals.models.appeals import NotConsideredReason

    return str(NotConsideredReason(value).label) if value in NotConsideredReason.values else str(value)


def _received_via(value: Any, names: Mapping[str, str]) -> str:
    from vikno.appeals.models.work import ReceivedVia

    return str(ReceivedVia(value).label) if value in ReceivedVia.values else str(value)


def _rating(value: Any, names: Mapping[str, str]) -> str:
    return "—" if value in (None, "") else str(value)


FORMATS: dict[str, Callable[[Any, Mapping[str, str]], str]] = {
    "date": _date,
    "old_date": _date,
    "start_date": _date,
    "done_date": _date,
    "document_date": _date,
    "outgoing_date": _date,
    "received_on": _date,
    "received_via": _received_via,
    "authority": _authority,
    "authorities": _authorities,
    "reason": _reason,
    "r": _rating,
}


class _Shown(dict[str, Any]):
    """A parameter the row lacks (a kind extended after it was written) shows as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def params_of(**params: Any) -> dict[str, Any]:
    """JSON-ready parameters: dates as ISO strings, the rest unchanged."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}


def authority_codes(params: Mapping[str, Any]) -> set[str]:
    codes = {str(params["authority"])} if params.get("authority") else set()
    codes |= {str(a["authority"]) for a in params.get("answers") or [] if a.get("authority")}
    return codes | {str(c) for c in params.get("authorities") or []}


def authority_names(codes: Iterable[str]) -> dict[str, str]:
    """Names of the authorities (one query; none when there is nothing to look up)."""
    wanted = set(codes)
    if not wanted:
        return {}
    return dict(Authority.objects.filter(code__in=wanted).values_list("code", "name"))


def render(message: str, params: Mapping[str, Any], *,
           names: Mapping[str, str] | None = None) -> str:
    """The text in the active language. `names`: authority names already looked up (lists)."""
    if not message:
        return ""
    kind = KINDS.get(message, KINDS[LEGACY])
    if names is None:
        names = authority_names(authority_codes(params))
    shown = _Shown({k: FORMATS[k](v, names) if k in FORMATS else ("" if v is None else v)
                    for k, v in params.items()})
    if "authorities" in params:
        shown["count"] = len(params["authorities"] or [])
    text = str(kind.template % shown) if kind.template is not None else ""
    tail = str(params.get(kind.tail) or "").strip() if kind.tail else ""
    text = f"{text} {tail}".strip() if tail else text
    if kind.paragraphs is not None:
        text = "\n\n".join([text, *kind.paragraphs(params, names)]).strip()
    return text


def preload(rows: Iterable[Any]) -> list[Any]:
    """Look up the authority names of many rows in one query, so rendering a list costs none."""
    rows = list(rows)
    names = authority_names(set().union(*(authority_codes(r.params or {}) for r in rows)))
    for row in rows:
        row._names = names
    return rows
