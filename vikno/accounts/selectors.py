"""Reads of the accounts' own data for the interfaces."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vikno.accounts.models import SavedView


def saved_views_for(*, user: Any) -> QuerySet[SavedView]:
    """A user's saved views: nobody sees another's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return SavedView.objects.none()
    return SavedView.objects.filter(user=user).order_by("name", "id")
