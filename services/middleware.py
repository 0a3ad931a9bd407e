"""Back-office middleware: session time-outs and security headers."""

import logging
import time

from django.conf import settings
from django.contrib import auth, messages
from django.shortcuts import redirect

logger = logging.getLogger(__name__)

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"
# Writing the session on every request costs a query; a minute of slack on
# the idle time-out does not matter.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """End a signed-in session after it has been idle too long, or has
    simply lived too long (ASVS 7.3), checked on the server side."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._expired(request):
            logger.info(
                "Session of user %s timed out",
                request.user.pk,
                extra={"user_id": request.user.pk},
            )
            auth.logout(request)
            messages.info(
                request,
                "Votre session a expiré. Connectez-vous à nouveau pour continuer.",
            )
            if not request.path.startswith("/v2/"):
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _expired(self, request) -> bool:
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            # Signed in by another path (a test client's force_login):
            # start counting now.
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN_AT] = now
            return False
        idle = now - last_seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS
        too_old = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
        if idle or too_old:
            return True
        if now - last_seen_at >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_AT] = now
        return False


def session_start(request) -> None:
    """Mark the start of a signed-in session (after ``auth.login``)."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SecurityHeadersMiddleware:
    """Headers Django does not set: no caching of signed-in pages, and no
    powerful browser feature we do not use."""

    PERMISSIONS_POLICY = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "publickey-credentials-get=(self), publickey-credentials-create=(self)"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        # The API (DRF) leaves request.user as None.
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and ("Cache-Control" not in response)
        ):
            response["Cache-Control"] = "no-store"
        return response
