"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from vikno.audit import services


# Every few seconds (CELERY_BEAT_SCHEDULE). No lock of its own: the chain head serialises sealers,
# and a run that overlaps another waits for it and then finds less to do. A killed run rolls back
# its batch, which the next run seals.
@shared_task(name="vikno.audit.tasks.audit_seal", ignore_result=True, soft_time_limit=60,
             time_limit=90)
def audit_seal() -> int:
    return services.seal()
