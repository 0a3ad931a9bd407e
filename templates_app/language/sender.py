"""The local part of a service's From address."""

import re
import unicodedata

_NOT_IN_LOCAL_PART = re.compile(r"[^a-z0-9.\-_]")
_DOTS = re.compile(r"\.{2,}")


def email_local_part(name: str) -> str:
    """The From address's local part made from a sender name: accents
    stripped, lowercased, words of other characters dropped, spaces turned
    into dots (``Ministère de l'Intérieur`` → ``ministere.de.linterieur``)."""
    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    )
    words = [_NOT_IN_LOCAL_PART.sub("", word) for word in ascii_name.split()]
    local_part = ".".join(word for word in words if word)
    local_part = _DOTS.sub(".", local_part).strip(".")
    return local_part or "notifications"
