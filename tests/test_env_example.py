"""`.env.example` names every variable the configuration reads from the environment."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["config/settings.py", "config/gunicorn.py", "bin/prod_local.py",
           "bin/prod_local_services.py", "bin/pg_replica.py", "vikno/workspace/views/ops.py"]
READ = re.compile(r"""(?:environ(?:\.get|\.setdefault)?\(|environ\[|env_bool\(|env\.setdefault\(|env=)"""
                  r"""\s*["']([A-Z_]+)["']""")


def test_every_environment_variable_is_in_env_example() -> None:
    # given
    read = {name for source in SOURCES for name in READ.findall((ROOT / source).read_text())}
    example = (ROOT / ".env.example").read_text()

    # then
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "VIKNO_METRICS_TOKEN"} <= read
    assert sorted(name for name in read if not re.search(rf"\b{name}\b", example)) == []
