"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from vikno.appeals import services


# acks_late: a worker that dies mid-run leaves the message to be run again, which is safe because
# deadline_control claims every row it writes (no second reminder or escalation). No lock: the
# database claim already makes overlapping runs harmless, and a lock that outlives a killed worker
# would only delay the next run. The time limit stops a run stuck on a lock (its transaction rolls
# back and the next run picks the rows up).
@shared_task(name="vikno.appeals.tasks.deadline_control", acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=600, time_limit=660)
def deadline_control() -> dict[str, int]:
    report = services.deadline_control()
    return {"reminded": report.reminded, "escalated": report.escalated,
            "unrouted": report.unrouted}


# Every few minutes (CELERY_BEAT_SCHEDULE "stats-snapshot"): a run replaces one row, so a lost or
# repeated run costs nothing but freshness; the pages compute the figures themselves past 15
# minutes without one.
@shared_task(name="vikno.appeals.tasks.stats_snapshot", soft_time_limit=240, time_limit=270)
def stats_snapshot() -> str:
    return services.stats_snapshot_refresh().taken_at.isoformat()
