"""The registration form reads its choice lists (sub-topics, the classifier, the authorities)
only to render them: a successful POST never builds them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vikno.appeals import services
from vikno.appeals.models import Appeal
from vikno.workspace import reads
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_register import phone_call

LISTS = ("classifier_choices", "authority_choices", "subtopic_groups")


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the choice lists built, in order, while the test runs."""
    calls: list[str] = []
    for name in LISTS:
        original = getattr(reads, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)
        monkeypatch.setattr(reads, name, counted)
    return calls


def test_a_successful_post_builds_no_choice_list(world: World, built: list[str]) -> None:
    # given a call with a category, a social status and a chosen executor
    client = world.client("operator")

    # when
    response = client.post(reverse("workspace:register"),
                           phone_call(main_authority=world.authority.code))

    # then
    assert response.status_code == 302
    assert Appeal.objects.get().questions.get().assignments.get().authority == world.authority
    assert built == []


def test_the_rendered_form_builds_each_list_once(world: World, built: list[str]) -> None:
    # when
    response = world.client("operator").get(reverse("workspace:register"))

    # then: the lists are there, each read once though several fields show it
    assert response.status_code == 200
    assert sorted(built) == sorted(["classifier_choices", "classifier_choices",
                                    "authority_choices", "subtopic_groups"])
    assert 'value="009.001"' in response.content.decode()


def test_an_unknown_code_is_refused_with_the_services_message(world: World) -> None:
    # when
    response = world.client("operator").post(reverse("workspace:register"),
                                             phone_call(category_code="99.99"))

    # then: refused on its field, nothing registered, the list rendered again
    assert response.status_code == 400
    assert "category_code" in response.context["form"].errors
    assert not Appeal.objects.exists()


def test_outside_the_service_a_successful_post_reads_only_the_session_and_the_user(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the service's own queries counted apart
    client = world.client("operator")
    inside: list[int] = []
    original = services.appeal_register

    def counted(**kwargs: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            result = original(**kwargs)
        inside.append(len(queries))
        return result
    monkeypatch.setattr(services, "appeal_register", counted)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("workspace:register"), phone_call())

    # then: the form, the middleware, the message and the redirect add the session and the user
    assert response.status_code == 302
    assert len(inside) == 1
    outside = [q["sql"][:80] for q in queries.captured_queries][: len(queries) - inside[0]]
    assert len(queries) - inside[0] == 2, outside
