"""What the appeals keep of other apps' rows, followed when those rows change.

`Appeal.executor_key` holds the main executor's name for the queue's sort (ADR 25): when an
authority is renamed (the admin site, `load_reference`), the keys of its appeals follow at once.
Only a real change of the name costs the re-keying; any other save of an authority costs nothing
more than the read of its previous name.
"""

from __future__ import annotations

from typing import Any

from vikno.appeals.services._common import executor_keys_refresh
from vikno.directory.models import Authority


def authority_name_remember(sender: type[Authority], instance: Authority, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "name" not in update_fields):
        instance._previous_name = None  # type: ignore[attr-defined]
        return
    instance._previous_name = (  # type: ignore[attr-defined]
        Authority.objects.filter(pk=instance.pk).values_list("name", flat=True).first())


def authority_name_follow(sender: type[Authority], instance: Authority, created: bool,
                          **kwargs: Any) -> None:
    previous = getattr(instance, "_previous_name", None)
    if not created and previous is not None and previous != instance.name:
        executor_keys_refresh(authority_id=instance.pk)
