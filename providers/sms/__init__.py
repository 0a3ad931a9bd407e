"""SMS adapters of our own, one module per gateway, on one shared HTTP
session (``providers.http``)."""

from .brevo import BrevoSmsProvider
from .octopush import OctopushSmsProvider
from .sinch import SinchSmsProvider

__all__ = ["BrevoSmsProvider", "OctopushSmsProvider", "SinchSmsProvider"]
