"""The portal's tests: the appeals' small rulebook, a valid e-appeal form, an answered appeal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from vikno.appeals import services
from vikno.appeals.models import Appeal, Assignment, Channel
from vikno.appeals.tests.factories import Rulebook, executor_of, letter, rulebook
from vikno.appeals.tests.factories import register as register_appeal
from vikno.core import clock
from vikno.portal import antiabuse

URL = "/portal/"


def stamp(seconds_ago: int = 60) -> str:
    """The form's "shown" moment, `seconds_ago` before now."""
    return signing.dumps(int(clock.now().timestamp()) - seconds_ago, salt=antiabuse.SALT)


def appeal_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "last_name": "Гуцул", "first_name": "Марія", "patronymic": "Іванівна",
        "address": "м. Берегове, вул. Шевченка, 5", "email": "maria@example.com", "phone": "",
        "kind": "3.2", "subtopic": "009-HW", "text": "Третій день немає гарячої води.",
        "settlement_code": "", "settlement_q": "", "lat": "", "lon": "", "consent": "on",
        "website": "", "shown": stamp(), "token": "5b0c2f64-3f7d-4c52-9a8e-1f0d2a3b4c5d",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def book(db: Any) -> Rulebook:
    return rulebook()


@pytest.fixture
def submit(client: Client) -> Callable[..., Any]:
    def post(**overrides: Any) -> Any:
        return client.post(URL, appeal_post(**overrides))
    return post


class Flow:
    """An appeal registered on the portal with its code, taken through the executor's answer."""

    def __init__(self, book: Rulebook, supervisor: Any) -> None:
        self.book, self.supervisor = book, supervisor
        self.executor = executor_of(book.council, first_name="Олена", last_name="Виконавиця")

    def registered(self, **kwargs: Any) -> tuple[Appeal, str]:
        kwargs.setdefault("channel", Channel.WEB)
        appeal = register_appeal(actor=self.supervisor, **kwargs)
        return appeal, appeal.tracking_code  # type: ignore[attr-defined]

    def answered(self) -> tuple[Appeal, str]:
        """Answered by the executor and passed to the applicant by the centre."""
        appeal, code = self.registered()
        assignment = Assignment.objects.get(question__appeal=appeal, role="main")
        services.reply_submit(**letter(signatory_name="Петро Підписант"), actor=self.executor,
                              assignment=assignment, result="done", text="Воду подано.")
        appeal.refresh_from_db()
        services.answer_review(actor=self.supervisor, appeal=appeal, accept=True)
        appeal.refresh_from_db()
        return appeal, code


@pytest.fixture
def flow(book: Rulebook, supervisor: Any) -> Flow:
    return Flow(book, supervisor)
