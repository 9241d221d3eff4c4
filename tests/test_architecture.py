"""The dependency rule, checked on the sources.

import-linter guards the layers and the ban on DRF and our api/views modules; it takes external
packages whole, so it cannot forbid `django.http` while allowing the rest of Django. That part
is read here from the domain modules' own import statements.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIKNO = ROOT / "vikno"
DOMAIN_MODULES = ("models", "services", "selectors", "lifecycle")
FORBIDDEN_PREFIXES = ("django.http", "rest_framework")
FORBIDDEN_OWN_MODULES = ("api", "views")


def domain_sources() -> list[Path]:
    """models*.py, services.py, selectors.py, lifecycle.py of every app, and their packages."""
    found: set[Path] = set()
    for app in sorted(p for p in VIKNO.iterdir() if (p / "apps.py").exists()):
        found.update(app.glob("models*.py"))
        for name in DOMAIN_MODULES:
            found.update(app.glob(f"{name}.py"))
            found.update(app.glob(f"{name}/**/*.py"))
    return sorted(found)


def imported_names(path: Path) -> list[str]:
    """Absolute names of every module the file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.append(base)
            # `from django import http` and `from vikno.x import views` name modules too.
            names.extend(f"{base}.{alias.name}" for alias in node.names)
    return names


def violations(path: Path) -> list[str]:
    return [name for name in imported_names(path) if _is_interface(name)]


def _is_interface(name: str) -> bool:
    if any(name == p or name.startswith(p + ".") for p in FORBIDDEN_PREFIXES):
        return True
    parts = name.split(".")
    return parts[0] == "vikno" and any(part in FORBIDDEN_OWN_MODULES for part in parts[2:])


def test_domain_sources_are_found():
    # the check below must not pass by reading nothing
    names = {p.relative_to(VIKNO).as_posix() for p in domain_sources()}
    assert "audit/models.py" in names
    assert "audit/services.py" in names
    assert any(name.startswith("appeals/") for name in names)


@pytest.mark.parametrize("path", domain_sources(), ids=lambda p: p.relative_to(VIKNO).as_posix())
def test_domain_module_imports_no_interface(path):
    assert violations(path) == []


@pytest.mark.parametrize("source, expected", [
    ("from django.http import HttpResponse", ["django.http", "django.http.HttpResponse"]),
    ("from django import http", ["django.http"]),
    ("import rest_framework.serializers", ["rest_framework.serializers"]),
    ("from vikno.appeals import views", ["vikno.appeals.views"]),
    ("from vikno.portal.api.open311 import x", ["vikno.portal.api.open311",
                                                "vikno.portal.api.open311.x"]),
    ("from .views import x", ["vikno.appeals.views", "vikno.appeals.views.x"]),
    ("from django.db import models", []),
    ("from vikno.audit import services", []),
])
def test_the_check_itself_spots_interface_imports(tmp_path, monkeypatch, source, expected):
    # given a domain module with one import statement, placed as if in vikno/appeals/
    module = tmp_path / "vikno" / "appeals" / "services.py"
    module.parent.mkdir(parents=True)
    module.write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)

    # when / then
    assert violations(module) == expected


def test_import_contracts_are_kept():
    # when
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 - a tool of our own environment
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=False,
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
