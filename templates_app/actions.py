"""Writes for templates: each edit adds an immutable version."""

import logging

from django.db import transaction
from django.utils import timezone

from .models import Template, TemplateVersion

logger = logging.getLogger(__name__)


def _snapshot(template: Template, *, created_by) -> TemplateVersion:
    return TemplateVersion.objects.create(
        template=template,
        version=template.version,
        channel=template.channel,
        name=template.name,
        subject=template.subject,
        body=template.body,
        created_by=created_by,
    )


@transaction.atomic
def template_create(
    *,
    service,
    channel: str,
    name: str,
    body: str,
    subject: str = "",
    created_by=None,
) -> Template:
    template = Template.objects.create(
        service=service,
        channel=channel,
        name=name,
        subject=subject if channel == "email" else "",
        body=body,
        version=1,
        created_by=created_by,
    )
    _snapshot(template, created_by=created_by)

    logger.info(
        "Template %s created",
        template.id,
        extra={"template_id": str(template.id), "service_id": str(service.id)},
    )
    return template


@transaction.atomic
def template_update(
    *,
    template: Template,
    name: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    updated_by=None,
) -> Template:
    """Change a template; a new version is written only if the content
    changed."""
    template = Template.objects.select_for_update().get(pk=template.pk)
    changes = {
        field: value
        for field, value in (("name", name), ("subject", subject), ("body", body))
        if value is not None and value != getattr(template, field)
    }
    if not changes:
        return template

    for field, value in changes.items():
        setattr(template, field, value)
    template.version += 1
    template.updated_at = timezone.now()
    template.save()
    _snapshot(template, created_by=updated_by)

    logger.info(
        "Template %s updated to version %s",
        template.id,
        template.version,
        extra={"template_id": str(template.id)},
    )
    return template


def template_archive(*, template: Template) -> Template:
    if not template.archived:
        template.archived = True
        template.updated_at = timezone.now()
        template.save(update_fields=["archived", "updated_at"])

        logger.info(
            "Template %s archived",
            template.id,
            extra={"template_id": str(template.id)},
        )
    return template


def template_unarchive(*, template: Template) -> Template:
    """Put an archived template back in service (the API and the send
    page can use it again)."""
    if template.archived:
        template.archived = False
        template.updated_at = timezone.now()
        template.save(update_fields=["archived", "updated_at"])

        logger.info(
            "Template %s unarchived",
            template.id,
            extra={"template_id": str(template.id)},
        )
    return template
