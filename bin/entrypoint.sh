#!/bin/sh
# The container's entrypoint (Dockerfile, compose.yaml): one image, one role per container.
#
#   entrypoint.sh web      migrate (unless VIKNO_MIGRATE=0), collectstatic, then gunicorn
#   entrypoint.sh worker   the Celery worker on CELERY_TASK_DEFAULT_QUEUE (vikno)
#   entrypoint.sh beat     Celery beat (exactly one per installation)
#   entrypoint.sh migrate  migrate and load the reference data, then exit (a one-off job)
#   entrypoint.sh manage COMMAND ...   any manage.py command
#
# Configuration comes from the environment only (.env.example). Each server is exec'd, so it is
# the container's main process and gets the SIGTERM of `docker stop` itself.
set -eu

cd "$(dirname "$0")/.."
PYTHON="${VIKNO_PYTHON:-python}"
role="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

migrate() {
    "$PYTHON" manage.py migrate --no-input
    "$PYTHON" manage.py load_reference
}

case "$role" in
    web)
        # With several web containers, let one job migrate (role "migrate") and set
        # VIKNO_MIGRATE=0 on the others: two migrations must not run at once.
        if [ "${VIKNO_MIGRATE:-1}" = "1" ]; then
            migrate
        fi
        "$PYTHON" manage.py collectstatic --no-input --verbosity 0
        if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
            # The workers' metrics meet here; what an earlier run left would be counted again.
            rm -rf "$PROMETHEUS_MULTIPROC_DIR"
            mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
        fi
        exec "$PYTHON" -m gunicorn -c config/gunicorn.py config.wsgi
        ;;
    worker)
        exec "$PYTHON" -m celery -A config worker --loglevel INFO \
            --queues "${CELERY_TASK_DEFAULT_QUEUE:-vikno}" "$@"
        ;;
    beat)
        exec "$PYTHON" -m celery -A config beat --loglevel INFO \
            --schedule "${VIKNO_VAR_DIR:-var}/celerybeat-schedule" "$@"
        ;;
    migrate)
        migrate
        ;;
    manage)
        exec "$PYTHON" manage.py "$@"
        ;;
    *)
        echo "unknown role '$role': web, worker, beat, migrate or manage" >&2
        exit 2
        ;;
esac
