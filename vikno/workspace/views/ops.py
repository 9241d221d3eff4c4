"""Operations endpoints, outside the workspace and its login: liveness, readiness and metrics.

`/healthz` answers 200 while the process can serve (it touches nothing else). `/readyz` answers
200 only when the database answers, every migration is applied and the Celery broker (when one
is configured) answers; otherwise 503 with the name of each failed check. Neither says more than
"ok" / "fail" / "not configured": no host names, versions or error texts.

`/metrics` is the Prometheus exposition. With VIKNO_METRICS_TOKEN set it needs
`Authorization: Bearer <token>`, from anywhere; without it only a request from the machine itself
(127.0.0.1, ::1) gets an answer. Everyone else gets 404, as if it were not there.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from vikno.appeals import selectors, selectors_stats
from vikno.audit import selectors as audit_selectors

log = logging.getLogger(__name__)

OK, FAIL, NOT_CONFIGURED = "ok", "fail", "not configured"
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": OK})


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        log.warning("readiness: database unreachable", extra={"error": type(error).__name__})
        return FAIL
    return OK


def check_migrations() -> str:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        log.warning("readiness: migrations not readable", extra={"error": type(error).__name__})
        return FAIL
    if plan:
        log.warning("readiness: migrations not applied", extra={"pending": len(plan)})
        return FAIL
    return OK


def broker_client() -> Any | None:
    """A Redis client for the Celery broker, or None when tasks run in-process."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def check_broker() -> str:
    client = broker_client()
    if client is None:
        return NOT_CONFIGURED
    try:
        client.ping()
    except Exception as error:
        log.warning("readiness: broker unreachable", extra={"error": type(error).__name__})
        return FAIL
    finally:
        client.close()
    return OK


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    database = check_database()
    checks = {
        "database": database,
        "migrations": check_migrations() if database == OK else FAIL,
        "broker": check_broker(),
    }
    ready = all(result in (OK, NOT_CONFIGURED) for result in checks.values())
    return JsonResponse({"status": OK if ready else FAIL, "checks": checks},
                        status=200 if ready else 503)


class DomainCollector(Collector):
    """Figures read at scrape time from the database and the broker, so every worker reports the
    same: intake per channel, the overdue count, the audit events waiting to be sealed and the
    Celery queue length."""

    def collect(self) -> Iterator[Any]:
        try:
            by_channel = selectors_stats.intake_by_channel()
            overdue = selectors.overdue_count()
        except Exception as error:
            # The request metrics still go out; /readyz tells what is wrong.
            log.warning("metrics: database unreachable", extra={"error": type(error).__name__})
        else:
            intake = CounterMetricFamily("vikno_appeals_received",
                                         "Appeals registered, per channel", labels=["channel"])
            for channel, count in by_channel.items():
                intake.add_metric([channel], count)
            yield intake
            yield GaugeMetricFamily("vikno_appeals_overdue", "Appeals past a control date",
                                    value=overdue)
        try:
            waiting = audit_selectors.unsealed()
        except Exception as error:
            log.warning("metrics: database unreachable", extra={"error": type(error).__name__})
        else:
            # Alert when the oldest waits longer than VIKNO_AUDIT_SEAL_ALARM: the sealer is down.
            yield GaugeMetricFamily("vikno_audit_unsealed_events",
                                    "Audit events written but not yet chained", value=waiting.count)
            yield GaugeMetricFamily("vikno_audit_unsealed_oldest_seconds",
                                    "How long the oldest unsealed audit event has waited",
                                    value=waiting.oldest_seconds)
        queue = GaugeMetricFamily("vikno_celery_queue_length", "Tasks waiting in the Celery queue",
                                  labels=["queue"])
        client = broker_client()
        if client is not None:
            name = settings.CELERY_TASK_DEFAULT_QUEUE
            try:
                queue.add_metric([name], client.llen(name))
            except Exception as error:
                log.warning("metrics: broker unreachable", extra={"error": type(error).__name__})
            finally:
                client.close()
        yield queue


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES


def registry() -> CollectorRegistry:
    """The request metrics (summed over the gunicorn workers when PROMETHEUS_MULTIPROC_DIR is
    set) and the domain figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)
    else:
        merged = CollectorRegistry()
        merged.register(_Default())
    merged.register(DomainCollector())
    return merged


class _Default(Collector):
    """This process's own metrics (the default registry), next to the domain figures."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


# The database cannot be reached (a restart, a failover, connections exhausted) or gave up on a
# lock: nothing is wrong with the request, so say "try again shortly" (503, Retry-After) to the
# browser and the load balancer instead of 500. A registration resubmitted then keeps its intake
# token and is registered once.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 15


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the uncaught exception."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
