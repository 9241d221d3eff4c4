"""The work on an appeal: questions, assignments to authorities, replies, extensions, feedback."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models.appeals import Appeal
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

    def __str__(self) -> str:
        return f"{self.appeal.number}: {self.subtopic}"


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("Main executor")
    CO = "co", _("Co-executor")


class Assignment(TimeStampedModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="assignments")
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

    def __str__(self) -> str:
        return f"{self.question.appeal.number} → {self.authority}"


class ReplyResult(models.TextChoices):
    DONE = "done", _("Done")
    EXPLAINED = "explained", _("Explained")
    NOT_IN_COMPETENCE = "not_in_competence", _("Not in competence")
    IMPOSSIBLE_NOW = "impossible_now", _("Impossible now / needs funding")
    CANCELLED = "cancelled", _("Cancelled")


class Reply(TimeStampedModel):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    result = models.CharField(_("result"), max_length=20, choices=ReplyResult.choices)
    text = models.TextField(_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

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
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=32, choices=AppealStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=AppealStatus.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.action}"


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
    text = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.kind}"


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
    text = models.CharField(max_length=500)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.text
