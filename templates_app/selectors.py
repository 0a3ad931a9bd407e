"""Reads for templates and their versions."""

import uuid

from django.db.models import Q, QuerySet

from .models import Template, TemplateVersion


def template_get(*, service_id: uuid.UUID, template_id: uuid.UUID) -> Template | None:
    return Template.objects.filter(service_id=service_id, id=template_id).first()


def template_version_get(
    *, service_id: uuid.UUID, template_id: uuid.UUID, version: int | None = None
) -> TemplateVersion | None:
    """The given version of a service's template, or its latest one."""
    versions = TemplateVersion.objects.select_related("template").filter(
        template__service_id=service_id, template_id=template_id
    )
    if version is None:
        return versions.order_by("-version").first()
    return versions.filter(version=version).first()


def template_list(*, service_id: uuid.UUID, channel: str | None = None) -> QuerySet:
    templates = Template.objects.filter(service_id=service_id, archived=False)
    if channel:
        templates = templates.filter(channel=channel)
    return templates.order_by("name", "channel")


def template_search(
    *,
    service_id: uuid.UUID,
    query: str = "",
    channel: str = "",
    archived: bool = False,
) -> QuerySet:
    """A service's templates in service (or, with ``archived``, its
    archived ones) of ``channel`` whose name or content contains
    ``query``."""
    templates = Template.objects.filter(service_id=service_id, archived=archived)
    if channel:
        templates = templates.filter(channel=channel)
    query = query.strip()
    if query:
        templates = templates.filter(
            Q(name__icontains=query)
            | Q(body__icontains=query)
            | Q(subject__icontains=query)
        )
    return templates.order_by("name", "channel")


def template_versions(*, template_id: uuid.UUID) -> QuerySet:
    return TemplateVersion.objects.filter(template_id=template_id).order_by("-version")
