"""Where the emails' brand assets are served from."""

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage

LOGO_PATH = "templates_app/email/marianne.png"


def email_logo_url() -> str:
    """The public URL of the Marianne symbol shown in State-branded emails:
    ``EMAIL_LOGO_URL``, or the static file under ``PUBLIC_API_BASE_URL``;
    empty (a text-only block) when neither is known."""
    if settings.EMAIL_LOGO_URL:
        return settings.EMAIL_LOGO_URL
    base = settings.PUBLIC_API_BASE_URL.rstrip("/")
    if not base:
        return ""
    return f"{base}{staticfiles_storage.url(LOGO_PATH)}"
