from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from vikno.accounts.roles import CASE_ROLES, CENTRE_ROLES, Role


class User(AbstractUser):
    """A staff member. The binding of an executor to an authority lives in directory.Membership."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def official_name(self) -> str:
        """Last name, first name, patronymic: the order of Ukrainian staff lists."""
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def has_role(self, *roles: Any) -> bool:
        return self.is_active and self.role in {str(r) for r in roles}

    @property
    def works_with_cases(self) -> bool:
        return self.is_active and self.role in CASE_ROLES

    @property
    def is_centre_staff(self) -> bool:
        return self.is_active and self.role in CENTRE_ROLES


class SavedView(models.Model):
    """A named set of a list's filters that one user keeps: the query string of the page's GET
    filters (never a search term, so never personal data)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"],
                                               name="saved_view_unique_name_per_user")]

    def __str__(self) -> str:
        return self.name
