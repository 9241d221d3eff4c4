"""The workspace screens in a real headless Chromium (Debian's `chromium`): a person types, clicks
and reads back, and every page ends with an axe-core check (WCAG 2.1 A/AA, `axe.py`).

Skips with the reason when Chromium or Playwright is not installed (`.ci/run` installs Chromium).
One browser serves the module; each test gets its own context (cookies, storage).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import testcases

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory, session_for
from vikno.appeals import services
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Appeal, Notice
from vikno.appeals.tests.factories import letter
from vikno.audit.selectors import chain_verify
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.selectors import working_calendar
from vikno.workspace.tests.axe import assert_accessible, axe_violations
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_per_question_panels import two_questions

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

class _OneRequestAtATime(testcases.LiveServerThread):
    """The live server of these tests, serving one request at a time.

    On the in-memory SQLite of the test run, every request thread of the live server shares the
    test's single connection, so two requests at once (an htmx lookup while a page loads, each
    recording a read in the audit trail) would interleave their transactions and take the same
    audit sequence number. A real server has a connection per thread and SQLite's IMMEDIATE
    transactions (config/settings.py) queue them; here a lock around each request does."""

    def _create_server(self, connections_override: Any = None) -> Any:
        server = super()._create_server(connections_override=connections_override)
        lock = threading.Lock()
        set_app = server.set_app

        def set_locked_app(app: Any) -> None:
            def application(environ: Any, start_response: Any) -> Any:
                with lock:
                    result = app(environ, start_response)
                    try:
                        return list(result)
                    finally:  # request_finished: the request's own clean-up, inside the lock
                        close = getattr(result, "close", None)
                        if close is not None:
                            close()

            set_app(application)

        server.set_app = set_locked_app
        return server


# pytest-django's live_server builds django.test.testcases.LiveServerThread when first used.
testcases.LiveServerThread = _OneRequestAtATime  # type: ignore[misc]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    # the live server runs in another thread: the data must be committed for it to see them
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "operator-browser-test-1"
# Chromium must not reach for Google's services on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SLOW = 10_000  # ms: an htmx answer on a loaded machine
# htmx logs a request it aborted itself (hx-sync "replace": a newer keystroke supersedes it) as an
# error; that is the intended behaviour, not a fault. A server error still shows as
# htmx:responseError, and a network failure as htmx:sendError.
HTMX_ABORT = ("htmx:sendAbort", "htmx:afterRequest")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
    # made outside it, but Django cannot tell, so it is told explicitly.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US",
                                  base_url=live_server.url)
    context.set_default_timeout(SLOW)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith(HTMX_ABORT) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # type: ignore[attr-defined]
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()
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


def sign_in(page: Any, user: Any) -> None:
    """Open `user`'s session in the browser, as if they had logged in before (the login form has
    its own test below)."""
    cookie = session_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                               "url": page.base_url}])


def card_value(page: Any, label: str) -> str:
    """What the registration-control card shows under `label` (its <dt>)."""
    dt = page.locator("#h-card ~ dl.kv > dt", has_text=label).first
    return str(dt.locator("xpath=following-sibling::dd[1]").inner_text()).strip()


def main_executor(page: Any) -> str:
    return str(page.locator(".table-assignments tbody tr").first.locator("td strong").first
               .inner_text()).strip()


def fill_applicant(page: Any, *, address: str = "вул. Садова, 3") -> None:
    page.fill("#id_phone", "050 765 43 21")
    page.fill("#id_last_name", "Коваль")
    page.fill("#id_first_name", "Ірина")
    if address:
        page.fill("#id_address", address)


def submit_registration(page: Any) -> Appeal:
    page.click("form#register-form button[type=submit]")
    page.wait_for_selector("#h-card, #register-form .alert-error")
    errors = page.locator("#register-form .alert-error, #register-form .errorlist").all_inner_texts()
    assert errors == [], errors
    appeal = Appeal.objects.latest("id")
    assert unquote(page.url).endswith(f"/appeals/{appeal.number}/")
    return appeal


def test_operator_registers_a_phone_appeal_in_the_browser(live_server: Any, browser_page: Any) -> None:
    # given the real reference data and an operator account
    call_command("load_reference", verbosity=0)
    UserFactory(username="op-browser", role=Role.OPERATOR, password=PASSWORD)
    page = browser_page

    # when the operator signs in and fills the one registration screen
    page.goto("/accounts/login/")
    assert_accessible(page)
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
                           timeout=SLOW)
    assert_accessible(page)
    appeal = submit_registration(page)

    # then the appeal card opens with the new registration number, and it is in the database
    assert appeal.number in page.content()
    assert appeal.applicant is not None and appeal.applicant.phone_digits == "380501234567"
    assert appeal.status == AppealStatus.ASSIGNED
    assert chain_verify().ok
    assert_accessible(page)
    # no script error and no Content-Security-Policy violation on the way
    assert page.console_errors == []


def test_operator_registers_a_complaint_never_sent_to_the_body_complained_of(
        world: World, browser_page: Any) -> None:
    # given the rules send hot water to the Bativ council, and the operator's screen
    page = browser_page
    sign_in(page, world.users["operator"])
    page.goto("/appeals/new/")
    fill_applicant(page)
    page.fill("#id_text", "Селищна рада не відповіла на мою заяву про гарячу воду.")
    page.select_option("#id_subtopic_1", "009.001")
    page.wait_for_selector(f"#assist >> text={world.authority.name}", timeout=SLOW)

    # when the call is a complaint about that very council
    page.select_option("#id_kind", label="Скарга")
    page.click("#complaint-fields > summary")
    page.select_option("#id_contested_authority", label=world.authority.name)

    # then the suggestion moves to another body before anything is registered
    page.wait_for_selector(f"#assist >> text={world.default_authority.name}", timeout=SLOW)
    assert world.authority.name not in page.inner_text("#assist")
    assert_accessible(page)

    # and the card reads back the body complained of and the executor chosen
    appeal = submit_registration(page)
    assert card_value(page, "Орган, дії чи рішення якого оскаржуються") == world.authority.name
    assert card_value(page, "Вид звернення") == "Скарга"
    assert main_executor(page) == world.default_authority.name
    assert appeal.contested_authority == world.authority
    assert_accessible(page)
    assert page.console_errors == []


def test_operator_finds_the_topic_by_typing_and_reads_the_suggested_executor(
        world: World, browser_page: Any) -> None:
    # given the registration screen offers every topic
    page = browser_page
    sign_in(page, world.users["operator"])
    page.goto("/appeals/new/")
    topics = page.locator("#id_subtopic_1 option[value]:not([value=''])")
    assert topics.count() == 2

    # when the operator types «гаряч» in the topic search
    page.fill("#subtopic-1-filter", "гаряч")

    # then the list narrows to the hot-water topic, and picking it suggests the council
    page.locator(f"#id_subtopic_1 option[value='{world.road.code}']").wait_for(state="detached")
    assert topics.all_inner_texts() == [world.hot_water.name]
    page.select_option("#id_subtopic_1", world.hot_water.code)
    page.wait_for_selector(f"#assist >> text={world.authority.name}", timeout=SLOW)
    assert_accessible(page)
    assert page.console_errors == []


def register_unsigned_letter(page: Any, *, anonymous: bool) -> Appeal:
    """A letter by post with no signature and no place of residence; `anonymous`: no name either."""
    page.goto("/appeals/new/")
    page.select_option("#id_channel", "post")
    if anonymous:
        page.check("#id_anonymous")
    else:
        fill_applicant(page, address="")
    page.fill("#id_text", "Прошу перевірити роботу котельні.")
    page.select_option("#id_subtopic_1", "009.001")
    page.check("#id_unsigned")
    return submit_registration(page)


def test_operator_registers_an_unsigned_letter_and_a_request_for_public_information(
        world: World, browser_page: Any) -> None:
    # given
    page = browser_page
    sign_in(page, world.users["operator"])

    # when a letter comes without a name, a signature and a place of residence
    anonymous = register_unsigned_letter(page, anonymous=True)

    # then the card says it is not considered (ст.8), with no control date and the «БП» mark
    assert page.inner_text(".card-head .badge") == "Не підлягає розгляду"
    assert card_value(page, "Підстава, з якої не розглядається").startswith("Анонімне")
    assert card_value(page, "Контрольний термін") == "—"
    assert page.locator(".card-head .due").count() == 0
    assert page.inner_text("h1 .mono") == f"{anonymous.number}/БП"
    assert_accessible(page)

    # when a caller asks for public information
    page.goto("/appeals/new/")
    fill_applicant(page)
    page.fill("#id_text", "Прошу надати копію рішення про тарифи.")
    page.select_option("#id_subtopic_1", "009.001")
    page.select_option("#id_kind", label="Запит на публічну інформацію")
    page.wait_for_selector("#assist >> text=5 робочих днів")
    submit_registration(page)

    # then its control date is five working days away
    due = deadlines.public_information_due(clock.today(), working_calendar())
    assert card_value(page, "Контрольний термін").startswith(f"{due:%d.%m.%Y}")
    assert card_value(page, "Вид звернення") == "Запит на публічну інформацію"
    assert_accessible(page)
    assert page.console_errors == []


def test_a_named_letter_without_signature_or_residence_is_marked_bp(
        world: World, browser_page: Any) -> None:
    # given
    page = browser_page
    sign_in(page, world.users["operator"])

    # when the letter names its author but is not signed and gives no place of residence
    appeal = register_unsigned_letter(page, anonymous=False)

    # then it is anonymous under ст.8, not considered, without a term, and marked «БП»
    assert card_value(page, "Підстава, з якої не розглядається").startswith("Анонімне")
    assert card_value(page, "Контрольний термін") == "—"
    assert page.inner_text("h1 .mono") == f"{appeal.number}/БП"


REFUSAL = {"refusal_reasons": "Ділянка не належить громаді.",
           "legal_basis": "ст.12 Земельного кодексу України",
           "appeal_procedure": "До Берегівської РДА або до суду."}


def open_panel(page: Any, details: str) -> Any:
    """Open the card's action panel (the <details> `details` selects) and return its form."""
    panel = page.locator(details).first
    panel.locator("> summary").click()
    return panel.locator("form")


def test_executor_refuses_with_grounds_and_letter_and_the_supervisor_files_the_answer(
        world: World, browser_page: Any) -> None:
    # given an appeal routed to the executor's council
    appeal = world.register()
    page = browser_page
    sign_in(page, world.users["executor"])
    page.goto(f"/appeals/{appeal.number}/")

    # when the executor opens the answer and chooses «Відмовлено»
    form = open_panel(page, "details:has(> form.panel-form-reply)")
    grounds = form.locator("[name=refusal_reasons]")
    assert not grounds.is_visible()  # no grounds to give while the result is not a refusal
    form.locator("[name=result]").select_option(label="Відмовлено")
    grounds.wait_for(state="visible")
    assert_accessible(page)
    form.locator("[name=text]").fill("У задоволенні відмовлено.")
    for name, value in REFUSAL.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=outgoing_number]").fill("02-14/381")
    form.locator("[name=outgoing_date]").fill(clock.today().isoformat())
    form.locator("[name=signatory_name]").fill("Олена Ковач")
    form.locator("[name=signatory_position]").fill("Селищна голова")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".reply-refusal")

    # and the supervisor accepts it, filing it in case 04-12
    sign_in(page, world.users["supervisor"])
    page.goto(f"/appeals/{appeal.number}/")
    review = open_panel(page, "#action-review")
    review.locator("[name=decision][value=accept]").check()
    review.locator("[name=file_number]").fill("04-12")
    review.locator("button[type=submit]").click()
    page.wait_for_selector("#card-file >> text=04-12")

    # then the card shows the refusal, its grounds, the letter, the answer's index and date, the file
    today = clock.today()
    refusal = page.inner_text(".reply-refusal")
    assert all(value in refusal for value in REFUSAL.values()), refusal
    assert "№ 02-14/381" in page.inner_text(".reply-letter")
    assert "Олена Ковач, Селищна голова" in page.inner_text(".reply-letter")
    assert page.inner_text("#card-answer") == f"{today:%d.%m.%Y}, № 02-14/381"
    assert page.inner_text("#card-file") == "04-12"
    appeal.refresh_from_db()
    assert (appeal.status, appeal.file_number) == ("awaiting_confirmation", "04-12")
    assert_accessible(page)
    assert page.console_errors == []


DECIDER = {"decider_name": "Олена Ковач", "decider_position": "Селищна голова",
           "decider_body": "Батівська селищна рада", "document_number": "15-р"}


def test_supervisor_extends_the_term_recording_who_decided(world: World, browser_page: Any) -> None:
    # given
    appeal = world.register()
    page = browser_page
    sign_in(page, world.users["supervisor"])
    page.goto(f"/appeals/{appeal.number}/")

    # when the supervisor extends the term by the council head's order 15-р
    form = open_panel(page, "#action-extend")
    form.locator("[name=new_due_date]").fill(appeal.max_due_date.isoformat())
    form.locator("[name=reason]").fill("Потрібне обстеження мереж.")
    for name, value in DECIDER.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=document_date]").fill(clock.today().isoformat())
    assert_accessible(page)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#h-ext")

    # then the card shows the new term and who decided, and the applicant's notice names them
    new_due = f"{appeal.max_due_date:%d.%m.%Y}"
    assert card_value(page, "Контрольний термін").startswith(new_due)
    decided = page.locator("#h-ext ~ table tbody tr").first.locator("td").last.inner_text()
    assert "Олена Ковач, Селищна голова" in decided
    assert "Батівська селищна рада" in decided
    assert f"№ 15-р від {clock.today():%d.%m.%Y}" in decided.replace("\n", " ")
    notice = Notice.objects.get(appeal=appeal, kind="extended").text
    assert f"Строк розгляду вашого звернення {appeal.index} продовжено до {new_due}" in notice
    assert "Рішення про продовження: Олена Ковач, Селищна голова, Батівська селищна рада" in notice
    assert_accessible(page)
    assert page.console_errors == []


@pytest.mark.parametrize(("role", "path"), [
    ("supervisor", "/appeals/"),
    ("supervisor", "/dashboard/"),
    ("supervisor", "/appeals/{number}/"),
    ("executor", "/my/"),
    ("executor", "/appeals/{number}/"),
    ("operator", "/notifications/"),
    ("security_admin", "/security/audit/"),
])
def test_the_lists_and_the_card_pass_the_accessibility_check(
        world: World, browser_page: Any, role: str, path: str) -> None:
    # given an answered appeal and an open one
    answered = world.answered()
    world.register()
    page = browser_page
    sign_in(page, world.users[role])

    # when
    page.goto(path.format(number=answered.number))

    # then
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert page.console_errors == []


def test_the_accessibility_check_names_the_rule_and_the_element(world: World,
                                                                browser_page: Any) -> None:
    # given the registration screen with the label of the appeal's text taken away
    page = browser_page
    sign_in(page, world.users["operator"])
    page.goto("/appeals/new/")
    page.evaluate("document.querySelector('label[for=id_text]').remove()")

    # when
    violations = axe_violations(page)

    # then
    assert {"id": "label", "targets": ["#id_text"]} in [
        {"id": v["id"], "targets": v["targets"]} for v in violations]
    with pytest.raises(AssertionError, match=r"label .* at #id_text"):
        assert_accessible(page)


def test_supervisor_extends_one_question_and_sends_back_the_other(world: World,
                                                                   browser_page: Any) -> None:
    # given an appeal of two questions for two executors
    appeal, q1, q2 = two_questions(world)
    start, new_due = appeal.due_date, appeal.due_date + dt.timedelta(days=5)
    page = browser_page
    sign_in(page, world.users["supervisor"])
    page.goto(f"/appeals/{appeal.number}/")

    # when the supervisor extends the road question only, choosing it by its sub-topic
    form = open_panel(page, "#action-extend")
    form.locator("[name=question]").select_option(label="2. Ремонт дорожнього покриття")
    form.locator("[name=new_due_date]").fill(new_due.isoformat())
    form.locator("[name=reason]").fill("Потрібне обстеження.")
    for name, value in DECIDER.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=document_date]").fill(clock.today().isoformat())
    assert_accessible(page)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#h-ext")

    # then each question shows its own control date, and the extension names its question
    blocks = page.locator(".question-block")
    assert f"{start:%d.%m.%Y}" in blocks.nth(0).locator("header").inner_text()
    assert f"{new_due:%d.%m.%Y}" in blocks.nth(1).locator("header").inner_text()
    assert page.inner_text(".ext-question") == "Питання: Ремонт дорожнього покриття"

    # when both are answered and the supervisor sends back the hot-water answer only
    for question, role in ((q1, "executor"), (q2, "other_executor")):
        services.reply_submit(**letter(), actor=world.users[role],
                              assignment=question.assignments.get(status="assigned"),
                              result="explained", text="Роз'яснено.")
    page.goto(f"/appeals/{appeal.number}/")
    review = open_panel(page, "#action-review")
    review.locator("[name=decision][value=revise]").check()
    review.locator("[name=note]").fill("Неповна відповідь.")
    review.get_by_label("1. Відсутність гарячої води").check()
    assert_accessible(page)
    review.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")

    # then only that question's executor has it back
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RETURNED_FOR_REVISION
    assert q1.assignments.get().status == "for_revision"
    assert q2.assignments.exclude(status="cancelled").get().status == "answered"
    assert page.console_errors == []
