"""Templates and their immutable versions."""

import uuid

from django.conf import settings
from django.db import models


class TemplateChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class Template(models.Model):
    """An email or SMS text with ``((placeholders))``; its current content
    is also its latest version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="templates"
    )
    channel = models.CharField(max_length=8, choices=TemplateChannel.choices)
    name = models.CharField("nom", max_length=255)
    subject = models.TextField("objet", blank=True)
    body = models.TextField("contenu")
    version = models.PositiveIntegerField(default=1)
    archived = models.BooleanField("archivé", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "channel"]
        indexes = [models.Index(fields=["service", "archived", "name"])]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    """One edit of a template, never changed once written; a notification
    points at the version it used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey(
        Template, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    channel = models.CharField(max_length=8, choices=TemplateChannel.choices)
    name = models.CharField(max_length=255)
    subject = models.TextField(blank=True)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "version"], name="unique_template_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A template version is immutable")
        super().save(*args, **kwargs)
