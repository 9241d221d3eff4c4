"""The portal's pages × who asks: every page opens without a login, a staff session changes
nothing (no extra data, no extra action), and a refusal writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vikno.appeals.models import Appeal, Feedback
from vikno.audit.models import AuditEvent
from vikno.portal.tests.conftest import appeal_post

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "operator", "supervisor", "analyst", "security_admin", "system_admin")
# (method, path, data, status): what anybody gets, logged in or not.
PAGES = [
    ("get", "/portal/", None, 200),
    ("get", "/portal/settlements/", {"settlement_q": "Бер"}, 200),
    ("get", "/portal/track/", None, 200),
    ("post", "/portal/track/", {"number": "ЗК-2020-000001", "code": "AAAA"}, 400),
    ("post", "/portal/track/feedback/", {"decision": "confirm", "rating": "5"}, 403),
    ("post", "/portal/track/end/", {}, 302),
]


def test_every_portal_url_is_in_the_matrix():
    # given every path the portal's URL configuration serves
    from vikno.portal import urls

    served = {f"/portal/{pattern.pattern}" for pattern in urls.urlpatterns}
    # then each is a row above, so a new page without a rule fails here
    assert served == {path for _, path, _, _ in PAGES}


def _client(role: str, request: Any, client_for: Callable[[Any], Client]) -> Client:
    if role == "anonymous":
        return Client()
    return client_for(request.getfixturevalue(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "data", "status"), PAGES)
def test_every_page_is_public_and_the_same_for_everyone(role: str, method: str, path: str,
                                                         data: Any, status: int, request: Any,
                                                         client_for: Any, book: Any) -> None:
    client = _client(role, request, client_for)
    appeals, events = Appeal.objects.count(), AuditEvent.objects.count()
    response = getattr(client, method)(path, data or {})
    assert response.status_code == status
    assert "/accounts/login" not in response.get("Location", "")
    assert Appeal.objects.count() == appeals and AuditEvent.objects.count() == events
    assert Feedback.objects.count() == 0


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_a_staff_session_sees_no_more_on_the_tracking_page(role: str, request: Any,
                                                           client_for: Any, flow: Any) -> None:
    appeal, code = flow.answered()
    pages = []
    for client in (Client(), _client(role, request, client_for)):
        assert client.get("/portal/track/").content.decode().count("appeal-status") == 0
        pages.append(_without_tokens(client.post("/portal/track/", {
            "number": appeal.number, "code": code}).content.decode()))
    assert pages[0] == pages[1]


@pytest.mark.parametrize("role", ROLES)
def test_anyone_submits_as_the_applicant_never_as_their_account(role: str, request: Any,
                                                                client_for: Any, book: Any) -> None:
    client = _client(role, request, client_for)
    assert client.post("/portal/", appeal_post()).status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.registered_by is None
    assert not AuditEvent.objects.exclude(actor_username="applicant").filter(
        object_id=str(appeal.pk), object_type="appeals.appeal").exists()
