"""The audit trail: append-only events chained by SHA-256 hashes.

Invariants:
- events are never updated or deleted (the model refuses; on PostgreSQL a trigger refuses too),
  except once, when an unsealed event is sealed: its `seq`, `prev_hash` and `hash` are filled in;
- sealed events' `seq` runs 1, 2, 3, … without gaps; each `prev_hash` is the previous event's `hash`;
- `AuditChainHead` (one row) holds the last seq and hash, so truncating the tail is detectable too.

An event is written unsealed (no `seq`, no hashes) in its change's transaction when another
transaction holds the head; the sealer chains it after that commits (ADR 0027, services.seal).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from vikno.audit.actions import action_label

GENESIS_HASH = "0" * 64


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only")


class AuditEvent(models.Model):
    # Null until sealed: the position in the chain is given when the event is chained (ADR 0027).
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    # No foreign key to the user: the trail must outlive accounts and stay below them in the layers.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    actor_role = models.CharField(_("actor role"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # Null (not "") until sealed: many unsealed events share no unique value.
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # The security administrator's filters, each answered newest first from an index however
        # long the trail grows (vikno.audit.selectors.event_filter).
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action", "seq"], name="audit_action_seq_idx"),
            models.Index(fields=["actor_username", "seq"], name="audit_actor_seq_idx"),
            # A person and an action together: the usual question ("what did X export?").
            models.Index(fields=["actor_username", "action", "seq"],
                         name="audit_actor_action_seq_idx"),
            models.Index(fields=["object_id"], name="audit_object_id_idx"),
            # Prefix matches (an appeal's number starts its assignments' labels); the operator
            # class is PostgreSQL's and is ignored elsewhere.
            models.Index(fields=["object_label"], name="audit_object_label_idx",
                         opclasses=["varchar_pattern_ops"]),
            # The sealer's work list: a handful of rows however long the trail grows.
            models.Index(fields=["id"], name="audit_unsealed_idx",
                         condition=models.Q(hash__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only")

    @property
    def sealed(self) -> bool:
        return self.hash is not None

    @property
    def action_label(self) -> str:
        """The action in words, for the security administrator's screen."""
        return action_label(self.action)


class AuditChainHead(models.Model):
    """One row: the last sealed event's seq and hash. Locked while sealing, so the chain stays
    linear; nobody waits for it to record an event (services._append)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
