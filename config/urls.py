from django.contrib import admin
from django.urls import include, path, re_path

from vikno.api.open311 import views as open311
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
    # Open311 GeoReport v2 (ADR 0032): its discovery document and the API itself.
    re_path(r"^open311/discovery\.(?P<fmt>[a-z]+)$", open311.discovery, name="open311_discovery"),
    path("open311/v2/", include("vikno.api.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("vikno.accounts.urls")),
    # The public site for citizens: no login (vikno/portal).
    path("portal/", include("vikno.portal.urls")),
    # The partner REST API, its schema and docs (docs/adr/0033-api-partner-rest.md).
    path("api/", include("vikno.api.urls")),
    path("", include("vikno.workspace.urls")),
]
