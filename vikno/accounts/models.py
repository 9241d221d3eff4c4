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


class ApiKeyScope(models.TextChoices):
    """What a key opens: the partner REST API (`/api/v1/`) or the Open311 server (`/open311/v2/`)."""

    API = "api", _("Partner REST API")
    OPEN311 = "open311", _("Open311 GeoReport v2")


class ApiKey(models.Model):
    """A partner system's key. The key itself is shown once, when it is issued; only its SHA-256
    is kept (a random 256-bit secret needs no slow hash). The `prefix` is its public part: it
    names the key in lists and logs without revealing it.

    Every key acts through its own system account (`account`, no password, so it cannot log in
    to the workspace): the audit trail names that account on every call, and a key bound to an
    authority is an executor of that authority through the account's `directory.Membership`."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=ApiKeyScope.choices)
    account = models.OneToOneField(User, on_delete=models.PROTECT, related_name="api_key",
                                   verbose_name=_("system account"))
    created_at = models.DateTimeField(_("issued"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.account.is_active
