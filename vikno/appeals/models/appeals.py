"""The appeal (звернення): its registration card per Instruction No. 348 and the Classifier axes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vikno.appeals.lifecycle import OPEN_STATUSES, UNDER_CONTROL_STATUSES, AppealStatus
from vikno.appeals.models.applicants import Applicant
from vikno.core.indexes import NullsLastIndex
from vikno.core.models import TimeStampedModel
from vikno.directory.models import Authority, Territory

# Instruction No. 348, п.8: the registration index of a collective appeal carries «КО», of an
# anonymous one «БП».
INDEX_MARKS = {"5.2": "КО", "5.3": "БП"}
# The statuses of the queue's partial indexes, in a stable order (the migration's).
QUEUE_OPEN = sorted(str(s) for s in OPEN_STATUSES)
UNDER_CONTROL = sorted(str(s) for s in UNDER_CONTROL_STATUSES)


class Channel(models.TextChoices):
    """Where the appeal came in. `FORM_CODES` maps each to the Classifier's axis 1 (form of receipt)."""

    HOTLINE = "hotline", _("Hotline call")
    WEB = "web", _("Website")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    PERSONAL = "personal", _("Personal reception")
    API = "api", _("Partner system (API)")
    OPEN311 = "open311", _("Open311")
    GCC = "gcc", _("Government Contact Centre 1545")
    AUTHORISED = "authorised", _("Via an authorised person")
    OTHER_BODY = "other_body", _("From another body")
    MEDIA = "media", _("Via mass media")

# Appeals received through the Internet or by electronic means (ст.5): written, 6.2 on axis 6 (ADR 9).
ELECTRONIC_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL, Channel.API, Channel.OPEN311})

FORM_CODES = {
    Channel.HOTLINE: "1.1.1",
    Channel.WEB: "1.1",
    Channel.EMAIL: "1.1",
    Channel.POST: "1.1",
    Channel.API: "1.1",
    Channel.OPEN311: "1.1",
    Channel.PERSONAL: "1.2",
    Channel.AUTHORISED: "1.3",
    Channel.GCC: "1.4",
    Channel.OTHER_BODY: "1.6",
    Channel.MEDIA: "1.5",
}


class Kind(models.TextChoices):
    PROPOSAL = "3.1", _("Proposal")
    APPLICATION = "3.2", _("Application")
    COMPLAINT = "3.3", _("Complaint")
    # Not an appeal under Law 393/96 and not on the Classifier's axis 3: a request under Law
    # 2939-VI «Про доступ до публічної інформації», answered within 5 working days (ADR 13).
    PUBLIC_INFORMATION = "pi", _("Request for public information")


class Subject(models.TextChoices):
    INDIVIDUAL = "5.1", _("Individual")
    COLLECTIVE = "5.2", _("Collective")
    ANONYMOUS = "5.3", _("Anonymous")


class Sign(models.TextChoices):
    FIRST = "2.1", _("First")
    REPEATED = "2.2", _("Repeated")
    DUPLICATE = "2.3", _("Duplicate")
    MANY_TIMES = "2.4", _("Many-times")
    MASS = "2.5", _("Mass")


class AppealType(models.TextChoices):
    """Axis 6 of the Classifier: three codes. An electronic appeal is a letter (ADR 9)."""

    TELEGRAM = "6.1", _("Telegram")
    LETTER = "6.2", _("Letter")
    ORAL = "6.3", _("Oral")


class NotConsideredReason(models.TextChoices):
    """ст.8 of the Law: why an appeal is registered but not considered."""

    ANONYMOUS = "anonymous", _("Anonymous: authorship not established")
    REPEATED = "repeated", _("Repeated: the issue was already decided on the merits")
    LATE_COMPLAINT = "late_complaint", _("Complaint filed after the statutory term")
    INCAPABLE = "incapable", _("Applicant declared legally incapable by a court")


class RegistrationCounter(models.Model):
    """Last registration sequence per year. Locked row by row: gap-free numbers under concurrency."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Appeal(TimeStampedModel):
    number = models.CharField(_("registration number"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    # Empty only inside the registering transaction, until the number is taken at its very end
    # (ADR 0024): no other transaction ever sees an appeal without its number.
    seq = models.PositiveIntegerField(_("sequence"), null=True, blank=True, editable=False)
    legacy_id = models.CharField(_("legacy id"), max_length=64, null=True, blank=True, unique=True)
    # The submission that registered it: a repeated one (double click, resent form) finds it.
    intake_token = models.UUIDField(_("intake token"), null=True, blank=True, unique=True,
                                    editable=False)
    # The SHA-256 of the applicant's tracking code (vikno.appeals.tracking), never the code;
    # empty for appeals registered without one (bulk generated).
    tracking_hash = models.CharField(_("tracking code hash"), max_length=64, blank=True,
                                     default="", editable=False)

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.APPLICATION)
    subject = models.CharField(
        _("subject"), max_length=3, choices=Subject.choices, default=Subject.INDIVIDUAL
    )
    sign = models.CharField(_("sign of receipt"), max_length=3, choices=Sign.choices,
                            default=Sign.FIRST)
    appeal_type = models.CharField(_("type"), max_length=3, choices=AppealType.choices,
                                   default=AppealType.ORAL)

    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals",
        verbose_name=_("applicant"),
    )
    cosigners: models.ManyToManyField[Applicant, AppealCosigner] = models.ManyToManyField(
        Applicant, through="AppealCosigner", related_name="cosigned_appeals", blank=True
    )
    previous_appeal = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats",
        verbose_name=_("earlier appeal on the same issue"),
    )

    received_at = models.DateTimeField(_("received at"), db_index=True)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    text = models.TextField(_("text of the appeal"))
    # The words of the text and their lemmas, each once (vikno.core.fulltext.index_text): what the
    # text search looks in. Kept by registration; `manage.py search_reindex` fills older rows.
    search_lemmas = models.TextField(_("search key"), blank=True, default="", editable=False)

    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("territory of the problem"),
    )
    location = models.CharField(_("address of the problem"), max_length=300, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    # Where it came from when another body sent it (card of Instruction No. 348).
    origin_body = models.CharField(_("sent by"), max_length=300, blank=True)
    origin_number = models.CharField(_("their index"), max_length=64, blank=True)
    origin_date = models.DateField(_("their date"), null=True, blank=True)

    needs_study = models.BooleanField(_("needs additional study"), default=False)
    priority = models.BooleanField(_("priority applicant"), default=False, db_index=True)

    status = models.CharField(
        _("status"), max_length=32, choices=AppealStatus.choices, default=AppealStatus.REGISTERED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"))
    # Empty while the appeal has no term: an anonymous letter or a late complaint (ст.8) is
    # registered but not considered, until a supervisor decides otherwise.
    due_date = models.DateField(_("control date"), db_index=True, null=True, blank=True)
    # Hard cap of ст.20: the term, however extended, never passes received + 45 days.
    max_due_date = models.DateField(_("latest possible date"), null=True, blank=True)
    # Per-question control: the earliest control date among the questions whose main executor
    # has not answered (empty when none is owed). Kept by services._common (appeal_due_sync,
    # assignment_move) and registration; the queue reads overdue from it (ADR lists).
    next_due = models.DateField(_("nearest owed control date"), null=True, blank=True,
                                editable=False)
    # The queue's sort by executor: the name of the first main executor (by assignment) still or
    # last at work on the appeal (empty before routing). Kept by services._common
    # (appeal_executor_sync) and the bulk writers (executor_key_of); read by an index (ADR lists).
    executor_key = models.CharField(  # noqa: DJ001 (empty = no executor, last in either order)
        _("main executor (sort key)"), max_length=300, null=True, blank=True, editable=False)
    not_considered_reason = models.CharField(
        _("reason not considered"), max_length=20, choices=NotConsideredReason.choices, blank=True
    )
    status_note = models.TextField(_("explanation"), blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Instruction No. 348: the card records the answer's date and index and the file it is kept in.
    answer_number = models.CharField(_("answer index"), max_length=64, blank=True)
    answer_date = models.DateField(_("answer date"), null=True, blank=True)
    file_number = models.CharField(_("file number"), max_length=64, blank=True)

    # The Law at registration (ст.5, ст.7 ч.4, ст.17).
    contested_authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("body complained of"),
    )
    contested_decision_on = models.DateField(_("date of the contested decision"), null=True,
                                             blank=True)
    # ст.17: a complaint is filed no later than a month after the applicant learned of the decision.
    decision_learned_on = models.DateField(_("date the applicant learned of the decision"),
                                           null=True, blank=True)
    term_restored = models.BooleanField(_("missed term restored"), default=False)
    missing_content = models.CharField(_("required content missing"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="appeal_number_seq_unique"),
            models.CheckConstraint(
                condition=Q(due_date__lte=models.F("max_due_date")), name="appeal_due_within_cap"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # The queue's orders (selectors.WORK_ORDER, SORTS), each ending on the id, so a page
            # is read from the index in order and the scan stops there (ADR lists). Partial on
            # the statuses still under consideration, the queue's default; the work order also
            # whole, for "all statuses".
            models.Index(fields=["-priority", "due_date", "-received_at", "-id"],
                         condition=Q(status__in=QUEUE_OPEN), name="appeal_open_work_order"),
            models.Index(fields=["-priority", "due_date", "-received_at", "-id"],
                         name="appeal_work_order"),
            models.Index(fields=["received_at", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_received"),
            models.Index(fields=["received_at", "id"], name="appeal_received_id"),
            models.Index(fields=["due_date", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_due"),
            models.Index(fields=["number", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_number"),
            # The channel filter: its bounded count read from this index alone.
            models.Index(fields=["channel", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_channel"),
            # Overdue (selectors_queue.overdue_q) in the work order: the appeals under control,
            # their nearest owed date last, so "next_due < today" is checked inside the index
            # as it is walked in the page's order (and counted from it alone).
            models.Index(fields=["-priority", "due_date", "-received_at", "-id", "next_due"],
                         condition=Q(status__in=UNDER_CONTROL), name="appeal_overdue_work_order"),
            # An executor's queue: its appeals (by id, from its assignments) still open, with the
            # work order's keys, read from this index alone (access.appeals_visible_to); and the
            # count of a search of the open appeals by ids and applicants (ADR 26).
            models.Index(fields=["id"], include=["priority", "due_date", "received_at", "applicant"],
                         condition=Q(status__in=QUEUE_OPEN), name="appeal_open_id_applicant"),
            # The sort by executor, both ways, empty keys last (selectors_queue.order_keys).
            # (PostgreSQL's ascending order puts them last already.)
            models.Index(fields=["executor_key", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_executor"),
            NullsLastIndex(F("executor_key").desc(nulls_last=True), F("id").desc(),
                           condition=Q(status__in=QUEUE_OPEN), name="appeal_open_executor_desc"),
            # The other sorts of the open appeals, each in its order (ADR lists): by priority
            # and by status (both ways), and the control date descending with the empty ones
            # last (the ascending order is appeal_open_due's).
            models.Index(fields=["priority", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_priority"),
            models.Index(fields=["status", "id"], condition=Q(status__in=QUEUE_OPEN),
                         name="appeal_open_status"),
            NullsLastIndex(F("due_date").desc(nulls_last=True), F("id").desc(),
                           condition=Q(status__in=QUEUE_OPEN), name="appeal_open_due_desc"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def index(self) -> str:
        """The registration index as shown and printed (Instruction No. 348, п.8): the number
        with «КО» for a collective appeal, «БП» for an anonymous one — also a named letter that
        ст.8 deems anonymous (unsigned, no place of residence) while it stays not considered. The
        stored `number` stays unmarked: it is unique and in URLs."""
        mark = INDEX_MARKS.get(self.subject)
        if self.not_considered_reason == NotConsideredReason.ANONYMOUS:
            mark = INDEX_MARKS[Subject.ANONYMOUS.value]
        return f"{self.number}/{mark}" if mark else self.number

    @property
    def is_electronic(self) -> bool:
        return self.channel in ELECTRONIC_CHANNELS

    @property
    def is_public_information(self) -> bool:
        return self.kind == Kind.PUBLIC_INFORMATION


class AppealCosigner(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appeal", "applicant"], name="cosigner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.applicant_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"appeals/{instance.appeal.year}/{instance.appeal_id}/{instance.sha256[:16]}"


class Attachment(TimeStampedModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
