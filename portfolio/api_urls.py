"""/api/v1/: the read API's routes and its OpenAPI schema."""

from django.contrib.auth.decorators import login_not_required
from rest_framework.routers import DefaultRouter
from rest_framework.renderers import JSONOpenAPIRenderer
from rest_framework.schemas import get_schema_view
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from django.urls import include, path

from . import api

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("tasks", api.TaskViewSet, basename="task")
router.register("bodies", api.AgencyViewSet, basename="body")
router.register("reports", api.ProgressReportViewSet, basename="report")
router.register("targets", api.TargetViewSet, basename="target")

schema_view = get_schema_view(
    title="Chương trình hành động 02-CTr/TU — API đọc",
    version="1",
    patterns=[path("api/v1/", include(router.urls))],
    renderer_classes=[JSONOpenAPIRenderer],
    authentication_classes=[TokenAuthentication, SessionAuthentication],
    permission_classes=[IsAuthenticated],
)

urlpatterns = [path("schema/", schema_view, name="schema"), *router.urls]

# The API answers 401/403 itself (a token is not a session): the site's login redirect does not apply.
for pattern in urlpatterns:
    login_not_required(pattern.callback)
