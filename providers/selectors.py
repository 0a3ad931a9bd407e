"""Reads of the provider configuration."""

from .models import ProviderSetting


def provider_settings_for_channel(*, channel: str) -> list[ProviderSetting]:
    """The channel's providers, active or not, in priority order."""
    return list(
        ProviderSetting.objects.filter(channel=channel).order_by("priority", "name")
    )
