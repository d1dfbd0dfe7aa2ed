from django.urls import path

from . import feeds, savedviews, targetviews, timeline, views, workviews

app_name = "portfolio"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/export.xlsx", views.task_export, name="task_export"),
    path("tasks/report.xlsx", views.meeting_report, name="meeting_report"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("agencies/<int:pk>/", views.AgencyDetailView.as_view(), name="agency_detail"),
    path("agencies/<int:pk>/workbook.xlsx", views.agency_workbook_download, name="agency_workbook"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<str:token>/", views.import_preview, name="import_preview"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("targets/", targetviews.TargetListView.as_view(), name="target_list"),
    path("targets/<int:number>/", targetviews.TargetDetailView.as_view(), name="target_detail"),
    path("timeline/", timeline.timeline_view, name="timeline"),
    path("saved-views/", savedviews.saved_view_create, name="saved_view_create"),
    path("saved-views/<int:pk>/", savedviews.saved_view_open, name="saved_view_open"),
    path("saved-views/<int:pk>/delete/", savedviews.saved_view_delete, name="saved_view_delete"),
    path("calendar/", feeds.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("reviews/", workviews.review_queue, name="review_queue"),
    path("my-work/", workviews.my_work_view, name="my_work"),
    path("reports/official.docx", targetviews.official_report, name="official_report"),
]
