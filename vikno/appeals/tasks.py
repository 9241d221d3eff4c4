"""Thin Celery tasks: each calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, close_old_connections

from vikno.appeals import services

# A database restart or failover: retried after 2, 4, 8 … 60 s (for about ten minutes) instead of
# waiting for the next scheduled run.
DATABASE_GONE = (OperationalError, InterfaceError)


# acks_late: a worker that dies mid-run leaves the message to be run again, which is safe because
# deadline_control claims every row it writes (no second reminder or escalation). No lock: the
# database claim already makes overlapping runs harmless, and a lock that outlives a killed worker
# would only delay the next run. The time limit stops a run stuck on a lock (its transaction rolls
# back and the next run picks the rows up). A run cut off by the database rolled back whole, so
# retrying it is safe too.
@shared_task(name="vikno.appeals.tasks.deadline_control", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=600, time_limit=660,
             autoretry_for=DATABASE_GONE, retry_backoff=2, retry_backoff_max=60,
             retry_jitter=False, max_retries=15)
def deadline_control() -> dict[str, int]:
    try:
        report = services.deadline_control()
    except DATABASE_GONE:
        # The connection died under the run: drop it, so that the retry opens a new one.
        close_old_connections()
        raise
    return {"reminded": report.reminded, "escalated": report.escalated,
            "unrouted": report.unrouted}


# Every few minutes (CELERY_BEAT_SCHEDULE "stats-snapshot"): a run replaces one row, so a lost or
# repeated run costs nothing but freshness; the pages compute the figures themselves past 15
# minutes without one.
@shared_task(name="vikno.appeals.tasks.stats_snapshot", soft_time_limit=240, time_limit=270)
def stats_snapshot() -> str:
    return services.stats_snapshot_refresh().taken_at.isoformat()
