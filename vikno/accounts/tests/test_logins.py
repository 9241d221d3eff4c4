"""Logins and failed logins are on the audit trail; a failed one never carries what was typed
unless it is an existing account's username, and never a password."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, session_for
from vikno.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def login(username: str, password: str) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client


def trail() -> str:
    return json.dumps(list(AuditEvent.objects.values("actor_username", "object_label", "before",
                                                     "after")), ensure_ascii=False)


def test_a_login_through_the_form_is_recorded():
    # given
    user = UserFactory(role=Role.OPERATOR)

    # when
    login(user.username, DEFAULT_PASSWORD)

    # then
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_role) == ("account.login", user.pk,
                                                                "operator")
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.pk))
    assert DEFAULT_PASSWORD not in trail()


def test_a_wrong_password_for_an_existing_account_names_the_account_only():
    # given
    user = UserFactory(role=Role.OPERATOR)

    # when
    login(user.username, "wrong-password-typed")

    # then
    event = AuditEvent.objects.get()
    assert event.action == "account.login_failed"
    assert event.actor_id is None
    assert (event.object_id, event.object_label) == (str(user.pk), user.username)
    assert "wrong-password-typed" not in trail()


def test_an_unknown_username_is_not_recorded():
    # given: a password typed into the username field by mistake
    UserFactory(role=Role.OPERATOR)

    # when
    login("my-secret-passphrase", "anything-at-all")

    # then
    event = AuditEvent.objects.get()
    assert event.action == "account.login_failed"
    assert (event.object_type, event.object_id, event.object_label) == ("", "", "")
    assert "my-secret-passphrase" not in trail() and "anything-at-all" not in trail()


def test_an_inactive_account_fails_to_log_in_and_is_recorded():
    user = UserFactory(role=Role.OPERATOR, is_active=False)

    login(user.username, DEFAULT_PASSWORD)

    assert list(AuditEvent.objects.values_list("action", "object_id")) == [
        ("account.login_failed", str(user.pk))]


def test_a_session_opened_by_the_test_helper_records_no_login():
    # the helper stands for a login made before the test; the signal stays connected after it
    session_for(UserFactory(role=Role.ANALYST))
    user = UserFactory(role=Role.OPERATOR)
    login(user.username, DEFAULT_PASSWORD)

    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["account.login"]
