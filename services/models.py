"""Services (a public body's sending account), their team, keys and
senders."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


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


class Invitation(models.Model):
    """An emailed invitation to join a service's team. Only a hash of its
    token is stored; the link works until it expires, is used or is
    revoked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("adresse électronique", max_length=320)
    permissions = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.service}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Connexion"
    SIGN_IN_FAILED = "sign_in_failed", "Échec de connexion"
    SIGN_IN_THROTTLED = "sign_in_throttled", "Connexion bloquée (trop d’essais)"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Échec du second facteur"
    PASSWORD_CONFIRMATION_FAILED = (
        "password_confirmation_failed",
        "Échec de la confirmation du mot de passe",
    )
    SIGN_OUT = "sign_out", "Déconnexion"
    PASSWORD_CHANGED = "password_changed", "Mot de passe modifié"
    PASSWORD_RESET_REQUESTED = (
        "password_reset_requested",
        "Réinitialisation du mot de passe demandée",
    )
    PASSWORD_RESET = "password_reset", "Mot de passe réinitialisé"
    FACTOR_ADDED = "factor_added", "Second facteur ajouté"
    FACTOR_REMOVED = "factor_removed", "Second facteur supprimé"
    BACKUP_CODES_GENERATED = "backup_codes_generated", "Codes de secours générés"
    API_KEY_CREATED = "api_key_created", "Clé d’API créée"
    API_KEY_REVOKED = "api_key_revoked", "Clé d’API révoquée"
    MEMBER_INVITED = "member_invited", "Membre invité"
    INVITATION_REVOKED = "invitation_revoked", "Invitation annulée"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation acceptée"
    PERMISSIONS_CHANGED = "permissions_changed", "Droits modifiés"
    MEMBER_REMOVED = "member_removed", "Membre retiré"
    GUEST_LIST_CHANGED = "guest_list_changed", "Liste d’invités modifiée"
    SERVICE_CREATED = "service_created", "Service créé"
    SETTINGS_CHANGED = "settings_changed", "Paramètres modifiés"
    GO_LIVE_REQUESTED = "go_live_requested", "Passage en production demandé"
    SERVICE_MADE_LIVE = "service_made_live", "Service passé en production"
    GO_LIVE_REFUSED = "go_live_refused", "Passage en production refusé"
    SERVICE_SUSPENDED = "service_suspended", "Service suspendu"
    SERVICE_RESUMED = "service_resumed", "Service réactivé"
    LIMITS_CHANGED = "limits_changed", "Limites modifiées"
    ACCOUNT_CHANGED = "account_changed", "Compte modifié par un opérateur"
    ACCOUNT_DELETED = "account_deleted", "Compte supprimé par un opérateur"
    SERVICE_DELETED = "service_deleted", "Service supprimé par un opérateur"


class AuditEvent(models.Model):
    """A security event: who did what, when, from where, on which object.
    Written once, never changed; carries no secret and no message
    content."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as written so the trail still reads after the account is gone.
    actor_email = models.CharField(max_length=320, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["service", "-created_at"], name="audit_service"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.actor_email})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("An audit event is never changed")
        super().save(*args, **kwargs)


class GoLiveStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    APPROVED = "approved", "Acceptée"
    REFUSED = "refused", "Refusée"


class GoLiveRequest(models.Model):
    """A team's request to leave trial mode, approved by an operator."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="go_live_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    organisation_name = models.CharField("organisme", max_length=255)
    purpose = models.TextField("usage prévu")
    expected_email_volume = models.PositiveIntegerField(
        "emails prévus par an", default=0
    )
    expected_sms_volume = models.PositiveIntegerField("SMS prévus par an", default=0)
    status = models.CharField(
        max_length=16, choices=GoLiveStatus.choices, default=GoLiveStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "demande de passage en production"
        verbose_name_plural = "demandes de passage en production"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="pending"),
                name="one_pending_go_live_request_per_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_status_display()})"
