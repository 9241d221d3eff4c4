"""The access matrix of the case file at the service and selector level (access.py, selectors.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import access, selectors, services
from vikno.appeals.access import Action
from vikno.appeals.models import Assignment, AssignmentRole, ReplyResult
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import applicant_data, executor_of, letter, register
from vikno.core.errors import NotFound, PermissionDenied

ROLES = ["operator", "supervisor", "executor", "other_executor", "analyst", "security_admin",
         "system_admin", "inactive", "anonymous"]


@pytest.fixture
def users(book, operator, supervisor, executor, other_executor, analyst, security_admin,
          system_admin):
    return {
        "operator": operator, "supervisor": supervisor, "executor": executor,
        "other_executor": other_executor, "analyst": analyst, "security_admin": security_admin,
        "system_admin": system_admin,
        "inactive": UserFactory(role=Role.SUPERVISOR, is_active=False),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def appeal(book, operator):
    """Routed to the hromada council (the `executor`'s authority)."""
    return register(actor=operator)


GET_FOR = {
    "operator": "appeal", "supervisor": "appeal", "executor": "appeal",
    "other_executor": NotFound, "analyst": PermissionDenied, "security_admin": PermissionDenied,
    "system_admin": PermissionDenied, "inactive": PermissionDenied, "anonymous": PermissionDenied,
}


@pytest.mark.parametrize("role", ROLES)
def test_appeal_get_for(users, appeal, role):
    # given
    user = users[role]
    expected = GET_FOR[role]

    # when / then
    if expected == "appeal":
        assert access.appeal_get_for(user=user, number=appeal.number) == appeal
    else:
        with pytest.raises(expected) as caught:
            access.appeal_get_for(user=user, number=appeal.number)
        assert caught.value.code == ("not_found" if expected is NotFound else "forbidden")


def test_an_unknown_number_is_not_found(users):
    with pytest.raises(NotFound):
        access.appeal_get_for(user=users["operator"], number="ЗК-2026-999999")


V, RT, EX, SH, DE, RV, FB, CL, RO, FW, NC, RE, AT, AN = (
    Action.VIEW, Action.ROUTE, Action.EXTEND, Action.SHORTEN, Action.DECIDE_EXTENSION,
    Action.REVIEW, Action.FEEDBACK, Action.CLOSE, Action.REOPEN, Action.FORWARD,
    Action.NOT_CONSIDER, Action.RETURN, Action.ATTACH, Action.ANSWER_RECORD)
NOTHING: set[Action] = set()
ACTIONS = {
    # status of the appeal → role → actions
    "registered": {
        "operator": {V, RT, AT}, "supervisor": {V, RT, EX, SH, FW, NC, RE, AT},
        "executor": NOTHING, "other_executor": NOTHING,
    },
    "assigned": {
        "operator": {V, AT}, "supervisor": {V, RT, EX, SH, FW, NC, RE, AT},
        "executor": {V}, "other_executor": NOTHING,
    },
    "answered": {
        "operator": {V, FB, AT}, "supervisor": {V, EX, RV, FB, CL, AT, AN},
        "executor": {V}, "other_executor": NOTHING,
    },
    # A finished case takes no more files (closed, forwarded, returned for missing content).
    "closed": {
        "operator": {V}, "supervisor": {V, RO, AN}, "executor": {V}, "other_executor": NOTHING,
    },
    "forwarded": {"operator": {V}, "supervisor": {V}},
    "returned_missing_content": {"operator": {V}, "supervisor": {V}},
    "extension_requested": {
        "operator": {V, AT}, "supervisor": {V, RT, EX, SH, FW, NC, RE, DE, AT}, "executor": {V},
        "other_executor": NOTHING,
    },
}


def _appeal_in(state, users):
    operator, executor = users["operator"], users["executor"]
    unrouted = state in ("registered", "forwarded", "returned_missing_content")
    appeal = register(actor=operator, routing=None if unrouted else Routing())
    if state == "forwarded":
        services.appeal_forward(actor=users["supervisor"], appeal=appeal, to_body="Міністерство",
                                note="")
    if state == "returned_missing_content":
        services.appeal_return_missing_content(actor=users["supervisor"], appeal=appeal,
                                               note="Не вказано адресу.")
    main = Assignment.objects.filter(question__appeal=appeal).first()
    if state in ("answered", "closed"):
        services.reply_submit(**letter(),
                              actor=executor, assignment=main, result=ReplyResult.DONE, text="Так")
    if state == "closed":
        services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)
    if state == "extension_requested":
        services.extension_request(actor=executor, assignment=main, new_due=appeal.max_due_date,
                                   reason="Треба")
    appeal.refresh_from_db()
    return appeal


@pytest.mark.parametrize("state", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_appeal_actions(users, state, role):
    # given
    appeal = _appeal_in(state, users)

    # when
    actions = access.appeal_actions(user=users[role], appeal=appeal)

    # then: roles without appeals may do nothing at all
    assert set(actions) == ACTIONS[state].get(role, NOTHING)


def test_appeal_require_refuses_what_is_not_allowed(users, appeal):
    # when / then
    access.appeal_require(user=users["supervisor"], appeal=appeal, action=Action.FORWARD)
    with pytest.raises(PermissionDenied):
        access.appeal_require(user=users["operator"], appeal=appeal, action=Action.FORWARD)


ASSIGNMENT_FOR = {
    "executor": "assignment", "other_executor": NotFound, "operator": PermissionDenied,
    "supervisor": PermissionDenied, "analyst": PermissionDenied,
    "security_admin": PermissionDenied, "system_admin": PermissionDenied,
    "inactive": PermissionDenied, "anonymous": PermissionDenied,
}


@pytest.mark.parametrize("role", ROLES)
def test_assignment_get_for(users, appeal, role):
    # given
    assignment = Assignment.objects.get(question__appeal=appeal)
    expected = ASSIGNMENT_FOR[role]

    # when / then
    if expected == "assignment":
        assert access.assignment_get_for(user=users[role], pk=assignment.pk,
                                         action=access.ACCEPT) == assignment
    else:
        with pytest.raises(expected):
            access.assignment_get_for(user=users[role], pk=assignment.pk, action=access.ACCEPT)


def test_an_inactive_executor_gets_nothing(book, appeal):
    # given an executor of the right authority whose account was switched off
    user = executor_of(book.council, is_active=False)
    assignment = Assignment.objects.get(question__appeal=appeal)

    # when / then
    with pytest.raises(PermissionDenied):
        access.assignment_get_for(user=user, pk=assignment.pk, action=access.ACCEPT)
    with pytest.raises(PermissionDenied):
        access.appeal_get_for(user=user, number=appeal.number)
    assert list(selectors.appeal_list_for(user=user)) == []


def test_assignment_actions_follow_its_status_and_role(users, book):
    # given a main and a co-assignment
    appeal = register(actor=users["operator"], routing=Routing(co_authority_codes=("ZAK-WATER",)))
    main = Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN)
    co = Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.CO)
    executor, other = users["executor"], users["other_executor"]

    # then
    assert access.assignment_actions(user=executor, assignment=main) == {
        "accept", "reply", "attach", "request_extension"}
    assert access.assignment_actions(user=other, assignment=co) == {"accept", "reply", "attach"}
    assert access.assignment_actions(user=executor, assignment=co) == frozenset()
    with pytest.raises(PermissionDenied):
        access.assignment_get_for(user=other, pk=co.pk, action=access.REQUEST_EXTENSION)

    # when the main answers, it may do nothing more
    services.reply_submit(**letter(), actor=executor, assignment=main, result=ReplyResult.DONE, text="Так")
    main.refresh_from_db()
    assert access.assignment_actions(user=executor, assignment=main) == frozenset()
    with pytest.raises(PermissionDenied):
        access.assignment_get_for(user=executor, pk=main.pk, action=access.REPLY)
    with pytest.raises(PermissionDenied):
        access.assignment_get_for(user=executor, pk=main.pk, action=access.ATTACH)


def test_an_unknown_assignment_is_not_found_for_an_executor(users):
    with pytest.raises(NotFound):
        access.assignment_get_for(user=users["executor"], pk=987654, action=access.ACCEPT)


PERSONAL = {
    "operator": True, "supervisor": True, "executor": True, "other_executor": False,
    "analyst": False, "security_admin": False, "system_admin": False, "inactive": False,
    "anonymous": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_personal_data_visible(users, appeal, role):
    assert access.personal_data_visible(user=users[role], appeal=appeal) is PERSONAL[role]


@pytest.mark.parametrize(("confidential", "main_sees", "co_sees"),
                         [(False, True, True), (True, True, False)],
                         ids=["ordinary applicant", "confidentiality asked (ст.10)"])
def test_a_confidential_applicant_is_shown_only_to_the_main_executor(users, confidential,
                                                                     main_sees, co_sees):
    # given
    appeal = register(actor=users["operator"], applicant=applicant_data(confidential=confidential),
                      routing=Routing(co_authority_codes=("ZAK-WATER",)))

    # when / then
    assert access.personal_data_visible(user=users["executor"], appeal=appeal) is main_sees
    assert access.personal_data_visible(user=users["other_executor"], appeal=appeal) is co_sees
    assert access.personal_data_visible(user=users["supervisor"], appeal=appeal) is True


def test_the_list_shows_each_executor_only_its_authoritys_appeals(users, book):
    # given one appeal for the council, one for the utility, one returned by the council
    operator = users["operator"]
    council = register(actor=operator)
    utility = register(actor=operator, routing=Routing(main_authority_code="ZAK-WATER"))
    returned = register(actor=operator)
    services.reply_submit(**letter(), actor=users["executor"],
                          assignment=Assignment.objects.get(question__appeal=returned),
                          result=ReplyResult.NOT_IN_COMPETENCE, text="Не наше")

    # when
    def listed(role):
        return set(selectors.appeal_list_for(user=users[role]))

    # then
    assert listed("executor") == {council}
    assert listed("other_executor") == {utility}
    assert listed("operator") == listed("supervisor") == {council, utility, returned}
    for role in ("analyst", "security_admin", "system_admin", "inactive", "anonymous"):
        assert listed(role) == set()


def test_an_executor_keeps_seeing_what_it_closed(users):
    # given
    appeal = register(actor=users["operator"])
    services.reply_submit(**letter(), actor=users["executor"],
                          assignment=Assignment.objects.get(question__appeal=appeal),
                          result=ReplyResult.DONE, text="Так")
    services.feedback_record(actor=users["operator"], appeal=appeal, confirmed=True, rating=5)

    # when / then
    assert list(selectors.appeal_list_for(user=users["executor"])) == [appeal]


APPLICANT_FIND = {"operator": True, "supervisor": True}


@pytest.mark.parametrize("role", ROLES)
def test_applicants_are_looked_up_by_the_centre_only(users, appeal, role):
    # when
    found = selectors.applicant_find(user=users[role], q="0501234567")

    # then
    assert found == ([appeal.applicant] if APPLICANT_FIND.get(role) else [])


# Besides the supervisor, only the head of the body that asked decides (test_extension_decider.py);
# a plain executor of that body is refused, another body's executor does not see the request.
DECIDE_EXTENSION = {"supervisor": "extension", "other_executor": NotFound}


@pytest.mark.parametrize("role", ROLES)
def test_only_supervisors_decide_extensions(users, appeal, role):
    # given
    extension = services.extension_request(
        actor=users["executor"], assignment=Assignment.objects.get(question__appeal=appeal),
        new_due=appeal.max_due_date, reason="Треба")

    expected = DECIDE_EXTENSION.get(role, PermissionDenied)

    # when / then
    if expected == "extension":
        assert access.extension_get_for(user=users[role], pk=extension.pk) == extension
    else:
        with pytest.raises(expected):
            access.extension_get_for(user=users[role], pk=extension.pk)


@pytest.mark.parametrize("role", ROLES)
def test_the_bulk_personal_data_check_agrees_with_the_single_one(users, role):
    # given appeals in every state, one of them of a confidential applicant
    appeals = [_appeal_in(state, users) for state in ACTIONS]
    for confidential in (False, True):
        appeals.append(register(actor=users["operator"],
                                applicant=applicant_data(confidential=confidential),
                                routing=Routing(co_authority_codes=("ZAK-WATER",))))
    # when both checks run
    bulk = access.personal_data_visible_in(user=users[role], appeals=appeals)
    # then they agree appeal by appeal
    assert bulk == {a.pk: access.personal_data_visible(user=users[role], appeal=a) for a in appeals}
