"""Maintained counts: what the dashboard and the statistics read instead of scanning the registry.

Each row is one figure's part. `DailyCount` holds the appeals' facts by the day of receipt (in
Kyiv): how many appeals of that day are now in each status, came by each channel, concern each
topic, lie in each raion, are priority ones (ст.20). `AuthorityCount` holds the main assignments'
facts per authority (no day: the executors' table covers all time). The services keep them in the
same transaction as the change they count (`services.counts`); `counts_rebuild` recomputes them
from the registry. A figure is the sum of its rows over `shard`: concurrent writes of one figure
go to different rows, so registrations do not queue on one counter.
"""

from __future__ import annotations

from django.db import models

from vikno.directory.models import Authority


class Dimension(models.TextChoices):
    STATUS = "status"
    CHANNEL = "channel"
    TOPIC = "topic"  # appeals with at least one question of the topic (the Topic id)
    RAION = "raion"  # the second code of the territory's path
    PRIORITY = "priority"  # key "1": priority appeals (ст.20)
    RECEIVED = "received"  # key "": every appeal received that day (the intake chart)


class _Count(models.Model):
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    key = models.CharField(max_length=40)
    # Requests for public information are not appeals under Law 393/96: counted apart (ADR 13).
    public_information = models.BooleanField(default=False)
    shard = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DailyCount(_Count):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "dimension", "key", "public_information",
                                            "shard"], name="dailycount_unique"),
        ]
        indexes = [
            # PostgreSQL reads a figure from the index alone (the other databases ignore include).
            models.Index(fields=["dimension", "day"], include=["key", "public_information", "n"],
                         name="dailycount_dimension_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}: {self.n}"


class MonthlyCount(_Count):
    """The same figures per month (`month` is its first day): a period of whole months is read
    from a few rows per month, its ragged ends from DailyCount."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "dimension", "key", "public_information",
                                            "shard"], name="monthlycount_unique"),
        ]
        indexes = [
            models.Index(fields=["dimension", "month"], include=["key", "public_information", "n"],
                         name="monthlycount_dimension_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}={self.key}: {self.n}"


class AuthorityMeasure(models.TextChoices):
    """Besides the main assignments' statuses (their values are measures too)."""

    FIRST_REPLIES = "first_replies"  # main assignments answered at least once
    FIRST_REPLY_MICROSECONDS = "first_reply_us"  # their time to the first answer, summed


class AuthorityCount(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    # An AssignmentStatus value (main assignments in it) or an AuthorityMeasure.
    measure = models.CharField(max_length=20)
    shard = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "measure", "shard"],
                                    name="authoritycount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.authority_id} {self.measure}: {self.n}"


class CountSnapshot(models.Model):
    """The figures that depend on today and are no fact of a day (overdue now, ст.7 terms past
    their 5 days, missed control dates per week), computed every few minutes by a periodic task
    (`services.stats_snapshot_refresh`): the pages read them with the moment they were taken."""

    name = models.CharField(max_length=40, unique=True)
    today = models.DateField()
    taken_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.name} at {self.taken_at:%Y-%m-%d %H:%M}"
