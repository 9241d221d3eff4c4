"""Writes on the rulebook's side of the workspace: binding an executor to its authority, the
staff as the security administrator sets them up (an account with its binding, a staff file), and
the centre's reply templates.

`directory.Membership` links an account (vikno.accounts, below the directory in the layers) to an
authority, so the binding is a service of the directory; the account itself is created by
accounts.services.account_create. Keyword-only, validated, audited in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts import api_keys
from vikno.accounts import services as accounts
from vikno.accounts.access import require_role
from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.models import ApiKey, User
from vikno.accounts.roles import Role
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core.errors import ApplicationError
from vikno.directory.models import Authority, Membership, ReplyTemplate, SubTopic, Topic
from vikno.directory.staff import StaffData, StaffRow


class TemplateCode(StrEnum):
    MISSING_FIELD = "missing_field"
    INVALID_VALUE = "invalid_value"


@transaction.atomic
def membership_set(*, actor: Any, account: Any, authority_code: str,
                   head_position: str | None = None, is_head: bool | None = None) -> Membership:
    """Bind an executor's account to the authority whose assignments it works on, or move it to
    another one. Only executors are bound; only active authorities take members.

    `head_position` (ст.20: the head or a deputy decides an extension): a position makes the
    account its body's head, "" a plain member, None leaves the mark as it is. `is_head`, when
    given, sets the mark itself (the workspace's "head or deputy head" box) and `head_position`
    is then only the position kept with it."""
    if actor is not None:  # None: the system itself (management commands)
        require_role(actor, Role.SECURITY_ADMIN)
    if account.role != Role.EXECUTOR:
        raise AccountsError(Code.INVALID_VALUE, _("Only an executor is bound to an authority."),
                            field="role")
    authority = Authority.objects.filter(code=authority_code, is_active=True).first()
    if authority is None:
        raise AccountsError(Code.INVALID_VALUE, _("Choose an authority from the list."),
                            field="authority")
    if is_head is not None:
        head: dict[str, Any] = {"is_head": is_head, "position": (head_position or "").strip()}
    elif head_position is not None:
        head = {"is_head": bool(head_position.strip()), "position": head_position.strip()}
    else:
        head = {}
    membership = (Membership.objects.select_for_update().select_related("authority")
                  .filter(user=account).first())
    if membership is None:
        membership = Membership.objects.create(user=account, authority=authority, **head)
        audit.record(actor=actor, action=AuditAction.MEMBERSHIP_CREATED, obj=membership,
                     after={"user": account.username, "authority": authority.code, **head})
        return membership
    before = {name: getattr(membership, name) for name, value in head.items()
              if getattr(membership, name) != value}
    after = {name: head[name] for name in before}
    if membership.authority_id != authority.pk:
        before["authority"], after["authority"] = membership.authority.code, authority.code
    if not after:
        return membership
    membership.authority = authority
    for name, value in head.items():
        setattr(membership, name, value)
    membership.save(update_fields=["authority", *head])
    audit.record(actor=actor, action=AuditAction.MEMBERSHIP_CHANGED, obj=membership,
                 before=before, after=after)
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, account: Any) -> None:
    """Unbind an account from its authority (it is no longer an executor)."""
    if actor is not None:
        require_role(actor, Role.SECURITY_ADMIN)
    membership = (Membership.objects.select_for_update().select_related("authority")
                  .filter(user=account).first())
    if membership is None:
        return
    audit.record(actor=actor, action=AuditAction.MEMBERSHIP_REMOVED, obj=membership,
                 before={"user": account.username, "authority": membership.authority.code})
    membership.delete()


def _check_binding(*, role: str, authority_code: str, is_head: bool) -> None:
    """An executor works for exactly one authority; nobody else is bound to one."""
    if role == Role.EXECUTOR:
        if not authority_code:
            raise AccountsError(Code.INVALID_VALUE, _("An executor needs an authority."),
                                field="authority")
        if not Authority.objects.filter(code=authority_code, is_active=True).exists():
            raise AccountsError(Code.INVALID_VALUE, _("Unknown authority code «%(code)s».")
                                % {"code": authority_code}, field="authority")
    elif authority_code or is_head:
        raise AccountsError(Code.INVALID_VALUE, _("Only an executor is bound to an authority."),
                            field="authority")


@transaction.atomic
def partner_create(*, actor: Any, name: str, scope: str,
                   authority_code: str = "") -> tuple[ApiKey, str]:
    """A partner system's key (`create_api_key`). Bound to an authority, its account is an
    executor of that authority: it sees and works on that authority's assignments only, by the
    same access rules as a person. Unbound, it registers appeals and reads those it registered.
    Returns the key row and the key itself, shown once."""
    if authority_code:
        _check_binding(role=Role.EXECUTOR, authority_code=authority_code, is_head=False)
    key, raw = api_keys.api_key_issue(actor=actor, name=name, scope=scope,
                                      executor=bool(authority_code))
    if authority_code:
        membership_set(actor=actor, account=key.account, authority_code=authority_code,
                       is_head=False)
    return key, raw


@transaction.atomic
def staff_create(*, actor: Any, data: StaffData) -> User:
    """A staff member's account without a password, and for an executor its authority (with the
    "head or deputy head" mark): one transaction, so an executor never exists unbound."""
    if actor is not None:
        require_role(actor, Role.SECURITY_ADMIN)
    if data.role in Role.values:
        _check_binding(role=data.role, authority_code=data.authority_code, is_head=data.is_head)
    account = accounts.account_create(
        actor=actor, username=data.username, role=data.role, first_name=data.first_name,
        last_name=data.last_name, patronymic=data.patronymic, email=data.email,
        position=data.position)
    if account.role == Role.EXECUTOR:
        membership_set(actor=actor, account=account, authority_code=data.authority_code,
                       is_head=data.is_head, head_position=account.position)
    return account


@transaction.atomic
def staff_set_duty(*, actor: Any, account: User, role: str, authority_code: str = "",
                   is_head: bool = False) -> User:
    """Change what an account does: its role and, for an executor, its authority and head mark.

    Becoming an executor needs an authority; leaving the executors unbinds the account."""
    require_role(actor, Role.SECURITY_ADMIN)
    if role not in Role.values:
        raise AccountsError(Code.INVALID_VALUE, _("Choose a role from the list."), field="role")
    _check_binding(role=role, authority_code=authority_code, is_head=is_head)
    if account.role != role:
        account = accounts.account_set_role(actor=actor, account=account, role=role)
    if role == Role.EXECUTOR:
        membership_set(actor=actor, account=account, authority_code=authority_code,
                       is_head=is_head, head_position=account.position)
    else:
        membership_remove(actor=actor, account=account)
    return account


class _Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


@dataclass
class StaffImportReport:
    """What an import did, or would do (`dry_run`): per line, the reasons it cannot."""

    rows: int
    errors: dict[int, list[str]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)  # usernames, when written
    links_sent: int = 0
    without_email: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def staff_import(*, actor: Any, rows: Sequence[StaffRow], send_links: bool = False,
                 base_url: str = "", dry_run: bool = False) -> StaffImportReport:
    """Create the accounts of a staff file through `staff_create`, all or nothing.

    Every row is tried in the same transaction (so a username twice in the file, or one taken
    already, is found exactly as it would be), then everything is rolled back if any row failed
    or `dry_run` (the preview) asks so. With `send_links`, each new account that has an e-mail
    gets its link to set the password (`accounts.account_send_password_link`)."""
    if actor is not None:
        require_role(actor, Role.SECURITY_ADMIN)
    report = StaffImportReport(rows=len(rows))
    usernames: list[str] = []
    try:
        with transaction.atomic():
            created = []
            for row in rows:
                if row.errors:
                    report.errors[row.line] = list(row.errors)
                    continue
                try:
                    with transaction.atomic():
                        created.append(staff_create(actor=actor, data=row.data))
                except AccountsError as exc:
                    report.errors[row.line] = [exc.message]
            report.without_email = sum(1 for account in created if not account.email)
            if report.errors or dry_run:
                raise _Rollback
            for account in created:
                usernames.append(account.username)
                if account.email and send_links:
                    accounts.account_send_password_link(actor=actor, account=account,
                                                        base_url=base_url)
                    report.links_sent += 1
            audit.record(actor=actor, action=AuditAction.ACCOUNT_STAFF_IMPORTED,
                         after={"accounts": usernames, "links_sent": report.links_sent})
    except _Rollback:
        return report
    report.created = usernames
    return report


# Reply templates: texts the centre keeps for frequent answers (kept by supervisors).

class TemplateError(ApplicationError):
    pass


TEMPLATE_FIELDS = ("title", "text", "topic", "subtopic")


def _template_values(*, title: str, text: str, topic_code: str,
                     subtopic_code: str) -> dict[str, Any]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise TemplateError(TemplateCode.MISSING_FIELD, _("Enter the title of the template."),
                            field="title")
    if not text:
        raise TemplateError(TemplateCode.MISSING_FIELD, _("Enter the text of the template."),
                            field="text")
    subtopic = None
    if subtopic_code:
        subtopic = SubTopic.objects.select_related("topic").filter(code=subtopic_code).first()
        if subtopic is None:
            raise TemplateError(TemplateCode.INVALID_VALUE, _("Choose a sub-topic from the list."),
                                field="subtopic")
    topic = subtopic.topic if subtopic is not None else None
    if topic is None and topic_code:
        topic = Topic.objects.filter(code=topic_code).order_by("-version__valid_from").first()
        if topic is None:
            raise TemplateError(TemplateCode.INVALID_VALUE, _("Choose a topic from the list."),
                                field="topic")
    return {"title": title[:200], "text": text, "topic": topic, "subtopic": subtopic}


def _template_trail(template: ReplyTemplate) -> dict[str, Any]:
    # A template is the centre's own text, not an applicant's: still, the trail names fields only.
    return {"topic": template.topic.code if template.topic else None,
            "subtopic": template.subtopic.code if template.subtopic else None,
            "is_active": template.is_active}


@transaction.atomic
def reply_template_create(*, actor: Any, title: str, text: str, topic_code: str = "",
                          subtopic_code: str = "") -> ReplyTemplate:
    """A new template, active. Supervisors keep the templates; a sub-topic implies its topic."""
    require_role(actor, Role.SUPERVISOR)
    template = ReplyTemplate.objects.create(**_template_values(
        title=title, text=text, topic_code=topic_code, subtopic_code=subtopic_code))
    audit.record(actor=actor, action=AuditAction.REPLY_TEMPLATE_CREATE, obj=template,
                 after=_template_trail(template))
    return template


@transaction.atomic
def reply_template_update(*, actor: Any, template: ReplyTemplate, title: str, text: str,
                          topic_code: str = "", subtopic_code: str = "") -> ReplyTemplate:
    require_role(actor, Role.SUPERVISOR)
    template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    values = _template_values(title=title, text=text, topic_code=topic_code,
                              subtopic_code=subtopic_code)
    changed = [name for name in TEMPLATE_FIELDS if getattr(template, name) != values[name]]
    if not changed:
        return template
    for name, value in values.items():
        setattr(template, name, value)
    template.save(update_fields=list(TEMPLATE_FIELDS))
    audit.record(actor=actor, action=AuditAction.REPLY_TEMPLATE_UPDATE, obj=template,
                 after={"changed": changed, **_template_trail(template)})
    return template


@transaction.atomic
def reply_template_set_active(*, actor: Any, template: ReplyTemplate,
                              active: bool) -> ReplyTemplate:
    """Deactivate (the forms stop offering it; kept for the record) or activate again."""
    require_role(actor, Role.SUPERVISOR)
    template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_active == active:
        return template
    template.is_active = active
    template.save(update_fields=["is_active"])
    audit.record(actor=actor, action=AuditAction.REPLY_TEMPLATE_ACTIVATE if active
                 else AuditAction.REPLY_TEMPLATE_DEACTIVATE, obj=template,
                 before={"is_active": not active}, after={"is_active": active})
    return template
