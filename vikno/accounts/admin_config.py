"""django.contrib.admin with the system administrator's site (accounts.admin_site).

A module of its own: INSTALLED_APPS imports it before the models are ready, so it must not
import the site (which needs the auth forms and models).
"""

from django.contrib.admin.apps import AdminConfig


class SystemAdminConfig(AdminConfig):
    default_site = "vikno.accounts.admin_site.SystemAdminSite"
