"""Back-office forms for sign-in, accounts, the team, keys and settings.
Every message is in French and shown at its field."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.validators import validate_email
from dsfr.forms import DsfrBaseForm

from . import profile
from .models import Branding, Channel, KeyType, Permission, Service

PERMISSION_CHOICES = [(p.value, p.label) for p in Permission]
SMS_SENDER_PATTERN = re.compile(r"^(?:[A-Za-z0-9]{1,11}|\+?[0-9]{3,15})$")
PHONE_PATTERN = re.compile(r"^\+?[0-9]{6,15}$")


class SignInForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : prenom.nom@ministere.gouv.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(DsfrBaseForm):
    token = forms.CharField(
        label="Code à usage unique",
        help_text="Les 6 chiffres de votre application, ou un code de secours.",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


class TotpConfirmForm(DsfrBaseForm):
    token = forms.CharField(
        label="Code affiché par l’application",
        help_text="6 chiffres, par exemple 123456.",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Saisissez les 6 chiffres affichés.")
        return token


class NewPasswordForm(DsfrBaseForm):
    """A new password, checked against every validator, typed twice."""

    new_password = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        help_text="12 caractères au moins. Une phrase de passe facile à retenir "
        "convient très bien ; aucun type de caractère n’est imposé.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="Confirmez le nouveau mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password(self) -> str:
        password = self.cleaned_data["new_password"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("new_password")
        second = cleaned.get("new_password_again")
        if first and second and first != second:
            self.add_error(
                "new_password_again", "Les deux mots de passe ne sont pas identiques."
            )
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "new_password_again"]
    # The view checks the current password, throttled like a sign-in.


class PasswordConfirmForm(DsfrBaseForm):
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : prenom.nom@ministere.gouv.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )


class AccountCreateForm(NewPasswordForm):
    full_name = forms.CharField(
        label="Nom complet",
        max_length=255,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    field_order = ["full_name", "new_password", "new_password_again"]


class AccountDetailsForm(DsfrBaseForm):
    """The user's name and mobile number, as the team sees them."""

    full_name = forms.CharField(
        label="Nom complet",
        max_length=255,
        help_text="Tel que vos collègues le verront dans l’équipe.",
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    mobile_number = forms.CharField(
        label="Numéro de mobile",
        max_length=32,
        required=False,
        help_text="Pour vous envoyer les SMS de vos modèles. Par exemple : "
        "06 12 34 56 78 ou +33 6 12 34 56 78.",
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_mobile_number(self) -> str:
        value = self.cleaned_data["mobile_number"].strip()
        if not value:
            return ""
        try:
            return profile.mobile_number_normalise(value)
        except profile.InvalidMobileNumberError as error:
            raise forms.ValidationError(error.message) from error


class ServiceForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du service",
        max_length=255,
        help_text="Le nom que verront les destinataires, par exemple "
        "« Prise de rendez-vous en préfecture ».",
    )
    organisation_name = forms.CharField(
        label="Organisme",
        max_length=255,
        help_text="Par exemple : Préfecture du Rhône.",
    )

    def __init__(self, *args, service: Service | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        others = Service.objects.filter(name__iexact=name)
        if self.service is not None:
            others = others.exclude(pk=self.service.pk)
        if others.exists():
            raise forms.ValidationError("Un service porte déjà ce nom.")
        return name


class ServiceSettingsForm(ServiceForm):
    email_sender_name = forms.CharField(
        label="Nom de l’expéditeur des emails",
        max_length=255,
        required=False,
        help_text="Laissez vide pour utiliser le nom du service.",
    )
    sms_prefix = forms.BooleanField(
        label="Commencer chaque SMS par le nom du service",
        required=False,
        help_text="Par exemple « Rendez-vous en préfecture: Votre code est… ». "
        "Le nom compte dans la longueur du SMS.",
    )
    branding = forms.ChoiceField(
        label="Identité visuelle des emails",
        choices=Branding.choices,
        widget=forms.RadioSelect,
    )
    email_retention_days = forms.IntegerField(
        label="Conservation des emails (jours)",
        min_value=3,
        max_value=90,
        help_text="Entre 3 et 90 jours. Passé ce délai, les destinataires et "
        "contenus sont effacés.",
    )
    sms_retention_days = forms.IntegerField(
        label="Conservation des SMS (jours)",
        min_value=3,
        max_value=90,
        help_text="Entre 3 et 90 jours.",
    )

    def clean_email_sender_name(self) -> str:
        value = " ".join(self.cleaned_data["email_sender_name"].split())
        if any(char in value for char in '<>"@\r\n'):
            raise forms.ValidationError(
                'Le nom de l’expéditeur ne peut pas contenir < > " ou @.'
            )
        return value


class ApiKeyCreateForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom de la clé",
        max_length=255,
        help_text="Pour vous y retrouver, par exemple « Serveur de production ».",
    )
    key_type = forms.ChoiceField(
        label="Type de clé",
        widget=forms.RadioSelect,
        choices=[
            (
                KeyType.NORMAL,
                "Production : envoie de vrais messages à n’importe quel destinataire "
                "(une fois le service en production).",
            ),
            (
                KeyType.TEAM,
                "Équipe et liste d’invités : envoie de vrais messages, mais "
                "seulement aux membres de l’équipe et à la liste d’invités.",
            ),
            (
                KeyType.TEST,
                "Test : rien n’est envoyé ; les messages reçoivent des statuts "
                "simulés réalistes. Idéal pour développer.",
            ),
        ],
    )

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if self.service.api_keys.filter(name=name, revoked_at__isnull=True).exists():
            raise forms.ValidationError("Une clé active porte déjà ce nom.")
        return name


class PermissionsForm(DsfrBaseForm):
    permissions = forms.MultipleChoiceField(
        label="Droits",
        choices=PERMISSION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tout membre voit le tableau de bord s’il peut voir l’activité.",
    )


class InvitationForm(PermissionsForm):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : prenom.nom@ministere.gouv.fr",
    )
    field_order = ["email", "permissions"]


class GuestListForm(DsfrBaseForm):
    recipient = forms.CharField(
        label="Adresse électronique ou numéro de mobile",
        max_length=320,
        help_text="Par exemple : camille@example.fr ou +33 6 12 34 56 78.",
    )

    def clean_recipient(self) -> tuple[str, str, str]:
        value = self.cleaned_data["recipient"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except forms.ValidationError as error:
                raise forms.ValidationError(
                    "Saisissez une adresse électronique valide."
                ) from error
            return (Channel.EMAIL, value, value.lower())
        number = re.sub(r"[\s.\-()]", "", value)
        if number.startswith("0") and len(number) == 10:
            number = "+33" + number[1:]
        if not PHONE_PATTERN.match(number):
            raise forms.ValidationError(
                "Saisissez une adresse électronique ou un numéro de mobile valide."
            )
        if not number.startswith("+"):
            number = "+" + number
        return (Channel.SMS, value, number)


class ReplyToForm(DsfrBaseForm):
    email_address = forms.EmailField(
        label="Adresse de réponse",
        max_length=320,
        help_text="Les réponses des destinataires arrivent à cette adresse.",
    )
    is_default = forms.BooleanField(label="Adresse par défaut", required=False)


class SmsSenderForm(DsfrBaseForm):
    sms_sender = forms.CharField(
        label="Expéditeur des SMS",
        max_length=15,
        help_text="11 lettres ou chiffres au plus, sans espace (par exemple "
        "PREFECTURE), ou un numéro.",
    )
    is_default = forms.BooleanField(label="Expéditeur par défaut", required=False)

    def clean_sms_sender(self) -> str:
        value = self.cleaned_data["sms_sender"].strip()
        if not SMS_SENDER_PATTERN.match(value):
            raise forms.ValidationError(
                "11 lettres ou chiffres au plus, sans espace ni accent, ou un "
                "numéro de 15 chiffres au plus."
            )
        return value


class GoLiveForm(DsfrBaseForm):
    organisation_name = forms.CharField(label="Organisme", max_length=255)
    purpose = forms.CharField(
        label="À quoi serviront les messages ?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    expected_email_volume = forms.IntegerField(
        label="Nombre d’emails prévus par an", min_value=0, max_value=10**9
    )
    expected_sms_volume = forms.IntegerField(
        label="Nombre de SMS prévus par an", min_value=0, max_value=10**9
    )
    confirm = forms.BooleanField(
        label="Je confirme que les messages relèvent d’une mission de service "
        "public et respectent le RGPD.",
    )


class ConfirmForm(DsfrBaseForm):
    """An empty form: a POST with its CSRF token confirms an action."""
