"""Fixtures shared by every test: one active user per staff role and a logged-in client.

Tests marked `@pytest.mark.postgres` (or asking for the `postgres_only` fixture) are skipped
unless DATABASE_URL points at PostgreSQL; CI runs the suite on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory, session_for

POSTGRES_REASON = "needs PostgreSQL: set DATABASE_URL"


def pytest_configure(config: pytest.Config) -> None:
    # A real password hash costs ~0.25 s; the suite creates hundreds of accounts. Tests that
    # are about hashing itself can set PASSWORD_HASHERS back with the `settings` fixture.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=POSTGRES_REASON)
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def postgres_only() -> None:
    """Skip the requesting test unless it runs on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRES_REASON)


@pytest.fixture
def operator(db: Any) -> Any:
    return UserFactory(role=Role.OPERATOR)


@pytest.fixture
def supervisor(db: Any) -> Any:
    return UserFactory(role=Role.SUPERVISOR)


@pytest.fixture
def analyst(db: Any) -> Any:
    return UserFactory(role=Role.ANALYST)


@pytest.fixture
def security_admin(db: Any) -> Any:
    return UserFactory(role=Role.SECURITY_ADMIN)


@pytest.fixture
def system_admin(db: Any) -> Any:
    return UserFactory(role=Role.SYSTEM_ADMIN, is_staff=True)


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], Client]:
    """`client_for(user)` gives a test Client with that user's session already open."""

    def make(user: Any) -> Client:
        return session_for(user)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: a cached read (the working calendar) must not
    outlive the rolled-back rows of the test that filled it."""
    from django.core.cache import cache

    from vikno.directory import refcache

    cache.clear()
    refcache.forget()
