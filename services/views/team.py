"""API keys, the team, invitations and the guest list of a service."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from .. import selectors, team
from ..forms import (
    ApiKeyCreateForm,
    ConfirmForm,
    GuestListForm,
    InvitationForm,
    PermissionsForm,
)
from ..models import Invitation, Permission
from .common import ServicePageMixin, base_url


class ApiKeyListView(ServicePageMixin, TemplateView):
    template_name = "services/service/api_keys.html"
    permission = "manage_api_keys"
    title = "Clés d’API"
    section = "api_keys"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        keys = selectors.api_keys_for_service(service_id=self.service.id)
        context["active_keys"] = [k for k in keys if k.revoked_at is None]
        context["revoked_keys"] = [k for k in keys if k.revoked_at is not None]
        return context


class ApiKeyCreateView(ServicePageMixin, FormView):
    template_name = "services/service/api_key_create.html"
    form_class = ApiKeyCreateForm
    permission = "manage_api_keys"
    title = "Créer une clé d’API"
    section = "api_keys"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "service": self.service}

    def form_valid(self, form):
        created = team.api_key_create_for_user(
            request=self.request,
            service=self.service,
            name=form.cleaned_data["name"],
            key_type=form.cleaned_data["key_type"],
        )
        # Shown in this response only: never stored in clear, never shown
        # again.
        return render(
            self.request,
            "services/service/api_key_created.html",
            {
                **self.get_context_data(),
                "title": "Votre nouvelle clé d’API",
                "api_key": created.api_key,
                "key_string": created.key_string,
            },
        )


class ApiKeyRevokeView(ServicePageMixin, FormView):
    template_name = "services/service/confirm.html"
    form_class = ConfirmForm
    permission = "manage_api_keys"
    title = "Révoquer une clé d’API"
    section = "api_keys"

    def get_object(self):
        api_key = self.service.api_keys.filter(
            id=self.kwargs["api_key_id"], revoked_at__isnull=True
        ).first()
        if api_key is None:
            raise Http404("Clé introuvable")
        return api_key

    def get_context_data(self, **kwargs):
        api_key = self.get_object()
        return {
            **super().get_context_data(**kwargs),
            "question": f"Révoquer la clé « {api_key.name} » ?",
            "warning": "Les applications qui l’utilisent ne pourront plus envoyer "
            "de messages. Cette action est définitive.",
            "confirm_label": "Révoquer la clé",
            "cancel_url": reverse("services:api-key-list", args=[self.service.id]),
        }

    def form_valid(self, form):
        api_key = self.get_object()
        team.api_key_revoke_for_user(request=self.request, api_key=api_key)
        messages.success(self.request, f"La clé « {api_key.name} » est révoquée.")
        return redirect("services:api-key-list", self.service.id)


class TeamView(ServicePageMixin, TemplateView):
    template_name = "services/service/team.html"
    permission = "view_activity"
    title = "Équipe"
    section = "team"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.member_list(service=self.service)
        context["invitations"] = [
            invitation
            for invitation in self.service.invitations.order_by("-created_at")
            if invitation.is_pending
        ]
        context["permission_labels"] = dict(Permission.choices)
        context["guests"] = self.service.guest_list.order_by("recipient")
        return context


class InvitationCreateView(ServicePageMixin, FormView):
    template_name = "services/service/simple_form.html"
    form_class = InvitationForm
    permission = "manage_service"
    title = "Inviter un membre"
    section = "team"

    def get_initial(self):
        return {"permissions": ["view_activity", "send_messages"]}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "submit_label": "Envoyer l’invitation",
        }

    def form_valid(self, form):
        try:
            team.invitation_create(
                request=self.request,
                service=self.service,
                email=form.cleaned_data["email"],
                permissions=form.cleaned_data["permissions"],
                base_url=base_url(self.request),
            )
        except team.TeamRuleError as error:
            form.add_error("email", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Invitation envoyée à {form.cleaned_data['email']}. Le lien est "
            "valable 48 heures.",
        )
        return redirect("services:team", self.service.id)


class InvitationRevokeView(ServicePageMixin, FormView):
    template_name = "services/service/confirm.html"
    form_class = ConfirmForm
    permission = "manage_service"
    title = "Annuler une invitation"
    section = "team"

    def get_object(self) -> Invitation:
        invitation = self.service.invitations.filter(
            id=self.kwargs["invitation_id"]
        ).first()
        if invitation is None:
            raise Http404("Invitation introuvable")
        return invitation

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "question": f"Annuler l’invitation de {self.get_object().email} ?",
            "confirm_label": "Annuler l’invitation",
            "cancel_label": "Garder l’invitation",
            "cancel_url": reverse("services:team", args=[self.service.id]),
        }

    def form_valid(self, form):
        team.invitation_revoke(request=self.request, invitation=self.get_object())
        messages.success(self.request, "Invitation annulée.")
        return redirect("services:team", self.service.id)


class MemberMixin:
    def get_object(self):
        member = (
            self.service.members.select_related("user", "service")
            .filter(id=self.kwargs["member_id"])
            .first()
        )
        if member is None:
            raise Http404("Membre introuvable")
        return member


class MemberPermissionsView(MemberMixin, ServicePageMixin, FormView):
    template_name = "services/service/simple_form.html"
    form_class = PermissionsForm
    permission = "manage_service"
    title = "Modifier les droits"
    section = "team"

    def get_initial(self):
        return {"permissions": self.get_object().permissions}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "intro": f"Droits de {self.get_object().user.email}",
        }

    def form_valid(self, form):
        try:
            team.member_permissions_change(
                request=self.request,
                member=self.get_object(),
                permissions=form.cleaned_data["permissions"],
            )
        except team.TeamRuleError as error:
            form.add_error("permissions", str(error))
            return self.form_invalid(form)
        messages.success(self.request, "Droits modifiés.")
        return redirect("services:team", self.service.id)


class MemberRemoveView(MemberMixin, ServicePageMixin, FormView):
    template_name = "services/service/confirm.html"
    form_class = ConfirmForm
    permission = "manage_service"
    title = "Retirer un membre"
    section = "team"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "question": f"Retirer {self.get_object().user.email} de l’équipe ?",
            "confirm_label": "Retirer de l’équipe",
            "cancel_url": reverse("services:team", args=[self.service.id]),
        }

    def form_valid(self, form):
        try:
            team.member_remove(request=self.request, member=self.get_object())
        except team.TeamRuleError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "Membre retiré de l’équipe.")
        if not self.service.members.filter(user=self.request.user).exists():
            return redirect("services:service-list")
        return redirect("services:team", self.service.id)


class GuestAddView(ServicePageMixin, FormView):
    template_name = "services/service/simple_form.html"
    form_class = GuestListForm
    permission = "manage_service"
    title = "Ajouter à la liste d’invités"
    section = "team"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "intro": "En mode d’essai, et avec une clé « équipe », le service peut "
            "envoyer aux membres de l’équipe et aux personnes de cette liste.",
        }

    def form_valid(self, form):
        channel, recipient, normalised = form.cleaned_data["recipient"]
        team.guest_list_entry_add(
            request=self.request,
            service=self.service,
            channel=channel,
            recipient=recipient,
            normalised=normalised,
        )
        messages.success(self.request, "Ajouté à la liste d’invités.")
        return redirect("services:team", self.service.id)


class GuestRemoveView(ServicePageMixin, FormView):
    template_name = "services/service/confirm.html"
    form_class = ConfirmForm
    permission = "manage_service"
    title = "Retirer de la liste d’invités"
    section = "team"

    def get_object(self):
        entry = self.service.guest_list.filter(id=self.kwargs["guest_id"]).first()
        if entry is None:
            raise Http404("Invité introuvable")
        return entry

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "question": f"Retirer {self.get_object().recipient} de la liste ?",
            "confirm_label": "Retirer",
            "cancel_url": reverse("services:team", args=[self.service.id]),
        }

    def form_valid(self, form):
        team.guest_list_entry_remove(request=self.request, entry=self.get_object())
        messages.success(self.request, "Retiré de la liste d’invités.")
        return redirect("services:team", self.service.id)
