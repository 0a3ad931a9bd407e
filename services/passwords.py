"""Password validators beyond Django's own: words of our context and a
generous maximum length."""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError

MAXIMUM_LENGTH = 1024
MINIMUM_WORD_LENGTH = 4


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]", "", ascii_text.decode().lower())


class ContextWordsValidator:
    """Refuse a password that is mostly a word of our context: the
    product, the State, the ministry, or a part of the user's email."""

    def _words(self, user) -> set[str]:
        words = {_fold(word) for word in settings.PASSWORD_CONTEXT_WORDS}
        email = getattr(user, "email", "") or ""
        for part in re.split(r"[@._+\-]", email):
            words.add(_fold(part))
        return {word for word in words if len(word) >= MINIMUM_WORD_LENGTH}

    def validate(self, password: str, user=None) -> None:
        folded = _fold(password)
        for word in self._words(user):
            # What is left once the word is taken out must be a password on
            # its own: "Notifications2024!" leaves too little.
            if word in folded and len(folded.replace(word, "")) < 8:
                raise ValidationError(
                    "Ce mot de passe ressemble trop au nom du service, de "
                    "l’administration ou à votre adresse électronique.",
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return (
            "Votre mot de passe ne doit pas reposer sur le nom du service, de "
            "l’administration ou sur votre adresse électronique."
        )


class MaximumLengthValidator:
    """Accept long passphrases, but not megabytes of hashing work."""

    def validate(self, password: str, user=None) -> None:
        if len(password) > MAXIMUM_LENGTH:
            raise ValidationError(
                f"Votre mot de passe ne doit pas dépasser {MAXIMUM_LENGTH} caractères.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Jusqu’à {MAXIMUM_LENGTH} caractères, tous caractères acceptés."
