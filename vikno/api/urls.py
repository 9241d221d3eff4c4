"""The partner REST API (/api/v1/), its OpenAPI schema (/api/schema/) and docs (/api/docs/)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from vikno.api import appeals, assignments, changes, errors

app_name = "api"

urlpatterns = [
    path("v1/appeals/", appeals.AppealCollectionView.as_view(), name="appeals"),
    path("v1/appeals/<str:number>/", appeals.AppealDetailView.as_view(), name="appeal"),
    path("v1/appeals/<str:number>/history/", appeals.AppealHistoryView.as_view(),
         name="appeal_history"),
    path("v1/assignments/", assignments.AssignmentListView.as_view(), name="assignments"),
    path("v1/assignments/<int:pk>/accept/", assignments.AssignmentAcceptView.as_view(),
         name="assignment_accept"),
    path("v1/assignments/<int:pk>/answer/", assignments.AssignmentAnswerView.as_view(),
         name="assignment_answer"),
    path("v1/assignments/<int:pk>/return/", assignments.AssignmentReturnView.as_view(),
         name="assignment_return"),
    path("v1/changes/", changes.ChangeFeedView.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema",
                                                     template_name="api/swagger_ui.html"),
         name="docs"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*$", errors.not_found),
]
