"""The back office's URLs.

Everything under the protected include needs a signed-in user whose
session passed the second factor: ``services.access.protect`` wraps every
view there, so no page can opt out. Only sign-in, the second factor and
its set-up, password reset, invitations, the passkey endpoints (which
check the session themselves) and the public pages (accessibility
statement, legal notice, personal data) sit outside it.
"""

from django.urls import include, path

from services.access import protect

urlpatterns = [
    path("", include("services.urls_signin")),
    path("webauthn/", include("services.urls_webauthn")),
    path("", include("config.urls_pages")),
    path(
        "",
        include(
            protect(
                [
                    path("", include("services.urls")),
                    path("", include("templates_app.urls")),
                    path("", include("notifications.urls_backoffice")),
                ]
            )
        ),
    ),
]
