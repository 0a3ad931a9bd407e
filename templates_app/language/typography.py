"""Typography for emails (subject, HTML and plain-text parts).

Like GOV.UK Notify: straight quotes become curly ones (but not inside
email addresses), and a hyphen between spaces becomes an en dash. Unlike
Notify, which removes every space before punctuation, we follow French
rules: a space before ``.`` or ``,`` is removed, but the space an author
puts before ``:``, ``;``, ``!``, ``?`` or ``»`` (and after ``«``) is kept
and made non-breaking (U+00A0), so ``Votre code : 1234`` never breaks
before its colon. No space is added where the author wrote none.

Text messages get their own, cheaper normalisation (``sms.py``).
"""

import re

NBSP = "\u00a0"

_QUOTE_OPENS_AFTER = r"(^|[\s(\[{\u2014\u2013\x02-])"
_OPENING_DOUBLE = re.compile(_QUOTE_OPENS_AFTER + r'"(?=\S)')
_OPENING_SINGLE = re.compile(_QUOTE_OPENS_AFTER + r"'(?=\w)")
_EMAIL_ADDRESS_TOKEN = re.compile(r"[^\s@\x02]+@[^\s@\x02]+")
_SPACED_HYPHEN = re.compile(r"(?<=[ \t\u00a0])-(?=[ \t\u00a0])")
_SPACE_BEFORE_STOP = re.compile(r"[ \t\u00a0\u202f]+([.,])")
_SPACE_BEFORE_HIGH_PUNCTUATION = re.compile(r"[ \t\u00a0\u202f]+([:;!?»])")
_SPACE_AFTER_GUILLEMET = re.compile(r"«[ \t\u00a0\u202f]+")
_NEEDS_WORK = re.compile(r"['\"]|\s-\s|[ \t\u00a0\u202f][.,:;!?»]|«\s")


_STRAIGHT_QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")


def _straighten_quotes(match: re.Match) -> str:
    return match.group().translate(_STRAIGHT_QUOTES)


def typeset(text: str) -> str:
    """Apply the typography rules to plain text. ``\\x02`` stands for a
    value or a link the caller will put back; it counts as a word."""
    if not _NEEDS_WORK.search(text):
        return text
    if '"' in text:
        text = _OPENING_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    if "'" in text:
        text = _OPENING_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")
        if "@" in text:
            text = _EMAIL_ADDRESS_TOKEN.sub(_straighten_quotes, text)
    text = _SPACED_HYPHEN.sub("\u2013", text)
    text = _SPACE_BEFORE_STOP.sub(r"\1", text)
    text = _SPACE_BEFORE_HIGH_PUNCTUATION.sub(NBSP + r"\1", text)
    return _SPACE_AFTER_GUILLEMET.sub("«" + NBSP, text)


def collapse_whitespace(text: str) -> str:
    """One line: every run of whitespace (line breaks, tabs, Unicode
    separators) becomes one space, and the ends are trimmed."""
    return " ".join(text.split())
