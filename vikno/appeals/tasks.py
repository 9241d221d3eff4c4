"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from vikno.appeals import services


@shared_task(name="vikno.appeals.tasks.deadline_control")
def deadline_control() -> dict[str, int]:
    report = services.deadline_control()
    return {"reminded": report.reminded, "escalated": report.escalated,
            "unrouted": report.unrouted}
