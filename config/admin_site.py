"""The operators' admin app config: swaps the default site for ours.

This lives outside any app's ``apps.py``: Django refuses a module that
declares two default AppConfigs.
"""

from django.contrib.admin.apps import AdminConfig


class OTPAdminConfig(AdminConfig):
    default_site = "config.otp_admin.NotificationsAdminSite"
