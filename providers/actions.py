"""Writes to the provider configuration."""

import logging

from django.db import transaction

from . import registry
from .models import ProviderSetting

logger = logging.getLogger(__name__)


@transaction.atomic
def provider_settings_seed(*, channel: str) -> list[ProviderSetting]:
    """Create the channel's rows from ``settings.NOTIFICATION_PROVIDERS``
    when it has none, and return the channel's rows.

    Two processes seeding at once create each row once (the name is
    unique); the loser reads the winner's rows."""
    entries = registry.settings_entries(channel)
    ProviderSetting.objects.bulk_create(
        [
            ProviderSetting(
                name=entry.name,
                channel=channel,
                path=entry.path,
                active=True,
                priority=entry.priority,
                options=registry.options_from_json(entry.options_json),
            )
            for entry in entries
        ],
        ignore_conflicts=True,
    )
    logger.info(
        "Seeded the %s provider configuration from settings: %s",
        channel,
        ", ".join(entry.name for entry in entries) or "nothing",
        extra={"channel": channel},
    )
    return list(
        ProviderSetting.objects.filter(channel=channel).order_by("priority", "name")
    )
