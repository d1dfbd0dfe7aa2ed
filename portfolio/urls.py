from django.urls import path
from django.views.generic import RedirectView

app_name = "portfolio"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/portfolio/task/"), name="home"),
]
