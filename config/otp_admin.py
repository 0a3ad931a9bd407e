"""The operators' admin site, behind django-otp: no page without a verified
second factor (``OTPAdminSite.has_permission`` checks ``is_verified()``)."""

from django_otp.admin import OTPAdminSite


class NotificationsAdminSite(OTPAdminSite):
    site_header = "Notifications — administration"
    site_title = "Notifications"
    index_title = "Exploitation de la plateforme"

    def has_permission(self, request) -> bool:
        """Operators sign in through the back office's sign-in; when the
        setting asks for it, their session must have passed a security key
        (phishing-resistant), not a code."""
        from django.conf import settings
        from django_otp_webauthn.models import WebAuthnCredential

        if not super().has_permission(request):
            return False
        if settings.OPERATORS_REQUIRE_SECURITY_KEY:
            return isinstance(request.user.otp_device, WebAuthnCredential)
        return True

    def login(self, request, extra_context=None):
        """Send operators to the back office's sign-in (password, then
        second factor, with throttling and the audit trail)."""
        from django.contrib.auth.views import redirect_to_login

        next_url = request.GET.get("next") or request.path.replace("login/", "")
        if request.user.is_authenticated and request.user.is_verified():
            from django.shortcuts import render

            return render(
                request,
                "admin/services/operator_required.html",
                {**self.each_context(request), "title": "Accès réservé"},
                status=403,
            )
        return redirect_to_login(next_url)
