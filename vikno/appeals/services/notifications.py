"""The read state of staff notifications: one mark per reader, so a notification to an authority or
to the supervisors stays unread for the colleagues who have not seen it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from vikno.appeals.models import NotificationRead
from vikno.core import clock
from vikno.core.errors import NotFound


@transaction.atomic
def notification_mark_read(*, user: Any, pk: int | None = None, kind: str = "") -> int:
    """Mark one notification (or, with pk None, all of them, or all of one `kind`) read for this
    user. Returns how many it marked. Not on the audit trail: a reader's own inbox state, not
    part of the case file."""
    # Imported here: access (which selectors reads) imports this package.
    from vikno.appeals.selectors_notifications import notifications_addressed_to

    addressed = notifications_addressed_to(user)
    if pk is not None and not addressed.filter(pk=pk).exists():
        raise NotFound("not_found", _("The notification was not found."))
    unread = addressed.filter(~Exists(NotificationRead.objects.filter(
        notification=OuterRef("pk"), user=user)))
    if pk is not None:
        unread = unread.filter(pk=pk)
    if kind:
        unread = unread.filter(kind=kind)
    ids = list(unread.values_list("pk", flat=True))
    now = clock.now()
    # ignore_conflicts: a double click marks once (unique per notification and reader).
    NotificationRead.objects.bulk_create(
        [NotificationRead(notification_id=i, user=user, read_at=now) for i in ids],
        ignore_conflicts=True, batch_size=500)
    return len(ids)
