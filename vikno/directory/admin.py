"""Django admin of the rulebook, for the system administrator.

Only active system administrators see it (accounts.access.is_system_admin), and every save and
delete leaves an audit event with the row before and after, so that amendments of the Classifier, authorities
and routing are accountable like any other change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vikno.accounts import access as accounts_access
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.directory.models import (
    Authority,
    ClassifierItem,
    ClassifierVersion,
    Holiday,
    MartialLawPeriod,
    Membership,
    ReplyTemplate,
    RoutingRule,
    SubTopic,
    Territory,
    Topic,
)


def _is_free_text(field: models.Field[Any, Any]) -> bool:
    """A text typed in the admin (notes, reception hours…), not a name or a code."""
    return isinstance(field, models.TextField) or field.name in ("note", "notes")


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Stored field values by column name (`parent_id`, not the related object). Free texts
    (notes, reception hours…) are named, never copied: the trail keeps no free text in clear."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
              if not _is_free_text(f)}
    filled = sorted(f.attname for f in obj._meta.concrete_fields
                    if _is_free_text(f) and getattr(obj, f.attname))
    return values | ({"free_texts": filled} if filled else {})


def texts_changed(stored: models.Model, obj: models.Model) -> list[str]:
    """The names of the free texts an edit changed."""
    return sorted(f.attname for f in obj._meta.concrete_fields
                  if _is_free_text(f) and getattr(stored, f.attname) != getattr(obj, f.attname))


def is_system_admin(request: HttpRequest) -> bool:
    # The same definition as the admin site's and the workspace's (accounts.access).
    return accounts_access.is_system_admin(request.user)


class AuditedAdmin(admin.ModelAdmin):
    """System administrators only; each save and delete is recorded in the audit trail."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def _action(self, verb: str) -> AuditAction:
        # Every audited model's three events are in the registry (tests/test_audit_actions.py).
        return AuditAction(f"{self.model._meta.app_label}.{self.model._meta.model_name}.{verb}")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            # Read the stored row: on a change form `obj` already carries the new values.
            stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
            super().save_model(request, obj, form, change)
            before, after = (snapshot(stored) if stored else None), snapshot(obj)
            if stored is not None:
                # On a change, "free texts" names the texts changed, on both sides alike.
                changed = texts_changed(stored, obj)
                for values in (before, after):
                    assert values is not None
                    values.pop("free_texts", None)
                    if changed:
                        values["free_texts"] = changed
            audit.record(
                actor=request.user,
                action=self._action("update" if stored else "create"),
                obj=obj, before=before, after=after,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            # Recorded first, while the row still has its id; a failed delete rolls both back.
            audit.record(
                actor=request.user, action=self._action("delete"), obj=obj, before=snapshot(obj)
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One event per row, rather than the default single bulk DELETE that leaves none.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(AuditedAdmin):
    list_display = ("code", "title", "valid_from", "valid_to")
    search_fields = ("code", "title")


@admin.register(ClassifierItem)
class ClassifierItemAdmin(AuditedAdmin):
    list_display = ("code", "name", "axis", "is_privileged", "sort", "version")
    list_filter = ("version", "axis", "is_privileged")
    list_editable = ("is_privileged", "sort")
    search_fields = ("code", "name", "name_en")
    ordering = ("version", "axis", "sort", "code")


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ("code", "name", "version")
    list_filter = ("version",)
    search_fields = ("code", "name", "name_en")


class SubTopicForm(forms.ModelForm):
    """Keeps the tree two levels deep and a sub-topic under a group of its own topic."""

    class Meta:
        model = SubTopic
        fields = ("code", "topic", "parent", "name", "needs_study", "is_active", "sort")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        parent: SubTopic | None = data.get("parent")
        topic = data.get("topic")
        if parent is None:
            return data
        if self.instance.pk and parent.pk == self.instance.pk:
            self.add_error("parent", _("A sub-topic cannot be its own group."))
        elif parent.parent_id is not None:
            self.add_error("parent", _("Choose a group: the tree has two levels."))
        elif self.instance.pk and self.instance.children.exists():
            self.add_error("parent", _("This sub-topic is a group itself and cannot be moved "
                                       "under another group."))
        elif topic is not None and parent.topic_id != topic.pk:
            self.add_error("parent", _("The group belongs to another topic."))
        return data


@admin.register(SubTopic)
class SubTopicAdmin(AuditedAdmin):
    form = SubTopicForm
    list_display = ("code", "tree_name", "topic", "needs_study", "is_active", "sort")
    list_display_links = ("code", "tree_name")
    list_editable = ("needs_study", "is_active", "sort")
    list_filter = ("topic", "is_active", "needs_study")
    search_fields = ("code", "name")
    ordering = ("topic__code", "sort", "code")
    list_select_related = ("topic",)
    list_per_page = 400

    @admin.display(description=_("name"), ordering="name")
    def tree_name(self, obj: SubTopic) -> str:
        return f"— {obj.name}" if obj.parent_id else obj.name

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            kwargs["queryset"] = SubTopic.objects.filter(parent__isnull=True).select_related(
                "topic"
            ).order_by("topic__code", "sort")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Territory)
class TerritoryAdmin(AuditedAdmin):
    """The KATOTTG codifier is changed by loading a new edition, never by hand."""

    list_display = ("code", "full_name", "level", "category_name")
    list_filter = ("level", "category")
    search_fields = ("code", "name", "full_name")
    readonly_fields = ("code", "parent", "level", "category", "category_name", "name",
                       "full_name", "path")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Authority)
class AuthorityAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "level", "territory", "superior", "delivery",
                    "is_active")
    list_filter = ("level", "kind", "delivery", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("territory", "parent", "superior")
    list_select_related = ("territory", "superior")


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ("__str__", "subtopic", "topic", "territory", "authority", "target_level",
                    "is_active")
    list_filter = ("is_active", "target_level", "topic")
    search_fields = ("note", "subtopic__name", "topic__name", "authority__name")
    autocomplete_fields = ("subtopic", "topic", "territory", "authority")
    list_select_related = ("subtopic", "topic", "territory", "authority")


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "authority", "is_head", "position")
    list_filter = ("is_head",)
    search_fields = ("user__username", "authority__name")
    autocomplete_fields = ("authority",)
    raw_id_fields = ("user",)
    list_select_related = ("user", "authority")


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    """Public holidays by date; a change counts in the next term computed (the cache is cleared)."""

    list_display = ("day", "name", "source")
    date_hierarchy = "day"
    search_fields = ("name",)


@admin.register(MartialLawPeriod)
class MartialLawPeriodAdmin(AuditedAdmin):
    """Periods in which holidays are working days (Law No. 2136-IX); an open end means it lasts."""

    list_display = ("valid_from", "valid_to", "source")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(AuditedAdmin):
    """The centre's reply templates; supervisors keep them in the workspace (/templates/)."""

    list_display = ("title", "subtopic", "topic", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title",)
    autocomplete_fields = ("subtopic", "topic")
