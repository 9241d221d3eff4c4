"""The security administrator sets staff up in a real browser: an executor created, bound to an
authority and sent the link; the person opens the link from the e-mail in a browser of their own,
sets the password, signs in and lands on "my assignments"; a staff file imported. Every page ends
with the axe-core check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from vikno.accounts.models import User
from vikno.audit.models import AuditEvent
from vikno.directory.models import Authority, Membership
from vikno.workspace.tests import test_browser as browser_tests
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import CHROMIUM, SLOW, sign_in

# The fixtures of the browser tests (one Chromium per module, a context per test).
browser = browser_tests.browser
browser_page = browser_tests.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]
SAMPLE = Path(__file__).resolve().parents[3] / "data" / "samples" / "staff.csv"
NEW_PASSWORD = "smereka-karpaty-2026"


def test_an_executor_is_created_gets_the_link_and_signs_in(
        world: World, browser: Any, browser_page: Any, live_server: Any) -> None:
    # given the security administrator on the list of accounts
    page = browser_page
    sign_in(page, world.users["security_admin"])
    page.goto("/security/accounts/")
    assert_accessible(page)

    # when a new executor of the Bativ council, its head, is created without a link at once
    page.click("text=Новий обліковий запис")
    page.fill("#id_username", "n.tkach")
    page.fill("#id_last_name", "Ткач")
    page.fill("#id_first_name", "Надія")
    page.fill("#id_patronymic", "Василівна")
    page.fill("#id_email", "n.tkach@example.org")
    page.fill("#id_position", "Селищна голова")
    page.select_option("#id_role", "executor")
    page.select_option("#id_authority", world.authority.code)
    page.check("#id_is_head")
    page.uncheck("#id_send_link")
    assert_accessible(page)
    page.click("#account-new-form button[type=submit]")

    # then its page reads the binding back, with no password and no link on it
    page.wait_for_selector("#account-summary")
    summary = page.inner_text("#account-summary")
    assert world.authority.name in summary and "Ткач Надія Василівна" in summary
    assert "ще не встановлений" in summary
    assert mail.outbox == []
    assert_accessible(page)

    # when the administrator sends the first-login link
    page.click("#send-link")
    page.wait_for_selector(".messages >> text=Посилання для встановлення пароля надіслано")
    assert "/accounts/set-password/" not in page.content()
    assert "Посилання для встановлення пароля надіслано" in page.inner_text("#account-events")
    assert_accessible(page)
    (message,) = mail.outbox
    assert message.to == ["n.tkach@example.org"]
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", message.body)
    assert link is not None

    # then the person, in a browser of their own, sets the password through the link
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    context.set_default_timeout(SLOW)
    own = context.new_page()
    try:
        own.goto(link.group(0))
        own.wait_for_selector("#id_new_password1")
        assert_accessible(own)
        own.fill("#id_new_password1", NEW_PASSWORD)
        own.fill("#id_new_password2", NEW_PASSWORD)
        own.click("#set-password-form button[type=submit]")
        own.wait_for_url(f"{live_server.url}/accounts/login/")
        assert "Пароль встановлено" in own.content()
        assert_accessible(own)
        own.fill("#id_username", "n.tkach")
        own.fill("#id_password", NEW_PASSWORD)
        own.press("#id_password", "Enter")
        own.wait_for_url(f"{live_server.url}/my/")
        assert "Мої доручення" in own.inner_text("h1")
        assert_accessible(own)
        # and the link works once only
        own.goto(link.group(0))
        assert "Це посилання не працює" in own.content()
    finally:
        context.close()
    account = User.objects.get(username="n.tkach")
    assert account.has_usable_password()
    assert Membership.objects.get(user=account).is_head
    assert page.console_errors == []


def test_the_staff_file_is_previewed_and_imported(world: World, browser_page: Any) -> None:
    # given the sample staff file's authorities
    for code in ("ZAK-ODA-DSZN", "ZAK-RDA-BER"):
        Authority.objects.create(code=code, name=f"Орган {code}", kind="oda", level="oblast",
                                 territory_id=world.default_authority.territory_id)
    page = browser_page
    sign_in(page, world.users["security_admin"])
    page.goto("/security/accounts/")
    page.click("text=Імпорт працівників із файлу")
    assert_accessible(page)

    # when the file is uploaded
    page.set_input_files("#id_file", str(SAMPLE))
    page.click("#import-upload button[type=submit]")

    # then the preview lists every line and writes nothing
    page.wait_for_selector("#import-preview")
    assert page.locator("#import-rows tbody tr").count() == 5
    assert "Файл правильний" in page.inner_text("#import-preview")
    assert not User.objects.filter(username="n.tkach").exists()
    assert_accessible(page)

    # when the import is confirmed with the links
    page.click("#import-confirm button[type=submit]")

    # then all five accounts are listed, executors with their authority
    page.wait_for_selector(".messages >> text=Створено облікових записів: 5.")
    assert_accessible(page)
    page.fill("#id_q", "tkach")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#accounts-table >> text=n.tkach")
    assert "Орган ZAK-ODA-DSZN" in page.inner_text("#accounts-table")
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(action="account.staff_imported").count() == 1
    assert page.console_errors == []
