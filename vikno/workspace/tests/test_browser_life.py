"""The whole life of an appeal across the roles, in a real browser, as a centre on its first days
would live it: the security administrator sets up an executor who sets their own password; the
operator registers a call with two questions; the council's new executor answers the first in
Vikno; the second goes to a body with no account, whose letter the operator records with its
scan; the supervisor finds the answers to review from the dashboard and accepts them; the
operator records the applicant's confirmation and the appeal closes. Every page ends with the
axe-core check."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models import Appeal, Assignment, Reply
from vikno.audit.selectors import chain_verify
from vikno.core import clock
from vikno.workspace.tests import test_browser as browser_tests
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import CHROMIUM, SLOW, open_panel, sign_in

browser = browser_tests.browser
browser_page = browser_tests.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]
NEW_PASSWORD = "uzhhorod-verkhovyna-2026"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _executor_signs_up(world: World, page: Any, browser: Any, live_server: Any) -> Any:
    """The security administrator creates the council's executor and sends the link; the person
    sets the password in a browser of their own and signs in. Returns that browser's page."""
    sign_in(page, world.users["security_admin"])
    page.goto("/security/accounts/")
    page.click("text=Новий обліковий запис")
    page.fill("#id_username", "o.marusyak")
    page.fill("#id_last_name", "Марусяк")
    page.fill("#id_first_name", "Оксана")
    page.fill("#id_email", "o.marusyak@example.org")
    page.fill("#id_position", "Спеціаліст із звернень громадян")
    page.select_option("#id_role", "executor")
    page.select_option("#id_authority", world.authority.code)
    page.uncheck("#id_send_link")
    assert_accessible(page)
    page.click("#account-new-form button[type=submit]")
    page.wait_for_selector("#account-summary")
    assert world.authority.name in page.inner_text("#account-summary")
    page.click("#send-link")
    page.wait_for_selector(".messages >> text=Посилання для встановлення пароля надіслано")
    assert "/accounts/set-password/" not in page.content()  # never shown to the administrator
    assert_accessible(page)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", message.body)
    assert link is not None

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA",
                                  base_url=live_server.url)
    context.set_default_timeout(SLOW)
    own = context.new_page()
    own.goto(link.group(0))
    assert_accessible(own)
    own.fill("#id_new_password1", NEW_PASSWORD)
    own.fill("#id_new_password2", NEW_PASSWORD)
    own.click("#set-password-form button[type=submit]")
    own.wait_for_url(f"{live_server.url}/accounts/login/")
    own.fill("#id_username", "o.marusyak")
    own.fill("#id_password", NEW_PASSWORD)
    own.press("#id_password", "Enter")
    own.wait_for_url(f"{live_server.url}/my/")
    assert_accessible(own)
    return own


def _operator_registers_two_questions(world: World, page: Any) -> Appeal:
    sign_in(page, world.users["operator"])
    page.goto("/appeals/new/")
    page.fill("#id_phone", "+38 (066) 111-22-33")
    page.fill("#id_last_name", "Попович")
    page.fill("#id_first_name", "Василь")
    page.fill("#id_address", "смт Батьово, вул. Миру, 12")
    page.fill("#id_text", "Немає гарячої води вже тиждень, а дорогу біля школи розбито.")
    page.fill("#subtopic-1-filter", "гаряч")
    page.locator(f"#id_subtopic_1 option[value='{world.road.code}']").wait_for(state="detached")
    page.select_option("#id_subtopic_1", world.hot_water.code)
    page.click("text=Додати друге питання")
    page.select_option("#id_subtopic_2", world.road.code)
    page.wait_for_selector(f"#assist >> text={world.authority.name}")
    assert_accessible(page)
    page.click("form#register-form button[type=submit]")
    page.wait_for_selector("#h-card")
    appeal = Appeal.objects.latest("id")
    assert appeal.number in page.content()
    assert appeal.applicant is not None and appeal.applicant.phone_digits == "380661112233"
    assert_accessible(page)
    return appeal


def _letter(form: Any, *, number: str, signatory: str, position: str) -> None:
    form.locator("[name=outgoing_number]").fill(number)
    form.locator("[name=outgoing_date]").fill(clock.today().isoformat())
    form.locator("[name=signatory_name]").fill(signatory)
    form.locator("[name=signatory_position]").fill(position)


def test_the_whole_life_of_an_appeal_across_the_roles(
        world: World, browser: Any, browser_page: Any, live_server: Any) -> None:
    page = browser_page
    executor_page = _executor_signs_up(world, page, browser, live_server)

    # the operator registers a call: hot water (the council, by the rules) and the road (no rule:
    # the oblast administration, which has no account in Vikno)
    appeal = _operator_registers_two_questions(world, page)
    water, road = appeal.questions.order_by("id")
    assert water.assignments.get().authority == world.authority
    assert road.assignments.get().authority == world.default_authority
    assert "Виконавець не має облікових записів у Вікні" in page.inner_text(".no-accounts")

    # the council's new executor finds it among its assignments and answers the water question
    executor_page.goto("/my/")
    executor_page.click(f"text={appeal.number}")
    executor_page.wait_for_selector("#h-card")
    form = open_panel(executor_page, "details:has(> form.panel-form-reply)")
    form.locator("[name=result]").select_option("done")
    form.locator("[name=text]").fill("Гаряче водопостачання відновлено 3 грудня.")
    _letter(form, number="02-14/501", signatory="Олена Ковач", position="Селищна голова")
    assert_accessible(executor_page)
    form.locator("button[type=submit]").click()
    executor_page.wait_for_selector(".reply-letter >> text=02-14/501")
    assert_accessible(executor_page)
    executor_page.context.close()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.IN_WORK  # the road question is still owed

    # the oblast administration answers by letter: the operator records it with the scan
    page.goto(f"/appeals/{appeal.number}/")
    form = open_panel(page, "details.action-on-behalf")
    form.locator("[name=received_via][value=letter]").check()
    form.locator("[name=received_on]").fill(clock.today().isoformat())
    form.locator("[name=result]").select_option("done")
    form.locator("[name=text]").fill("Ямковий ремонт дороги виконано.")
    _letter(form, number="01-27/916", signatory="Мирослав Білецький", position="Голова ОДА")
    form.locator("[name=scan]").set_input_files(
        files=[{"name": "лист ОДА.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert_accessible(page)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".reply-on-behalf")
    assert_accessible(page)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED

    # the supervisor follows the dashboard's count of answers to review to the appeal
    sign_in(page, world.users["supervisor"])
    page.goto("/dashboard/")
    assert_accessible(page)
    page.locator('#attention a[href$="?attention=review"]').click()
    page.wait_for_selector("#queue-results")
    assert parse_qs(urlsplit(page.url).query) == {"attention": ["review"]}
    assert_accessible(page)
    page.locator("#queue-results").get_by_text(appeal.number).click()
    page.wait_for_selector("#h-card")
    review = open_panel(page, "#action-review")
    review.locator("[name=decision][value=accept]").check()
    review.locator("button[type=submit]").click()
    page.wait_for_selector("#card-answer")
    assert_accessible(page)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.AWAITING_CONFIRMATION

    # the operator calls the applicant back and records the confirmation and the rating
    sign_in(page, world.users["operator"])
    page.goto(f"/appeals/{appeal.number}/")
    feedback = open_panel(page, "#action-feedback")
    feedback.locator("[name=confirmed][value=yes]").check()
    feedback.locator("[name=rating]").select_option("5")
    assert_accessible(page)
    feedback.locator("button[type=submit]").click()
    page.wait_for_selector(".timeline >> text=Підтверджено заявником")

    # then the appeal is closed, both answers kept with their letters, the trail whole
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    replies = Reply.objects.filter(assignment__question__appeal=appeal).order_by("id")
    assert [r.outgoing_number for r in replies] == ["02-14/501", "01-27/916"]
    assert replies[0].answered_by is not None and replies[0].answered_by.username == "o.marusyak"
    assert replies[1].recorded_by == world.users["operator"] and replies[1].scan is not None
    assert set(Assignment.objects.filter(question__appeal=appeal)
               .values_list("status", flat=True)) == {AssignmentStatus.CLOSED}
    history = page.inner_text(".timeline")
    assert "внесено центром з листа № 01-27/916" in history
    assert_accessible(page)
    assert chain_verify().ok
    assert page.console_errors == []
