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
            found.update(app.glob(f"{name}_*.py"))  # e.g. appeals/selectors_control.py
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
    assert "appeals/selectors_control.py" in names


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


# The workspace is an interface: it reads through selectors and writes only by calling the
# domain's services, which validate, write and audit in one transaction. So no module of it
# saves, creates, updates or deletes rows, or records audit events itself.
WORKSPACE = VIKNO / "workspace"
WRITE_METHODS = frozenset({"save", "create", "update", "delete", "bulk_create", "bulk_update",
                           "get_or_create", "update_or_create", "record"})


def workspace_sources() -> list[Path]:
    return sorted(p for p in WORKSPACE.rglob("*.py") if "tests" not in p.relative_to(VIKNO).parts)


def _dict_names(tree: ast.AST) -> set[str]:
    """Names bound to a dict literal or dict(...) in the module: their .update() is no write."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and _is_dict(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _is_dict(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Dict | ast.DictComp) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict")


def _is_plain_dict(receiver: ast.AST, dict_names: set[str]) -> bool:
    # A widget's `attrs` is a plain dict of HTML attributes, not a model or a queryset.
    return (_is_dict(receiver)
            or (isinstance(receiver, ast.Name) and receiver.id in dict_names)
            or (isinstance(receiver, ast.Attribute) and receiver.attr == "attrs"))


def writes(path: Path) -> list[str]:
    """`line: call` of every write-like call in the module, and any import of the audit service."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    dict_names = _dict_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_METHODS
                and not (node.func.attr == "update" and _is_plain_dict(node.func.value, dict_names))):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    found.extend(f"imports {name}" for name in imported_names(path)
                 if name == "vikno.audit.services" or name.startswith("vikno.audit.services."))
    return found


def test_workspace_sources_are_found():
    names = {p.relative_to(VIKNO).as_posix() for p in workspace_sources()}
    assert "workspace/views/card.py" in names
    assert not any("/tests/" in name for name in names)


@pytest.mark.parametrize("path", workspace_sources(), ids=lambda p: p.relative_to(VIKNO).as_posix())
def test_the_workspace_writes_nothing_itself(path):
    assert writes(path) == []


@pytest.mark.parametrize("source, expected", [
    ("audit.record(actor=u, action='x')", ["1: audit.record()"]),
    ("from vikno.audit.services import record", ["imports vikno.audit.services",
                                                 "imports vikno.audit.services.record"]),
    ("appeal.save(update_fields=['status'])", ["1: appeal.save()"]),
    ("Appeal.objects.create(number='1')", ["1: Appeal.objects.create()"]),
    ("Appeal.objects.filter(pk=1).update(status='closed')",
     ["1: Appeal.objects.filter(pk=1).update()"]),
    ("qs.delete()", ["1: qs.delete()"]),
    ("form.fields['x'].widget.attrs.update({'a': 1})", []),
    ("ctx = {}\nctx.update(a=1)", []),
    ("ctx = dict()\nctx.update(a=1)", []),
    ("{'a': 1}.update(b=2)", []),
    ("appeal.refresh_from_db()", []),
])
def test_the_write_check_itself(tmp_path, monkeypatch, source, expected):
    # given a workspace module with one statement
    module = tmp_path / "vikno" / "workspace" / "views" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)

    # when / then
    assert writes(module) == expected
