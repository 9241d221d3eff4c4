"""The transition tables as tables: every (from, to) pair of both status sets is walked.

The allowed pairs are written out below on purpose: changing a table must change this file.
"""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation
from django.utils.translation import gettext

from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import (
    APPEAL_TRANSITIONS,
    ASSIGNMENT_TRANSITIONS,
    AppealStatus,
    AssignmentStatus,
    appeal_transition_check,
    assignment_transition_check,
)

ALLOWED_APPEAL_MOVES = {
    ("registered", "assigned"),
    ("registered", "forwarded"),
    ("registered", "not_considered"),
    ("registered", "returned_missing_content"),
    ("assigned", "in_work"),
    ("assigned", "registered"),
    ("assigned", "forwarded"),
    ("assigned", "not_considered"),
    ("assigned", "returned_missing_content"),
    ("in_work", "answered"),
    ("in_work", "registered"),
    ("in_work", "assigned"),
    ("in_work", "not_considered"),
    ("answered", "awaiting_confirmation"),
    ("answered", "returned_for_revision"),
    ("answered", "closed"),
    ("awaiting_confirmation", "closed"),
    ("awaiting_confirmation", "returned_for_revision"),
    ("returned_for_revision", "in_work"),
    ("returned_for_revision", "answered"),
    ("returned_for_revision", "assigned"),
    ("closed", "returned_for_revision"),
    ("not_considered", "registered"),
}

ALLOWED_ASSIGNMENT_MOVES = {
    ("assigned", "in_work"),
    ("assigned", "returned"),
    ("assigned", "cancelled"),
    ("in_work", "answered"),
    ("in_work", "returned"),
    ("in_work", "cancelled"),
    ("answered", "closed"),
    ("answered", "for_revision"),
    ("for_revision", "in_work"),
    ("for_revision", "answered"),
    ("for_revision", "cancelled"),
    ("closed", "for_revision"),
}

APPEAL_PAIRS = list(itertools.product(AppealStatus.values, repeat=2))
ASSIGNMENT_PAIRS = list(itertools.product(AssignmentStatus.values, repeat=2))
MESSAGE_MSGID = "This action is not possible now: the status “%(current)s” cannot change to “%(target)s”."


def _table_pairs(table: dict) -> set[tuple[str, str]]:
    return {(str(src), str(dst)) for src, targets in table.items() for dst in targets}


def _assert_refused_in_ukrainian(check, current: str, target: str, labels) -> None:
    with translation.override("uk"):
        with pytest.raises(AppealsError) as caught:
            check(current, target)
        # Loosely: whatever the compiled catalogue holds, the message names both statuses in the
        # active language, and is the Ukrainian text once a translation of it exists.
        message = str(caught.value.message)
        translated = gettext(MESSAGE_MSGID) != MESSAGE_MSGID
        current_label, target_label = str(labels(current).label), str(labels(target).label)
    assert caught.value.code == "illegal_transition"
    assert caught.value.http_status == 409
    assert current_label in message and target_label in message
    if translated:
        assert any("а" <= ch <= "я" for ch in message.lower())


def test_the_appeal_table_is_exactly_the_documented_set_of_moves():
    # given the table in lifecycle.py / when read as pairs / then it is the set written above
    assert _table_pairs(APPEAL_TRANSITIONS) == ALLOWED_APPEAL_MOVES
    assert set(APPEAL_TRANSITIONS) == set(AppealStatus)


def test_the_assignment_table_is_exactly_the_documented_set_of_moves():
    assert _table_pairs(ASSIGNMENT_TRANSITIONS) == ALLOWED_ASSIGNMENT_MOVES
    assert set(ASSIGNMENT_TRANSITIONS) == set(AssignmentStatus)


@pytest.mark.parametrize(("current", "target"), APPEAL_PAIRS)
def test_appeal_move(current, target):
    # given a pair of appeal statuses
    if (current, target) in ALLOWED_APPEAL_MOVES:
        # when / then an allowed move passes silently
        appeal_transition_check(current, target)
    else:
        # when / then every other move is refused with 409 and a message in the user's language
        _assert_refused_in_ukrainian(appeal_transition_check, current, target, AppealStatus)


@pytest.mark.parametrize(("current", "target"), ASSIGNMENT_PAIRS)
def test_assignment_move(current, target):
    if (current, target) in ALLOWED_ASSIGNMENT_MOVES:
        assignment_transition_check(current, target)
    else:
        _assert_refused_in_ukrainian(assignment_transition_check, current, target, AssignmentStatus)


def test_no_status_moves_to_itself():
    # given / when / then: staying put is not a move, so a repeated action is refused
    assert not any(src == dst for src, dst in ALLOWED_APPEAL_MOVES | ALLOWED_ASSIGNMENT_MOVES)


def test_final_statuses_have_no_way_out():
    assert APPEAL_TRANSITIONS[AppealStatus.FORWARDED] == frozenset()
    assert APPEAL_TRANSITIONS[AppealStatus.RETURNED_MISSING_CONTENT] == frozenset()
    assert ASSIGNMENT_TRANSITIONS[AssignmentStatus.RETURNED] == frozenset()
    assert ASSIGNMENT_TRANSITIONS[AssignmentStatus.CANCELLED] == frozenset()
