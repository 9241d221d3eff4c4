"""The centre's reply templates: supervisors keep them through the services, audited."""

from __future__ import annotations

from typing import Any

import pytest

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.core.errors import ApplicationError, PermissionDenied
from vikno.directory import selectors, services
from vikno.directory.models import ReplyTemplate
from vikno.directory.tests.factories import SubTopicFactory, TopicFactory

pytestmark = pytest.mark.django_db
TEXT = "Повідомляємо, що роботи з відновлення гарячого водопостачання завершено."


def test_a_supervisor_creates_changes_and_deactivates_a_template(supervisor: Any) -> None:
    # given a sub-topic of topic 009
    topic = TopicFactory(code="009")
    hot_water = SubTopicFactory(topic=topic, code="009-HW")

    # when the supervisor writes a template for the sub-topic
    template = services.reply_template_create(actor=supervisor, title=" Гаряча вода ", text=TEXT,
                                              subtopic_code="009-HW")

    # then the sub-topic brings its topic, and the trail names no text
    assert (template.title, template.subtopic, template.topic) == ("Гаряча вода", hot_water, topic)
    created = AuditEvent.objects.get(action=AuditAction.REPLY_TEMPLATE_CREATE)
    assert created.after == {"topic": "009", "subtopic": "009-HW", "is_active": True}

    # when it is changed to any topic, then deactivated
    services.reply_template_update(actor=supervisor, template=template, title="Вода", text=TEXT)
    services.reply_template_set_active(actor=supervisor, template=template, active=False)

    # then
    template.refresh_from_db()
    assert (template.title, template.topic, template.is_active) == ("Вода", None, False)
    changed = AuditEvent.objects.get(action=AuditAction.REPLY_TEMPLATE_UPDATE)
    assert changed.after["changed"] == ["title", "topic", "subtopic"]
    assert AuditEvent.objects.filter(action=AuditAction.REPLY_TEMPLATE_DEACTIVATE).count() == 1
    assert selectors.reply_templates() == []
    assert selectors.reply_templates(active_only=False) == [template]
    # nothing changed, nothing recorded
    services.reply_template_update(actor=supervisor, template=template, title="Вода", text=TEXT)
    assert AuditEvent.objects.filter(action=AuditAction.REPLY_TEMPLATE_UPDATE).count() == 1


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EXECUTOR, Role.ANALYST, Role.SECURITY_ADMIN,
                                  Role.SYSTEM_ADMIN])
def test_only_a_supervisor_keeps_the_templates(role: Role, supervisor: Any) -> None:
    template = services.reply_template_create(actor=supervisor, title="Т", text=TEXT)
    user = UserFactory(role=role)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.reply_template_create(actor=user, title="Т", text=TEXT)
    with pytest.raises(PermissionDenied):
        services.reply_template_update(actor=user, template=template, title="Інше", text=TEXT)
    with pytest.raises(PermissionDenied):
        services.reply_template_set_active(actor=user, template=template, active=False)
    assert ReplyTemplate.objects.get().title == "Т" and AuditEvent.objects.count() == events


@pytest.mark.parametrize(("values", "field"), [
    ({"title": "", "text": TEXT}, "title"),
    ({"title": "Т", "text": "  "}, "text"),
    ({"title": "Т", "text": TEXT, "subtopic_code": "NOPE"}, "subtopic"),
    ({"title": "Т", "text": TEXT, "topic_code": "999"}, "topic"),
])
def test_a_template_needs_a_title_a_text_and_known_topics(supervisor: Any, values: dict[str, str],
                                                           field: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        services.reply_template_create(actor=supervisor, **values)
    assert refused.value.field == field
    assert not ReplyTemplate.objects.exists()


def test_the_system_administrator_keeps_them_in_the_admin_too(system_admin: Any) -> None:
    from vikno.accounts.tests.factories import session_for

    client = session_for(system_admin)
    response = client.post("/admin/directory/replytemplate/add/", {
        "title": "Загальна", "text": TEXT, "is_active": "on"})
    assert response.status_code == 302
    assert ReplyTemplate.objects.get().title == "Загальна"
    assert AuditEvent.objects.filter(action=AuditAction.REPLYTEMPLATE_CREATE).count() == 1
    assert client.get("/admin/directory/replytemplate/").status_code == 200
