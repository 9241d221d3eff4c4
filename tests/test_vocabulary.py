"""One vocabulary, checked on the sources: audit actions from the registry, history actions from
TransitionAction, statuses from the lifecycle's enums, the centre's roles and the owing statuses
from one constant each. Each check is a function of a source text, so a planted mistake proves
that it can fail."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib import admin

from vikno.accounts.roles import CASE_ROLES, CENTRE_ROLES, Role
from vikno.appeals.lifecycle import OWING_STATUSES, AppealStatus, AssignmentStatus, TransitionAction
from vikno.appeals.services._common import APPEAL_MOVE_EVENTS
from vikno.audit.actions import AuditAction
from vikno.directory.admin import AuditedAdmin

ROOT = Path(__file__).resolve().parent.parent
VIKNO = ROOT / "vikno"
STATUS_VALUES = frozenset(AppealStatus.values) | frozenset(AssignmentStatus.values)
# Calls whose `action=` names an audit event, and those whose `action=` names a history line.
AUDIT_CALLS = {"record": AuditAction, "assignment_move": AuditAction}
HISTORY_CALLS = {"appeal_move": TransitionAction, "history": TransitionAction,
                 "_send_back": TransitionAction, "term_close": TransitionAction}


def code_sources(*, skip: tuple[str, ...] = ()) -> list[Path]:
    """Every module of vikno except tests and migrations (and the `skip` parts)."""
    return sorted(p for p in VIKNO.rglob("*.py")
                  if not {"tests", "migrations", *skip} & set(p.relative_to(VIKNO).parts))


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _alternatives(value: ast.expr) -> Iterator[ast.expr]:
    """`a if c else b` passes a or b: each must be a registered name."""
    if isinstance(value, ast.IfExp):
        yield from _alternatives(value.body)
        yield from _alternatives(value.orelse)
    else:
        yield value


def action_problems(source: str) -> list[str]:
    """`action=` arguments that are not members of their vocabulary: literal strings, f-strings
    and unknown members are refused; a variable or a call is checked where it is built."""
    calls = AUDIT_CALLS | HISTORY_CALLS
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _called(node) not in calls:
            continue
        vocabulary = calls[_called(node)]
        for keyword in (k for k in node.keywords if k.arg == "action"):
            for value in _alternatives(keyword.value):
                if isinstance(value, ast.Name | ast.Call):
                    continue
                if (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
                        and value.value.id == vocabulary.__name__
                        and value.attr in vocabulary.__members__):
                    continue
                problems.append(f"line {node.lineno}: {_called(node)}(action={ast.unparse(value)})")
    return problems


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def raw_status_problems(source: str) -> list[str]:
    """String literals equal to a status value used as a status: compared, in a literal
    collection, or passed as a `…status…=` keyword argument. Other words are left alone."""
    tree = ast.parse(source)
    parents = _parents(tree)
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and node.value in STATUS_VALUES):
            continue
        parent = parents.get(node)
        as_status = (isinstance(parent, ast.Compare | ast.List | ast.Tuple | ast.Set)
                     or (isinstance(parent, ast.keyword) and "status" in (parent.arg or "")))
        if as_status:
            problems.append(f"line {node.lineno}: {node.value!r}")
    return problems


def _literal_members(node: ast.AST) -> frozenset[str] | None:
    """The `X.Y` members of a tuple/list/set literal, as "X.Y"; None for anything else."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set) or not node.elts:
        return None
    if not all(isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) for e in node.elts):
        return None
    return frozenset(ast.unparse(e) for e in node.elts)


ONE_CONSTANT = {
    "accounts.roles.CENTRE_ROLES": {frozenset({"Role.OPERATOR", "Role.SUPERVISOR"})},
    "accounts.roles.CASE_ROLES": {frozenset({"Role.OPERATOR", "Role.SUPERVISOR", "Role.EXECUTOR"})},
    "appeals.lifecycle.OWING_STATUSES": {
        frozenset({"AssignmentStatus.ASSIGNED", "AssignmentStatus.IN_WORK",
                   "AssignmentStatus.FOR_REVISION"}),
        frozenset({"A.ASSIGNED", "A.IN_WORK", "A.FOR_REVISION"})},
}


def spelled_out_constants(source: str) -> list[str]:
    """Literal collections that spell out one of ONE_CONSTANT instead of naming it."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        members = _literal_members(node)
        for name, spellings in ONE_CONSTANT.items():
            if members in spellings:
                problems.append(f"line {getattr(node, 'lineno', '?')}: use {name}")
    return problems


# --- the checks, on the project's sources -------------------------------------------------


@pytest.mark.parametrize("path", code_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_action_argument_is_a_registered_member(path):
    assert action_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "path", code_sources(skip=("lifecycle.py", "models")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_raw_status_string_outside_lifecycle_and_models(path):
    assert raw_status_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "path", [p for p in code_sources() if p.relative_to(VIKNO).parts not in
             {("accounts", "roles.py"), ("appeals", "lifecycle.py")}],
    ids=lambda p: str(p.relative_to(ROOT)))
def test_roles_and_owing_statuses_are_named_not_spelled_out(path):
    assert spelled_out_constants(path.read_text(encoding="utf-8")) == []


# --- the checks catch what they are for -----------------------------------------------------


@pytest.mark.parametrize("planted", [
    'audit.record(actor=None, action="appeal.register")',
    'audit.record(actor=None, action=f"appeal.{step}")',
    'audit.record(actor=None, action=AuditAction.APPEAL_INVENTED)',
    'record(actor=None, action=AuditAction.ACCOUNT_LOGIN if ok else "account.oops")',
    'assignment_move(actor=a, assignment=b, target=c, action="cancel")',
    'appeal_move(actor=a, appeal=b, target=c, action="assign")',
    'appeal_move(actor=a, appeal=b, target=c, action=AuditAction.APPEAL_ASSIGN)',
    'history(appeal=a, actor=b, action="reroute")',
    'term_close(appeal=a, action="forward")',
])
def test_a_planted_unregistered_action_is_found(planted):
    assert len(action_problems(planted)) == 1


@pytest.mark.parametrize("planted", [
    'if appeal.status == "closed": pass',
    'x = assignment.status in ("returned", "cancelled")',
    'Assignment.objects.filter(status__in=["assigned", "in_work"])',
    'Appeal.objects.filter(status="registered")',
    'Transition(to_status="answered")',
])
def test_a_planted_raw_status_is_found(planted):
    assert raw_status_problems(planted)


@pytest.mark.parametrize("innocent", [
    'Assignment.objects.filter(status=AssignmentStatus.CLOSED)',
    'tabs = {"answered": {"status": AssignmentStatus.ANSWERED}}',
    'row["in_work"]',
    'notice(kind="registered")',
    '"""The appeal is closed."""',
])
def test_other_words_are_not_taken_for_statuses(innocent):
    assert raw_status_problems(innocent) == []


@pytest.mark.parametrize("planted", [
    "allowed = role in (Role.OPERATOR, Role.SUPERVISOR)",
    "NAV = {Role.SUPERVISOR, Role.OPERATOR, Role.EXECUTOR}",
    "owed = [AssignmentStatus.ASSIGNED, AssignmentStatus.IN_WORK, AssignmentStatus.FOR_REVISION]",
])
def test_a_planted_spelled_out_constant_is_found(planted):
    assert spelled_out_constants(planted)


# --- the vocabularies themselves --------------------------------------------------------------


def test_the_named_constants_hold_what_they_name():
    assert {Role.OPERATOR, Role.SUPERVISOR} == CENTRE_ROLES
    assert CENTRE_ROLES | {Role.EXECUTOR} == CASE_ROLES
    owing = {AssignmentStatus.ASSIGNED, AssignmentStatus.IN_WORK, AssignmentStatus.FOR_REVISION}
    assert owing == OWING_STATUSES


@pytest.mark.parametrize("action,event", APPEAL_MOVE_EVENTS.items())
def test_an_appeal_move_keeps_its_stored_audit_name(action, event):
    # Events already in the trail were written as "appeal." + the history action.
    assert event.value == f"appeal.{action.value}"


def test_every_appeal_move_in_the_code_has_an_audit_event():
    used = set()
    for path in code_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) in {"appeal_move", "_send_back"}:
                used.update(ast.unparse(k.value) for k in node.keywords if k.arg == "action")
    used.discard("action")  # _send_back passes its own argument on
    assert used
    assert {TransitionAction[name.removeprefix("TransitionAction.")] for name in used} \
        <= APPEAL_MOVE_EVENTS.keys()


def test_every_audited_admin_model_has_its_three_registered_actions():
    audited = [m for m in admin.site._registry.values() if isinstance(m, AuditedAdmin)]

    assert audited
    for model_admin in audited:
        for verb in ("create", "update", "delete"):
            assert model_admin._action(verb) in AuditAction.values


def test_audit_action_values_are_unique_and_dotted():
    assert len(set(AuditAction.values)) == len(AuditAction)
    assert all("." in value for value in AuditAction.values)
