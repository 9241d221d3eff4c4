"""Staff roles. Each role is a separate duty (КСЗІ role separation): nobody holds two."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    EXECUTOR = "executor", _("Executor")
    ANALYST = "analyst", _("Analyst")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


# Roles that work with appeals' contents and so may see applicants' personal data (ст.10:
# "except to those who decide the case"). Analysts, security and system administrators may not.
CASE_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.EXECUTOR})
CENTRE_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})
