"""Partner keys' system accounts are not staff: the security administrator's list leaves them out
(the system administrator keeps them on the keys' page)."""

from __future__ import annotations

import pytest

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.directory.selectors import staff_list
from vikno.directory.services import partner_create
from vikno.directory.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def test_the_staff_list_leaves_out_the_keys_accounts():
    # given a person and two keys, one an authority's executor
    person = UserFactory(role=Role.EXECUTOR, username="o.koval")
    council = AuthorityFactory(code="ZAK-TG-1")
    unbound, _ = partner_create(actor=None, name="CRM", scope="api")
    bound, _ = partner_create(actor=None, name="СЕД", scope="api", authority_code=council.code)

    # when
    listed = set(staff_list())
    executors = set(staff_list(role=Role.EXECUTOR, q="api"))

    # then
    assert person in listed
    assert unbound.account not in listed and bound.account not in listed
    assert executors == set()
