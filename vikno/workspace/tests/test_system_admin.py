"""One definition of the system administrator: the Django admin (its pages, its login form, the
rulebook's model admins) and the workspace (home, navigation) all ask accounts.access."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from vikno.accounts.access import is_system_admin
from vikno.accounts.forms import SystemAdminLoginForm
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, session_for
from vikno.directory.models import SubTopic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "is_staff", "is_superuser", "is_active", "expected"), [
    (Role.SYSTEM_ADMIN, True, False, True, True),
    (Role.SYSTEM_ADMIN, False, False, True, True),  # the role decides, not the flag
    (Role.SYSTEM_ADMIN, True, False, False, False),
    (Role.SECURITY_ADMIN, True, False, True, False),
    (Role.OPERATOR, True, True, True, False),  # a superuser flag opens nothing by itself
    ("", True, True, True, False),
])
def test_the_admin_and_the_workspace_agree_on_who_is_the_system_administrator(
        role, is_staff, is_superuser, is_active, expected):
    # given
    user = UserFactory(role=role, is_staff=is_staff, is_superuser=is_superuser,
                       is_active=is_active)
    request = RequestFactory().get("/admin/")
    request.user = user
    rulebook_admin = admin.site._registry[SubTopic]

    # when
    answers = {
        "definition": is_system_admin(user),
        "admin site": admin.site.has_permission(request),
        "rulebook admin": rulebook_admin.has_module_permission(request),
        "admin login form": SystemAdminLoginForm(
            request, data={"username": user.username, "password": DEFAULT_PASSWORD}).is_valid(),
    }
    if is_active:
        home = session_for(user).get(reverse("workspace:home"))
        answers["workspace home"] = home.get("Location") == reverse("admin:index")

    # then
    assert answers == dict.fromkeys(answers, expected)
