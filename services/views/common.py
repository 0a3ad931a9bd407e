"""The back office's shared view pieces live in ``config.backoffice``."""

from config.backoffice import (  # noqa: F401
    BackofficeMixin,
    ServicePageMixin,
    ServicePageView,
    base_url,
)
