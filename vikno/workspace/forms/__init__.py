"""Forms of the staff workspace: registration, card actions, list filters."""

from __future__ import annotations

from typing import Any


def set_choices(target: Any, choices: Any) -> None:
    """Choices that come from reference data, read when the form is built (not at import)."""
    target.choices = choices
