"""Root URLs: the public API at the root (Notify's clients join paths to
the host), the operators' admin, the back office and receipt webhooks."""

from django.contrib import admin
from django.urls import include, path

from config import views
from providers.urls import anymail_tracking_urlpatterns

urlpatterns = [
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("_health", views.health, name="health"),
    path("receipts/", include("providers.urls")),
    path("anymail/", include((anymail_tracking_urlpatterns, "anymail"))),
    path("", include("config.backoffice_urls")),
]
