"""docs/law.md names, for every rule of the Law, the tests that prove it: each must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAW_DOC = ROOT / "docs" / "law.md"
NODE_ID = re.compile(r"`([\w/.-]+\.py)::([\w]+)(?:::([\w]+))?`")


def _rows() -> list[tuple[str, list[tuple[str, str, str | None]]]]:
    rows = []
    for line in LAW_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("rule", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append((f"{cells[0]}: {cells[1]}", NODE_ID.findall(cells[3])))
    return rows


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{item.name}" for item in node.body
                         if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef))
    return names


def test_the_law_table_has_rules():
    assert len(_rows()) >= 10


@pytest.mark.parametrize(("rule", "node_ids"), _rows(), ids=lambda value: str(value)[:60])
def test_every_rule_names_tests_that_exist(rule, node_ids):
    assert node_ids, f"{rule}: names no test"
    for path, name, method in node_ids:
        file = ROOT / path
        assert file.is_file(), f"{rule}: {path} does not exist"
        wanted = f"{name}::{method}" if method else name
        assert wanted in _defined_tests(file), f"{rule}: {path}::{wanted} does not exist"
