"""The appeal lifecycle as GeoReport's two statuses: one table, covering every AppealStatus
(tests check it covers them all). "closed" is every status in which the centre owes the
applicant nothing more here: closed, forwarded to the competent body (ст.7), not considered
(ст.8), returned for missing content (ст.5). An answered appeal awaiting the applicant's
confirmation is still open: it may come back for revision.
"""

from __future__ import annotations

from vikno.appeals.lifecycle import AppealStatus

OPEN = "open"
CLOSED = "closed"

GEOREPORT_STATUS: dict[AppealStatus, str] = {
    AppealStatus.REGISTERED: OPEN,
    AppealStatus.ASSIGNED: OPEN,
    AppealStatus.IN_WORK: OPEN,
    AppealStatus.ANSWERED: OPEN,
    AppealStatus.AWAITING_CONFIRMATION: OPEN,
    AppealStatus.RETURNED_FOR_REVISION: OPEN,
    AppealStatus.CLOSED: CLOSED,
    AppealStatus.FORWARDED: CLOSED,
    AppealStatus.NOT_CONSIDERED: CLOSED,
    AppealStatus.RETURNED_MISSING_CONTENT: CLOSED,
}


def georeport_status(status: str) -> str:
    return GEOREPORT_STATUS[AppealStatus(status)]


def appeal_statuses(georeport: str) -> frozenset[str]:
    """The appeal statuses one GeoReport status stands for."""
    return frozenset(str(s) for s, g in GEOREPORT_STATUS.items() if g == georeport)
