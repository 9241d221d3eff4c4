"""The link to set (or reset) a password, e-mailed to the account's owner: Django's token and
set-password page, never shown to the administrator, audited without the address or the link."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.accounts.services import account_send_password_link, password_link_base_url
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.core.errors import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "kalyna-ridna-2026-vesna"


@pytest.fixture
def security() -> Any:
    return UserFactory(role=Role.SECURITY_ADMIN)


def new_account(**kwargs: Any) -> User:
    account = UserFactory(role=Role.OPERATOR, email="h.ivanko@example.org", **kwargs)
    account.set_unusable_password()
    account.save()
    return account


def link_in(message: Any) -> str:
    found = re.search(r"https?://\S+/accounts/set-password/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def test_the_link_is_mailed_and_sets_the_password_once(security):
    account = new_account()

    account_send_password_link(actor=security, account=account, base_url="https://vikno.example/")

    # the one message goes to the account's own address, in Ukrainian, naming the login
    (message,) = mail.outbox
    assert message.to == ["h.ivanko@example.org"]
    assert "пароль" in message.subject
    assert account.username in message.body
    link = link_in(message)
    assert link.startswith("https://vikno.example/accounts/set-password/")
    # the trail: who sent it to which account, nothing of the address or the link
    event = AuditEvent.objects.get(action="account.password_link_sent")
    assert (event.actor_username, event.object_id, event.after) == (
        security.username, str(account.pk), {"username": account.username})
    assert "example.org" not in str(event.after) + event.object_label
    assert link.rsplit("/", 2)[-2] not in str(event.after)

    # the person opens it and sets the password with Django's own form
    client = Client()
    path = link.removeprefix("https://vikno.example")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    # and the link is void afterwards
    again = Client().get(path, follow=True)
    assert "new_password1" not in again.content.decode()


def test_an_account_without_e_mail_gets_a_clear_ukrainian_refusal(security):
    account = new_account()
    account.email = ""
    account.save()

    with translation.override("uk"), pytest.raises(ApplicationError) as caught:
        account_send_password_link(actor=security, account=account, base_url="http://x")

    assert caught.value.code == "no_email"
    assert "немає адреси e-mail" in caught.value.message
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="account.password_link_sent").exists()


def test_a_deactivated_account_gets_no_link(security):
    account = new_account(is_active=False)

    with pytest.raises(ApplicationError) as caught:
        account_send_password_link(actor=security, account=account, base_url="http://x")

    assert caught.value.code == "inactive"
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.EXECUTOR, Role.ANALYST,
                                  Role.SYSTEM_ADMIN])
def test_only_the_security_administrator_sends_links(role):
    account = new_account()
    actor = UserFactory(role=role)

    with pytest.raises(PermissionDenied):
        account_send_password_link(actor=actor, account=account, base_url="http://x")

    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="account.password_link_sent").exists()


def test_a_mail_server_that_refuses_records_nothing(security, settings, monkeypatch):
    account = new_account()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr("vikno.accounts.services.send_mail", refuse)

    with pytest.raises(ApplicationError) as caught:
        account_send_password_link(actor=security, account=account, base_url="http://x")

    assert caught.value.code == "mail_failed"
    assert not AuditEvent.objects.filter(action="account.password_link_sent").exists()


def test_the_base_url_comes_from_the_setting_before_the_request(settings):
    settings.VIKNO = {**settings.VIKNO, "BASE_URL": "https://vikno.gov.example/"}
    assert password_link_base_url("http://testserver/") == "https://vikno.gov.example"

    settings.VIKNO = {**settings.VIKNO, "BASE_URL": ""}
    assert password_link_base_url("http://testserver/") == "http://testserver"


def test_create_account_can_mail_the_link_instead_of_printing_it():
    out = io.StringIO()

    call_command("create_account", "--role", Role.SECURITY_ADMIN, "--username", "t.shevchuk",
                 "--email", "t.shevchuk@example.org", "--send-link", stdout=out)

    assert "/set-password/" not in out.getvalue()
    (message,) = mail.outbox
    assert message.to == ["t.shevchuk@example.org"]
    assert "/accounts/set-password/" in message.body
    assert AuditEvent.objects.filter(action="account.password_link_sent",
                                     actor_username="system").count() == 1
