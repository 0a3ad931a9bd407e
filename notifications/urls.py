from django.urls import path

from . import api

urlpatterns = [
    path(
        "v2/notifications/email",
        api.EmailNotificationCreateApi.as_view(),
        name="api-notification-create-email",
    ),
    path(
        "v2/notifications/<str:notification_id>",
        api.NotificationDetailApi.as_view(),
        name="api-notification-detail",
    ),
]
