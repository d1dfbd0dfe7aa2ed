from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portfolio import views as portfolio_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", portfolio_views.healthz, name="healthz"),
    path("api/v1/", include("portfolio.api_urls")),
    path("", include("portfolio.urls")),
]
