"""The security administrator reads the audit trail in a real headless Chromium: filters by action
and person (the filter lands in the address), reads the Ukrainian words back, downloads the CSV.
The browser and the live server are those of test_browser.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from vikno.audit.models import AuditEvent
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import (  # noqa: F401 - fixtures used by name
    CHROMIUM,
    browser,
    browser_page,
    sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_the_security_administrator_filters_the_trail_and_downloads_it(
        world: World, browser_page: Any) -> None:  # noqa: F811 - the fixture
    # given a closed appeal and another one registered
    closed = world.closed()
    world.register()
    supervisor = world.users["supervisor"].username
    page = browser_page
    sign_in(page, world.users["security_admin"])
    page.goto("/security/audit/")
    assert_accessible(page)

    # when the administrator picks the action by its Ukrainian name and types the person
    page.select_option("#id_action", label="Звернення закрито")
    page.wait_for_url("**action=appeal.close**")
    page.fill("#id_actor", supervisor)
    page.press("#id_actor", "Enter")
    page.wait_for_url(f"**actor={supervisor}**")

    # then one event is listed, in Ukrainian words: the action, the object, the changed field
    rows = page.locator("#audit-results tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert "Звернення закрито" in row.locator(".audit-action").inner_text()
    assert f"Звернення {closed.number}" in row.inner_text()
    assert "Статус" in row.locator(".audit-field").all_inner_texts()
    assert "Надано відповідь → Закрито" in row.locator(".audit-changes").inner_text()
    assert_accessible(page)

    # and the filter survives a reload (it lives in the address)
    page.reload()
    assert page.locator("#id_action").input_value() == "appeal.close"
    assert page.locator("#id_actor").input_value() == supervisor

    # when the administrator downloads the filtered trail as CSV
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")

    # then it holds the same event under Ukrainian headers, and the export is on the trail
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0][:5] == ["№", "Час", "Хто виконав", "Роль", "Дія"]
    assert [line[4] for line in lines[1:]] == ["Звернення закрито"]
    export = AuditEvent.objects.order_by("-seq").first()
    assert export is not None and export.action == "audit.export"
    assert export.after == {"format": "csv", "rows": 1, "action": "appeal.close",
                            "actor": supervisor}
    assert page.console_errors == []
