"""Every action the audit trail knows, with the words the security administrator reads.

Audit is the lowest layer, so the names of all apps' events live here: `record()` refuses a name
that is not in this registry. The values are what is stored and hashed; never change one (old
events and the hash chain keep them), only add.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Accounts (vikno.accounts).
    ACCOUNT_CREATED = "account.created", _("Account created")
    ACCOUNT_ROLE_CHANGED = "account.role_changed", _("Account role changed")
    ACCOUNT_ACTIVATED = "account.activated", _("Account activated")
    ACCOUNT_DEACTIVATED = "account.deactivated", _("Account deactivated")
    ACCOUNT_LOGIN = "account.login", _("Login")
    ACCOUNT_LOGIN_FAILED = "account.login_failed", _("Failed login")
    ACCOUNT_UPDATED = "account.updated", _("Account's details changed")
    ACCOUNT_PASSWORD_LINK_SENT = (
        "account.password_link_sent", _("Link to set the password sent to the account's e-mail"))
    ACCOUNT_STAFF_IMPORTED = "account.staff_imported", _("Staff accounts imported from a file")
    SAVED_VIEW_SAVE = "saved_view.save", _("Saved view of a list stored")
    SAVED_VIEW_DELETE = "saved_view.delete", _("Saved view of a list deleted")
    API_KEY_ISSUED = "api_key.issued", _("Partner system's key issued")
    API_KEY_REVOKED = "api_key.revoked", _("Partner system's key revoked")

    # Reads of personal data (vikno.appeals selectors).
    APPLICANT_SEARCH = "applicant.search", _("Applicants searched")
    APPLICANT_VIEW = "applicant.view", _("Applicant's data viewed")
    APPLICANT_LIST_VIEW = "applicant.list_view", _("List with applicants' data viewed")
    ATTACHMENT_DOWNLOAD = "attachment.download", _("Attachment downloaded")
    APPEAL_EXPORT = "appeal.export", _("List of appeals exported")
    APPEAL_TRACK = "appeal.track", _("Appeal's progress viewed by its tracking code")

    # The case file (vikno.appeals services).
    APPLICANT_CREATE = "applicant.create", _("Applicant created")
    APPLICANT_UPDATE = "applicant.update", _("Applicant's data changed")
    APPEAL_REGISTER = "appeal.register", _("Appeal registered")
    APPEAL_PRIORITY = "appeal.priority", _("Appeal's priority set")
    APPEAL_TERM = "appeal.term", _("Appeal's term set")
    APPEAL_EXTEND = "appeal.extend", _("Appeal's term extended")
    APPEAL_SHORTEN = "appeal.shorten", _("Appeal's term shortened")
    APPEAL_ANSWER_RECORDED = "appeal.answer_recorded", _("Answer's index and file recorded")
    APPEAL_TRACKING_CODE_ISSUE = "appeal.tracking_code_issue", _("New tracking code issued")
    ATTACHMENT_ADD = "attachment.add", _("Attachment added")
    ASSIGNMENT_CREATE = "assignment.create", _("Assignment created")
    REPLY_SUBMIT = "reply.submit", _("Executor's answer submitted")
    REPLY_ON_BEHALF = "reply.on_behalf", _("Answer received outside Vikno recorded by the centre")
    FEEDBACK_RECORD = "feedback.record", _("Applicant's confirmation recorded")
    EXTENSION_REQUEST = "extension.request", _("Extension requested")
    EXTENSION_DECIDE = "extension.decide", _("Extension request decided")
    DEADLINE_CONTROL = "deadline.control", _("Deadline control run")
    INTERNAL_NOTE_ADD = "internal_note.add", _("Internal note added")

    # An appeal's status moves ("appeal." + the Transition action, see appeals.services._common).
    APPEAL_ASSIGN = "appeal.assign", _("Appeal routed to the executors")
    APPEAL_ACCEPT = "appeal.accept", _("Appeal taken into work")
    APPEAL_ANSWER = "appeal.answer", _("Appeal answered by the executors")
    APPEAL_RETURNED_NOT_IN_COMPETENCE = (
        "appeal.returned_not_in_competence", _("Appeal returned: not in competence"))
    APPEAL_ANSWER_ACCEPTED = "appeal.answer_accepted", _("Answer accepted by the centre")
    APPEAL_ANSWER_REJECTED = "appeal.answer_rejected", _("Answer sent back for revision")
    APPEAL_CONFIRM = "appeal.confirm", _("Appeal confirmed by the applicant")
    APPEAL_NOT_CONFIRMED = "appeal.not_confirmed", _("Appeal not confirmed by the applicant")
    APPEAL_CLOSE = "appeal.close", _("Appeal closed")
    APPEAL_REOPEN = "appeal.reopen", _("Appeal reopened")
    APPEAL_FORWARD = "appeal.forward", _("Appeal forwarded to the competent body")
    APPEAL_NOT_CONSIDERED = "appeal.not_considered", _("Appeal not subject to consideration")
    APPEAL_RETURN_MISSING_CONTENT = (
        "appeal.return_missing_content", _("Appeal returned: required content missing"))

    # An assignment's status moves.
    ASSIGNMENT_ACCEPT = "assignment.accept", _("Assignment taken into work")
    ASSIGNMENT_REPLY = "assignment.reply", _("Assignment answered")
    ASSIGNMENT_REVISION = "assignment.revision", _("Assignment sent back for revision")
    ASSIGNMENT_CLOSE = "assignment.close", _("Assignment closed")
    ASSIGNMENT_CANCEL = "assignment.cancel", _("Assignment cancelled")

    # The directory (vikno.directory): memberships, reference loads, the administration's edits
    # ("directory.<model>.<create|update|delete>", see directory.admin.AuditedAdmin).
    MEMBERSHIP_CREATED = "membership.created", _("Executor bound to an authority")
    MEMBERSHIP_CHANGED = "membership.changed", _("Executor's authority changed")
    MEMBERSHIP_REMOVED = "membership.removed", _("Account no longer bound to an authority")
    REFERENCE_LOAD = "reference.load", _("Reference data loaded")
    REPLY_TEMPLATE_CREATE = "reply_template.create", _("Reply template created")
    REPLY_TEMPLATE_UPDATE = "reply_template.update", _("Reply template changed")
    REPLY_TEMPLATE_DEACTIVATE = "reply_template.deactivate", _("Reply template deactivated")
    REPLY_TEMPLATE_ACTIVATE = "reply_template.activate", _("Reply template activated")
    CLASSIFIERVERSION_CREATE = (
        "directory.classifierversion.create", _("Administration: classifier version created"))
    CLASSIFIERVERSION_UPDATE = (
        "directory.classifierversion.update", _("Administration: classifier version changed"))
    CLASSIFIERVERSION_DELETE = (
        "directory.classifierversion.delete", _("Administration: classifier version deleted"))
    CLASSIFIERITEM_CREATE = (
        "directory.classifieritem.create", _("Administration: classifier item created"))
    CLASSIFIERITEM_UPDATE = (
        "directory.classifieritem.update", _("Administration: classifier item changed"))
    CLASSIFIERITEM_DELETE = (
        "directory.classifieritem.delete", _("Administration: classifier item deleted"))
    TOPIC_CREATE = "directory.topic.create", _("Administration: topic created")
    TOPIC_UPDATE = "directory.topic.update", _("Administration: topic changed")
    TOPIC_DELETE = "directory.topic.delete", _("Administration: topic deleted")
    SUBTOPIC_CREATE = "directory.subtopic.create", _("Administration: subtopic created")
    SUBTOPIC_UPDATE = "directory.subtopic.update", _("Administration: subtopic changed")
    SUBTOPIC_DELETE = "directory.subtopic.delete", _("Administration: subtopic deleted")
    TERRITORY_CREATE = "directory.territory.create", _("Administration: territory created")
    TERRITORY_UPDATE = "directory.territory.update", _("Administration: territory changed")
    TERRITORY_DELETE = "directory.territory.delete", _("Administration: territory deleted")
    AUTHORITY_CREATE = "directory.authority.create", _("Administration: authority created")
    AUTHORITY_UPDATE = "directory.authority.update", _("Administration: authority changed")
    AUTHORITY_DELETE = "directory.authority.delete", _("Administration: authority deleted")
    ROUTINGRULE_CREATE = "directory.routingrule.create", _("Administration: routing rule created")
    ROUTINGRULE_UPDATE = "directory.routingrule.update", _("Administration: routing rule changed")
    ROUTINGRULE_DELETE = "directory.routingrule.delete", _("Administration: routing rule deleted")
    MEMBERSHIP_CREATE = "directory.membership.create", _("Administration: membership created")
    MEMBERSHIP_UPDATE = "directory.membership.update", _("Administration: membership changed")
    MEMBERSHIP_DELETE = "directory.membership.delete", _("Administration: membership deleted")
    HOLIDAY_CREATE = "directory.holiday.create", _("Administration: holiday created")
    HOLIDAY_UPDATE = "directory.holiday.update", _("Administration: holiday changed")
    HOLIDAY_DELETE = "directory.holiday.delete", _("Administration: holiday deleted")
    MARTIALLAWPERIOD_CREATE = (
        "directory.martiallawperiod.create", _("Administration: martial law period created"))
    MARTIALLAWPERIOD_UPDATE = (
        "directory.martiallawperiod.update", _("Administration: martial law period changed"))
    MARTIALLAWPERIOD_DELETE = (
        "directory.martiallawperiod.delete", _("Administration: martial law period deleted"))
    REPLYTEMPLATE_CREATE = (
        "directory.replytemplate.create", _("Administration: reply template created"))
    REPLYTEMPLATE_UPDATE = (
        "directory.replytemplate.update", _("Administration: reply template changed"))
    REPLYTEMPLATE_DELETE = (
        "directory.replytemplate.delete", _("Administration: reply template deleted"))

    # The trail itself (vikno.audit).
    AUDIT_EXPORT = "audit.export", _("Audit trail exported")


A = AuditAction

# The groups of the security administrator's action filter, in the order shown. Every action is in
# exactly one group (vikno/audit/tests/test_trail.py).
ACTION_GROUPS: tuple[tuple[Any, tuple[AuditAction, ...]], ...] = (
    (_("Appeals"), (
        A.APPEAL_REGISTER, A.APPEAL_ASSIGN, A.APPEAL_ACCEPT, A.APPEAL_ANSWER,
        A.APPEAL_ANSWER_ACCEPTED, A.APPEAL_ANSWER_REJECTED, A.APPEAL_CONFIRM,
        A.APPEAL_NOT_CONFIRMED, A.APPEAL_CLOSE, A.APPEAL_REOPEN, A.APPEAL_FORWARD,
        A.APPEAL_NOT_CONSIDERED, A.APPEAL_RETURN_MISSING_CONTENT,
        A.APPEAL_RETURNED_NOT_IN_COMPETENCE, A.APPEAL_PRIORITY, A.APPEAL_TERM, A.APPEAL_EXTEND,
        A.APPEAL_SHORTEN, A.APPEAL_ANSWER_RECORDED, A.ATTACHMENT_ADD, A.FEEDBACK_RECORD,
        A.EXTENSION_REQUEST, A.EXTENSION_DECIDE, A.DEADLINE_CONTROL, A.INTERNAL_NOTE_ADD,
        A.APPEAL_EXPORT, A.SAVED_VIEW_SAVE, A.SAVED_VIEW_DELETE,
    )),
    (_("Executors' assignments"), (
        A.ASSIGNMENT_CREATE, A.ASSIGNMENT_ACCEPT, A.ASSIGNMENT_REPLY, A.REPLY_SUBMIT,
        A.ASSIGNMENT_REVISION, A.ASSIGNMENT_CLOSE, A.ASSIGNMENT_CANCEL, A.REPLY_ON_BEHALF,
    )),
    (_("Applicants' personal data"), (
        A.APPLICANT_CREATE, A.APPLICANT_UPDATE, A.APPLICANT_VIEW, A.APPLICANT_LIST_VIEW,
        A.APPLICANT_SEARCH, A.ATTACHMENT_DOWNLOAD, A.APPEAL_TRACK, A.APPEAL_TRACKING_CODE_ISSUE,
    )),
    (_("Accounts and logins"), (
        A.ACCOUNT_LOGIN, A.ACCOUNT_LOGIN_FAILED, A.ACCOUNT_CREATED, A.ACCOUNT_ROLE_CHANGED,
        A.ACCOUNT_ACTIVATED, A.ACCOUNT_DEACTIVATED, A.MEMBERSHIP_CREATED, A.MEMBERSHIP_CHANGED,
        A.MEMBERSHIP_REMOVED, A.ACCOUNT_UPDATED, A.ACCOUNT_PASSWORD_LINK_SENT,
        A.ACCOUNT_STAFF_IMPORTED, A.API_KEY_ISSUED, A.API_KEY_REVOKED,
    )),
    (_("Reference data"), (
        A.REFERENCE_LOAD, A.REPLY_TEMPLATE_CREATE, A.REPLY_TEMPLATE_UPDATE,
        A.REPLY_TEMPLATE_DEACTIVATE, A.REPLY_TEMPLATE_ACTIVATE,
        *(a for a in AuditAction if a.value.startswith("directory.")),
    )),
    (_("Audit trail"), (A.AUDIT_EXPORT,)),
)


def action_label(action: str) -> str:
    """The words for a stored action; the stored name itself if the registry lost it."""
    return str(AuditAction(action).label) if action in AuditAction.values else action
