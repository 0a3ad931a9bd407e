"""Template forms for the back office."""

from django import forms
from dsfr.forms import DsfrBaseForm

from . import rendering
from .models import TemplateChannel

MAX_SMS_CHARACTERS = 918  # 6 parts of 153 characters, as Notify allows
MAX_EMAIL_BODY = 200_000


class TemplateForm(DsfrBaseForm):
    name = forms.CharField(
        label="Nom du modèle",
        max_length=255,
        help_text="Pour vous y retrouver ; les destinataires ne le voient pas.",
    )
    subject = forms.CharField(
        label="Objet",
        max_length=1000,
        required=False,
        help_text="Des ((champs)) personnalisés peuvent y figurer.",
        widget=forms.TextInput(attrs={"data-preview": "subject"}),
    )
    body = forms.CharField(
        label="Contenu",
        widget=forms.Textarea(attrs={"rows": 12, "data-preview": "body"}),
        help_text="Écrivez ((prénom)) pour un champ personnalisé.",
    )

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel == TemplateChannel.SMS:
            del self.fields["subject"]
            # DsfrBaseForm made the bound fields already: relabel both.
            self.fields["body"].label = self["body"].label = "Message"
        else:
            self.fields["subject"].required = True

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Le contenu ne peut pas être vide.")
        limit = MAX_SMS_CHARACTERS if self.channel == "sms" else MAX_EMAIL_BODY
        if len(body) > limit:
            raise forms.ValidationError(
                f"Le contenu dépasse {limit} caractères ({len(body)} saisis)."
            )
        self._check_placeholders(body)
        return body

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data.get("subject", "").split())
        if self.channel == "email":
            self._check_placeholders(subject)
        return subject

    def _check_placeholders(self, text: str) -> None:
        if text.count("((") != text.count("))"):
            raise forms.ValidationError(
                "Un champ personnalisé n’est pas fermé : écrivez ((nom)), avec "
                "deux parenthèses de chaque côté."
            )
        for name in rendering.placeholders(text):
            if not name.strip():
                raise forms.ValidationError("Un champ personnalisé n’a pas de nom.")


class ChannelForm(DsfrBaseForm):
    channel = forms.ChoiceField(
        label="Type de modèle",
        choices=[("email", "Email"), ("sms", "SMS")],
        widget=forms.RadioSelect,
    )


class TemplateSearchForm(DsfrBaseForm):
    q = forms.CharField(label="Nom ou contenu", required=False, max_length=255)
    channel = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Tous"), ("email", "Email"), ("sms", "SMS")],
    )
    archived = forms.TypedChoiceField(
        label="État",
        required=False,
        choices=[("", "Modèles en service"), ("1", "Modèles archivés")],
        coerce=bool,
        empty_value=False,
    )
