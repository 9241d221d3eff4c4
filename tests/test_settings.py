import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DEBUG", "VIKNO_TESTING", "DATABASE_URL"}}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},  # noqa: S603
                          capture_output=True, text=True, timeout=60, check=False)


def test_production_entry_point_refuses_the_development_key() -> None:
    # given no SECRET_KEY and DEBUG off, when the WSGI application is loaded
    result = _python("import config.wsgi")
    # then it refuses to serve
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_entry_point_starts_with_a_key() -> None:
    result = _python("import config.wsgi", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
