"""Request metrics and the access log.

One middleware, first in the chain, times every request and records it twice: in the Prometheus
metrics (`vikno_http_requests_total`, `vikno_http_request_duration_seconds`, labelled by method,
URL name and status) and as one line of the `vikno.access` log. Both name the URL by its name
(`workspace:appeal_card`), never by its path or query string, so neither carries personal data
and the label set stays small. Under gunicorn the metrics of all workers are summed through
PROMETHEUS_MULTIPROC_DIR (see config/gunicorn.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Counter, Histogram

access_log = logging.getLogger("vikno.access")

REQUESTS = Counter("vikno_http_requests", "HTTP requests served", ["method", "view", "status"])
LATENCY = Histogram("vikno_http_request_duration_seconds", "Time to answer an HTTP request",
                    ["method", "view"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

UNRESOLVED = "<unresolved>"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_name(request: Any) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None else "") or UNRESOLVED


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        view = view_name(request)
        REQUESTS.labels(method, view, str(response.status_code)).inc()
        LATENCY.labels(method, view).observe(elapsed)
        access_log.info("%s %s %s", method, view, response.status_code, extra={
            "method": method, "route": view, "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1)})
        return response
