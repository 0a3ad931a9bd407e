"""The service list, creation, and each service's settings pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from dsfr.utils import list_pages

from .. import actions, selectors, team
from ..audit import audit_event_details, audit_events_for_service, audit_record
from ..forms import (
    ConfirmForm,
    GoLiveForm,
    ReplyToForm,
    ServiceForm,
    ServiceSettingsForm,
    SmsSenderForm,
)
from ..models import AuditAction
from .common import BackofficeMixin, ServicePageMixin

AUDIT_PAGE_SIZE = 50


def _settings_audit(request, service, obj, change: str) -> None:
    audit_record(
        action=AuditAction.SETTINGS_CHANGED,
        request=request,
        service=service,
        obj=obj,
        data={"change": change},
    )


class ServiceListView(BackofficeMixin, TemplateView):
    template_name = "services/service/list.html"
    title = "Mes services"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.request.user.memberships.select_related(
            "service"
        ).order_by("service__name")
        return context


class ServiceCreateView(BackofficeMixin, FormView):
    template_name = "services/service/create.html"
    form_class = ServiceForm
    title = "Créer un service"

    def form_valid(self, form):
        service = team.service_create_for_user(
            request=self.request,
            name=form.cleaned_data["name"],
            organisation_name=form.cleaned_data["organisation_name"],
        )
        messages.success(
            self.request,
            "Service créé, en mode d’essai : il n’envoie qu’à son équipe et à sa "
            "liste d’invités tant qu’il n’est pas passé en production.",
        )
        return redirect("notifications:dashboard", service.id)


class ServiceSettingsView(ServicePageMixin, FormView):
    template_name = "services/service/settings.html"
    form_class = ServiceSettingsForm
    permission = "manage_service"
    title = "Paramètres"
    section = "settings"
    FIELDS = (
        "name",
        "organisation_name",
        "email_sender_name",
        "sms_prefix",
        "branding",
        "email_retention_days",
        "sms_retention_days",
    )

    def get_initial(self):
        return {field: getattr(self.service, field) for field in self.FIELDS}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "service": self.service}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service = self.service
        context["reply_tos"] = service.reply_to_addresses.filter(archived=False)
        context["sms_senders"] = service.sms_senders.filter(archived=False)
        context["go_live"] = selectors.go_live_request_latest(service=service)
        context["usage"] = selectors.service_daily_usage(service=service)
        return context

    def form_valid(self, form):
        changes = {field: form.cleaned_data[field] for field in self.FIELDS}
        team.service_settings_update(
            request=self.request, service=self.service, changes=changes
        )
        messages.success(self.request, "Paramètres enregistrés.")
        return redirect("services:settings", self.service.id)


class ReplyToAddView(ServicePageMixin, FormView):
    template_name = "services/service/simple_form.html"
    form_class = ReplyToForm
    permission = "manage_service"
    title = "Ajouter une adresse de réponse"
    section = "settings"

    def form_valid(self, form):
        reply_to = actions.reply_to_address_add(
            service=self.service, **form.cleaned_data
        )
        _settings_audit(self.request, self.service, reply_to, "reply_to_added")
        messages.success(self.request, "Adresse de réponse ajoutée.")
        return redirect("services:settings", self.service.id)


class SmsSenderAddView(ServicePageMixin, FormView):
    template_name = "services/service/simple_form.html"
    form_class = SmsSenderForm
    permission = "manage_service"
    title = "Ajouter un expéditeur de SMS"
    section = "settings"

    def form_valid(self, form):
        sender = actions.sms_sender_add(service=self.service, **form.cleaned_data)
        _settings_audit(self.request, self.service, sender, "sms_sender_added")
        messages.success(self.request, "Expéditeur de SMS ajouté.")
        return redirect("services:settings", self.service.id)


class SenderConfirmMixin(ServicePageMixin):
    """A confirmation page for one reply-to address or SMS sender of the
    service, which then goes back to the settings."""

    template_name = "services/service/confirm.html"
    form_class = ConfirmForm
    permission = "manage_service"
    section = "settings"
    question = ""
    confirm_label = "Confirmer"

    def get_object(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "question": self.question.format(self.get_object()),
            "confirm_label": self.confirm_label,
            "cancel_url": reverse("services:settings", args=[self.service.id]),
        }

    def change(self, obj):
        """Make the change; return the audit's name for it and the message
        for the team."""
        raise NotImplementedError

    def form_valid(self, form):
        obj = self.get_object()
        try:
            change, message = self.change(obj)
        except actions.SenderRuleError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        _settings_audit(self.request, self.service, obj, change)
        messages.success(self.request, message)
        return redirect("services:settings", self.service.id)


class ReplyToMixin(SenderConfirmMixin):
    def get_object(self):
        reply_to = self.service.reply_to_addresses.filter(
            id=self.kwargs["reply_to_id"], archived=False
        ).first()
        if reply_to is None:
            raise Http404("Adresse introuvable")
        return reply_to


class ReplyToDefaultView(ReplyToMixin, FormView):
    title = "Changer l’adresse de réponse par défaut"
    question = "Faire de « {} » l’adresse de réponse par défaut ?"
    confirm_label = "Définir par défaut"

    def change(self, obj):
        actions.reply_to_address_make_default(reply_to=obj)
        return "reply_to_made_default", "Adresse de réponse par défaut modifiée."


class ReplyToArchiveView(ReplyToMixin, FormView):
    title = "Retirer une adresse de réponse"
    question = "Retirer l’adresse de réponse « {} » ?"
    confirm_label = "Retirer l’adresse"

    def change(self, obj):
        actions.reply_to_address_archive(reply_to=obj)
        return "reply_to_removed", "Adresse de réponse retirée."


class SmsSenderMixin(SenderConfirmMixin):
    def get_object(self):
        sender = self.service.sms_senders.filter(
            id=self.kwargs["sms_sender_id"], archived=False
        ).first()
        if sender is None:
            raise Http404("Expéditeur introuvable")
        return sender


class SmsSenderDefaultView(SmsSenderMixin, FormView):
    title = "Changer l’expéditeur des SMS par défaut"
    question = "Faire de « {} » l’expéditeur des SMS par défaut ?"
    confirm_label = "Définir par défaut"

    def change(self, obj):
        actions.sms_sender_make_default(sender=obj)
        return "sms_sender_made_default", "Expéditeur des SMS par défaut modifié."


class SmsSenderArchiveView(SmsSenderMixin, FormView):
    title = "Retirer un expéditeur des SMS"
    question = "Retirer l’expéditeur des SMS « {} » ?"
    confirm_label = "Retirer l’expéditeur"

    def change(self, obj):
        actions.sms_sender_archive(sender=obj)
        return "sms_sender_removed", "Expéditeur des SMS retiré."


class GoLiveRequestView(ServicePageMixin, FormView):
    template_name = "services/service/go_live.html"
    form_class = GoLiveForm
    permission = "manage_service"
    title = "Demander le passage en production"
    section = "settings"

    def get_initial(self):
        return {"organisation_name": self.service.organisation_name}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("confirm")
        try:
            team.go_live_request_create(
                request=self.request, service=self.service, **data
            )
        except team.TeamRuleError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Demande envoyée. L’équipe de la plateforme l’examine et vous répond "
            "sous deux jours ouvrés.",
        )
        return redirect("services:settings", self.service.id)


class AuditTrailView(ServicePageMixin, TemplateView):
    template_name = "services/service/audit.html"
    permission = "manage_service"
    title = "Journal de sécurité"
    section = "settings"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = audit_events_for_service(service_id=self.service.id)
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context["page_obj"] = list_pages(page)
        context["rows"] = [
            (event, audit_event_details(event)) for event in page.object_list
        ]
        return context
