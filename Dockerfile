# Vikno's image: one image for every role (bin/entrypoint.sh web | worker | beat | migrate).
# Build: docker build -t vikno .   Run the whole stack: docker compose up (compose.yaml).
# Configuration comes from the environment only (.env.example); nothing secret is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_NO_PROGRESS=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    VIKNO_VAR_DIR=/app/var \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app

# The same pinned uv as the Makefile's UV_VERSION.
RUN pip install --no-cache-dir uv==0.13.8

# The locked dependencies first (a layer that changes only with uv.lock), without the dev group.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY manage.py ./
COPY bin ./bin
COPY config ./config
COPY vikno ./vikno
COPY data ./data

# Translations compiled and static files collected at build time (the web role collects again,
# which is quick when nothing changed).
RUN python bin/compilemessages.py \
    && python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app vikno \
    && mkdir -p /app/var/media \
    && chown -R vikno /app/var

USER vikno
ENV GUNICORN_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/app/var/metrics
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["bin/entrypoint.sh"]
CMD ["web"]
