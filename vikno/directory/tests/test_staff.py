"""Staff set up by the security administrator: an account with its authority, staff files read
and imported all or nothing, through the audited services."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.core.errors import ApplicationError, PermissionDenied
from vikno.directory.models import Membership
from vikno.directory.services import staff_create, staff_import, staff_set_duty
from vikno.directory.staff import StaffData, parse_staff_csv
from vikno.directory.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[3] / "data" / "samples" / "staff.csv"
HEADER = "username;last_name;first_name;patronymic;email;position;role;authority_code;is_head\n"
PERSONAL = ("Ткач", "Надія", "Василівна", "example.org")


@pytest.fixture
def security() -> Any:
    return UserFactory(role=Role.SECURITY_ADMIN)


@pytest.fixture
def authorities() -> None:
    AuthorityFactory(code="ZAK-ODA-DSZN")
    AuthorityFactory(code="ZAK-RDA-BER")


def footprint() -> tuple[Any, ...]:
    return (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())


def trail_text() -> str:
    return " ".join(f"{e.object_label} {e.before} {e.after}" for e in AuditEvent.objects.all())


def executor(**overrides: Any) -> StaffData:
    values: dict[str, Any] = {
        "username": "n.tkach", "role": Role.EXECUTOR, "last_name": "Ткач", "first_name": "Надія",
        "patronymic": "Василівна", "email": "n.tkach@example.org",
        "position": "Начальник відділу", "authority_code": "ZAK-ODA-DSZN", "is_head": True}
    return StaffData(**(values | overrides))


def test_an_executor_is_created_with_its_authority_and_head_mark(security, authorities):
    account = staff_create(actor=security, data=executor())

    assert (account.role, account.patronymic, account.position) == (
        Role.EXECUTOR, "Василівна", "Начальник відділу")
    assert not account.has_usable_password()
    membership = Membership.objects.get(user=account)
    assert (membership.authority.code, membership.is_head) == ("ZAK-ODA-DSZN", True)
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "account.created", "membership.created"]
    # the trail names the account by its login name: no name, no e-mail
    assert not any(word in trail_text() for word in PERSONAL)
    assert chain_verify().ok


@pytest.mark.parametrize(("overrides", "field"), [
    ({"authority_code": ""}, "authority"),
    ({"authority_code": "ZAK-NOWHERE"}, "authority"),
    ({"role": Role.OPERATOR}, "authority"),  # an operator bound to an authority
    ({"role": "boss"}, "role"),
    ({"email": "not-an-address"}, "email"),
    ({"username": "bad name!"}, "username"),
    ({"username": " "}, "username"),
])
def test_invalid_staff_is_refused_and_nothing_is_written(security, authorities, overrides, field):
    before = footprint()

    with pytest.raises(ApplicationError) as caught:
        staff_create(actor=security, data=executor(**overrides))

    assert caught.value.field == field
    assert footprint() == before


def test_a_taken_login_name_is_refused_whatever_its_case(security, authorities):
    staff_create(actor=security, data=executor())
    before = footprint()

    with pytest.raises(ApplicationError) as caught:
        staff_create(actor=security, data=executor(username="N.Tkach"))

    assert caught.value.code == "username_taken"
    assert footprint() == before


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.EXECUTOR, Role.ANALYST,
                                  Role.SYSTEM_ADMIN])
def test_only_the_security_administrator_creates_staff(authorities, role):
    actor = UserFactory(role=role)
    before = footprint()

    with pytest.raises(PermissionDenied):
        staff_create(actor=actor, data=executor())

    assert footprint() == before


def test_duty_moves_an_executor_and_leaving_the_executors_unbinds(security, authorities):
    account = staff_create(actor=security, data=executor(is_head=False))

    staff_set_duty(actor=security, account=account, role=Role.EXECUTOR,
                   authority_code="ZAK-RDA-BER", is_head=True)
    membership = Membership.objects.get(user=account)
    assert (membership.authority.code, membership.is_head) == ("ZAK-RDA-BER", True)

    staff_set_duty(actor=security, account=account, role=Role.SUPERVISOR)
    account.refresh_from_db()
    assert account.role == Role.SUPERVISOR
    assert not Membership.objects.filter(user=account).exists()
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["membership.changed", "account.role_changed", "membership.removed"]
    assert not any(word in trail_text() for word in PERSONAL)


def test_becoming_an_executor_needs_an_authority(security, authorities):
    account = UserFactory(role=Role.OPERATOR)
    before = footprint()

    with pytest.raises(ApplicationError) as caught:
        staff_set_duty(actor=security, account=account, role=Role.EXECUTOR)

    assert caught.value.field == "authority"
    account.refresh_from_db()
    assert account.role == Role.OPERATOR
    assert footprint() == before


# The staff file.

def test_the_sample_file_is_read_with_every_column():
    rows = parse_staff_csv(SAMPLE.read_bytes())

    assert [r.errors for r in rows] == [[]] * 5
    head = rows[2].data
    assert (head.username, head.role, head.authority_code, head.is_head, head.patronymic) == (
        "n.tkach", "executor", "ZAK-ODA-DSZN", True, "Василівна")
    # a role may be given by its Ukrainian name, the head mark as «так»
    assert (rows[4].data.role, rows[4].data.is_head) == ("executor", True)


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: text.encode("utf-8-sig"),  # Excel's «CSV UTF-8» starts with a BOM
    lambda text: text.replace(";", ",").encode("utf-8"),
    lambda text: text.replace("\n", "\r\n").encode("utf-8"),
], ids=["utf8", "bom", "comma", "crlf"])
def test_the_file_may_have_a_bom_and_either_separator(encode):
    text = HEADER + "o.hrytsenko;Гриценко;Оксана;;o@example.org;;operator;;\n"

    rows = parse_staff_csv(encode(text))

    assert len(rows) == 1 and rows[0].errors == []
    assert (rows[0].data.username, rows[0].data.last_name, rows[0].data.role) == (
        "o.hrytsenko", "Гриценко", "operator")


@pytest.mark.parametrize(("content", "fragment"), [
    (b"username;role\nx;operator\n", "last_name"),
    (HEADER.encode() + "a;Ткач;Надія;;;;operator;;\n".encode("cp1251"), "UTF-8"),
    (HEADER.encode(), "no staff rows"),
    ((HEADER.rstrip("\n") + ";salary\n").encode(), "salary"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(content, fragment):
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        parse_staff_csv(content)

    assert caught.value.field == "file"
    assert fragment in caught.value.message


def test_every_wrong_line_is_reported_in_ukrainian_and_nothing_is_imported(security, authorities):
    UserFactory(username="taken")
    text = HEADER + "\n".join([
        "ok.one;Гриценко;Оксана;;o@example.org;;operator;;",
        "u.role;Білик;Марко;;;;boss;;",
        "u.auth;Ткач;Надія;;;;executor;ZAK-NOWHERE;1",
        "taken;Федак;Лілія;;;;operator;;",
        "twice;Марусин;Іван;;;;analyst;;",
        "twice;Марусин;Іван;;;;analyst;;",
        "bad.mail;Коваль;Ірина;;ne-adresa;;operator;;",
        "no.auth;Поп;Юрій;;;;executor;;0",
    ]) + "\n"
    before = footprint()

    with translation.override("uk"):
        rows = parse_staff_csv(text.encode())
        report = staff_import(actor=security, rows=rows)

    assert not report.ok and report.created == []
    assert report.errors == {
        3: ["Невідома роль «boss»."],
        4: ["Невідомий код органу «ZAK-NOWHERE»."],
        5: ["Такий логін уже зайнятий."],
        7: ["Такий логін уже зайнятий."],
        8: ["Введіть правильну адресу e-mail."],
        9: ["Для виконавця потрібно вказати орган."],
    }
    assert footprint() == before  # all or nothing: the good first line is not kept either


def test_the_sample_file_imports_all_and_sends_links(security, authorities):
    rows = parse_staff_csv(SAMPLE.read_bytes())

    preview = staff_import(actor=security, rows=rows, dry_run=True)
    assert (preview.ok, preview.created, User.objects.count()) == (True, [], 1)

    report = staff_import(actor=security, rows=rows, send_links=True,
                          base_url="https://vikno.example")

    assert report.ok and len(report.created) == 5
    assert (report.links_sent, report.without_email) == (4, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in User.objects.exclude(email="").exclude(pk=security.pk))
    assert all("https://vikno.example/accounts/set-password/" in m.body for m in mail.outbox)
    assert Membership.objects.filter(authority__code="ZAK-ODA-DSZN").count() == 2
    summary = AuditEvent.objects.get(action="account.staff_imported")
    assert summary.after == {"accounts": report.created, "links_sent": 4}
    assert AuditEvent.objects.filter(action="account.password_link_sent").count() == 4
    assert not any(word in trail_text() for word in PERSONAL)
    assert chain_verify().ok

    # a second import of the same file creates nothing: every login name is taken
    before = footprint()
    again = staff_import(actor=security, rows=rows)
    assert len(again.errors) == 5 and footprint() == before


def test_import_staff_command_imports_the_sample(authorities):
    out = io.StringIO()

    call_command("import_staff", str(SAMPLE), "--send-links", stdout=out)

    assert "Created 5 accounts" in out.getvalue()
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.get(action="account.staff_imported").actor_username == "system"


def test_import_staff_command_lists_wrong_lines_and_writes_nothing(tmp_path, authorities):
    staff = tmp_path / "staff.csv"
    staff.write_text(HEADER + "x;Ткач;Надія;;;;executor;;\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_staff", str(staff), stderr=err)

    assert "line 2" in err.getvalue()
    assert User.objects.count() == 0
