"""Back-office screens of notifications (protected by
config/backoffice_urls.py)."""

from django.urls import path

from . import views

app_name = "notifications"

S = "services/<uuid:service_id>/"

urlpatterns = [
    path(S, views.DashboardView.as_view(), name="dashboard"),
    path(S + "envoyer/", views.SendChooseTemplateView.as_view(), name="send-choose"),
    path(S + "envoyer/<uuid:template_id>/", views.SendView.as_view(), name="send"),
    path(S + "activite/", views.ActivityView.as_view(), name="activity"),
    path(
        S + "activite/<uuid:notification_id>/",
        views.NotificationDetailView.as_view(),
        name="notification-detail",
    ),
]
