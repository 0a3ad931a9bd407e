"""Back-office screens of notifications: the dashboard, sending one
message, the activity list and a notification's page."""

import logging
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView

from config.api import ApiError
from config.backoffice import ServicePageMixin, ServicePageView
from templates_app import rendering
from templates_app import selectors as template_selectors

from . import actions
from . import backoffice_selectors as reads
from .forms import ActivityFilterForm, SendForm
from .models import Notification

logger = logging.getLogger(__name__)

ACTIVITY_PAGE_SIZE = 50
CHART_HEIGHT = 120
CHART_BAR_WIDTH = 36
CHART_GAP = 24
SEND_FAILED = "Le message n’a pas pu être envoyé. Réessayez plus tard."
NO_OWN_MOBILE_NUMBER = (
    "Votre numéro de mobile n’est pas renseigné : ajoutez-le dans « Mon compte »."
)
SIMULATED_RECIPIENT = (
    "Ce destinataire est un destinataire de test : le message est valide, mais "
    "il n’a été ni enregistré ni envoyé."
)


def _chart(figures) -> dict:
    """Stacked bars per day as SVG geometry (attributes, not styles: the
    CSP allows no inline style)."""
    peak = max([day.total for day in figures.days] + [1])
    bars = []
    for index, day in enumerate(figures.days):
        x = index * (CHART_BAR_WIDTH + CHART_GAP)
        y = CHART_HEIGHT
        segments = []
        for kind in ("delivered", "failed", "pending"):
            height = round(getattr(day, kind) * CHART_HEIGHT / peak)
            y -= height
            segments.append({"kind": kind, "y": y, "height": height})
        bars.append({"x": x, "day": day, "segments": segments})
    width = len(figures.days) * (CHART_BAR_WIDTH + CHART_GAP)
    return {"bars": bars, "width": width, "height": CHART_HEIGHT + 20}


# Where a member without "view activity" lands, in this order.
HOME_FALLBACKS = [
    ("send_messages", "notifications:send-choose"),
    ("manage_templates", "templates_app:template-create"),
    ("manage_api_keys", "services:api-key-list"),
    ("manage_service", "services:settings"),
]


class DashboardView(ServicePageView):
    """The service's home (the service list and switcher lead here): a
    member who may not see its figures goes to the first page they may
    open."""

    template_name = "notifications/dashboard.html"
    permission = "view_activity"
    title = "Tableau de bord"
    section = "dashboard"

    def permission_missing(self, member):
        for permission, url_name in HOME_FALLBACKS:
            if member.has_permission(permission):
                return redirect(url_name, service_id=member.service_id)
        return super().permission_missing(member)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = reads.dashboard_figures(service_id=self.service.id)
        context["channels"] = [
            {"figures": channel, "chart": _chart(channel)} for channel in figures
        ]
        context["failures"] = reads.latest_failures(service_id=self.service.id)
        context["bar_width"] = CHART_BAR_WIDTH
        return context


class SendChooseTemplateView(ServicePageView):
    template_name = "notifications/send_choose.html"
    permission = "send_messages"
    title = "Envoyer un message"
    section = "send"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["templates"] = template_selectors.template_list(
            service_id=self.service.id
        )
        return context


class SendView(ServicePageMixin, FormView):
    template_name = "notifications/send.html"
    permission = "send_messages"
    section = "send"
    form_class = SendForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.version = None

    def _load(self, *, archived_too: bool = False):
        self.version = template_selectors.template_version_get(
            service_id=self.service.id, template_id=self.kwargs["template_id"]
        )
        if self.version is None:
            raise Http404("Modèle introuvable")
        if self.version.template.archived and not archived_too:
            raise Http404("Modèle introuvable")

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # A template archived while the form was being filled in: the accept
        # action refuses it, and the form says so.
        self._load(archived_too=True)
        if "to_myself" in request.POST:
            data = request.POST.copy()
            data["recipient"] = self._own_address()
            form = self.get_form_class()(data, **self._form_extra())
            if not data["recipient"]:
                # A stale page: the button shows only with a number.
                form.full_clean()
                form.errors["recipient"] = form.error_class([NO_OWN_MOBILE_NUMBER])
                return self.form_invalid(form)
            return self.form_valid(form) if form.is_valid() else self.form_invalid(form)
        return super().post(request, *args, **kwargs)

    def _own_address(self) -> str:
        user = self.request.user
        return user.email if self.version.channel == "email" else user.mobile_number

    def _form_extra(self) -> dict:
        return {
            "channel": self.version.channel,
            "placeholders": rendering.placeholders(
                self.version.subject, self.version.body
            ),
            "senders": reads.sender_choices(
                service_id=self.service.id, channel=self.version.channel
            ),
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), **self._form_extra()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["version"] = self.version
        context["template"] = self.version.template
        context["title"] = f"Envoyer « {self.version.name} »"
        context["own_address"] = self._own_address()
        return context

    def form_valid(self, form):
        try:
            accepted = actions.notification_send_one_off(
                service_id=self.service.id,
                channel=self.version.channel,
                template_id=self.version.template_id,
                recipient=form.cleaned_data["recipient"],
                personalisation=form.personalisation(),
                created_by_id=self.request.user.pk,
                reply_to_id=form.reply_to_id(),
            )
        except ApiError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, _french_message(error, self.service.id))
            return self.form_invalid(form)
        if accepted.simulated:
            messages.info(self.request, SIMULATED_RECIPIENT)
            return redirect(self.request.path)
        return redirect(
            "notifications:notification-detail", self.service.id, accepted.id
        )


def _french_message(error: ApiError, service_id) -> str:
    """The refusal in French; never the API's English text, even for an
    error that lacks its French twin (a bug, logged)."""
    if error.french_message:
        return error.french_message
    logger.warning(
        "Refusal %s has no French message",
        type(error).__name__,
        extra={"service_id": str(service_id), "error": error.error},
    )
    return SEND_FAILED


class ActivityView(ServicePageView):
    template_name = "notifications/activity.html"
    permission = "view_activity"
    title = "Activité"
    section = "activity"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        templates = template_selectors.template_list(service_id=self.service.id)
        form = ActivityFilterForm(self.request.GET or None, templates=templates)
        filters = reads.ActivityFilters()
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = reads.ActivityFilters(
                channel=data["channel"],
                status=data["status"],
                template_id=uuid.UUID(data["template"]) if data["template"] else None,
                date_from=data["date_from"],
                date_to=data["date_to"],
                search=data["search"],
            )
        notifications = reads.activity_list(service_id=self.service.id, filters=filters)
        page = Paginator(notifications, ACTIVITY_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        rows = [
            {"notification": n, "hidden": reads.personal_data_expired(n)}
            for n in page.object_list
        ]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
        )
        return context


class NotificationDetailView(ServicePageView):
    template_name = "notifications/detail.html"
    permission = "view_activity"
    title = "Message"
    section = "activity"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notification = (
            Notification.objects.select_related("service", "template_version")
            .filter(service=self.service, id=self.kwargs["notification_id"])
            .first()
        )
        if notification is None:
            raise Http404("Message introuvable")
        hidden = reads.personal_data_expired(notification)
        context["notification"] = notification
        context["hidden"] = hidden
        context["history"] = reads.notification_history(notification=notification)
        context["attempts"] = notification.delivery_attempts.order_by("started_at")
        if not hidden:
            context["content"] = _content(notification)
        return context


def _content(notification: Notification) -> dict:
    version = notification.template_version
    try:
        if notification.channel == "email":
            email = rendering.render_email(
                subject=version.subject,
                body=version.body,
                personalisation=notification.personalisation,
                sanitised_keys=notification.sanitised_keys,
                check_length=False,
            )
            return {"subject": email.subject, "body": email.text}
        sms = rendering.render_sms(
            body=version.body,
            personalisation=notification.personalisation,
            check_length=False,
        )
        return {"subject": "", "body": sms.body}
    except rendering.RenderingError:
        return {"subject": "", "body": ""}
