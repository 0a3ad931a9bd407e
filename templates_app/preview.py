"""Previews of a template while it is written: placeholders shown as
themselves, the email as a full document for a sandboxed frame, and what
an SMS costs.

Everything goes through ``rendering.preview`` (the one call the API's
preview endpoint also uses); this module only adapts its results for the
screens.
"""

from dataclasses import dataclass, field

from . import rendering

ENCODING_LABELS = {"gsm": "GSM-7", "ucs2": "UCS-2"}
ENCODING_NAMES = {"gsm": "alphabet SMS standard", "ucs2": "Unicode"}
# Shown in the frame while the body is still empty.
EMPTY_DOCUMENT = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
    "<title>Aperçu</title></head><body><p>L’aperçu s’affichera dès que le "
    "message aura un contenu.</p></body></html>"
)


@dataclass(frozen=True)
class SmsPreview:
    """What a text message costs, for the author.

    ``summary`` and ``notes`` are the French sentences the screens show;
    the other fields are the figures and characters they are made of.
    """

    body: str
    character_count: int
    fragment_count: int
    encoding: str
    summary: str
    # Characters that force UCS-2, those counting double (GSM), and
    # ``(written, sent)`` for those replaced.
    unicode_characters: list[str] = field(default_factory=list)
    extended_characters: list[str] = field(default_factory=list)
    replaced_characters: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "body": self.body,
            "character_count": self.character_count,
            "fragment_count": self.fragment_count,
            "encoding": self.encoding,
            "summary": self.summary,
            "unicode_characters": self.unicode_characters,
            "extended_characters": self.extended_characters,
            "replaced_characters": [list(pair) for pair in self.replaced_characters],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    document: str


def email_preview(
    *,
    subject: str,
    body: str,
    service_name: str = "",
    branding: str = "state",
    logo_url: str = "",
) -> EmailPreview:
    """The email as its recipients will see it (the service's name and
    branding), placeholders highlighted where the values go."""
    try:
        shown = rendering.preview(
            channel="email",
            subject=subject,
            body=body,
            use_samples=True,
            service_name=service_name,
            branding=branding,
            logo_url=logo_url,
        )
    except rendering.EmptyMessageError:
        return EmailPreview(subject=" ".join(subject.split()), document=EMPTY_DOCUMENT)
    return EmailPreview(subject=shown.subject, document=shown.html)


def sms_preview(*, body: str, prefix: str = "") -> SmsPreview:
    """The text message with its placeholders written as ``((name))``,
    what it costs and why."""
    try:
        shown = rendering.preview(
            channel="sms", body=body, use_samples=True, sms_prefix=prefix
        )
    except rendering.EmptyMessageError:
        return SmsPreview(
            body="",
            character_count=0,
            fragment_count=0,
            encoding=ENCODING_LABELS["gsm"],
            summary="Le message est vide.",
        )
    sms = shown.sms
    return SmsPreview(
        body=sms.body,
        character_count=sms.character_count,
        fragment_count=sms.fragment_count,
        encoding=ENCODING_LABELS[sms.encoding],
        summary=_summary(sms),
        unicode_characters=list(sms.unicode_characters),
        extended_characters=list(sms.extended_characters),
        replaced_characters=list(sms.replaced_characters),
        notes=_notes(sms, prefix=prefix, has_placeholders=bool(shown.placeholders)),
    )


def _summary(sms: rendering.RenderedSms) -> str:
    characters = "caractère" if sms.character_count == 1 else "caractères"
    label, name = ENCODING_LABELS[sms.encoding], ENCODING_NAMES[sms.encoding]
    return (
        f"{sms.character_count} {characters}, {sms.fragment_count} SMS, "
        f"encodage {label} ({name})."
    )


def _notes(sms: rendering.RenderedSms, *, prefix: str, has_placeholders: bool):
    notes = sms.cost_notes()
    if sms.is_too_long:
        notes.insert(
            0,
            f"Le message dépasse la limite de {rendering.SMS_CHARACTER_LIMIT} "
            "caractères : il sera refusé.",
        )
    start = sms.content[: len(sms.content) - len(sms.body)]
    if prefix and start:
        notes.append(
            f"« {start.strip()} » est ajouté au début de chaque message (le "
            "nom du service) : il compte dans le nombre de SMS, pas dans les "
            "caractères."
        )
    if has_placeholders:
        notes.append(
            "Les champs personnalisés sont comptés tels qu’ils sont écrits, "
            "((nom)) compris : le coût réel dépend des valeurs."
        )
    return notes
