"""`manage.py create_account`: the first account of a real centre, audited, with a one-time link."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.directory.models import Authority, Membership

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_account", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def link_path(out: str) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", out)
    assert found, out
    return found.group(1)


def test_creates_the_security_administrator_without_a_password_and_audits_it():
    # when
    out = run("--role", Role.SECURITY_ADMIN, "--username", "taras")

    # then
    user = User.objects.get(username="taras")
    assert user.role == Role.SECURITY_ADMIN
    assert not user.has_usable_password()
    assert not user.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CREATED, object_id=str(user.pk))
    assert event.actor_id is None
    assert chain_verify().ok
    assert "/accounts/set-password/" in out


def test_the_printed_link_shows_djangos_set_password_form_and_sets_it_once(client):
    # given
    path = link_path(run("--role", Role.SECURITY_ADMIN, "--username", "taras"))

    # when
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0]
    posted = client.post(form_url, {"new_password1": "Dovhyi-Parol-2026!",
                                    "new_password2": "Dovhyi-Parol-2026!"})

    # then
    assert page.status_code == 200
    assert "new_password1" in page.content.decode()
    assert posted.status_code == 302
    assert User.objects.get(username="taras").check_password("Dovhyi-Parol-2026!")
    assert "new_password1" not in client.get(path, follow=True).content.decode()


def test_binds_an_executor_to_its_authority():
    # given
    Authority.objects.create(code="ZAK-TG-BER", name="Берегівська міська рада",
                             kind="council", level="hromada")

    # when
    run("--role", Role.EXECUTOR, "--username", "ivan", "--authority", "ZAK-TG-BER")

    # then
    assert Membership.objects.get(user__username="ivan").authority.code == "ZAK-TG-BER"


@pytest.mark.parametrize("args", [
    ("--role", Role.SECURITY_ADMIN, "--username", "Taken"),
    ("--role", Role.SECURITY_ADMIN, "--username", "   "),
    ("--role", Role.EXECUTOR, "--username", "ivan", "--authority", "NO-SUCH"),
])
def test_a_refusal_changes_nothing(args):
    # given
    User.objects.create_user(username="taken", role=Role.OPERATOR)
    users, events = User.objects.count(), AuditEvent.objects.count()

    # when
    with pytest.raises(CommandError):
        run(*args)

    # then
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)
