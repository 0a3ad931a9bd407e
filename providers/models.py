"""Provider configuration that operators change without a deployment:
which providers are active for a channel, and in which order they are
tried. Credentials never live here: they come from settings."""

from django.core.exceptions import ValidationError
from django.db import models

# Option names that look like credentials: refused, credentials belong in
# the environment, not in a table operators can read.
SECRET_LIKE_WORDS = ("key", "secret", "password", "token", "credential")


class ProviderChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class ProviderSetting(models.Model):
    """One provider as the delivery pipeline uses it.

    ``name`` and ``channel`` come from the adapter chosen in ``path``; the
    registry seeds one row per adapter of ``settings.NOTIFICATION_PROVIDERS``
    when a channel has none."""

    name = models.CharField("nom", max_length=64, unique=True, editable=False)
    channel = models.CharField(
        "canal", max_length=8, choices=ProviderChannel.choices, editable=False
    )
    path = models.CharField(
        "adaptateur",
        max_length=255,
        help_text="La classe qui parle à ce fournisseur.",
    )
    active = models.BooleanField("actif", default=True)
    priority = models.PositiveSmallIntegerField(
        "priorité",
        default=10,
        help_text="Le plus petit nombre est essayé en premier.",
    )
    options = models.JSONField(
        "options",
        default=dict,
        blank=True,
        help_text="Options de l’adaptateur (jamais d’identifiants ni de secrets).",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        ordering = ["channel", "priority", "name"]
        verbose_name = "fournisseur"
        verbose_name_plural = "fournisseurs"

    def __str__(self) -> str:
        return self.name or self.path

    def clean(self) -> None:
        from . import registry

        if not isinstance(self.options, dict):
            raise ValidationError(
                {"options": "Les options doivent être un objet JSON."}
            )
        secret_like = [
            option
            for option in self.options
            if any(word in option.lower() for word in SECRET_LIKE_WORDS)
        ]
        if secret_like:
            raise ValidationError(
                {
                    "options": "Les identifiants et secrets se configurent dans "
                    "l’environnement, pas ici : " + ", ".join(sorted(secret_like))
                }
            )
        try:
            self.name, self.channel = registry.describe_adapter(self.path, self.options)
        except registry.AdapterError as error:
            raise ValidationError({"path": str(error)}) from error

        if not registry.fakes_allowed():
            self._refuse_non_delivering()
        duplicate = ProviderSetting.objects.filter(name=self.name).exclude(pk=self.pk)
        if duplicate.exists():
            raise ValidationError({"path": "Ce fournisseur est déjà configuré."})

    def _refuse_non_delivering(self) -> None:
        from . import registry

        if registry.is_fake(self.path):
            raise ValidationError(
                {"path": "Les faux fournisseurs sont interdits en production."}
            )
        backend = registry.non_delivering_backend(self.path, self.options)
        if backend is not None:
            # Named in the options, or EMAIL_BACKEND when none is given.
            field = "options" if "backend" in self.options else "path"
            raise ValidationError(
                {
                    field: f"Le serveur d’envoi {backend} ne distribue aucun "
                    "message : il est interdit en production."
                }
            )
