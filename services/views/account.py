"""The signed-in user's own account: their details, second factors and
password."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from .. import accounts, profile
from ..audit import audit_events_for_user
from ..forms import (
    AccountDetailsForm,
    ConfirmForm,
    PasswordChangeForm,
    TotpConfirmForm,
)
from .common import BackofficeMixin
from .signin import backup_codes_offer, totp_context


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


class TotpAddView(BackofficeMixin, FormView):
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


class SecurityKeyAddView(BackofficeMixin, TemplateView):
    template_name = "services/account/security_key_add.html"
    title = "Ajouter une clé de sécurité"


class FactorRemoveView(BackofficeMixin, FormView):
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


class BackupCodesRegenerateView(BackofficeMixin, FormView):
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
