"""The rulebook's admin: system administrators only, and every write audited."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.models import AuditEvent
from vikno.directory.models import Authority, RoutingRule, SubTopic, Territory
from vikno.directory.tests.factories import (
    AuthorityFactory,
    SubTopicFactory,
    TerritoryFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def subtopic_form(subtopic: SubTopic, **changes) -> dict:
    data = {
        "code": subtopic.code,
        "topic": subtopic.topic_id,
        "parent": subtopic.parent_id or "",
        "name": subtopic.name,
        "needs_study": "on" if subtopic.needs_study else "",
        "is_active": "on" if subtopic.is_active else "",
        "sort": subtopic.sort,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


DIRECTORY_ADMINS = [
    model_admin for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "directory"
]


@pytest.mark.parametrize(
    ("role", "superuser", "active", "allowed"),
    [
        (Role.SYSTEM_ADMIN, False, True, True),
        (Role.SYSTEM_ADMIN, False, False, False),
        (Role.SECURITY_ADMIN, False, True, False),
        (Role.OPERATOR, False, True, False),
        (Role.SUPERVISOR, False, True, False),
        (Role.EXECUTOR, False, True, False),
        (Role.ANALYST, False, True, False),
        # The role decides (accounts.access.is_system_admin): a superuser flag opens nothing.
        ("", True, True, False),
    ],
)
def test_only_system_administrators_may_use_the_rulebook_admin(role, superuser, active, allowed):
    # given a staff account of the role
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role=role, is_staff=True, is_superuser=superuser, is_active=active)

    # when
    answers = {
        (type(model_admin).__name__, check): getattr(model_admin, check)(request)
        for model_admin in DIRECTORY_ADMINS
        for check in ("has_module_permission", "has_view_permission")
    }

    # then
    assert len(DIRECTORY_ADMINS) == 11  # with the reply templates
    assert set(answers.values()) == {allowed}


def test_other_roles_are_turned_away_and_change_nothing(client_for):
    # given a staff security administrator and a sub-topic
    subtopic = SubTopicFactory(name="Before")
    user = UserFactory(role=Role.SECURITY_ADMIN, is_staff=True)
    client = client_for(user)

    # when
    seen = client.get(reverse("admin:directory_subtopic_changelist"))
    response = client.post(
        reverse("admin:directory_subtopic_change", args=[subtopic.pk]),
        subtopic_form(subtopic, name="After"),
    )

    # then: refused (403, or sent to the admin login page)
    for refused in (seen, response):
        assert refused.status_code in {302, 403}
        assert refused.status_code == 403 or "/admin/login/" in refused["Location"]
    subtopic.refresh_from_db()
    assert subtopic.name == "Before"
    assert not AuditEvent.objects.exists()


def test_the_system_administrator_sees_the_rulebook(client_for, system_admin):
    SubTopicFactory(name="No hot water")

    response = client_for(system_admin).get(reverse("admin:directory_subtopic_changelist"))

    assert response.status_code == 200
    assert "No hot water" in response.content.decode()


def test_a_change_is_audited_with_before_and_after(client_for, system_admin):
    # given
    subtopic = SubTopicFactory(name="No hot water")

    # when
    response = client_for(system_admin).post(
        reverse("admin:directory_subtopic_change", args=[subtopic.pk]),
        subtopic_form(subtopic, name="No hot water in the building", needs_study="on"),
    )

    # then
    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert event.action == "directory.subtopic.update"
    assert (event.actor_id, event.actor_role) == (system_admin.pk, Role.SYSTEM_ADMIN)
    assert event.object_id == str(subtopic.pk)
    assert event.before["name"] == "No hot water"
    assert event.after["name"] == "No hot water in the building"
    assert (event.before["needs_study"], event.after["needs_study"]) == (False, True)


def test_an_addition_is_audited(client_for, system_admin):
    # given
    topic = TopicFactory()
    authority = AuthorityFactory()

    # when
    response = client_for(system_admin).post(
        reverse("admin:directory_routingrule_add"),
        {"topic": topic.pk, "authority": authority.pk, "note": "test", "is_active": "on"},
    )

    # then
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    event = AuditEvent.objects.get()
    assert event.action == "directory.routingrule.create"
    assert event.before is None
    assert event.after["authority_id"] == authority.pk and event.after["id"] == rule.pk


def test_free_texts_are_named_in_the_trail_never_copied(client_for, system_admin):
    # given a rule added with a note
    topic = TopicFactory()
    authority = AuthorityFactory()
    client_for(system_admin).post(
        reverse("admin:directory_routingrule_add"),
        {"topic": topic.pk, "authority": authority.pk, "note": "Qx-first-note-xQ", "is_active": "on"},
    )
    rule = RoutingRule.objects.get()

    # when only its note is changed
    client_for(system_admin).post(
        reverse("admin:directory_routingrule_change", args=[rule.pk]),
        {"topic": topic.pk, "authority": authority.pk, "note": "Qx-second-note-xQ",
         "is_active": "on"},
    )

    # then the trail says a free text was filled and changed, and holds neither text
    created, changed = AuditEvent.objects.order_by("seq")
    assert created.after["free_texts"] == ["note"] and "note" not in created.after
    assert changed.before["free_texts"] == changed.after["free_texts"] == ["note"]
    dumped = str(list(AuditEvent.objects.values("before", "after", "object_label")))
    assert "Qx-first-note-xQ" not in dumped and "Qx-second-note-xQ" not in dumped


def test_a_rule_with_two_targets_is_refused_and_nothing_is_written(client_for, system_admin):
    # given
    topic = TopicFactory()
    authority = AuthorityFactory()

    # when
    response = client_for(system_admin).post(
        reverse("admin:directory_routingrule_add"),
        {"topic": topic.pk, "authority": authority.pk, "target_level": "hromada"},
    )

    # then
    assert response.status_code == 200
    assert not RoutingRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_deletion_is_audited(client_for, system_admin):
    # given
    authority = AuthorityFactory(name="Old department")

    # when
    response = client_for(system_admin).post(
        reverse("admin:directory_authority_delete", args=[authority.pk]), {"post": "yes"}
    )

    # then
    assert response.status_code == 302
    assert not Authority.objects.filter(pk=authority.pk).exists()
    event = AuditEvent.objects.get()
    assert event.action == "directory.authority.delete"
    assert event.object_id == str(authority.pk)
    assert event.before["name"] == "Old department" and event.after is None


def test_a_bulk_deletion_leaves_one_event_per_row(client_for, system_admin):
    # given
    authorities = AuthorityFactory.create_batch(3)

    # when
    client_for(system_admin).post(
        reverse("admin:directory_authority_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in authorities],
         "post": "yes"},
    )

    # then
    assert not Authority.objects.exists()
    deleted = AuditEvent.objects.filter(action="directory.authority.delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(
        str(a.pk) for a in authorities
    )


def test_territories_are_read_only(client_for, system_admin):
    # given
    territory = TerritoryFactory(name="Ужгород")
    client = client_for(system_admin)
    url = reverse("admin:directory_territory_change", args=[territory.pk])

    # when
    seen = client.get(url)
    changed = client.post(url, {"name": "Changed"})

    # then
    assert seen.status_code == 200
    assert changed.status_code == 403
    territory.refresh_from_db()
    assert territory.name == "Ужгород"
    assert client.get(reverse("admin:directory_territory_add")).status_code == 403


@pytest.mark.parametrize("case", ["under_a_leaf", "other_topic", "group_moved_under_group"])
def test_the_subtopic_tree_stays_two_levels_within_one_topic(client_for, system_admin, case):
    # given a group with one leaf, another group of the same topic and one of another topic
    group = SubTopicFactory()
    leaf = SubTopicFactory(topic=group.topic, parent=group)
    other_group = SubTopicFactory(topic=group.topic)
    foreign_group = SubTopicFactory()
    moved, parent = {
        "under_a_leaf": (SubTopicFactory(topic=group.topic), leaf),
        "other_topic": (SubTopicFactory(topic=group.topic), foreign_group),
        "group_moved_under_group": (group, other_group),
    }[case]

    # when
    response = client_for(system_admin).post(
        reverse("admin:directory_subtopic_change", args=[moved.pk]),
        subtopic_form(moved, parent=parent.pk),
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    moved.refresh_from_db()
    assert moved.parent_id != parent.pk
    assert not AuditEvent.objects.exists()


def test_territory_list_is_visible_to_the_system_administrator(client_for, system_admin):
    TerritoryFactory()

    response = client_for(system_admin).get(reverse("admin:directory_territory_changelist"))

    assert response.status_code == 200
    assert Territory.objects.count() == 1
