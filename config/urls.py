from django.contrib import admin
from django.urls import include, path

from vikno.workspace.views import ops

# admin.site is accounts.admin_site.SystemAdminSite: the system administrator's tool only,
# whatever is_staff says, on the same definition as the workspace (accounts.access).

# A database that cannot be reached answers 503 with Retry-After, anything else 500 (ops.py).
handler500 = "vikno.workspace.views.ops.server_error"

urlpatterns = [
    # Operations: liveness, readiness, Prometheus metrics (docs/operations.md).
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("vikno.accounts.urls")),
    # The partner REST API, its schema and docs (docs/adr/0031-api-partner-rest.md).
    path("api/", include("vikno.api.urls")),
    path("", include("vikno.workspace.urls")),
]
