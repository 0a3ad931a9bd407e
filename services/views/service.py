"""The service list, creation, and each service's settings pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView
from dsfr.utils import list_pages

from .. import actions, team
from ..audit import audit_event_details, audit_events_for_service, audit_record
from ..forms import (
    ConfirmForm,
    GoLiveForm,
    ReplyToForm,
    ServiceForm,
    ServiceSettingsForm,
    SmsSenderForm,
)
from ..models import AuditAction, GoLiveStatus
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
        context["pending_go_live"] = service.go_live_requests.filter(
            status=GoLiveStatus.PENDING
        ).first()
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


class ReplyToArchiveView(ServicePageMixin, FormView):
    template_name = "services/service/confirm.html"
    form_class = ConfirmForm
    permission = "manage_service"
    title = "Retirer une adresse de réponse"
    section = "settings"

    def get_object(self):
        reply_to = self.service.reply_to_addresses.filter(
            id=self.kwargs["reply_to_id"], archived=False
        ).first()
        if reply_to is None:
            raise Http404("Adresse introuvable")
        return reply_to

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "question": f"Retirer l’adresse de réponse {self.get_object()} ?",
        }

    def form_valid(self, form):
        reply_to = self.get_object()
        reply_to.archived = True
        reply_to.is_default = False
        reply_to.save(update_fields=["archived", "is_default", "updated_at"])
        _settings_audit(self.request, self.service, reply_to, "reply_to_removed")
        messages.success(self.request, "Adresse de réponse retirée.")
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
