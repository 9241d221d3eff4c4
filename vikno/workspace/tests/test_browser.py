"""The operator's registration screen in a real headless Chromium (Debian's `chromium`).

Skips with the reason when Chromium or Playwright is not installed (`.ci/run` installs Chromium).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Appeal
from vikno.audit.selectors import chain_verify

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
]
PASSWORD = "operator-browser-test-1"
# Chromium must not reach for Google's services on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page() -> Any:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # made outside it, but Django cannot tell, so it is told explicitly.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.console_errors = errors  # type: ignore[attr-defined]
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    _close_live_server_connections()


def _close_live_server_connections() -> None:
    """The live server (one per test session) serves keep-alive connections in threads that hold a
    database session until the socket closes; on PostgreSQL such a session keeps the test database
    from being dropped at the end of the run. End them here."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.mark.django_db(transaction=True)
def test_operator_registers_a_phone_appeal_in_the_browser(live_server: Any, browser_page: Any) -> None:
    # given the real reference data and an operator account
    call_command("load_reference", verbosity=0)
    UserFactory(username="op-browser", role=Role.OPERATOR, password=PASSWORD)
    page = browser_page

    # when the operator signs in and fills the one registration screen
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "op-browser")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/appeals/new/")
    assert "Нове звернення" in page.content()  # Ukrainian although the browser asks for English
    page.fill("#id_phone", "050 123 45 67")
    page.fill("#id_last_name", "Гуцул")
    page.fill("#id_first_name", "Марія")
    page.fill("#id_address", "с. Батьово, вул. Шевченка, 5")
    page.fill("#id_text", "Третій день немає гарячої води у будинку.")
    page.select_option("#id_subtopic_1", "009.010")
    # the suggested executor appears without a reload (htmx)
    page.wait_for_selector("#assist >> text=Закарпатська обласна державна адміністрація",
                           timeout=10_000)
    page.locator("form#register-form button[type=submit], form#register-form [type=submit]").first.click()
    page.wait_for_load_state("networkidle")

    # then the appeal card opens with the new registration number, and it is in the database
    appeal = Appeal.objects.get()
    assert page.url.endswith(f"/appeals/{appeal.number}/") or appeal.number in page.url \
        or appeal.number in page.content()
    assert appeal.number in page.content()
    assert appeal.applicant is not None and appeal.applicant.phone_digits == "380501234567"
    assert appeal.status == AppealStatus.ASSIGNED
    assert chain_verify().ok
    # no script error and no Content-Security-Policy violation on the way
    assert page.console_errors == []
