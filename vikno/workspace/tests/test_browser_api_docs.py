"""The partner API's interactive docs render in a real browser under the site's Content-Security-Policy:
Swagger UI from our own static files (no CDN), its start script a file, not inline."""

from __future__ import annotations

from typing import Any

import pytest

from vikno.workspace.tests import test_browser as browser_tests
from vikno.workspace.tests.test_browser import CHROMIUM

browser = browser_tests.browser
browser_page = browser_tests.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_swagger_ui_renders_the_schema_under_the_csp(browser_page: Any) -> None:
    page = browser_page
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(page.base_url) and not r.url.startswith("data:") else None)

    # when
    response = page.goto("/api/docs/")

    # then the page is served under the site's policy and Swagger UI draws every operation
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .opblock")
    text = page.inner_text(".swagger-ui")
    assert "/api/v1/appeals/" in text and "/api/v1/changes/" in text
    assert "Vikno API" in text

    # and an operation opens (its parameters drawn by the bundle's scripts)
    page.click(".opblock-summary:has-text('/api/v1/changes/')")
    page.wait_for_selector(".opblock-body .parameters")
    assert violations == [] and outside == []
    assert page.console_errors == []
