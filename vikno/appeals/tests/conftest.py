"""Fixtures of the case file's tests: the small rulebook and executors bound to its authorities."""

from __future__ import annotations

from typing import Any

import pytest

from vikno.appeals.tests.factories import Rulebook, executor_of, rulebook


@pytest.fixture
def book(db: Any) -> Rulebook:
    return rulebook()


@pytest.fixture
def executor(book: Rulebook) -> Any:
    """An executor of the hromada council: routing sends communal questions there."""
    return executor_of(book.council)


@pytest.fixture
def other_executor(book: Rulebook) -> Any:
    """An executor of the water utility: another authority."""
    return executor_of(book.utility)
