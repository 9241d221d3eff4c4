"""Accounts as audited services: create, change the role, open and close."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import authenticate

from vikno.accounts import services
from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.core.errors import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-2026"


@pytest.fixture
def security() -> Any:
    return UserFactory(role=Role.SECURITY_ADMIN)


def footprint() -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    return (list(User.objects.order_by("pk").values_list("username", "role", "is_active",
                                                         "is_staff", "is_superuser", "password")),
            AuditEvent.objects.count())


def test_an_account_is_created_with_its_role_and_audited_without_secrets(security):
    # when
    account = services.account_create(actor=security, username="olena", role=Role.OPERATOR,
                                       password=PASSWORD, first_name="Олена",
                                       last_name="Коваль", email="olena@example.com")

    # then
    assert authenticate(username="olena", password=PASSWORD) == account
    assert (account.role, account.is_staff, account.is_superuser) == (Role.OPERATOR, False, False)
    event = AuditEvent.objects.get(action="account.created")
    assert event.actor_id == security.pk
    assert event.after == {"username": "olena", "role": "operator", "is_staff": False,
                           "is_superuser": False}
    trail = json.dumps([event.before, event.after, event.object_label], ensure_ascii=False)
    assert PASSWORD not in trail and "Коваль" not in trail and "example.com" not in trail


@pytest.mark.parametrize(("role", "is_staff"), [(Role.SYSTEM_ADMIN, True), (Role.ANALYST, False)])
def test_is_staff_follows_the_role(security, role, is_staff):
    account = services.account_create(actor=security, username="someone", role=role)

    assert account.is_staff is is_staff
    assert not account.has_usable_password()


@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"username": "taken"}, "username_taken", "username"),
    ({"username": "TAKEN"}, "username_taken", "username"),
    ({"username": "  "}, "invalid_value", "username"),
    ({"role": "superuser"}, "invalid_value", "role"),
    ({"password": "short"}, "weak_password", "password"),
])
def test_a_refused_account_changes_nothing(security, kwargs, code, field):
    # given
    UserFactory(username="taken")
    before = footprint()
    values = {"username": "new-one", "role": Role.OPERATOR} | kwargs

    # when
    with pytest.raises(ApplicationError) as refused:
        services.account_create(actor=security, **values)

    # then
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message
    assert footprint() == before


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SECURITY_ADMIN])
def test_only_the_security_administrator_manages_accounts(role):
    # given
    actor = UserFactory(role=role)
    target = UserFactory(role=Role.OPERATOR)
    before = footprint()

    # when / then: every service refuses, and nothing changes
    calls = [
        lambda: services.account_create(actor=actor, username="x-new", role=Role.OPERATOR),
        lambda: services.account_set_role(actor=actor, account=target, role=Role.ANALYST),
        lambda: services.account_set_active(actor=actor, account=target, active=False),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert footprint() == before


def test_a_role_change_is_audited_and_moves_is_staff(security):
    # given
    account = UserFactory(role=Role.ANALYST)

    # when
    services.account_set_role(actor=security, account=account, role=Role.SYSTEM_ADMIN)

    # then
    account.refresh_from_db()
    assert (account.role, account.is_staff) == (Role.SYSTEM_ADMIN, True)
    event = AuditEvent.objects.get(action="account.role_changed")
    assert event.before == {"role": "analyst", "is_staff": False}
    assert event.after == {"role": "system_admin", "is_staff": True}


def test_the_same_role_again_records_nothing(security):
    account = UserFactory(role=Role.ANALYST)
    before = footprint()

    services.account_set_role(actor=security, account=account, role=Role.ANALYST)

    assert footprint() == before


@pytest.mark.parametrize(("call", "code"), [
    (lambda me: services.account_set_role(actor=me, account=me, role=Role.SYSTEM_ADMIN),
     "own_account"),
    (lambda me: services.account_set_active(actor=me, account=me, active=False), "own_account"),
    (lambda me: services.account_set_role(actor=me, account=UserFactory(), role="root"),
     "invalid_value"),
])
def test_refused_changes_of_accounts_change_nothing(security, call, code):
    # given
    UserFactory()
    before_users = footprint()

    # when
    with pytest.raises(ApplicationError) as refused:
        call(security)

    # then (a factory account made inside the call is the only difference allowed)
    assert refused.value.code == code
    assert AuditEvent.objects.count() == before_users[1]
    security.refresh_from_db()
    assert (security.role, security.is_active) == (Role.SECURITY_ADMIN, True)


@pytest.mark.parametrize("active", [False, True])
def test_opening_and_closing_an_account_is_audited(security, active):
    account = UserFactory(role=Role.OPERATOR, is_active=not active)

    services.account_set_active(actor=security, account=account, active=active)

    account.refresh_from_db()
    assert account.is_active is active
    event = AuditEvent.objects.get()
    assert event.action == ("account.activated" if active else "account.deactivated")
    assert event.after == {"is_active": active}


def test_the_system_itself_may_create_accounts():
    # management commands act as the system (actor None)
    account = services.account_create(actor=None, username="seeded", role=Role.ANALYST)

    assert AuditEvent.objects.get().actor_username == "system"
    assert account.role == Role.ANALYST
