"""The portal in a real headless Chromium: a citizen fills the form, sends it, reads the number
and the code, opens tracking, types them and sees the status; axe-core on every page, on a
desktop and at a phone's size. Skips when Chromium or Playwright is missing (as the workspace's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from vikno.appeals.models import Appeal
from vikno.appeals.tests.factories import rulebook
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    HTMX_ABORT,
    SLOW,
    _close_live_server_connections,
    browser,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(params=["desktop", "phone"])
def page(request: Any, browser: Any, live_server: Any) -> Iterator[Any]:  # noqa: F811
    viewport = PHONE if request.param == "phone" else DESKTOP
    context = browser.new_context(viewport=viewport, locale="uk-UA", base_url=live_server.url,
                                  is_mobile=request.param == "phone")
    context.set_default_timeout(SLOW)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith(HTMX_ABORT) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()
    _close_live_server_connections()


def test_a_citizen_sends_an_appeal_and_tracks_it(live_server: Any, page: Any) -> None:
    book = rulebook()
    page.goto("/portal/")
    assert "Електронне звернення" in page.content()
    page.wait_for_selector("#map path.leaflet-interactive")  # the offline boundaries are drawn
    assert_accessible(page)

    page.fill("#id_last_name", "Гуцул")
    page.fill("#id_first_name", "Марія")
    page.fill("#id_patronymic", "Іванівна")
    page.fill("#id_address", "м. Берегове, вул. Шевченка, 5")
    page.fill("#id_email", "maria@example.com")
    page.select_option("#id_subtopic", "009-HW")
    page.fill("#id_text", "Третій день немає гарячої води у будинку.")
    # the settlement lookup (htmx) fills the select as one types
    page.fill("#id_settlement_q", "Бать")
    page.wait_for_selector(f"#id_settlement_code option[value='{book.other_village.code}']",
                           state="attached")
    page.select_option("#id_settlement_code", book.other_village.code)
    # a point on the map sets the hidden fields
    page.locator("#map").click()
    assert page.input_value("#id_lat") and page.input_value("#id_lon")
    page.check("#id_consent")
    page.wait_for_timeout(3000)  # the form's time check refuses what is sent within 3 s
    page.click("#appeal-form button.btn-primary")

    page.wait_for_selector("#tracking-code")
    number = page.inner_text("#reg-number").strip()
    code = page.inner_text("#tracking-code").strip()
    appeal = Appeal.objects.get()
    assert number == appeal.number and appeal.territory == book.other_village
    assert code not in page.url and number not in page.url
    assert_accessible(page)

    page.click("a[href='/portal/track/'].btn")
    page.wait_for_selector("#track-form")
    assert_accessible(page)
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("#track-form button")
    page.wait_for_selector("#appeal-status")
    assert "Передано органу, який його розглядатиме." in page.inner_text("#appeal-status")
    assert code not in page.url
    assert_accessible(page)
    assert page.console_errors == []
