"""The system administrator revokes a partner's key in a real browser: the list, the
confirmation, the list again with the key revoked; and the key is refused from then on. Every
page ends with the axe-core check."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from vikno.accounts.models import ApiKey
from vikno.audit.models import AuditEvent
from vikno.directory.services import partner_create
from vikno.workspace.tests import test_browser as browser_tests
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import CHROMIUM, sign_in

browser = browser_tests.browser
browser_page = browser_tests.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_the_system_administrator_revokes_a_key(world: World, browser_page: Any) -> None:
    # given two keys, one bound to an authority
    crm, raw = partner_create(actor=None, name="CRM міськради", scope="api")
    partner_create(actor=None, name="СЕД ради", scope="api", authority_code=world.authority.code)
    page = browser_page
    sign_in(page, world.users["system_admin"])

    # when the administrator opens the keys
    page.goto("/security/api-keys/")
    table = page.inner_text("#api-keys-table")
    assert "CRM міськради" in table and f"{crm.prefix}…" in table
    assert world.authority.name in table and raw not in page.content()
    assert_accessible(page)

    # and revokes the CRM's key, confirming it
    page.click("#api-keys-table tr:has-text('CRM міськради') >> text=Відкликати")
    page.wait_for_selector("h1:has-text('Відкликання ключа')")
    assert "CRM міськради" in page.inner_text("main")
    assert_accessible(page)
    page.click("main form button[type=submit]")

    # then the list reads it back as revoked, the trail names who did it, the key is refused
    page.wait_for_selector(".messages")
    row = page.inner_text("#api-keys-table tr:has-text('CRM міськради')")
    assert "відкликано" in row
    assert_accessible(page)
    assert ApiKey.objects.get(pk=crm.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoked",
                                     actor_id=world.users["system_admin"].pk).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/appeals/").status_code == 401
    assert page.console_errors == []
