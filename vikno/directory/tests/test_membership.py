"""Binding an executor to its authority: an audited service of the directory."""

from __future__ import annotations

from typing import Any

import pytest

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.core.errors import ApplicationError, PermissionDenied
from vikno.directory.models import Membership
from vikno.directory.services import membership_set
from vikno.directory.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def security() -> Any:
    return UserFactory(role=Role.SECURITY_ADMIN)


def footprint() -> tuple[Any, ...]:
    return (list(Membership.objects.order_by("pk").values_list("user_id", "authority_id")),
            AuditEvent.objects.count())


def test_an_executor_is_bound_and_then_moved(security):
    # given
    council, utility = AuthorityFactory(code="ZAK-TG-1"), AuthorityFactory(code="ZAK-W-1")
    executor = UserFactory(role=Role.EXECUTOR)

    # when
    membership_set(actor=security, account=executor, authority_code="ZAK-TG-1")
    membership_set(actor=security, account=executor, authority_code="ZAK-W-1")

    # then
    assert Membership.objects.get(user=executor).authority == utility
    created, changed = AuditEvent.objects.order_by("seq")
    assert (created.action, created.after) == ("membership.created",
                                               {"user": executor.username, "authority": "ZAK-TG-1"})
    assert (changed.action, changed.before, changed.after) == (
        "membership.changed", {"authority": "ZAK-TG-1"}, {"authority": "ZAK-W-1"})
    assert council.members.count() == 0


def test_binding_to_the_same_authority_again_records_nothing(security):
    AuthorityFactory(code="ZAK-TG-1")
    executor = UserFactory(role=Role.EXECUTOR)
    membership_set(actor=security, account=executor, authority_code="ZAK-TG-1")
    before = footprint()

    membership_set(actor=security, account=executor, authority_code="ZAK-TG-1")

    assert footprint() == before


@pytest.mark.parametrize(("role", "code", "field"), [
    (Role.OPERATOR, "ZAK-TG-1", "role"),  # only executors work for an authority
    (Role.EXECUTOR, "ZAK-NONE", "authority"),
    (Role.EXECUTOR, "ZAK-OLD", "authority"),  # closed authorities take no members
])
def test_a_refused_binding_changes_nothing(security, role, code, field):
    # given
    AuthorityFactory(code="ZAK-TG-1")
    AuthorityFactory(code="ZAK-OLD", is_active=False)
    account = UserFactory(role=role)
    before = footprint()

    # when
    with pytest.raises(ApplicationError) as refused:
        membership_set(actor=security, account=account, authority_code=code)

    # then
    assert (refused.value.code, refused.value.field) == ("invalid_value", field)
    assert footprint() == before


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SECURITY_ADMIN])
def test_only_the_security_administrator_binds_executors(role):
    AuthorityFactory(code="ZAK-TG-1")
    executor = UserFactory(role=Role.EXECUTOR)
    before = footprint()

    with pytest.raises(PermissionDenied):
        membership_set(actor=UserFactory(role=role), account=executor, authority_code="ZAK-TG-1")

    assert footprint() == before


@pytest.mark.parametrize(("then_position", "is_head", "position", "before"), [
    (None, True, "Голова громади", None),  # not named: the mark stays
    ("Голова громади", True, "Голова громади", None),  # the same: nothing recorded
    ("Заступник голови", True, "Заступник голови", {"position": "Голова громади"}),
    ("", False, "", {"is_head": True, "position": "Голова громади"}),  # a plain member again
])
def test_the_head_of_the_body_is_marked_with_its_position(security, then_position, is_head,
                                                         position, before):
    # given an executor bound as its body's head
    AuthorityFactory(code="ZAK-TG-1")
    executor = UserFactory(role=Role.EXECUTOR)
    membership_set(actor=security, account=executor, authority_code="ZAK-TG-1",
                   head_position="Голова громади")
    events = AuditEvent.objects.count()

    # when
    membership_set(actor=security, account=executor, authority_code="ZAK-TG-1",
                   head_position=then_position)

    # then
    membership = Membership.objects.get(user=executor)
    assert (membership.is_head, membership.position) == (is_head, position)
    changed = list(AuditEvent.objects.filter(action="membership.changed").values_list("before",
                                                                                       flat=True))
    assert changed == ([] if before is None else [before])
    assert AuditEvent.objects.count() == events + len(changed)
