"""The work on an appeal: questions, assignments to authorities, replies, extensions, feedback."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus, TransitionAction
from vikno.appeals.models.appeals import Appeal, Attachment
from vikno.core import clock
from vikno.core.models import TimeStampedModel
from vikno.directory.models import Authority, SubTopic


class Question(TimeStampedModel):
    """One issue raised in an appeal, with its topic and control date."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="questions")
    subtopic = models.ForeignKey(
        SubTopic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("sub-topic")
    )
    summary = models.CharField(_("question"), max_length=500, blank=True)
    # Empty while its appeal has no term (see Appeal.due_date).
    due_date = models.DateField(_("control date"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        # From assignments to their questions' appeals (the centre's executor filter, the rows'
        # details) from this index alone; an executor's visibility reads Assignment.appeal.
        indexes = [models.Index(fields=["id"], include=["appeal"], name="question_id_appeal"),
                   # The topic filter's test of one appeal (selectors_queue, EXISTS on the
                   # sub-topics' ids) from this index alone, as the list's index is walked.
                   models.Index(fields=["appeal", "subtopic"], name="question_appeal_subtopic")]

    def __str__(self) -> str:
        return f"{self.appeal.number}: {self.subtopic}"


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("Main executor")
    CO = "co", _("Co-executor")


class Assignment(TimeStampedModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="assignments")
    # The question's appeal, kept on the row (set by whoever creates it: services.assignment,
    # the bulk generator), so that an executor's appeals come from its assignments alone
    # (access.appeals_visible_to) without a join through every question (ADR lists).
    # Indexed with the authority and the status below (assignment_appeal_authority).
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+", db_index=False)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("executor")
    )
    role = models.CharField(_("role"), max_length=4, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED, db_index=True,
    )
    due_date = models.DateField(_("control date"), db_index=True)
    instructions = models.TextField(_("resolution"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            # One main executor per question among the assignments still in force.
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(role="main") & ~Q(status__in=["returned", "cancelled"]),
                name="assignment_one_active_main",
            ),
            models.UniqueConstraint(
                fields=["question", "authority"],
                condition=~Q(status__in=["returned", "cancelled"]),
                name="assignment_one_active_per_authority",
            ),
        ]
        # An executor's assignments by status with their questions and appeals, from the index
        # alone (access.appeals_visible_to, the executor's tab counts; ADR lists).
        indexes = [models.Index(fields=["authority", "status"], include=["question", "appeal"],
                                name="assignment_authority_status"),
                   # Whether an authority holds an appeal (the executor's queue walks its order's
                   # index and asks this of each appeal; the card's checks): from the index alone.
                   models.Index(fields=["appeal", "authority", "status"],
                                name="assignment_appeal_authority")]

    def __str__(self) -> str:
        return f"{self.question.appeal.number} → {self.authority}"


class ReplyResult(models.TextChoices):
    """Results of consideration: those of the Law and of the quarterly reporting form (ф.1.1),
    and two of the centre's practice. Stored values of older rows are kept ("done")."""

    DONE = "done", _("Resolved positively (satisfied)")
    REFUSED = "refused", _("Refused")
    EXPLAINED = "explained", _("Explained")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    RETURNED_TO_AUTHOR = "returned_to_author", _("Returned to the author (ст.5)")
    NOT_CONSIDERED = "not_considered", _("Not subject to consideration (ст.8)")
    OTHER = "other", _("Other")
    # The centre's practice: back to the centre for re-routing; or accepted but not doable now.
    NOT_IN_COMPETENCE = "not_in_competence", _("Not in competence: back to the centre")
    IMPOSSIBLE_NOW = "impossible_now", _("Impossible now / needs funding")


class ReceivedVia(models.TextChoices):
    """How an answer written outside Vikno reached the centre (the labels follow "received")."""

    LETTER = "letter", _("by post")
    EMAIL = "email", _("by e-mail")
    OTHER = "other", _("by fax or otherwise")


class Reply(TimeStampedModel):
    """The executor's answer. For the main executor it is the body's letter to the applicant:
    its outgoing number and date and who signed it (Instruction No. 348)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    result = models.CharField(_("result"), max_length=20, choices=ReplyResult.choices)
    text = models.TextField(_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    outgoing_number = models.CharField(_("outgoing number"), max_length=64, blank=True)
    outgoing_date = models.DateField(_("outgoing date"), null=True, blank=True)
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=200, blank=True)
    # ст.15: a refusal states its reasons and legal basis and explains how to appeal it.
    refusal_reasons = models.TextField(_("reasons for the refusal"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    appeal_procedure = models.TextField(_("how to appeal the decision"), blank=True)
    # An answer the body sent outside Vikno (a letter, an e-mail) and the centre recorded on its
    # behalf: who in the centre recorded it, how and when it arrived, the scan of the letter.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_via = models.CharField(_("received"), max_length=10, choices=ReceivedVia.choices,
                                    blank=True)
    received_on = models.DateField(_("date of receipt"), null=True, blank=True)
    scan = models.ForeignKey(Attachment, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("scan of the letter"))

    @property
    def on_behalf(self) -> bool:
        """Recorded by the centre from a letter or e-mail of the body."""
        return self.recorded_by_id is not None

    class Meta:
        ordering = ["id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.get_result_display()}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(TimeStampedModel):
    """A longer term (ст.20): asked by an executor or set by a supervisor, never past 45 days."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    # The question whose term it is (per-question control); empty: every question of the appeal.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions",
        verbose_name=_("question"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    old_due_date = models.DateField(_("previous control date"))
    new_due_date = models.DateField(_("new control date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # ст.20: who extended the term (the head of the body or a deputy) and by which document.
    decider_name = models.CharField(_("decided by"), max_length=200, blank=True)
    decider_position = models.CharField(_("position"), max_length=200, blank=True)
    decider_body = models.CharField(_("body"), max_length=300, blank=True)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.old_due_date} → {self.new_due_date}"


class Feedback(TimeStampedModel):
    """The applicant's confirmation of the result and rating 1–5 (by call-back or online)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="feedback")
    confirmed = models.BooleanField(_("result confirmed"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("confirmation and rating")
        verbose_name_plural = _("confirmations and ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.rating}"


class Transition(models.Model):
    """The appeal's own history: every status change and routing step, for the appeal card."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField(default=clock.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40, choices=TransitionAction.choices)
    from_status = models.CharField(max_length=32, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=AppealStatus.choices, blank=True)
    # The note: a kind of vikno.appeals.messages and its parameters, shown in the viewer's language.
    message = models.CharField(max_length=60, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.action}"

    @property
    def note(self) -> str:
        from vikno.appeals.messages import render

        return render(self.message, self.params or {}, names=getattr(self, "_names", None))


class NoticeKind(models.TextChoices):
    REGISTERED = "registered", _("Appeal registered")
    EXTENDED = "extended", _("Term extended")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    RETURNED = "returned", _("Returned: required content missing")
    NOT_CONSIDERED = "not_considered", _("Not subject to consideration")
    ANSWERED = "answered", _("Answer given")


class Notice(TimeStampedModel):
    """A message owed to the applicant (the Law requires telling them); senders deliver it later."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    # The text: a kind of vikno.appeals.messages and its parameters, rendered for the applicant.
    message = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.kind}"

    @property
    def language(self) -> str:
        applicant = self.appeal.applicant
        return applicant.language if applicant is not None else settings.LANGUAGE_CODE

    @property
    def text(self) -> str:
        """In the applicant's language, whoever acted and whoever reads it now."""
        from django.utils import translation

        from vikno.appeals.messages import render

        with translation.override(self.language):
            return render(self.message, self.params or {})


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Control date approaching")
    ESCALATION = "escalation", _("Control date passed")
    RETURNED = "returned", _("Returned by the executor")
    EXTENSION = "extension", _("Extension requested")


class Notification(TimeStampedModel):
    """A message to staff inside the workspace: to one user, or to everyone of one authority."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="notifications",
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    for_supervisors = models.BooleanField(default=False)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # The text: a kind of vikno.appeals.messages and its parameters, shown in the viewer's language.
    message = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.kind}"

    @property
    def text(self) -> str:
        from vikno.appeals.messages import render

        return render(self.message, self.params or {}, names=getattr(self, "_names", None))


class NotificationRead(models.Model):
    """One reader's mark on one notification: an authority's or the supervisors' notification read
    by one of them stays unread for the others."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="notification_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.user_id}"


class RoutingTerm(models.Model):
    """ст.7: one 5-day term to route or forward the appeal, from receipt or from an executor's
    "not in competence" return. Kept after it ends, so a late step stays visible."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="routing_terms")
    start_date = models.DateField(_("term began"))
    due_date = models.DateField(_("route or forward by"), db_index=True)
    # Set when the appeal is routed, forwarded, or otherwise decided (ст.5/ст.8).
    done_date = models.DateField(_("step taken"), null=True, blank=True)
    done_action = models.CharField(max_length=40, blank=True)
    # Supervisors were told that the term was missed (once per term).
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal"], condition=Q(done_date__isnull=True),
                                    name="routing_term_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.start_date} → {self.due_date}"

    @property
    def late(self) -> bool:
        return self.done_date is not None and self.done_date > self.due_date and \
            self.done_action in LATE_ACTIONS


# The steps ст.7 times: routing to an executor or forwarding to the competent body.
LATE_ACTIONS = (TransitionAction.ASSIGN, TransitionAction.FORWARD)


class InternalNote(TimeStampedModel):
    """A note between the centre and the executors about the work on an appeal. Never shown to
    the applicant (no notice, no answer carries it). Free text about the case: personal data.

    `authority` is the author's authority when an executor wrote it; empty for the centre. A
    reader sees the centre's notes and those of its own authority (selectors.internal_notes_for)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("executor"))
    text = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.pk}"
