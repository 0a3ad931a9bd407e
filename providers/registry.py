"""Which adapter sends a channel, from ``settings.NOTIFICATION_PROVIDERS``."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import EmailProvider, SmsProvider


@cache
def _instance(path: str):
    return import_string(path)()


def get_providers(channel: str) -> list[EmailProvider | SmsProvider]:
    """Every configured adapter for the channel, in priority order."""
    return [_instance(path) for path in settings.NOTIFICATION_PROVIDERS[channel]]


def get_provider(channel: str) -> EmailProvider | SmsProvider:
    return get_providers(channel)[0]
