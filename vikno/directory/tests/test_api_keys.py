"""Partner systems' keys: issued once on the command line, kept only as a hash, scoped, revoked."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vikno.accounts.api_keys import api_key_authenticate, api_key_issue, api_key_revoke
from vikno.accounts.models import ApiKey, ApiKeyScope
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.core.errors import ApplicationError, PermissionDenied
from vikno.directory.models import Membership
from vikno.directory.services import partner_create
from vikno.directory.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def issue(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_the_command_prints_the_key_once_and_keeps_only_its_hash():
    # when
    raw, told = issue("--name", "CRM міськради")

    # then the key works, and nothing stored contains it
    key = ApiKey.objects.get()
    assert raw.startswith(f"vk_{key.prefix}_") and len(raw) > 40
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert key.scope == ApiKeyScope.API and "shown once" in told
    assert api_key_authenticate(raw, scope="api") == key
    assert not any(raw in str(values) for values in AuditEvent.objects.values_list())
    # and its calls are named in the audit trail by the key's own account
    assert key.account.username == f"api.{key.prefix}" and not key.account.has_usable_password()


def test_a_key_bound_to_an_authority_is_that_authority_s_executor():
    # given
    council = AuthorityFactory(code="ZAK-TG-1")

    # when
    raw, _ = issue("--name", "Council's system", "--authority", "ZAK-TG-1", "--scope", "open311")

    # then
    key = api_key_authenticate(raw, scope="open311")
    assert key is not None and key.account.role == Role.EXECUTOR
    assert Membership.objects.get(user=key.account).authority == council
    # an unbound key is no executor
    raw2, _ = issue("--name", "Utility")
    assert api_key_authenticate(raw2, scope="api").account.role == ""


@pytest.mark.parametrize("raw", [None, "", "vk_", "vk_deadbeef_nothing", "x" * 500,
                                 "vk_" + "a" * 300, "Bearer vk_x"])
def test_anything_but_an_issued_key_is_refused(raw):
    issue("--name", "CRM")
    assert api_key_authenticate(raw, scope="api") is None


def test_a_key_works_only_in_its_scope():
    raw, _ = issue("--name", "CRM", "--scope", "api")
    assert api_key_authenticate(raw, scope="open311") is None


def test_a_revoked_key_is_refused_and_revoking_twice_changes_nothing():
    # given
    raw, _ = issue("--name", "CRM")
    key = ApiKey.objects.get()

    # when
    call_command("revoke_api_key", key.prefix, stdout=StringIO())
    events = AuditEvent.objects.count()
    api_key_revoke(actor=None, key=key)

    # then
    assert api_key_authenticate(raw, scope="api") is None
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.account.is_active
    assert AuditEvent.objects.count() == events


def test_only_the_system_administrator_revokes_and_a_refusal_changes_nothing():
    raw, _ = issue("--name", "CRM")
    key = ApiKey.objects.get()
    for role in Role:
        if role == Role.SYSTEM_ADMIN:
            continue
        with pytest.raises(PermissionDenied):
            api_key_revoke(actor=UserFactory(role=role), key=key)
    assert api_key_authenticate(raw, scope="api") is not None
    api_key_revoke(actor=UserFactory(role=Role.SYSTEM_ADMIN), key=key)
    assert api_key_authenticate(raw, scope="api") is None


def test_keys_are_issued_on_the_command_line_only():
    with pytest.raises(ApplicationError):
        api_key_issue(actor=UserFactory(role=Role.SYSTEM_ADMIN), name="CRM", scope="api")
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("args", [
    ("--name", "   "),
    ("--name", "x" * 101),
    ("--name", "CRM", "--authority", "NO-SUCH-BODY"),
])
def test_bad_arguments_are_refused_and_leave_nothing(args):
    with pytest.raises(CommandError):
        issue(*args)
    assert not ApiKey.objects.exists() and not Membership.objects.exists()


def test_a_name_is_taken_once():
    issue("--name", "CRM")
    with pytest.raises(ApplicationError):
        partner_create(actor=None, name="crm", scope="api")
    assert ApiKey.objects.count() == 1


def test_the_list_shows_names_and_prefixes_never_keys():
    AuthorityFactory(code="ZAK-TG-1")
    raw, _ = issue("--name", "Council", "--authority", "ZAK-TG-1")
    out = StringIO()
    call_command("list_api_keys", stdout=out)
    key = ApiKey.objects.get()
    assert key.prefix in out.getvalue() and "ZAK-TG-1" in out.getvalue()
    assert raw not in out.getvalue()
