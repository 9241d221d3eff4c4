from django.contrib import admin
from django.urls import include, path

# admin.site is accounts.admin_site.SystemAdminSite: the system administrator's tool only,
# whatever is_staff says, on the same definition as the workspace (accounts.access).

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("vikno.accounts.urls")),
    path("", include("vikno.workspace.urls")),
]
