"""Who may see a back-office page.

``protect`` wraps every view of the back office's include: a signed-in
user whose session passed the second factor, or a redirect. It is applied
to the whole include in ``config/backoffice_urls.py``, so no view can opt
out. ``config.backoffice.ServicePageMixin`` then checks membership of the
service in the URL (404 for anyone else) and the permission (403).
"""

import functools
import logging

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver

logger = logging.getLogger(__name__)


def verified_required(view):
    """Let through only a signed-in user whose session passed the second
    factor."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_verified():
            return redirect("signin:second-factor")
        return view(request, *args, **kwargs)

    wrapper.backoffice_protected = True
    return wrapper


def signed_in_required(view):
    """For the second-factor pages: a password-checked session is
    enough."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def protect(patterns: list) -> list:
    """Wrap every view under ``patterns`` (recursively) with
    ``verified_required``."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            protect(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            if not getattr(entry.callback, "backoffice_protected", False):
                entry.callback = verified_required(entry.callback)
    return patterns
