"""Factories for staff accounts. `UserFactory(role=Role.ANALYST)` gives an active analyst.

Executors also need a directory.Membership to an authority; that binding belongs to the
directory app's factories, which sit above accounts in the layers.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from vikno.accounts.models import User
from vikno.accounts.roles import Role

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
