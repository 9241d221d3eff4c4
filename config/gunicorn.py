"""gunicorn settings for `make prod-local` and production (bin/prod_local.py passes -c).

Bind address and worker count come from the environment (GUNICORN_BIND, GUNICORN_WORKERS). The
application is imported once, in the master, with its URLs and the lemmatiser's dictionaries, and
forked into the workers (`preload_app`): a worker replaced after `max_requests` starts serving at
once instead of spending some 3 s of CPU re-importing Django and the project (ADR 24). Nothing
opens a database connection at import; a code change needs a restart of the master, not HUP. The
access log is off: the application writes its own (vikno.access, JSON, without query strings),
since gunicorn's request line would carry a search's query string.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8100")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
preload_app = True
max_requests = 2000
max_requests_jitter = 200
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "vikno.core.logging.PersonalDataFilter"}},
    "formatters": {"json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                             "filters": ["personal_data"]}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker that exits leaves its live gauges behind unless told (prometheus multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def when_ready(server):  # type: ignore[no-untyped-def]
    """In the master, before the first fork: what the first requests would otherwise load in
    every worker (the URL modules and their resolver; the lemmatiser's dictionaries, which every
    registration and search uses)."""
    from django.urls import reverse

    from vikno.core import fulltext

    reverse("healthz")  # imports every URL module and builds the resolver
    fulltext.warm()
