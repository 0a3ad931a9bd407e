"""Services (a public body's sending account), their team, keys and
senders."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class KeyType(models.TextChoices):
    NORMAL = "normal", "Live"
    TEAM = "team", "Équipe et liste d’invités"
    TEST = "test", "Test"


class Branding(models.TextChoices):
    STATE = "state", "État (bloc Marianne)"
    NEUTRAL = "neutral", "Neutre"


class UserAccountManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        user = self.model(email=email, username=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in to the back office; identified by email."""

    email = models.EmailField("adresse électronique", unique=True)
    full_name = models.CharField("nom complet", max_length=255, blank=True)
    mobile_number = models.CharField("numéro de mobile", max_length=32, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserAccountManager()

    def __str__(self) -> str:
        return self.email


_retention_validators = [MinValueValidator(3), MaxValueValidator(90)]


class Service(models.Model):
    """A public body's sending account: owns templates, keys and members."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField("nom", max_length=255, unique=True)
    organisation_name = models.CharField("organisme", max_length=255, blank=True)
    active = models.BooleanField("actif", default=True)
    restricted = models.BooleanField(
        "mode d’essai",
        default=True,
        help_text="En mode d’essai, le service n’envoie qu’à son équipe et à sa "
        "liste d’invités.",
    )
    can_send_email = models.BooleanField("peut envoyer des emails", default=True)
    can_send_sms = models.BooleanField("peut envoyer des SMS", default=True)
    can_send_international_sms = models.BooleanField(
        "peut envoyer des SMS à l’international", default=False
    )
    email_daily_limit = models.PositiveIntegerField("emails par jour", default=50)
    sms_daily_limit = models.PositiveIntegerField("SMS par jour", default=50)
    international_sms_daily_limit = models.PositiveIntegerField(
        "SMS internationaux par jour", default=100
    )
    rate_limit = models.PositiveIntegerField(
        "requêtes par minute et par type de clé", default=3000
    )
    email_sender_name = models.CharField(
        "nom de l’expéditeur des emails", max_length=255, blank=True
    )
    sms_prefix = models.BooleanField(
        "préfixer les SMS du nom du service", default=False
    )
    branding = models.CharField(
        "identité visuelle des emails",
        max_length=16,
        choices=Branding.choices,
        default=Branding.STATE,
    )
    email_retention_days = models.PositiveSmallIntegerField(
        "conservation des emails (jours)", default=7, validators=_retention_validators
    )
    sms_retention_days = models.PositiveSmallIntegerField(
        "conservation des SMS (jours)", default=7, validators=_retention_validators
    )
    go_live_requested_at = models.DateTimeField(null=True, blank=True)
    go_live_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def sender_name(self) -> str:
        return self.email_sender_name or self.name

    def can_send(self, channel: str) -> bool:
        return self.can_send_email if channel == Channel.EMAIL else self.can_send_sms

    def daily_limit(self, channel: str) -> int:
        if channel == Channel.EMAIL:
            return self.email_daily_limit
        return self.sms_daily_limit

    def retention_days(self, channel: str) -> int:
        if channel == Channel.EMAIL:
            return self.email_retention_days
        return self.sms_retention_days


class Permission(models.TextChoices):
    VIEW_ACTIVITY = "view_activity", "Voir l’activité"
    SEND_MESSAGES = "send_messages", "Envoyer des messages"
    MANAGE_TEMPLATES = "manage_templates", "Gérer les modèles"
    MANAGE_SERVICE = "manage_service", "Gérer le service et l’équipe"
    MANAGE_API_KEYS = "manage_api_keys", "Gérer les clés d’API"


class ServiceMember(models.Model):
    """A user's membership of a service, with what they may do there."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    can_view_activity = models.BooleanField(
        Permission.VIEW_ACTIVITY.label, default=True
    )
    can_send_messages = models.BooleanField(
        Permission.SEND_MESSAGES.label, default=False
    )
    can_manage_templates = models.BooleanField(
        Permission.MANAGE_TEMPLATES.label, default=False
    )
    can_manage_service = models.BooleanField(
        Permission.MANAGE_SERVICE.label, default=False
    )
    can_manage_api_keys = models.BooleanField(
        Permission.MANAGE_API_KEYS.label, default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "user"], name="unique_member_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.service}"

    def has_permission(self, permission: str) -> bool:
        return bool(getattr(self, f"can_{permission}"))

    @property
    def permissions(self) -> list[str]:
        return [p.value for p in Permission if self.has_permission(p.value)]


class GuestListEntry(models.Model):
    """A recipient outside the team that a trial service or team key may
    send to."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="guest_list"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=320)
    normalised_recipient = models.CharField(max_length=320)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "guest list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "normalised_recipient"],
                name="unique_guest_per_service",
            )
        ]

    def __str__(self) -> str:
        return self.recipient


class ReplyToAddress(models.Model):
    """An address replies to this service's emails go to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="reply_to_addresses"
    )
    email_address = models.EmailField(max_length=320)
    is_default = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reply-to addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(is_default=True, archived=False),
                name="one_default_reply_to_per_service",
            )
        ]

    def __str__(self) -> str:
        return self.email_address


class SmsSender(models.Model):
    """A name or number this service's SMS are sent from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="sms_senders"
    )
    sms_sender = models.CharField(max_length=15)
    is_default = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(is_default=True, archived=False),
                name="one_default_sms_sender_per_service",
            )
        ]

    def __str__(self) -> str:
        return self.sms_sender


class ApiKey(models.Model):
    """A service's API key. The secret is shown once; it is stored encrypted
    (HS256 JWTs are verified with it) plus a SHA-256 for ``ApiKey-v1``
    lookups."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField("nom", max_length=255)
    key_type = models.CharField(
        "type", max_length=8, choices=KeyType.choices, default=KeyType.NORMAL
    )
    secret_encrypted = models.TextField(editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        indexes = [models.Index(fields=["service", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_type})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
