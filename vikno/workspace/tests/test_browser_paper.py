"""An answer that came by letter, in a real browser: the operator records it with the scan on the
executor's behalf, the supervisor accepts it, and the card shows who recorded it and the scan."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from vikno.appeals.models import Reply
from vikno.appeals.services import Routing
from vikno.core import clock
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World

# The browser fixtures and helpers of the workspace's browser tests (one Chromium per module).
from vikno.workspace.tests.test_browser import (  # noqa: F401
    browser,
    browser_page,
    open_panel,
    sign_in,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_operator_records_a_paper_answer_and_the_supervisor_accepts_it(
        world: World, browser_page: Any) -> None:  # noqa: F811 (the imported fixture)
    # given an appeal routed to the oblast administration, which has no account in Vikno
    appeal = world.register(routing=Routing(main_authority_code=world.default_authority.code))
    page = browser_page
    # the supervisor's dashboard lists it as waiting for an answer on paper
    sign_in(page, world.users["supervisor"])
    page.goto("/dashboard/")
    assert appeal.number in page.inner_text("#awaiting-paper")
    assert_accessible(page)
    sign_in(page, world.users["operator"])
    page.goto(f"/appeals/{appeal.number}/")
    note = page.locator(".no-accounts")
    assert note.inner_text().strip() == ("Виконавець не має облікових записів у Вікні: відповідь "
                                         "вноситься центром.")

    # when the operator records the administration's letter, received by e-mail, with its scan
    form = open_panel(page, "details.action-on-behalf")
    assert page.locator("details.action-on-behalf > summary").inner_text().strip() == (
        "Внести відповідь, що надійшла поза системою")
    form.locator("[name=received_via][value=email]").check()
    form.locator("[name=received_on]").fill(clock.today().isoformat())
    form.locator("[name=result]").select_option("done")
    form.locator("[name=text]").fill("Гаряче водопостачання відновлено.")
    form.locator("[name=outgoing_number]").fill("01-27/915")
    form.locator("[name=outgoing_date]").fill(clock.today().isoformat())
    form.locator("[name=signatory_name]").fill("Мирослав Білецький")
    form.locator("[name=signatory_position]").fill("Голова ОДА")
    form.locator("[name=scan]").set_input_files(
        files=[{"name": "лист ОДА.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert_accessible(page)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".reply-on-behalf")
    assert_accessible(page)

    # and the supervisor, whose dashboard no longer lists it, accepts the answer
    sign_in(page, world.users["supervisor"])
    page.goto("/dashboard/")
    assert appeal.number not in page.inner_text("#awaiting-paper")
    assert_accessible(page)
    page.goto(f"/appeals/{appeal.number}/")
    review = open_panel(page, "#action-review")
    review.locator("[name=decision][value=accept]").check()
    review.locator("button[type=submit]").click()
    page.wait_for_selector("#card-answer >> text=01-27/915")

    # then the card shows the body's answer, that the centre recorded it, how, and the scan
    today = f"{clock.today():%d.%m.%Y}"
    recorded = page.inner_text(".reply-on-behalf")
    assert recorded.startswith(f"Внесено центром: {today}, електронною поштою"), recorded
    assert "Мирослав Білецький, Голова ОДА" in page.inner_text(".reply-letter")
    assert "Гаряче водопостачання відновлено." in page.inner_text(".reply-text")
    history = page.inner_text(".timeline")
    assert "Відповідь виконавця «Закарпатська ОДА» внесено центром з листа № 01-27/915" in history
    appeal.refresh_from_db()
    assert appeal.status == "awaiting_confirmation"
    assert page.locator(".no-accounts").count() == 0  # nothing owed any more
    # the scan downloads from the card
    reply = Reply.objects.get(assignment__question__appeal=appeal)
    with page.expect_download() as download:
        page.locator(".reply-on-behalf a", has_text="Скан листа").click()
    assert download.value.suggested_filename == "лист ОДА.pdf"
    assert reply.scan is not None and reply.scan.sha256
    assert_accessible(page)
    assert page.console_errors == []
