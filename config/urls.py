from django.contrib import admin
from django.urls import include, path

from vikno.workspace.permissions import system_admin_only

# The Django admin is the system administrator's tool only, whatever is_staff says.
admin.site.has_permission = system_admin_only  # type: ignore[method-assign]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("vikno.accounts.urls")),
    path("", include("vikno.workspace.urls")),
]
