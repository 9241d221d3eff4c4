"""The security administrator's account screens, through the test client: the list and its
filters, a new account, the account's page, the link and the import of a staff file."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.directory.models import Membership
from vikno.workspace.tests.conftest import World
from vikno.workspace.views.accounts import IMPORT_SESSION_KEY

HEADER = "username;last_name;first_name;patronymic;email;position;role;authority_code;is_head\n"


def new_executor(w: World, **overrides: str) -> dict[str, str]:
    values = {"username": "n.tkach", "last_name": "Ткач", "first_name": "Надія",
              "patronymic": "Василівна", "email": "n.tkach@example.org",
              "position": "Головний спеціаліст", "role": "executor",
              "authority": w.authority.code, "is_head": "on", "send_link": "1"}
    return values | overrides


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("staff.csv", text.encode("utf-8-sig"), content_type="text/csv")


def test_the_list_filters_by_role_authority_and_status(world: World) -> None:
    client = world.client("security_admin")
    executor = world.users["executor"]
    Membership.objects.filter(user=executor).update(is_head=True)
    UserFactory(username="gone", role=Role.OPERATOR, is_active=False)

    by_authority = client.get(reverse("workspace:accounts"),
                              {"authority": world.authority.code}).content.decode()
    executors = client.get(reverse("workspace:accounts"), {"role": "executor"}).content.decode()
    inactive = client.get(reverse("workspace:accounts"), {"active": "0"}).content.decode()
    found = client.get(reverse("workspace:accounts"), {"q": "GON"}).content.decode()

    assert executor.username in by_authority
    assert world.users["other_executor"].username not in by_authority
    assert world.authority.name in by_authority and "так" in by_authority  # the head mark
    assert world.users["operator"].username not in executors
    assert world.users["other_executor"].username in executors
    assert "gone" in inactive and world.users["operator"].username not in inactive
    assert "gone" in found and executor.username not in found


def test_a_new_executor_is_created_bound_and_gets_the_link(world: World) -> None:
    client = world.client("security_admin")

    response = client.post(reverse("workspace:account_new"), new_executor(world), follow=True)

    account = User.objects.get(username="n.tkach")
    assert response.redirect_chain[-1][0] == reverse("workspace:account_detail", args=[account.pk])
    html = response.content.decode()
    assert world.authority.name in html and "Ткач Надія Василівна" in html
    assert not account.has_usable_password()
    assert (account.membership.authority, account.membership.is_head) == (world.authority, True)
    # the link went to the person's e-mail, and the page does not show it
    (message,) = mail.outbox
    assert message.to == ["n.tkach@example.org"]
    assert "/accounts/set-password/" not in html
    assert "Посилання для встановлення пароля надіслано" in html
    # the page lists the account's recent events
    assert "Обліковий запис створено" in html or "Account created" in html


@pytest.mark.parametrize(("overrides", "message"), [
    ({"authority": ""}, "Для виконавця потрібно вказати орган."),
    ({"username": "executor-taken"}, "Такий логін уже зайнятий."),
    ({"role": "operator"}, "До органу прив’язується лише обліковий запис виконавця."),
])
def test_a_wrong_new_account_is_shown_again_with_the_reason(world: World, overrides: dict[str, str],
                                                          message: str) -> None:
    UserFactory(username="executor-taken")
    count = User.objects.count()

    response = world.client("security_admin").post(reverse("workspace:account_new"),
                                                    new_executor(world, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == count
    assert mail.outbox == []


def test_the_account_page_moves_an_executor_and_changes_its_role(world: World) -> None:
    client = world.client("security_admin")
    executor = world.users["executor"]
    url = reverse("workspace:account_duty", args=[executor.pk])

    client.post(url, {"role": "executor", "authority": world.other_authority.code})
    membership = Membership.objects.get(user=executor)
    assert membership.authority == world.other_authority

    client.post(url, {"role": "supervisor"})
    executor.refresh_from_db()
    assert executor.role == Role.SUPERVISOR
    assert not Membership.objects.filter(user=executor).exists()
    page = client.get(reverse("workspace:account_detail", args=[executor.pk])).content.decode()
    assert "Обліковий запис більше не прив’язаний до органу" in page  # the account's recent events


def test_the_details_are_corrected_and_only_field_names_enter_the_trail(world: World) -> None:
    account = world.users["operator"]

    world.client("security_admin").post(
        reverse("workspace:account_profile", args=[account.pk]),
        {"last_name": "Коваленко", "first_name": "Ірина", "patronymic": "Петрівна",
         "email": "i.kovalenko@example.org", "position": ""})

    account.refresh_from_db()
    assert (account.last_name, account.email) == ("Коваленко", "i.kovalenko@example.org")
    event = AuditEvent.objects.get(action="account.updated")
    assert event.after == {"username": account.username,
                           "changed": ["last_name", "first_name", "patronymic", "email"]}


def test_sending_a_link_to_an_account_without_e_mail_is_refused_in_ukrainian(world: World) -> None:
    account = UserFactory(role=Role.OPERATOR, email="")

    response = world.client("security_admin").post(
        reverse("workspace:account_password_link", args=[account.pk]), follow=True)

    assert "немає адреси e-mail" in response.content.decode()
    assert mail.outbox == []


def test_the_own_account_page_offers_no_role_change_or_deactivation(world: World) -> None:
    me = world.users["security_admin"]

    html = world.client("security_admin").get(
        reverse("workspace:account_detail", args=[me.pk])).content.decode()

    assert reverse("workspace:account_duty", args=[me.pk]) not in html
    assert reverse("workspace:account_deactivate", args=[me.pk]) not in html


def test_the_import_previews_then_creates_all_accounts(world: World) -> None:
    client = world.client("security_admin")
    text = HEADER + (
        f"o.hrytsenko;Гриценко;Оксана;;o.hrytsenko@example.org;;operator;;\n"
        f"n.tkach;Ткач;Надія;;;Начальник;Виконавець;{world.authority.code};1\n")
    count = User.objects.count()

    preview = client.post(reverse("workspace:account_import"), {"file": csv_upload(text)})

    html = preview.content.decode()
    assert "o.hrytsenko" in html and "Гриценко" in html
    assert User.objects.count() == count  # nothing is written by the preview
    token = client.session[IMPORT_SESSION_KEY]["token"]
    assert token in html  # the confirmation refers to the server-side preview only

    done = client.post(reverse("workspace:account_import_confirm"),
                       {"token": token, "send_links": "on"}, follow=True)

    assert User.objects.count() == count + 2
    assert Membership.objects.get(user__username="n.tkach").is_head
    assert [m.to for m in mail.outbox] == [["o.hrytsenko@example.org"]]
    assert "Створено облікових записів: 2." in done.content.decode()
    assert IMPORT_SESSION_KEY not in client.session
    # the same confirmation twice creates nothing more
    client.post(reverse("workspace:account_import_confirm"), {"token": token})
    assert User.objects.count() == count + 2


def test_a_wrong_file_shows_each_line_s_errors_and_offers_no_confirmation(world: World) -> None:
    client = world.client("security_admin")
    text = HEADER + "a.b;Ткач;Надія;;;;начальник;;\nc.d;Білик;Марко;;;;executor;ZAK-NONE;\n"

    html = client.post(reverse("workspace:account_import"),
                       {"file": csv_upload(text)}).content.decode()

    assert "Невідома роль «начальник»." in html
    assert "Невідомий код органу «ZAK-NONE»." in html
    assert reverse("workspace:account_import_confirm") not in html
    assert IMPORT_SESSION_KEY not in client.session


def test_a_confirmation_with_another_token_imports_nothing(world: World) -> None:
    client = world.client("security_admin")
    text = HEADER + "o.h;Гриценко;Оксана;;;;operator;;\n"
    client.post(reverse("workspace:account_import"), {"file": csv_upload(text)})
    count = User.objects.count()

    response = client.post(reverse("workspace:account_import_confirm"), {"token": "forged"},
                           follow=True)

    assert User.objects.count() == count
    assert "завантажте файл ще раз" in response.content.decode()


def test_an_unreadable_file_is_refused_with_the_reason(world: World) -> None:
    upload = SimpleUploadedFile("staff.csv", "логін;роль\n".encode("cp1251"))

    html = world.client("security_admin").post(reverse("workspace:account_import"),
                                               {"file": upload}).content.decode()

    assert "CSV UTF-8" in html


@pytest.fixture(autouse=True)
def _no_fixture_leaks(settings: Any) -> None:
    settings.VIKNO = {**settings.VIKNO, "BASE_URL": ""}
