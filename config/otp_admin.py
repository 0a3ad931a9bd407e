"""The operators' admin site, behind django-otp: no page without a verified
second factor (``OTPAdminSite.has_permission`` checks ``is_verified()``).

It has no sign-in form of its own. Operators sign in through the back
office, with its throttling, lock-out, second factor and audit trail, which
brings them back to the admin; signing out and changing a password go
through the back office too.
"""

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp.admin import OTPAdminSite


class NotificationsAdminSite(OTPAdminSite):
    site_header = "Notifications — administration"
    site_title = "Notifications"
    index_title = "Exploitation de la plateforme"

    def has_permission(self, request) -> bool:
        """When the setting asks for it, an operator's session must have
        passed a security key (phishing-resistant), not a code: they sign in
        with it through the back office, then open the admin."""
        if not super().has_permission(request):
            return False
        if settings.OPERATORS_REQUIRE_SECURITY_KEY:
            return _signed_in_with_security_key(request)
        return True

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """Send the visitor to the back office's sign-in, which brings them
        back; a verified session that still may not enter is told why
        (redirecting it would loop)."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated and request.user.is_verified():
            return self._refusal(request)
        return redirect_to_login(next_url, login_url=reverse("signin:sign-in"))

    def logout(self, request, extra_context=None):
        from services.views.signin import SignOutView

        return SignOutView.as_view()(request)

    def password_change(self, request, extra_context=None):
        return redirect("services:password-change")

    def password_change_done(self, request, extra_context=None):
        return redirect("services:account")

    def _refusal(self, request):
        needs_security_key = (
            request.user.is_active
            and request.user.is_staff
            and settings.OPERATORS_REQUIRE_SECURITY_KEY
            and not _signed_in_with_security_key(request)
        )
        return render(
            request,
            "admin_refused.html",
            {"title": "Accès refusé", "needs_security_key": needs_security_key},
            status=403,
        )


def _signed_in_with_security_key(request) -> bool:
    from django_otp_webauthn.models import WebAuthnCredential

    return isinstance(request.user.otp_device, WebAuthnCredential)
