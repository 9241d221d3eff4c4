"""Every workspace page each role can reach, in a real headless Chromium, checked by axe-core
(`assert_accessible` fails on any WCAG 2.1 A/AA violation, serious and critical ones included);
and the card's new panels used as a person would: an internal note posted with htmx, a reply
template put into the answer, the registration screen's side panel kept in view at 1280 px and
below, the focus ring on every control.

The browser, the live server and the sign-in come from test_browser.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from vikno.appeals import services
from vikno.appeals.models import Appeal, InternalNote
from vikno.directory import services as directory_services
from vikno.workspace.tests import test_browser as shared
from vikno.workspace.tests.axe import assert_accessible, axe_violations, describe
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import CHROMIUM, SLOW, fill_applicant, sign_in

# The fixtures of test_browser.py (one Chromium per module, a fresh context per test).
browser = shared.browser
browser_page = shared.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def _cases(world: World) -> dict[str, Appeal]:
    """An appeal in each state the card shows differently, made through the real services."""
    supervisor, executor = world.users["supervisor"], world.users["executor"]
    assigned = world.register()
    services.note_add(actor=supervisor, appeal=assigned, text="Просимо виїхати на місце.")
    services.note_add(actor=executor, appeal=assigned, text="Бригада буде у вівторок.")
    returned = world.register()
    services.reply_submit(actor=executor, assignment=world.main_assignment(returned),
                          result="not_in_competence", text="Мережа належить водоканалу.")
    forwarded = world.register()
    services.appeal_forward(actor=supervisor, appeal=forwarded, to_body="Держпраці")
    not_considered = world.register(routing=None)
    services.appeal_not_considered(actor=supervisor, appeal=not_considered, reason="repeated",
                                   note="Питання вже вирішено.")
    extension, _request = world.with_extension_request()
    directory_services.reply_template_create(actor=supervisor, title="Гаряча вода",
                                             text="ГВП відновлено.",
                                             subtopic_code=world.hot_water.code)
    return {"registered": world.register(routing=None), "assigned": assigned,
            "answered": world.answered(), "closed": world.closed(), "returned": returned,
            "forwarded": forwarded, "not_considered": not_considered, "extension": extension}


# What each role reaches: its pages, and the cards it may open (by the state of the appeal).
PAGES = {
    "operator": ["/", "/appeals/new/", "/appeals/", "/notifications/"],
    "supervisor": ["/", "/appeals/", "/dashboard/", "/statistics/", "/notifications/",
                   "/templates/", "/templates/new/"],
    "executor": ["/", "/my/", "/appeals/", "/notifications/"],
    "analyst": ["/", "/dashboard/", "/statistics/"],
    "security_admin": ["/", "/security/audit/", "/security/accounts/"],
}
CARDS = {
    "operator": ["registered", "assigned", "answered", "closed", "forwarded", "not_considered"],
    "supervisor": ["registered", "assigned", "answered", "closed", "returned", "forwarded",
                   "not_considered", "extension"],
    "executor": ["assigned", "answered", "extension"],
}


def _check(page: Any, path: str) -> str:
    """The page's violations, described ("" when none)."""
    response = page.goto(path)
    assert response is not None and response.status < 400, path
    # Closed panels hide their forms from axe: open them all, as a user may.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.locator("h1").count() == 1, path
    violations = axe_violations(page)
    return f"{path}:\n{describe(violations)}" if violations else ""


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_of_the_role_passes_the_accessibility_check(
        world: World, browser_page: Any, role: str) -> None:
    # given appeals in every state and the role signed in
    cases = _cases(world)
    page = browser_page
    sign_in(page, world.users[role])

    # when it visits every page it can reach
    paths = [*PAGES[role], *(f"/appeals/{cases[state].number}/" for state in CARDS.get(role, []))]
    found = [report for path in paths if (report := _check(page, path))]

    # then no page has a violation
    assert found == [], "\n".join(found)
    if role == "supervisor":
        page.goto("/templates/")
        page.click("#reply-templates tbody a")
        page.wait_for_selector("#reply-template-form")
        assert_accessible(page)
    assert page.console_errors == []


def test_the_accessibility_check_fails_on_a_serious_violation(world: World,
                                                              browser_page: Any) -> None:
    # given a page with grey text on a grey ground (color-contrast: a serious violation)
    page = browser_page
    sign_in(page, world.users["supervisor"])
    page.goto("/statistics/")
    page.evaluate("""() => { const h = document.querySelector('h1');
        h.style.setProperty('color', '#aaaaaa', 'important');
        h.style.setProperty('background', '#bbbbbb', 'important'); }""")

    # then the check names it and fails
    assert "serious" in {v["impact"] for v in axe_violations(page) if v["id"] == "color-contrast"}
    with pytest.raises(AssertionError, match=r"color-contrast \(serious\)"):
        assert_accessible(page)


def test_a_note_is_added_with_htmx_and_read_back(world: World, browser_page: Any) -> None:
    # given the executor on the card of its appeal
    appeal = world.register()
    page = browser_page
    sign_in(page, world.users["executor"])
    page.goto(f"/appeals/{appeal.number}/")

    # when it types a note and adds it
    page.fill("#note-text", "Бригада виїде у вівторок.")
    page.click("#note-form button[type=submit]")

    # then the note shows in the notes section without reloading the page, the form empty again
    page.wait_for_selector("#notes .internal-note >> text=Бригада виїде у вівторок.")
    assert page.input_value("#note-text") == ""
    assert world.authority.name in page.locator("#notes .internal-note").first.inner_text()
    assert InternalNote.objects.get().authority == world.authority
    assert_accessible(page)
    assert page.console_errors == []


def test_a_reply_template_goes_into_the_answer(world: World, browser_page: Any) -> None:
    # given templates and the executor's reply panel open
    supervisor = world.users["supervisor"]
    directory_services.reply_template_create(actor=supervisor, title="Загальна",
                                             text="Дякуємо за звернення.")
    directory_services.reply_template_create(actor=supervisor, title="Гаряча вода",
                                             text="Гаряче водопостачання відновлено.",
                                             subtopic_code=world.hot_water.code)
    appeal = world.register()
    pk = world.main_assignment(appeal).pk
    page = browser_page
    sign_in(page, world.users["executor"])
    page.goto(f"/appeals/{appeal.number}/")
    page.click(f"form[action$='/assignments/{pk}/reply/'] >> xpath=.. >> summary")
    picker = f"#reply-{pk}-reply_template"
    text = f"#reply-{pk}-text"

    # then the picker is there, the question's topic first
    assert page.is_visible(picker)
    labels = page.locator(f"{picker} option").all_inner_texts()
    assert labels.index("Гаряча вода") < labels.index("Загальна")

    # when the executor chooses the topic's template
    page.select_option(picker, label="Гаряча вода")
    # then the answer holds its text
    assert page.input_value(text) == "Гаряче водопостачання відновлено."

    # when it types on and adds the general one
    page.fill(text, "Шановний заявнику!")
    page.select_option(picker, label="Загальна")
    # then what was typed stays, the template follows it
    assert page.input_value(text) == "Шановний заявнику!\n\nДякуємо за звернення."
    assert_accessible(page)
    assert page.console_errors == []


def test_without_javascript_the_template_picker_is_not_there(world: World, browser: Any,
                                                             live_server: Any) -> None:
    # given a template and a browser with JavaScript off
    directory_services.reply_template_create(actor=world.users["supervisor"], title="Загальна",
                                             text="Дякуємо за звернення.")
    appeal = world.register()
    pk = world.main_assignment(appeal).pk
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, world.users["executor"])
        page.goto(f"/appeals/{appeal.number}/")
        page.click(f"form[action$='/assignments/{pk}/reply/'] >> xpath=.. >> summary")
        # then the answer is there to write, the picker is not
        assert page.is_visible(f"#reply-{pk}-text")
        assert not page.is_visible(f"#reply-{pk}-reply_template")
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1024, 768)])
def test_the_register_button_stays_in_view_on_a_smaller_screen(
        world: World, browser_page: Any, width: int, height: int) -> None:
    # given the operator's registration screen on a laptop screen
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, world.users["operator"])
    page.goto("/appeals/new/")
    assert "праворуч" not in page.locator(".page-head").inner_text()

    # when the first fields are filled in (the page scrolls down to the appeal's text)
    fill_applicant(page)
    page.fill("#id_text", "Третій день немає гарячої води.")
    page.select_option("#id_subtopic_1", world.hot_water.code)
    page.wait_for_selector("#assist >> text=Батівська селищна рада", timeout=SLOW)

    # then the side panel and its register button are in view without scrolling
    for selector in ("#register-form button[type=submit].btn-big", "#assist"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + min(box["height"], 40) <= height, (selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    assert_accessible(page)


def test_every_control_shows_a_visible_focus_ring(world: World, browser_page: Any) -> None:
    # given the supervisor on a card with its panels
    appeal = world.answered()
    page = browser_page
    sign_in(page, world.users["supervisor"])
    page.goto(f"/appeals/{appeal.number}/")

    # when the keyboard walks through every control of the page, to its end
    rings = []
    for _step in range(80):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const el = document.activeElement;
            const s = getComputedStyle(el);
            return [el.tagName, s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor,
                    el.closest(".topbar, .skip-link") !== null]; }""")
        if ring[0] == "BODY":  # past the last control
            break
        rings.append(ring)

    # then each focused control (links, buttons, panels, fields) has a solid ring at least 2 px
    assert len(rings) > 15 and {"A", "BUTTON", "SUMMARY", "TEXTAREA"} <= {r[0] for r in rings}
    for tag, style, width, color, on_dark in rings:
        assert style == "solid" and width >= 2, (tag, style, width)
        # the yellow ring on the dark top bar (9:1), the dark one on the light page (15:1): the
        # yellow one on white would be 1.6:1
        assert color == ("rgb(245, 197, 66)" if on_dark else "rgb(26, 34, 48)"), (tag, color)
