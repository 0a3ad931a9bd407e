"""Error pages of the back office, in French."""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    """A form came without its anti-forgery token (or with a stale one)."""
    return render(
        request,
        "services/errors/csrf.html",
        {"title": "Formulaire expiré"},
        status=403,
    )
