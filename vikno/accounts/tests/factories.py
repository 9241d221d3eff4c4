"""Factories for staff accounts. `UserFactory(role=Role.ANALYST)` gives an active analyst.

Executors also need a directory.Membership to an authority; that binding belongs to the
directory app's factories, which sit above accounts in the layers.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.signals import user_logged_in
from django.test import Client
from factory.django import DjangoModelFactory

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.accounts.signals import LOGIN_DISPATCH_UID, record_login

# Long enough for the password validators; tests log in with it through the real login form.
DEFAULT_PASSWORD = "correct-horse-battery-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    role = Role.OPERATOR
    username = factory.LazyAttributeSequence(lambda o, n: f"{o.role}-{n}")
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = factory.LazyAttribute(lambda o: str(o.role).replace("_", " ").title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@vikno.test")
    is_active = True
    password = factory.django.Password(DEFAULT_PASSWORD)


def session_for(user: Any) -> Client:
    """A test Client with `user`'s session already open, as if the login happened before the
    test: no `account.login` event, so tests count only the events of what they do. Tests of
    the login itself go through the login form."""
    client = Client()
    user_logged_in.disconnect(dispatch_uid=LOGIN_DISPATCH_UID)
    try:
        client.force_login(user)
    finally:
        user_logged_in.connect(record_login, dispatch_uid=LOGIN_DISPATCH_UID)
    return client
