"""The signed-in user's own account: their details, second factors and
password.

Adding or removing a second factor and new backup codes need a recent
re-authentication: a second factor passed, or the password confirmed, a
few minutes ago at most.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from .. import accounts, profile
from ..audit import audit_events_for_user
from ..forms import (
    AccountDetailsForm,
    ConfirmForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    TotpConfirmForm,
)
from .common import BackofficeMixin
from .signin import THROTTLED_ERROR, backup_codes_offer, safe_next_url, totp_context

WRONG_CONFIRMATION_ERROR = "Le mot de passe est incorrect."


class RecentAuthenticationRequiredMixin:
    """Send a session that has not proved its user recently to confirm its
    password first, then back here."""

    def dispatch(self, request, *args, **kwargs):
        if not accounts.reauthentication_is_recent(request=request):
            messages.info(
                request,
                "Pour votre sécurité, confirmez votre mot de passe avant de "
                "modifier vos seconds facteurs ou vos codes de secours.",
            )
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("services:reauthenticate")
            )
        return super().dispatch(request, *args, **kwargs)


class ReauthenticateView(BackofficeMixin, FormView):
    template_name = "services/account/reauthenticate.html"
    form_class = PasswordConfirmForm
    title = "Confirmez votre mot de passe"

    def form_valid(self, form):
        try:
            confirmed = accounts.password_confirm(
                request=self.request, password=form.cleaned_data["password"]
            )
        except accounts.SignInThrottledError:
            form.add_error("password", THROTTLED_ERROR)
            return self.form_invalid(form)
        if not confirmed:
            form.add_error("password", WRONG_CONFIRMATION_ERROR)
            return self.form_invalid(form)
        next_url = self.request.GET.get("next")
        return redirect(
            safe_next_url(self.request, next_url, reverse("services:account"))
        )


class AccountView(BackofficeMixin, TemplateView):
    template_name = "services/account/account.html"
    title = "Mon compte"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["factors"] = accounts.user_factors(user=user)
        context["backup_codes_remaining"] = accounts.backup_codes_remaining(user=user)
        context["events"] = audit_events_for_user(user=user)[:10]
        context["details_form"] = AccountDetailsForm(initial=_details(user))
        return context


class PasswordChangeView(BackofficeMixin, FormView):
    template_name = "services/account/password_change.html"
    form_class = PasswordChangeForm
    title = "Changer de mot de passe"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            confirmed = accounts.password_confirm(
                request=self.request, password=form.cleaned_data["current_password"]
            )
        except accounts.SignInThrottledError:
            form.add_error("current_password", THROTTLED_ERROR)
            return self.form_invalid(form)
        if not confirmed:
            form.add_error("current_password", "Le mot de passe actuel est incorrect.")
            return self.form_invalid(form)

        accounts.password_change(
            request=self.request,
            user=self.request.user,
            new_password=form.cleaned_data["new_password"],
        )
        messages.success(
            self.request,
            "Mot de passe changé. Vos autres sessions ont été déconnectées.",
        )
        return redirect("services:account")


class TotpAddView(RecentAuthenticationRequiredMixin, BackofficeMixin, FormView):
    template_name = "services/account/totp_add.html"
    form_class = TotpConfirmForm
    title = "Ajouter une application d’authentification"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(totp_context(accounts.totp_device_start(user=self.request.user)))
        return context

    def form_valid(self, form):
        device = accounts.totp_device_start(user=self.request.user)
        try:
            confirmed = accounts.totp_device_confirm(
                request=self.request, device=device, token=form.cleaned_data["token"]
            )
        except accounts.SignInThrottledError:
            form.add_error("token", "Trop de tentatives. Réessayez plus tard.")
            return self.form_invalid(form)
        if not confirmed:
            form.add_error("token", "Ce code est incorrect.")
            return self.form_invalid(form)
        messages.success(self.request, "Application d’authentification ajoutée.")
        return redirect("services:account")


class SecurityKeyAddView(
    RecentAuthenticationRequiredMixin, BackofficeMixin, TemplateView
):
    template_name = "services/account/security_key_add.html"
    title = "Ajouter une clé de sécurité"


class FactorRemoveView(RecentAuthenticationRequiredMixin, BackofficeMixin, FormView):
    template_name = "services/account/factor_remove.html"
    form_class = ConfirmForm
    title = "Supprimer un second facteur"

    def dispatch(self, request, *args, **kwargs):
        factors = {(f.kind, f.id): f for f in accounts.user_factors(user=request.user)}
        self.factor = factors.get((kwargs["kind"], kwargs["factor_id"]))
        if self.factor is None:
            raise Http404("Second facteur introuvable")
        self.is_last = len(factors) == 1
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "factor": self.factor,
            "is_last": self.is_last,
        }

    def form_valid(self, form):
        try:
            accounts.factor_remove(
                request=self.request,
                user=self.request.user,
                kind=self.factor.kind,
                factor_id=self.factor.id,
            )
        except accounts.LastFactorError:
            form.add_error(
                None,
                "Vous ne pouvez pas supprimer votre dernier second facteur : "
                "ajoutez-en un autre d’abord.",
            )
            return self.form_invalid(form)
        messages.success(self.request, "Second facteur supprimé.")
        return redirect("services:account")


class BackupCodesRegenerateView(
    RecentAuthenticationRequiredMixin, BackofficeMixin, FormView
):
    template_name = "services/account/backup_codes_regenerate.html"
    form_class = ConfirmForm
    title = "Nouveaux codes de secours"

    def form_valid(self, form):
        backup_codes_offer(self.request)
        return redirect("signin:backup-codes")


def _details(user) -> dict:
    return {"full_name": user.full_name, "mobile_number": user.mobile_number}


class AccountDetailsView(BackofficeMixin, FormView):
    """The account page's "Mes informations" form; shown on its own page
    again when it has errors."""

    template_name = "services/account/details.html"
    form_class = AccountDetailsForm
    title = "Mes informations"

    def get_initial(self):
        return _details(self.request.user)

    def form_valid(self, form):
        profile.user_details_update(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Vos informations sont enregistrées.")
        return redirect("services:account")
