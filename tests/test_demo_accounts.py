"""`manage.py create_demo_accounts`: one account per role, idempotent, audited without secrets."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.directory.models import Authority, Membership

pytestmark = pytest.mark.django_db

DEMO = {
    "operator": Role.OPERATOR, "supervisor": Role.SUPERVISOR, "executor": Role.EXECUTOR,
    "head": Role.EXECUTOR,
    "analyst": Role.ANALYST, "security": Role.SECURITY_ADMIN, "sysadmin": Role.SYSTEM_ADMIN,
}


def authority(code: str, **extra: object) -> Authority:
    fields: dict[str, object] = {"name": f"Authority {code}", "kind": "council", "level": "hromada"}
    return Authority.objects.create(code=code, **{**fields, **extra})


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_demo_accounts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_creates_one_account_per_role_that_can_log_in(monkeypatch):
    # given
    monkeypatch.delenv("VIKNO_DEMO_PASSWORD", raising=False)
    authority("ZAK-ODA", level="oblast")

    # when
    out = run()

    # then
    users = {u.username: u for u in User.objects.all()}
    assert {name: users[name].role for name in DEMO} == {k: str(v) for k, v in DEMO.items()}
    for name in DEMO:
        assert authenticate(username=name, password="vikno-demo-2026") == users[name]
        assert name in out
    assert "vikno-demo-2026" in out
    assert not any(u.is_superuser for u in users.values())
    assert [u.username for u in users.values() if u.is_staff] == ["sysadmin"]


def test_executor_joins_the_first_hromada_council_by_code():
    # given
    authority("ZAK-ODA", level="oblast")
    authority("ZAK-TG-UZH")
    authority("ZAK-TG-BER")
    authority("ZAK-TG-AAA", is_active=False)

    # when
    out = run()

    # then
    membership = Membership.objects.get(user__username="executor")
    assert membership.authority.code == "ZAK-TG-BER"
    assert "ZAK-TG-BER Authority ZAK-TG-BER" in out


def test_executor_falls_back_to_the_oblast_administration():
    # given no hromada council is loaded
    authority("ZAK-ODA", level="oblast")

    # when
    run()

    # then
    assert Membership.objects.get(user__username="executor").authority.code == "ZAK-ODA"


def test_executor_authority_can_be_named_and_moves_an_existing_executor():
    # given
    authority("ZAK-TG-BER")
    authority("ZAK-TG-UZH")
    run()

    # when
    run("--executor-authority", "ZAK-TG-UZH")

    # then
    assert Membership.objects.get(user__username="executor").authority.code == "ZAK-TG-UZH"
    moved = AuditEvent.objects.filter(action="membership.changed")
    assert [e.before for e in moved] == [{"authority": "ZAK-TG-BER"}] * 2


def test_unknown_executor_authority_is_refused_and_creates_nothing():
    # given
    authority("ZAK-TG-BER")

    # when / then
    with pytest.raises(CommandError, match="ZAK-XX"):
        run("--executor-authority", "ZAK-XX")
    assert not User.objects.exists()


def test_without_reference_data_the_executor_has_no_authority_yet():
    # when
    out = run()

    # then
    assert User.objects.filter(username="executor").exists()
    assert not Membership.objects.exists()

    # and a later run, after the reference data is loaded, binds it
    authority("ZAK-TG-BER")
    run()
    assert Membership.objects.get(user__username="executor").authority.code == "ZAK-TG-BER"
    assert "executor" in out


def test_second_run_changes_nothing_and_records_nothing():
    # given
    authority("ZAK-TG-BER")
    run()
    events = AuditEvent.objects.count()
    hashes = dict(User.objects.values_list("username", "password"))

    # when
    out = run()

    # then
    assert User.objects.count() == len(DEMO)
    assert AuditEvent.objects.count() == events
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert out.count("exists") == len(DEMO)


def test_changed_password_is_kept_and_not_shown():
    # given
    authority("ZAK-TG-BER")
    run()
    analyst = User.objects.get(username="analyst")
    analyst.set_password("a-private-passphrase-2026")
    analyst.save()

    # when
    out = run()

    # then
    analyst_line = next(line for line in out.splitlines() if line.startswith("analyst"))
    assert "(changed)" in analyst_line
    assert authenticate(username="analyst", password="a-private-passphrase-2026") == analyst


def test_password_comes_from_the_environment(monkeypatch):
    # given
    monkeypatch.setenv("VIKNO_DEMO_PASSWORD", "another-demo-pass-77")

    # when
    run()

    # then
    assert authenticate(username="operator", password="another-demo-pass-77") is not None


def test_creations_are_audited_without_any_password():
    # given
    authority("ZAK-TG-BER")

    # when
    run()

    # then
    created = AuditEvent.objects.filter(action="account.created")
    assert sorted((e.after or {})["username"] for e in created) == sorted(DEMO)
    assert AuditEvent.objects.filter(action="membership.created").count() == 2
    trail = json.dumps(list(AuditEvent.objects.values("before", "after", "object_label")))
    assert "vikno-demo-2026" not in trail
    assert "password" not in trail
    assert "md5$" not in trail and "pbkdf2" not in trail
    assert chain_verify().ok


def test_refuses_on_a_production_instance(settings):
    # given DEBUG off outside the test runner
    settings.DEBUG = False
    settings.TESTING = False

    # when / then
    with pytest.raises(CommandError, match="DEBUG"):
        run()
    assert not User.objects.exists()

    # unless insisted on
    run("--allow-without-debug")
    assert User.objects.count() == len(DEMO)


def test_one_demo_executor_heads_its_body_and_may_decide_its_extensions():
    # given
    authority("ZAK-TG-BER")

    # when
    run()
    run()

    # then the "head" account heads the executor's body, the executor stays a plain member
    head = Membership.objects.get(user__username="head")
    plain = Membership.objects.get(user__username="executor")
    assert (head.authority.code, head.is_head, head.position) == (
        "ZAK-TG-BER", True, "Голова громади")
    assert (plain.authority_id, plain.is_head, plain.position) == (head.authority_id, False, "")
    created = AuditEvent.objects.get(action="membership.created", after__user="head")
    assert created.after == {"user": "head", "authority": "ZAK-TG-BER", "is_head": True,
                             "position": "Голова громади"}
