"""Template screens: list and search, create and edit with a live preview,
version history, archive."""

from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView
from dsfr.forms import DsfrBaseForm

from config.backoffice import ServicePageMixin, ServicePageView

from . import actions, branding, preview, rendering, selectors
from .forms import TemplateForm, TemplateSearchForm
from .models import Template, TemplateChannel

# The email preview is a document of its own, framed with ``sandbox``: no
# script may run in it and it may not reach anything but inline styles and
# images, whatever a template contains.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src {origin} data:; "
    "sandbox; frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
)


def preview_logo_url(request) -> str:
    """The Marianne symbol from this server, so the preview shows it."""
    return request.build_absolute_uri(staticfiles_storage.url(branding.LOGO_PATH))


def preview_document_response(request, document: str) -> HttpResponse:
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    # Images only from this server (the brand symbol); a sandboxed document
    # has no origin of its own, so 'self' would match nothing.
    origin = request.build_absolute_uri("/").rstrip("/")
    response["Content-Security-Policy"] = PREVIEW_CSP.format(origin=origin)
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "no-store"
    return response


class TemplateMixin:
    """Loads the template of the URL, within the current service only."""

    def get_template_object(self) -> Template:
        template = selectors.template_get(
            service_id=self.service.id, template_id=self.kwargs["template_id"]
        )
        if template is None:
            raise Http404("Modèle introuvable")
        return template


class TemplateListView(ServicePageView):
    template_name = "templates_app/list.html"
    permission = "view_activity"
    title = "Modèles"
    section = "templates"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = TemplateSearchForm(self.request.GET or None)
        filters = {"query": "", "channel": "", "archived": False}
        if form.is_valid():
            filters = {
                "query": form.cleaned_data["q"],
                "channel": form.cleaned_data["channel"],
                "archived": form.cleaned_data["archived"],
            }
        context["templates"] = selectors.template_search(
            service_id=self.service.id, **filters
        )
        context["form"] = form
        context.update(filters)
        return context


class TemplateEditMixin(ServicePageMixin):
    permission = "manage_templates"
    section = "templates"
    template_name = "templates_app/edit.html"
    form_class = TemplateForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["channel"] = self.channel
        context["draft_preview_url"] = "templates_app:draft-preview"
        form = context.get("form")
        if self.channel == TemplateChannel.SMS and form is not None:
            # What the live preview shows, already there without script.
            context["sms"] = preview.sms_preview(
                body=form["body"].value() or "", prefix=self.sms_prefix()
            )
        return context

    def sms_prefix(self) -> str:
        return self.service.name if self.service.sms_prefix else ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "channel": self.channel}


class NewTemplateMixin:
    """Saves the form as a new template of ``self.channel``."""

    saved_message = "Modèle enregistré."

    def form_valid(self, form):
        template = actions.template_create(
            service=self.service,
            channel=self.channel,
            name=form.cleaned_data["name"],
            subject=form.cleaned_data.get("subject", ""),
            body=form.cleaned_data["body"],
            created_by=self.request.user,
        )
        messages.success(self.request, self.saved_message)
        return redirect("templates_app:template-detail", self.service.id, template.id)


class TemplateCreateView(NewTemplateMixin, TemplateEditMixin, FormView):
    title = "Nouveau modèle"

    def dispatch(self, request, *args, **kwargs):
        self.channel = request.GET.get("type", "")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.channel not in TemplateChannel.values:
            return self.render_to_response(
                {**self.get_context_data(form=None), "choose_channel": True}
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.channel not in TemplateChannel.values:
            raise Http404("Type de modèle inconnu")
        return super().post(request, *args, **kwargs)


class TemplateCopyView(NewTemplateMixin, TemplateMixin, TemplateEditMixin, FormView):
    """A new template, prefilled from an existing one (archived or not);
    nothing is written until it is saved."""

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        return super().post(request, *args, **kwargs)

    def _load(self) -> None:
        self.source = self.get_template_object()
        self.channel = self.source.channel

    def get_initial(self):
        name = f"{self.source.name} (copie)"
        return {
            "name": name[: Template._meta.get_field("name").max_length],
            "subject": self.source.subject,
            "body": self.source.body,
        }

    saved_message = "Copie du modèle enregistrée."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["copy_of"] = self.source
        context["title"] = f"Copier « {self.source.name} »"
        return context


class TemplateUpdateView(TemplateMixin, TemplateEditMixin, FormView):
    title = "Modifier le modèle"

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        return super().post(request, *args, **kwargs)

    def _load(self) -> None:
        self.template = self.get_template_object()
        if self.template.archived:
            raise Http404("Modèle archivé")
        self.channel = self.template.channel

    def get_initial(self):
        template = self.template
        return {
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "template": self.template}

    def form_valid(self, form):
        template = actions.template_update(
            template=self.template,
            name=form.cleaned_data["name"],
            subject=form.cleaned_data.get("subject"),
            body=form.cleaned_data["body"],
            updated_by=self.request.user,
        )
        messages.success(
            self.request, f"Modèle enregistré (version {template.version})."
        )
        return redirect("templates_app:template-detail", self.service.id, template.id)


class TemplateDetailView(TemplateMixin, ServicePageView):
    template_name = "templates_app/detail.html"
    permission = "view_activity"
    section = "templates"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.get_template_object()
        version = selectors.template_version_get(
            service_id=self.service.id,
            template_id=template.id,
            version=self.kwargs.get("version"),
        )
        if version is None:
            raise Http404("Version introuvable")
        context.update(_version_context(self.service, template, version))
        context["title"] = template.name
        return context


def _version_context(service, template, version) -> dict:
    context = {
        "template": template,
        "version": version,
        "is_latest": version.version == template.version,
        "placeholders": rendering.placeholders(version.subject, version.body),
    }
    if version.channel == TemplateChannel.SMS:
        prefix = service.name if service.sms_prefix else ""
        context["sms"] = preview.sms_preview(body=version.body, prefix=prefix)
    return context


class TemplateVersionListView(TemplateMixin, ServicePageView):
    template_name = "templates_app/versions.html"
    permission = "view_activity"
    section = "templates"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.get_template_object()
        context["template"] = template
        context["versions"] = selectors.template_versions(template_id=template.id)
        context["title"] = f"Historique de « {template.name} »"
        return context


class TemplateVersionDocumentView(TemplateMixin, ServicePageMixin, View):
    """The email of a saved version, as the sandboxed frame shows it."""

    permission = "view_activity"

    def get(self, request, *args, **kwargs):
        template = self.get_template_object()
        version = selectors.template_version_get(
            service_id=self.service.id,
            template_id=template.id,
            version=kwargs["version"],
        )
        if version is None or version.channel != TemplateChannel.EMAIL:
            raise Http404("Version introuvable")
        email = preview.email_preview(
            subject=version.subject,
            body=version.body,
            service_name=self.service.name,
            branding=self.service.branding,
            logo_url=preview_logo_url(request),
        )
        return preview_document_response(request, email.document)


class DraftPreviewView(ServicePageMixin, View):
    """A template being written: the email document (posted into the
    sandboxed frame) or, as JSON, its placeholders and SMS cost."""

    permission = "manage_templates"

    def post(self, request, *args, **kwargs):
        channel = request.POST.get("channel", "email")
        subject = request.POST.get("subject", "")[:1000]
        body = request.POST.get("body", "")[:200_000]
        if request.POST.get("format") == "json":
            return JsonResponse(self._summary(channel, subject, body))
        email = preview.email_preview(
            subject=subject,
            body=body,
            service_name=self.service.name,
            branding=self.service.branding,
            logo_url=preview_logo_url(request),
        )
        return preview_document_response(request, email.document)

    def _summary(self, channel: str, subject: str, body: str) -> dict:
        summary = {"placeholders": rendering.placeholders(subject, body)}
        if channel == TemplateChannel.SMS:
            prefix = self.service.name if self.service.sms_prefix else ""
            summary["sms"] = preview.sms_preview(body=body, prefix=prefix).as_json()
        return summary


class TemplateArchiveView(TemplateMixin, ServicePageMixin, FormView):
    template_name = "services/service/confirm.html"
    form_class = DsfrBaseForm
    permission = "manage_templates"
    section = "templates"
    title = "Archiver le modèle"

    def get_context_data(self, **kwargs):
        template = self.get_template_object()
        return {
            **super().get_context_data(**kwargs),
            "question": f"Archiver le modèle « {template.name} » ?",
            "warning": "Il ne pourra plus servir à envoyer de messages, ni par "
            "l’API ni depuis ce site. Les messages déjà envoyés restent visibles.",
            "confirm_label": "Archiver",
        }

    def form_valid(self, form):
        template = self.get_template_object()
        actions.template_archive(template=template)
        messages.success(self.request, f"Modèle « {template.name} » archivé.")
        return redirect("templates_app:template-list", self.service.id)


class TemplateUnarchiveView(TemplateMixin, ServicePageMixin, View):
    """Put an archived template back in service (a button on its page)."""

    permission = "manage_templates"

    def post(self, request, *args, **kwargs):
        template = self.get_template_object()
        actions.template_unarchive(template=template)
        messages.success(request, f"Modèle « {template.name} » remis en service.")
        return redirect("templates_app:template-detail", self.service.id, template.id)
