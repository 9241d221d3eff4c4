"""ст.7: the 5-day term to route or forward an appeal, opened at receipt and at an executor's
"not in competence" return, closed by the step that ends it. Stored as rows (RoutingTerm), so
late steps and missed terms are found by a query, never by walking the appeals."""

from __future__ import annotations

from datetime import date

from vikno.appeals.lifecycle import TransitionAction
from vikno.appeals.models import Appeal, RoutingTerm
from vikno.core import clock
from vikno.directory import deadlines


def term_open(*, appeal: Appeal, start: date, due: date | None = None, fresh: bool = False,
              ended_by: TransitionAction | None = None) -> None:
    """Start a term unless one is running (a second return does not push the first one's date).
    `due`: another end than the 5 days of ст.7 (the 10-day return term of ст.5). `fresh`: the
    appeal is being registered in this transaction, so it has no term yet. `ended_by`: the step
    that already ended it today (registration routing at once): one row written, not two."""
    if fresh or not RoutingTerm.objects.filter(appeal=appeal, done_date__isnull=True).exists():
        RoutingTerm.objects.create(appeal=appeal, start_date=start,
                                   due_date=due or deadlines.forwarding_due(start),
                                   done_date=clock.today() if ended_by else None,
                                   done_action=ended_by or "")


def term_close(*, appeal: Appeal, action: TransitionAction) -> None:
    """The running term ends today with `action` (assign, forward, not_considered, return…)."""
    RoutingTerm.objects.filter(appeal=appeal, done_date__isnull=True).update(
        done_date=clock.today(), done_action=action)
