"""The operators' admin site, behind django-otp: no page without a verified
second factor (``OTPAdminSite.has_permission`` checks ``is_verified()``)."""

from django_otp.admin import OTPAdminSite


class NotificationsAdminSite(OTPAdminSite):
    site_header = "Notifications — administration"
    site_title = "Notifications"
    index_title = "Exploitation de la plateforme"
