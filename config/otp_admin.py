"""The operators' admin site, behind django-otp: no page without a verified
second factor (``OTPAdminSite.has_permission`` checks ``is_verified()``)."""

from django_otp.admin import OTPAdminSite


class NotificationsAdminSite(OTPAdminSite):
    site_header = "Notifications — administration"
    site_title = "Notifications"
    index_title = "Exploitation de la plateforme"

    def has_permission(self, request) -> bool:
        """When the setting asks for it, an operator's session must have
        passed a security key (phishing-resistant), not a code: they sign in
        with it through the back office, then open the admin."""
        from django.conf import settings
        from django_otp_webauthn.models import WebAuthnCredential

        if not super().has_permission(request):
            return False
        if settings.OPERATORS_REQUIRE_SECURITY_KEY:
            return isinstance(request.user.otp_device, WebAuthnCredential)
        return True
