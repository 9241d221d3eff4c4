"""Writes of the rulebook done in the workspace: binding an executor to its authority, the
centre's reply templates.

`directory.Membership` links an account (vikno.accounts, below the directory in the layers) to an
authority, so the binding is a service of the directory; the account itself is created by
accounts.services.account_create. Keyword-only, validated, audited in one transaction.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.access import require_role
from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.roles import Role
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core.errors import ApplicationError
from vikno.directory.models import Authority, Membership, ReplyTemplate, SubTopic, Topic


class TemplateCode(StrEnum):
    MISSING_FIELD = "missing_field"
    INVALID_VALUE = "invalid_value"


@transaction.atomic
def membership_set(*, actor: Any, account: Any, authority_code: str,
                   head_position: str | None = None) -> Membership:
    """Bind an executor's account to the authority whose assignments it works on, or move it to
    another one. Only executors are bound; only active authorities take members.

    `head_position` (ст.20: the head or a deputy decides an extension): a position makes the
    account its body's head, "" a plain member, None leaves the mark as it is."""
    if actor is not None:  # None: the system itself (management commands)
        require_role(actor, Role.SECURITY_ADMIN)
    if account.role != Role.EXECUTOR:
        raise AccountsError(Code.INVALID_VALUE, _("Only an executor is bound to an authority."),
                            field="role")
    authority = Authority.objects.filter(code=authority_code, is_active=True).first()
    if authority is None:
        raise AccountsError(Code.INVALID_VALUE, _("Choose an authority from the list."),
                            field="authority")
    head = {} if head_position is None else {"is_head": bool(head_position.strip()),
                                             "position": head_position.strip()}
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
