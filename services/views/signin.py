"""Sign-in, second factor, factor set-up, sign-out, password reset and
invitations: the only back-office pages reachable before the second
factor (see ``config/backoffice_urls.py``)."""

import logging

import segno
from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView

from .. import accounts, team
from ..audit import audit_record
from ..forms import (
    AccountCreateForm,
    ConfirmForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SignInForm,
    TokenForm,
    TotpConfirmForm,
)
from ..middleware import session_start
from ..models import AuditAction, Permission, User
from .common import BackofficeMixin, base_url

logger = logging.getLogger(__name__)

GENERIC_SIGN_IN_ERROR = (
    "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie."
)
THROTTLED_ERROR = (
    "Trop de tentatives. Par sécurité, réessayez dans quelques minutes ou "
    "réinitialisez votre mot de passe."
)
NEXT_SESSION_KEY = "_signin_next"


def safe_next_url(request, value: str | None, default: str = "") -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default or reverse("services:service-list")


class SignInView(BackofficeMixin, FormView):
    template_name = "services/signin/sign_in.html"
    form_class = SignInForm
    title = "Connexion"

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_verified():
            return redirect(safe_next_url(request, request.GET.get("next")))
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        try:
            user = accounts.user_sign_in(
                request=self.request,
                email=email,
                password=form.cleaned_data["password"],
            )
        except accounts.SignInThrottledError:
            form.add_error(None, THROTTLED_ERROR)
            return self.form_invalid(form)
        if user is None:
            form.add_error(None, GENERIC_SIGN_IN_ERROR)
            return self.form_invalid(form)

        self.request.session[NEXT_SESSION_KEY] = safe_next_url(
            self.request, self.request.GET.get("next")
        )
        return redirect("signin:second-factor")


class SecondFactorView(BackofficeMixin, FormView):
    """The second step: a TOTP or backup code, or a security key."""

    template_name = "services/signin/second_factor.html"
    form_class = TokenForm
    title = "Vérification en deux étapes"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("signin:sign-in")
        if request.user.is_verified():
            return redirect(self._next())
        if not accounts.user_has_factor(user=request.user):
            return redirect("signin:factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def _next(self) -> str:
        return self.request.session.pop(
            NEXT_SESSION_KEY, reverse("services:service-list")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        factors = accounts.user_factors(user=self.request.user)
        context["has_totp"] = any(f.kind == "totp" for f in factors)
        context["has_webauthn"] = any(f.kind == "webauthn" for f in factors)
        context["next_url"] = self.request.session.get(NEXT_SESSION_KEY, "")
        return context

    def form_valid(self, form):
        try:
            verified = accounts.second_factor_verify(
                request=self.request, token=form.cleaned_data["token"]
            )
        except accounts.SignInThrottledError:
            form.add_error("token", THROTTLED_ERROR)
            return self.form_invalid(form)
        if not verified:
            form.add_error("token", "Ce code est incorrect ou a expiré.")
            return self.form_invalid(form)
        return redirect(self._next())


def totp_context(device) -> dict:
    """The QR code (SVG, no script) and the secret to type by hand."""
    import base64

    qr = segno.make(device.config_url, error="m")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return {
        "qr_svg": qr.svg_inline(scale=5, title="QR code à scanner"),
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "device": device,
    }


class FactorSetupView(BackofficeMixin, FormView):
    """First second factor of an account: an authenticator application
    (scan, then confirm a code) or a security key."""

    template_name = "services/signin/factor_setup.html"
    form_class = TotpConfirmForm
    title = "Sécurisez votre compte"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("signin:sign-in")
        if accounts.user_has_factor(user=request.user):
            # Another factor is added from the account page, which asks
            # for a recent re-authentication.
            if request.user.is_verified():
                return redirect("services:totp-add")
            return redirect("signin:second-factor")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = accounts.totp_device_start(user=self.request.user)
        context.update(totp_context(device))
        return context

    def form_valid(self, form):
        device = accounts.totp_device_start(user=self.request.user)
        try:
            confirmed = accounts.totp_device_confirm(
                request=self.request, device=device, token=form.cleaned_data["token"]
            )
        except accounts.SignInThrottledError:
            form.add_error("token", THROTTLED_ERROR)
            return self.form_invalid(form)
        if not confirmed:
            form.add_error(
                "token",
                "Ce code est incorrect. Vérifiez l’heure de votre "
                "téléphone et saisissez le code affiché.",
            )
            return self.form_invalid(form)
        backup_codes_offer(self.request)
        return redirect("signin:backup-codes")


NEW_BACKUP_CODES_KEY = "_new_backup_codes"


def backup_codes_offer(request) -> None:
    """Generate backup codes, kept in the session until shown once."""
    codes = accounts.backup_codes_generate(request=request, user=request.user)
    request.session[NEW_BACKUP_CODES_KEY] = codes


class BackupCodesView(BackofficeMixin, View):
    """New backup codes, shown once."""

    title = "Vos codes de secours"

    def get(self, request):
        if not request.user.is_authenticated or not request.user.is_verified():
            return redirect("signin:sign-in")
        codes = request.session.pop(NEW_BACKUP_CODES_KEY, None)
        next_url = request.session.pop(NEXT_SESSION_KEY, None)
        if not codes:
            return redirect(safe_next_url(request, next_url))
        return render(
            request,
            "services/signin/backup_codes.html",
            {
                "codes": codes,
                "title": self.title,
                "next_url": safe_next_url(request, next_url),
            },
        )


class SignOutView(View):
    def post(self, request):
        if request.user.is_authenticated:
            audit_record(action=AuditAction.SIGN_OUT, request=request)
        auth.logout(request)
        messages.info(request, "Vous êtes déconnecté.")
        return redirect("signin:sign-in")


class PasswordResetRequestView(BackofficeMixin, FormView):
    template_name = "services/signin/password_reset_request.html"
    form_class = PasswordResetRequestForm
    title = "Mot de passe oublié"

    def form_valid(self, form):
        accounts.password_reset_request(
            request=self.request,
            email=form.cleaned_data["email"],
            base_url=base_url(self.request),
        )
        # The same answer whether or not an account has this address.
        messages.info(
            self.request,
            "Si un compte existe avec cette adresse, un lien pour choisir un "
            "nouveau mot de passe vient d’y être envoyé. Il est valable une heure.",
        )
        return redirect("signin:sign-in")


class PasswordResetConfirmView(BackofficeMixin, FormView):
    template_name = "services/signin/password_reset_confirm.html"
    form_class = NewPasswordForm
    title = "Choisir un nouveau mot de passe"

    def dispatch(self, request, *args, **kwargs):
        self.reset_user = accounts.password_reset_user(
            uidb64=kwargs["uidb64"], token=kwargs["token"]
        )
        if self.reset_user is None:
            return render(
                request,
                "services/signin/link_invalid.html",
                {"title": "Lien expiré"},
                status=400,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.reset_user}

    def form_valid(self, form):
        accounts.password_reset_complete(
            request=self.request,
            user=self.reset_user,
            new_password=form.cleaned_data["new_password"],
        )
        auth.logout(self.request)
        messages.success(
            self.request,
            "Votre mot de passe a été changé. Connectez-vous avec votre second "
            "facteur.",
        )
        return redirect("signin:sign-in")


class InvitationAcceptView(BackofficeMixin, FormView):
    """An invitation link: a new user creates their account; an existing
    one signs in, then confirms (a POST: following a link joins nothing)."""

    template_name = "services/signin/invitation.html"
    form_class = AccountCreateForm
    title = "Rejoindre un service"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = team.invitation_by_token(token=kwargs["token"])
        if self.invitation is None:
            return _invitation_invalid(request)
        self.existing_user = User.objects.filter(
            email__iexact=self.invitation.email
        ).first()
        if self.existing_user is not None:
            return self._join_existing(request)
        return super().dispatch(request, *args, **kwargs)

    def _join_existing(self, request):
        user = request.user
        if not user.is_authenticated or not user.is_verified():
            messages.info(
                request,
                f"Connectez-vous pour rejoindre « {self.invitation.service.name} ».",
            )
            return redirect_to_login(request.path, login_url=reverse("signin:sign-in"))
        if user.pk != self.existing_user.pk:
            return render(
                request,
                "services/signin/link_invalid.html",
                {"title": "Invitation destinée à un autre compte"},
                status=403,
            )
        if request.method in ("GET", "HEAD"):
            return self._join_confirmation(request)
        if request.method != "POST":
            return self.http_method_not_allowed(request)

        try:
            team.invitation_accept(
                request=request, invitation=self.invitation, user=user
            )
        except team.TeamRuleError:
            return _invitation_invalid(request)
        messages.success(
            request, f"Vous avez rejoint « {self.invitation.service.name} »."
        )
        return redirect("notifications:dashboard", self.invitation.service.id)

    def _join_confirmation(self, request):
        labels = dict(Permission.choices)
        return render(
            request,
            "services/signin/invitation_join.html",
            {
                "title": self.title,
                "invitation": self.invitation,
                "permissions": [labels[p] for p in self.invitation.permissions],
                "form": ConfirmForm(),
            },
        )

    def get_form_kwargs(self):
        user = User(email=self.invitation.email)
        return {**super().get_form_kwargs(), "user": user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation": self.invitation}

    def form_valid(self, form):
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=self.invitation.email,
                    password=form.cleaned_data["new_password"],
                    full_name=form.cleaned_data["full_name"],
                )
                team.invitation_accept(
                    request=self.request, invitation=self.invitation, user=user
                )
        except team.TeamRuleError:
            # Used meanwhile, from another tab or device.
            return _invitation_invalid(self.request)
        auth.login(
            self.request, user, backend="django.contrib.auth.backends.ModelBackend"
        )
        session_start(self.request)
        self.request.session[NEXT_SESSION_KEY] = reverse(
            "notifications:dashboard", args=[self.invitation.service.id]
        )
        return redirect("signin:factor-setup")


def _invitation_invalid(request):
    return render(
        request,
        "services/signin/link_invalid.html",
        {"title": "Invitation expirée"},
        status=400,
    )
