"""Back-office forms for sending and for the activity filters."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .statuses import NotificationStatus

MAX_PERSONALISATION_VALUE = 10_000


class SendForm(DsfrBaseForm):
    """A recipient, the reply-to address or SMS sender when the service has
    several (the default one first), and one field per placeholder of the
    template."""

    def __init__(
        self,
        *args,
        channel: str,
        placeholders: list[str],
        senders: list[tuple[str, str]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.placeholders = placeholders
        if channel == "email":
            self.fields["recipient"] = forms.CharField(
                label="Adresse électronique du destinataire",
                max_length=320,
                help_text="Format attendu : nom@domaine.fr",
            )
        else:
            self.fields["recipient"] = forms.CharField(
                label="Numéro de mobile du destinataire",
                max_length=32,
                help_text="Par exemple : 06 12 34 56 78 ou +33 6 12 34 56 78.",
            )
        if len(senders) > 1:
            self.fields["reply_to"] = _sender_field(channel, senders)
        for index, name in enumerate(placeholders):
            self.fields[f"field_{index}"] = forms.CharField(
                label=name, max_length=MAX_PERSONALISATION_VALUE
            )

    def personalisation(self) -> dict:
        return {
            name: self.cleaned_data[f"field_{index}"]
            for index, name in enumerate(self.placeholders)
        }

    def reply_to_id(self) -> str | None:
        """The chosen sender; ``None`` for the service's default."""
        return self.cleaned_data.get("reply_to") or None


def _sender_field(channel: str, senders: list[tuple[str, str]]) -> forms.Field:
    if channel == "email":
        label = "Adresse de réponse"
        help_text = "Les réponses des destinataires arriveront à cette adresse."
    else:
        label = "Expéditeur"
        help_text = "Le nom ou le numéro que le destinataire verra."
    return forms.ChoiceField(
        label=label, choices=senders, initial=senders[0][0], help_text=help_text
    )


STATUS_FILTERS = [
    ("", "Tous les statuts"),
    ("delivered", "Distribués"),
    ("failed", "En échec"),
    ("pending", "En cours"),
    *[(value, label) for value, label in NotificationStatus.choices],
]


def _date_input() -> forms.DateInput:
    # The browser's date picker reads and sends ISO dates (2026-03-12); a
    # browser without one shows a text field, where JJ/MM/AAAA also works.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityFilterForm(DsfrBaseForm):
    search = forms.CharField(
        label="Destinataire ou référence",
        required=False,
        max_length=320,
        help_text="Une adresse électronique, un numéro de mobile (sous toute "
        "forme, par exemple 06 12 34 56 78) ou une référence exacte.",
    )
    channel = forms.ChoiceField(
        label="Canal",
        required=False,
        choices=[("", "Tous"), ("email", "Email"), ("sms", "SMS")],
    )
    status = forms.ChoiceField(label="Statut", required=False, choices=STATUS_FILTERS)
    template = forms.ChoiceField(label="Modèle", required=False)
    date_from = forms.DateField(
        label="Envoyés à partir du",
        required=False,
        help_text="Ce jour inclus.",
        widget=_date_input(),
    )
    date_to = forms.DateField(
        label="Envoyés jusqu’au",
        required=False,
        help_text="Ce jour inclus.",
        widget=_date_input(),
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "Tous les modèles")] + [
            (str(template.id), template.name) for template in templates
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "La date de fin précède la date de début.")
        return cleaned
