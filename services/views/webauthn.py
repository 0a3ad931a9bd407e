"""django-otp-webauthn's JSON endpoints, with our audit trail, throttling
and a French message catalogue for its scripts."""

import json

from django.http import HttpResponse
from django.views import View
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential

from .. import accounts, throttling
from ..audit import audit_record
from ..models import AuditAction
from .signin import NEW_BACKUP_CODES_KEY


class ReauthenticationRequiredError(OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Pour votre sécurité, confirmez d’abord votre mot de passe."
    default_code = "reauthentication_required"


class RegistrationMixin:
    """A second security key needs a recent re-authentication, as every
    factor change does; the first one (the session has no second factor
    yet: the library checks that) does not."""

    def check_can_register(self):
        super().check_can_register()
        request = self.request
        if request.user.is_verified() and not accounts.reauthentication_is_recent(
            request=request
        ):
            raise ReauthenticationRequiredError()


class RegistrationBeginView(
    RegistrationMixin, webauthn_views.BeginCredentialRegistrationView
):
    pass


class RegistrationCompleteView(
    RegistrationMixin, webauthn_views.CompleteCredentialRegistrationView
):
    def post(self, *args, **kwargs):
        was_verified = self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            device_id = json.loads(response.content)["id"]
            device = WebAuthnCredential.objects.get(pk=device_id)
            if not was_verified:
                # The library verified the session with the new key.
                accounts.session_verify(request=self.request, device=device)
            accounts.webauthn_device_registered(request=self.request, device=device)
            if not accounts.backup_codes_remaining(user=self.request.user):
                codes = accounts.backup_codes_generate(
                    request=self.request, user=self.request.user
                )
                self.request.session[NEW_BACKUP_CODES_KEY] = codes
        return response


def _throttled_response() -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": "Trop de tentatives. Réessayez plus tard."}),
        status=429,
        content_type="application/json",
    )


class AuthenticationBeginView(webauthn_views.BeginCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        user = self.request.user
        if user.is_authenticated and throttling.second_factor_is_throttled(
            user_id=user.pk
        ):
            return _throttled_response()
        return super().post(*args, **kwargs)


class AuthenticationCompleteView(webauthn_views.CompleteCredentialAuthenticationView):
    """A failed passkey counts against the same limit as a wrong code."""

    def post(self, *args, **kwargs):
        user = self.request.user
        if user.is_authenticated and throttling.second_factor_is_throttled(
            user_id=user.pk
        ):
            return _throttled_response()
        try:
            # The library raises its API errors, turned into JSON by its
            # dispatch(), on every failure.
            response = super().post(*args, **kwargs)
        except OTPWebAuthnApiError:
            if user.is_authenticated:
                throttling.second_factor_failure_count(user_id=user.pk)
                audit_record(
                    action=AuditAction.SECOND_FACTOR_FAILED, request=self.request
                )
            raise
        accounts.second_factor_accepted(
            request=self.request, device=self.request.user.otp_device
        )
        return response

    def get_success_url(self):
        from django.urls import reverse

        return reverse("signin:second-factor")


# The library's scripts call gettext(); it ships no French catalogue.
FRENCH_MESSAGES = {
    "Register a Passkey": "Enregistrer une clé de sécurité",
    "Registering...": "Enregistrement…",
    "Finishing registration...": "Finalisation de l’enregistrement…",
    "Registration successful!": "Clé enregistrée.",
    "Registration aborted.": "Enregistrement interrompu.",
    "Registration aborted or not allowed.": "Enregistrement interrompu ou refusé.",
    "Registration failed. You most likely already have a Passkey registered for "
    "this site.": "Échec : cette clé est sans doute déjà enregistrée.",
    "Registration failed. A server error occurred.": "Échec : erreur du serveur.",
    "Registration failed. An unknown error occurred.": "Échec : erreur inconnue.",
    "Registration failed. The server was unable to verify this passkey.": (
        "Échec : le serveur n’a pas pu vérifier cette clé."
    ),
    "Registration failed. Unable to fetch registration options from server.": (
        "Échec : impossible de joindre le serveur."
    ),
    "Registration failed. A technical problem occurred that prevents you from "
    "registering a Passkey for this site.": (
        "Échec : un problème technique empêche d’enregistrer une clé sur ce site."
    ),
    "An error occurred during registration.": "Erreur pendant l’enregistrement.",
    "Verify with Passkey": "Utiliser ma clé de sécurité",
    "Verifying...": "Vérification…",
    "Finishing verification...": "Finalisation de la vérification…",
    "Verification successful!": "Vérification réussie.",
    "Verification aborted.": "Vérification interrompue.",
    "Verification canceled or not allowed.": "Vérification annulée ou refusée.",
    "Verification failed. A server error occurred.": "Échec : erreur du serveur.",
    "Verification failed. An unknown error occurred.": "Échec : erreur inconnue.",
    "Verification failed. An unknown server error occurred.": (
        "Échec : erreur inconnue du serveur."
    ),
    "Verification failed. Could not retrieve parameters from the server.": (
        "Échec : impossible de joindre le serveur."
    ),
    "An error occurred during verification.": "Erreur pendant la vérification.",
}


class FrenchCatalogView(View):
    """A gettext() for the library's scripts, served as a static script
    (no inline code: CSP)."""

    def get(self, request):
        catalog = json.dumps(FRENCH_MESSAGES, ensure_ascii=False)
        body = (
            f"(function () {{ var messages = {catalog};\n"
            "window.gettext = function (text) { return messages[text] || text; };\n"
            "})();\n"
        )
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
        response["Cache-Control"] = "public, max-age=3600"
        return response
