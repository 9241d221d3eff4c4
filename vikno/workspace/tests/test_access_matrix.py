"""The authorisation matrix: every URL of the project a role could reach × every role, with the
expected outcome. The Django admin has its own tests (directory/tests/test_admin.py).

A refusal (login redirect, 403, 404) must change nothing: statuses, history, audit trail,
extensions, replies, feedback, notifications and accounts are compared before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve, reverse

from vikno.accounts.models import ApiKey, SavedView, User
from vikno.accounts.roles import Role
from vikno.accounts.services import saved_view_save
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals.models import Appeal as AppealModel
from vikno.appeals.models import (
    Attachment,
    Extension,
    Feedback,
    InternalNote,
    Notification,
    NotificationRead,
    Reply,
    Transition,
)
from vikno.audit.models import AuditEvent
from vikno.directory.models import Membership, ReplyTemplate
from vikno.directory.services import partner_create
from vikno.workspace.tests.conftest import ROLES, SETTLEMENT, World, decider_post, letter_post

OK, DONE, LOGIN, DENIED, MISSING = 200, "done", "login", 403, 404
CENTRE_ONLY = {"operator": OK, "supervisor": OK}


def expect(default: Any = DENIED, **by_role: Any) -> dict[str, Any]:
    """Outcome per role: anonymous always goes to the login page."""
    outcome = {role: default for role in ROLES}
    outcome["anonymous"] = LOGIN
    outcome.update(by_role)
    return outcome


Objects = dict[str, Any]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[Objects], str]
    expected: dict[str, Any]
    setup: Callable[[World], Objects] = lambda w: {}
    data: Callable[[World, Objects], dict[str, Any]] = lambda w, o: {}
    headers: dict[str, str] = field(default_factory=dict)


def routed(w: World) -> Objects:
    appeal = w.register()
    return {"appeal": appeal, "assignment": w.main_assignment(appeal)}


def unrouted(w: World) -> Objects:
    return {"appeal": w.register(routing=None)}


def answered(w: World) -> Objects:
    return {"appeal": w.answered()}


def closed(w: World) -> Objects:
    return {"appeal": w.closed()}


def extension_requested(w: World) -> Objects:
    appeal, extension = w.with_extension_request()
    notification = Notification.objects.filter(for_supervisors=True, appeal=appeal).first()
    return {"appeal": appeal, "extension": extension, "notification": notification}


def with_attachment(w: World) -> Objects:
    objects = routed(w)
    attachment = Attachment(appeal=objects["appeal"], original_name="лист.txt", sha256="ab" * 32,
                            size=5, content_type="text/plain")
    attachment.file.save("letter.txt", ContentFile(b"hello"), save=True)
    return objects | {"attachment": attachment}


def upload(w: World, o: Objects) -> dict[str, Any]:
    return {"attachments": SimpleUploadedFile("скан.pdf", b"%PDF-1.7\n%scan of the letter\n",
                                              content_type="application/pdf")}


def paper_answer() -> dict[str, Any]:
    """The centre's panel for an answer received by post, with the scan of the letter."""
    letter = letter_post()
    return {"received_via": "letter", "received_on": letter["outgoing_date"], "result": "done",
            "text": "Воду подано.", **letter,
            "scan": SimpleUploadedFile("лист.pdf", b"%PDF-1.7\n%letter of the council\n",
                                       content_type="application/pdf")}


def target_account(w: World) -> Objects:
    return {"account": UserFactory(role=Role.OPERATOR, is_active=True),
            "inactive": UserFactory(role=Role.OPERATOR, is_active=False)}


def partner_key(w: World) -> Objects:
    return {"key": partner_create(actor=None, name="CRM міськради", scope="api")[0]}


NEW_ACCOUNT = {"username": "n.tkach", "last_name": "Ткач", "first_name": "Надія",
               "email": "n.tkach@example.org", "role": "executor",
               "authority": "ZAK-TG-BATIVSKA"}


def staff_file(w: World) -> SimpleUploadedFile:
    text = ("username;last_name;first_name;email;role;authority_code;is_head\n"
            f"n.tkach;Ткач;Надія;n.tkach@example.org;executor;{w.authority.code};1\n")
    return SimpleUploadedFile("staff.csv", text.encode("utf-8-sig"), content_type="text/csv")
def saved_view(w: World) -> Objects:
    return {"saved_view": saved_view_save(actor=w.users["supervisor"], name="Прострочені",
                                          query="overdue=1")}


def reply_template(w: World) -> Objects:
    from vikno.directory.services import reply_template_create

    return {"template": reply_template_create(actor=w.users["supervisor"], title="Вода",
                                              text="Воду подано.")}


def card(o: Objects, action: str = "") -> str:
    name = f"workspace:appeal_{action}" if action else "workspace:appeal_card"
    return reverse(name, args=[o["appeal"].number])


REGISTER_DATA = {"phone": "0501112233", "last_name": "Коваль", "first_name": "Ірина",
                 "applicant_kind": "person", "channel": "hotline", "kind": "3.2",
                 "text": "Немає води.", "subtopic_1": "009.001", "settlement_code": SETTLEMENT}
HTMX = {"HTTP_HX_REQUEST": "true"}

CASES = [
    # Pages.
    Case("home", "GET", lambda o: reverse("workspace:home"), expect("redirect")),
    Case("register", "GET", lambda o: reverse("workspace:register"), expect(**CENTRE_ONLY)),
    Case("queue", "GET", lambda o: reverse("workspace:queue"),
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=OK), setup=routed),
    Case("queue_search", "POST", lambda o: reverse("workspace:queue"),
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=OK), setup=routed,
         data=lambda w, o: {"q": "води"}),
    Case("queue_export", "GET", lambda o: reverse("workspace:queue_export") + "?format=csv",
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=OK), setup=routed),
    Case("saved_view_save", "POST", lambda o: reverse("workspace:saved_view_save"),
         expect(operator=DONE, supervisor=DONE, executor=DONE, other_executor=DONE),
         data=lambda w, o: {"name": "Мої", "query": "status=assigned&overdue=1"}),
    # Only its owner deletes a saved view; to anyone else it does not exist.
    Case("saved_view_delete", "POST",
         lambda o: reverse("workspace:saved_view_delete", args=[o["saved_view"].pk]),
         expect(operator=MISSING, supervisor=DONE, executor=MISSING, other_executor=MISSING),
         setup=saved_view),
    Case("appeal_print", "GET", lambda o: reverse("workspace:appeal_print",
                                                  args=[o["appeal"].number]),
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=MISSING), setup=routed),
    Case("card", "GET", card,
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=MISSING), setup=routed),
    Case("card_unrouted", "GET", card,
         expect(operator=OK, supervisor=OK, executor=MISSING, other_executor=MISSING),
         setup=unrouted),
    Case("attachment", "GET",
         lambda o: reverse("workspace:attachment_download",
                           args=[o["appeal"].number, o["attachment"].pk]),
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=MISSING),
         setup=with_attachment),
    Case("my", "GET", lambda o: reverse("workspace:my_assignments"),
         expect(executor=OK, other_executor=OK), setup=routed),
    Case("dashboard", "GET", lambda o: reverse("workspace:dashboard"),
         expect(supervisor=OK, analyst=OK), setup=extension_requested),
    Case("dashboard_sorted", "GET", lambda o: reverse("workspace:dashboard") + "?sort=-avg_days",
         expect(supervisor=OK, analyst=OK), setup=extension_requested),
    Case("queue_attention", "GET",
         lambda o: reverse("workspace:queue") + "?attention=extension_requested&overdue=1",
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=OK),
         setup=extension_requested),
    Case("statistics", "GET", lambda o: reverse("workspace:statistics"),
         expect(supervisor=OK, analyst=OK), setup=routed),
    Case("notifications", "GET", lambda o: reverse("workspace:notifications"),
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=OK),
         setup=extension_requested),
    Case("audit", "GET", lambda o: reverse("workspace:audit"), expect(security_admin=OK),
         setup=routed),
    Case("accounts", "GET", lambda o: reverse("workspace:accounts"), expect(security_admin=OK)),
    Case("api_keys", "GET", lambda o: reverse("workspace:api_keys"), expect(system_admin=OK),
         setup=partner_key),
    Case("api_key_revoke_confirm", "GET",
         lambda o: reverse("workspace:api_key_revoke", args=[o["key"].pk]),
         expect(system_admin=OK), setup=partner_key),
    Case("api_key_revoke", "POST",
         lambda o: reverse("workspace:api_key_revoke", args=[o["key"].pk]),
         expect(system_admin=DONE), setup=partner_key),
    # Helpers of the registration screen.
    Case("territory_search", "GET", lambda o: reverse("workspace:territory_search") + "?q=Бат",
         expect(**CENTRE_ONLY)),
    Case("territory_pick", "GET",
         lambda o: reverse("workspace:territory_pick") + f"?field=settlement_code&code={SETTLEMENT}",
         expect(**CENTRE_ONLY)),
    Case("subtopic_options", "GET", lambda o: reverse("workspace:subtopic_options") + "?q=вод",
         expect(**CENTRE_ONLY)),
    Case("applicant_lookup", "POST", lambda o: reverse("workspace:applicant_lookup"),
         expect(**CENTRE_ONLY), setup=routed, data=lambda w, o: {"phone": "0501234567"},
         headers=HTMX),
    Case("applicant_use", "POST",
         lambda o: reverse("workspace:applicant_use", args=[o["appeal"].applicant_id]),
         expect(**CENTRE_ONLY), setup=routed, headers=HTMX),
    Case("applicant_clear", "POST", lambda o: reverse("workspace:applicant_clear"),
         expect(**CENTRE_ONLY), headers=HTMX),
    Case("register_assist", "POST", lambda o: reverse("workspace:register_assist"),
         expect(**CENTRE_ONLY), data=lambda w, o: {"subtopic_1": "009.001"}, headers=HTMX),
    Case("register_post", "POST", lambda o: reverse("workspace:register"),
         expect(operator=DONE, supervisor=DONE), data=lambda w, o: dict(REGISTER_DATA)),
    # Centre actions on the card.
    Case("route", "POST", lambda o: card(o, "route"),
         expect(supervisor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: {"main_authority": w.other_authority.code}),
    Case("route_new", "POST", lambda o: card(o, "route"),
         expect(operator=DONE, supervisor=DONE, executor=MISSING, other_executor=MISSING),
         setup=unrouted, data=lambda w, o: {"main_authority": w.authority.code}),
    Case("extend", "POST", lambda o: card(o, "extend"),
         expect(supervisor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: {"new_due_date": (o["appeal"].due_date + timedelta(days=5)).isoformat(),
                            "reason": "Потрібна перевірка.", **decider_post()}),
    Case("shorten", "POST", lambda o: card(o, "shorten"),
         expect(supervisor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: {"new_due_date": (o["appeal"].due_date - timedelta(days=3)).isoformat(),
                            "reason": "Прохання заявника."}),
    Case("review", "POST", lambda o: card(o, "review"),
         expect(supervisor=DONE, other_executor=MISSING), setup=answered,
         data=lambda w, o: {"decision": "accept"}),
    Case("answer_record", "POST", lambda o: card(o, "answer_record"),
         expect(supervisor=DONE, other_executor=MISSING), setup=answered,
         data=lambda w, o: {"answer_number": "02-14/381", "answer_date": "2026-01-05",
                            "file_number": "04-12"}),
    Case("feedback", "POST", lambda o: card(o, "feedback"),
         expect(operator=DONE, supervisor=DONE, other_executor=MISSING), setup=answered,
         data=lambda w, o: {"confirmed": "yes", "rating": "5"}),
    Case("close", "POST", lambda o: card(o, "close"),
         expect(supervisor=DONE, other_executor=MISSING), setup=answered,
         data=lambda w, o: {"note": "Виконано."}),
    Case("reopen", "POST", lambda o: card(o, "reopen"),
         expect(supervisor=DONE, other_executor=MISSING), setup=closed,
         data=lambda w, o: {"note": "Проблема повернулася."}),
    Case("forward", "POST", lambda o: card(o, "forward"),
         expect(supervisor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: {"to_body": "Міністерство охорони здоров'я"}),
    Case("not_considered", "POST", lambda o: card(o, "not_considered"),
         expect(supervisor=DONE, executor=MISSING, other_executor=MISSING), setup=unrouted,
         data=lambda w, o: {"reason": "anonymous"}),
    Case("return", "POST", lambda o: card(o, "return"),
         expect(supervisor=DONE, executor=MISSING, other_executor=MISSING), setup=unrouted,
         data=lambda w, o: {"note": "Не вказано адресу."}),
    # Files on the card: the centre while the case is open, the executor on its assignment.
    Case("attach", "POST", lambda o: card(o, "attach"),
         expect(operator=DONE, supervisor=DONE, other_executor=MISSING), setup=routed, data=upload),
    Case("attach_closed", "POST", lambda o: card(o, "attach"),
         expect(other_executor=MISSING), setup=closed, data=upload),
    Case("extension_decide", "POST",
         lambda o: reverse("workspace:extension_decide", args=[o["extension"].pk]),
         # A plain executor of the body that asked is refused (ст.20: its head decides).
         expect(supervisor=DONE, other_executor=MISSING), setup=extension_requested,
         data=lambda w, o: {"decision": "approve", **decider_post()}),
    # Executor actions on an assignment.
    Case("accept", "POST",
         lambda o: reverse("workspace:assignment_accept", args=[o["assignment"].pk]),
         expect(executor=DONE, other_executor=MISSING), setup=routed),
    Case("reply", "POST",
         lambda o: reverse("workspace:assignment_reply", args=[o["assignment"].pk]),
         expect(executor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: {"result": "done", "text": "Воду подано.", **letter_post()}),
    Case("assignment_attach", "POST",
         lambda o: reverse("workspace:assignment_attach", args=[o["assignment"].pk]),
         expect(executor=DONE, other_executor=MISSING), setup=routed, data=upload),
    Case("request_extension", "POST",
         lambda o: reverse("workspace:assignment_extension", args=[o["assignment"].pk]),
         expect(executor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: {"new_due_date": o["appeal"].max_due_date.isoformat(),
                            "reason": "Потрібне обстеження."}),
    # The centre records a body's answer that came by letter or e-mail, on an owing assignment.
    Case("answer_on_behalf", "POST",
         lambda o: reverse("workspace:assignment_on_behalf", args=[o["assignment"].pk]),
         expect(operator=DONE, supervisor=DONE, other_executor=MISSING), setup=routed,
         data=lambda w, o: paper_answer()),
    Case("answer_on_behalf_answered", "POST",
         lambda o: reverse("workspace:assignment_on_behalf", args=[o["assignment"].pk]),
         expect(other_executor=MISSING),
         setup=lambda w: {"assignment": w.main_assignment(w.answered())},
         data=lambda w, o: paper_answer()),
    # Internal notes: the centre and the executors of the appeal; another executor "not found".
    Case("note_add", "POST", lambda o: card(o, "note_add"),
         expect(operator=DONE, supervisor=DONE, executor=DONE, other_executor=MISSING),
         setup=routed, data=lambda w, o: {"text": "Виїзд у вівторок."}),
    # The centre's reply templates: supervisors only.
    Case("reply_templates", "GET", lambda o: reverse("workspace:reply_templates"),
         expect(supervisor=OK), setup=reply_template),
    Case("reply_template_new", "GET", lambda o: reverse("workspace:reply_template_new"),
         expect(supervisor=OK)),
    Case("reply_template_create", "POST", lambda o: reverse("workspace:reply_template_new"),
         expect(supervisor=DONE), data=lambda w, o: {"title": "Т", "text": "Текст."}),
    Case("reply_template_edit", "POST",
         lambda o: reverse("workspace:reply_template_edit", args=[o["template"].pk]),
         expect(supervisor=DONE), setup=reply_template,
         data=lambda w, o: {"title": "Інша", "text": "Текст."}),
    Case("reply_template_active", "POST",
         lambda o: reverse("workspace:reply_template_active", args=[o["template"].pk]),
         expect(supervisor=DONE), setup=reply_template, data=lambda w, o: {"active": "0"}),
    # Notifications and security administration.
    Case("notification_read", "POST",
         lambda o: reverse("workspace:notification_read", args=[o["notification"].pk]),
         expect(supervisor=DONE, operator=MISSING, executor=MISSING, other_executor=MISSING),
         setup=extension_requested),
    Case("notifications_read_all", "POST", lambda o: reverse("workspace:notifications_read_all"),
         expect(operator="redirect", supervisor=DONE, executor="redirect",
                other_executor="redirect"),
         setup=extension_requested),
    Case("notifications_read_group", "POST", lambda o: reverse("workspace:notifications_read_all"),
         expect(operator="redirect", supervisor=DONE, executor="redirect",
                other_executor="redirect"),
         setup=extension_requested, data=lambda w, o: {"kind": "extension"}),
    Case("notifications_group", "GET", lambda o: reverse("workspace:notifications") + "?kind=extension",
         expect(operator=OK, supervisor=OK, executor=OK, other_executor=OK),
         setup=extension_requested),
    Case("audit_verify", "POST", lambda o: reverse("workspace:audit_verify"),
         expect(security_admin=OK), setup=routed),
    # The export is itself recorded (audit.export), so for its one role it changes the trail.
    Case("audit_export", "GET", lambda o: reverse("workspace:audit_export", args=["csv"]),
         expect(security_admin=OK), setup=routed),
    Case("account_deactivate", "POST",
         lambda o: reverse("workspace:account_deactivate", args=[o["account"].pk]),
         expect(security_admin=DONE), setup=target_account),
    Case("account_activate", "POST",
         lambda o: reverse("workspace:account_activate", args=[o["inactive"].pk]),
         expect(security_admin=DONE), setup=target_account),
    Case("account_detail", "GET",
         lambda o: reverse("workspace:account_detail", args=[o["account"].pk]),
         expect(security_admin=OK), setup=target_account),
    Case("account_new", "GET", lambda o: reverse("workspace:account_new"),
         expect(security_admin=OK)),
    Case("account_new_post", "POST", lambda o: reverse("workspace:account_new"),
         expect(security_admin=DONE), data=lambda w, o: NEW_ACCOUNT | {"send_link": "1"}),
    Case("account_duty", "POST",
         lambda o: reverse("workspace:account_duty", args=[o["account"].pk]),
         expect(security_admin=DONE), setup=target_account,
         data=lambda w, o: {"role": "executor", "authority": w.authority.code, "is_head": "on"}),
    Case("account_profile", "POST",
         lambda o: reverse("workspace:account_profile", args=[o["account"].pk]),
         expect(security_admin=DONE), setup=target_account,
         data=lambda w, o: {"last_name": "Нова", "first_name": "Олена",
                            "email": "o.nova@example.org"}),
    Case("account_password_link", "POST",
         lambda o: reverse("workspace:account_password_link", args=[o["account"].pk]),
         expect(security_admin=DONE), setup=target_account),
    Case("account_import", "GET", lambda o: reverse("workspace:account_import"),
         expect(security_admin=OK)),
    # The preview writes nothing, for the security administrator either.
    Case("account_import_preview", "POST", lambda o: reverse("workspace:account_import"),
         expect(security_admin=OK), data=lambda w, o: {"file": staff_file(w)}),
    Case("account_import_confirm", "POST", lambda o: reverse("workspace:account_import_confirm"),
         expect(security_admin="redirect"), data=lambda w, o: {"token": "no-preview"}),
    # Outside the workspace: the login page, logging out and the language switch.
    Case("login_page", "GET", lambda o: reverse("accounts:login"),
         expect(OK, anonymous=OK)),
    Case("logout", "POST", lambda o: reverse("accounts:logout"), expect(LOGIN)),
    # The one-time link of `create_account`: with a void token Django's page says so, to anyone.
    Case("set_password", "GET",
         lambda o: reverse("accounts:set_password", args=["MQ", "void-token"]),
         expect(OK, anonymous=OK)),
    Case("set_language", "POST", lambda o: reverse("set_language"),
         expect("redirect", anonymous="redirect"), data=lambda w, o: {"language": "uk"}),
    # Operations, public for the load balancer and Prometheus (they say nothing personal; the
    # metrics answer the machine itself only, which the test client is: ops tests check the rest).
    Case("healthz", "GET", lambda o: reverse("healthz"), expect(OK, anonymous=OK)),
    Case("readyz", "GET", lambda o: reverse("readyz"), expect(OK, anonymous=OK)),
    Case("metrics", "GET", lambda o: reverse("metrics"), expect(OK, anonymous=OK)),
    # Open311 GeoReport v2 (ADR 32): the reads are public and free of personal data; the one
    # write needs an open311 key, which no staff session is (a key's own tests: api/open311).
    Case("open311_discovery", "GET", lambda o: reverse("open311_discovery", args=["xml"]),
         expect(OK, anonymous=OK)),
    Case("open311_root", "GET", lambda o: reverse("open311:root"), expect(OK, anonymous=OK)),
    Case("open311_services", "GET", lambda o: reverse("open311:services", args=["json"]),
         expect(OK, anonymous=OK)),
    Case("open311_service", "GET", lambda o: reverse("open311:service", args=["009.001", "xml"]),
         expect(OK, anonymous=OK), setup=routed),
    Case("open311_requests", "GET", lambda o: reverse("open311:requests", args=["json"]),
         expect(OK, anonymous=OK), setup=routed),
    Case("open311_request", "GET",
         lambda o: reverse("open311:request", args=[o["appeal"].number, "json"]),
         expect(OK, anonymous=OK), setup=routed),
    Case("open311_token", "GET",
         lambda o: reverse("open311:token", args=["1b4e28ba-2fa1-11d2-883f-0016d3cca427", "xml"]),
         expect(MISSING, anonymous=MISSING)),
    Case("open311_post_without_key", "POST", lambda o: reverse("open311:requests", args=["json"]),
         expect(DENIED, anonymous=DENIED),
         data=lambda w, o: {"service_code": "009.001", "address_string": "вул. Ракоці, 1",
                            "description": "Немає гарячої води."}),
]


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        list(AppealModel.objects.order_by("pk").values_list("status", "due_date")),
        Transition.objects.count(),
        AuditEvent.objects.count(),
        list(Extension.objects.order_by("pk").values_list("status", flat=True)),
        Feedback.objects.count(),
        Reply.objects.count(),
        list(NotificationRead.objects.order_by("pk").values_list("notification_id", "user_id")),
        list(User.objects.order_by("pk").values_list("is_active", "role", "email", "last_name")),
        list(Membership.objects.order_by("pk").values_list("user_id", "authority_id", "is_head")),
        AppealModel.objects.count(),
        Attachment.objects.count(),
        InternalNote.objects.count(),
        list(ReplyTemplate.objects.order_by("pk").values_list("title", "is_active")),
        sorted(str(p) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
        list(SavedView.objects.order_by("pk").values_list("user_id", "name", "query")),
        list(ApiKey.objects.order_by("pk").values_list("revoked_at", flat=True)),
    )


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_access_matrix(world: World, case: Case, role: str) -> None:
    # given
    objects = case.setup(world)
    url = case.url(objects)
    client = world.client(role)
    before = state()
    expected = case.expected[role]

    # when
    if case.method == "GET":
        response = client.get(url, **case.headers)
    else:
        response = client.post(url, case.data(world, objects), **case.headers)

    # then
    login = reverse(settings.LOGIN_URL)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    elif expected in (DONE, "redirect"):
        assert response.status_code == 302, getattr(response, "content", b"")[:2000]
        assert not response["Location"].startswith(login)
    else:
        assert response.status_code == expected
    if expected in (LOGIN, DENIED, MISSING):
        assert state() == before
    if expected == DONE:
        assert state() != before


# Namespaces left out of the matrix: the Django admin has its own tests (test_admin.py); the
# partner API answers keys, not sessions, and has its own (vikno/api/tests/test_access_matrix.py);
# the public portal is the same for everyone and has its own (vikno/portal/tests/test_access_matrix.py,
# which fails on a portal URL it does not list).
NOT_IN_THE_MATRIX = frozenset({"admin", "api", "portal"})


def project_url_names(patterns: list[Any] | None = None, prefix: str = "") -> set[str]:
    """Every URL name the project's resolver serves; an unnamed pattern shows as its route, so
    it cannot pass unnoticed."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_IN_THE_MATRIX:
                continue
            inner = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(prefix + (pattern.name or f"<unnamed {pattern.pattern}>"))
    return names


def covered_url_names() -> set[str]:
    """The URL name each case requests, found by building its URL with stand-in objects."""
    stand_in = SimpleNamespace(pk=1, number="ЗК-2026-000001", applicant_id=1)
    objects: dict[str, Any] = {key: stand_in for key in (
        "appeal", "assignment", "extension", "notification", "attachment", "account", "inactive",
        "saved_view", "template", "key")}
    return {resolve(urlsplit(case.url(objects)).path).view_name for case in CASES}


def test_every_url_of_the_project_is_in_the_matrix() -> None:
    # given: the names from the resolver, not a list kept by hand
    served = project_url_names()

    # when
    covered = covered_url_names()

    # then: a new page without a case fails here
    assert served - covered == set()
    assert "workspace:appeal_card" in served and "accounts:login" in served
    assert not any(name.startswith("admin:") for name in served)


def test_the_coverage_check_sees_a_page_without_a_case() -> None:
    # given a URLconf with one more page than the matrix knows
    new_page = path("", include(([path("new/", lambda request: None, name="new_page")],
                                 "workspace")))

    # when
    served = project_url_names([*get_resolver().url_patterns, new_page])

    # then
    assert served - covered_url_names() == {"workspace:new_page"}


@pytest.mark.parametrize("role", ["operator", "supervisor", "executor", "analyst",
                                  "security_admin"])
def test_admin_is_closed_to_everyone_but_the_system_administrator(world: World, role: str) -> None:
    # given: even with is_staff set by mistake
    user = world.users[role]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = world.client(role)

    # when
    response = client.get("/admin/")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_opens_for_the_system_administrator(world: World) -> None:
    response = world.client("system_admin").get("/admin/")

    assert response.status_code == 200


@pytest.mark.parametrize("role,target", [
    ("operator", "workspace:register"), ("supervisor", "workspace:dashboard"),
    ("executor", "workspace:my_assignments"), ("analyst", "workspace:statistics"),
    ("security_admin", "workspace:audit"), ("system_admin", "admin:index"),
])
def test_home_sends_each_role_to_its_screen(world: World, role: str, target: str) -> None:
    response = world.client(role).get(reverse("workspace:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_get_on_an_action_url_changes_nothing(world: World) -> None:
    # given
    objects = answered(world)
    before = state()

    # when
    response = world.client("supervisor").get(card(objects, "close"))

    # then
    assert response.status_code == 405
    assert state() == before


def test_denied_post_does_not_show_the_card(world: World) -> None:
    objects = routed(world)

    response = world.client("other_executor").post(card(objects, "extend"), {})

    assert response.status_code == 404
    assert objects["appeal"].number.encode() not in response.content
    assert "Шевченко".encode() not in response.content


def test_every_role_is_in_the_matrix() -> None:
    assert {r.value for r in Role} <= set(ROLES)
