"""Text messages: normalisation, GSM 03.38 or UCS-2, fragments and limit.

What a text message costs depends on its encoding. In the GSM 03.38
alphabet one fragment holds 160 characters (153 each when the message is
split), and the extended characters ``^ { } \\ [ ~ ] | €`` take two places.
One character outside that alphabet switches the whole message to UCS-2:
70 characters (67 each when split), counted in UTF-16 code units, so an
emoji counts twice. More than doubling the price for one ``ê`` is rarely
worth it, so each character gets one of four treatments:

=================  =========================================================
kind               treatment
=================  =========================================================
``gsm``            in the GSM alphabet: kept (extended ones count twice).
``punctuation``    always replaced by its GSM look-alike, which costs the
                   same or less: ‘ ’ ` ´ → ``'``; “ ” « » → ``"`` (the
                   spaces inside guillemets go too); ‐ ‑ – — − → ``-``;
                   … → ``...``; • → ``-``; · → ``.``; ° º → ``o``;
                   × → ``x``; ⁄ → ``/``; no-break, narrow and other spaces
                   and tabs → a space; zero-width spaces, joiners, soft
                   hyphens and other invisible characters are removed;
                   ligatures and symbols are decomposed (``½`` → ``1/2``).
``letter``         a letter GSM lacks, downgraded to its GSM base while the
                   message can stay in GSM, and kept as written when
                   something else already forces UCS-2 (it is then free).
                   French letters downgraded: ``â``→``a``, ``ç``→``c``,
                   ``ê ë``→``e``, ``î ï``→``i``, ``ô``→``o``,
                   ``û``→``u``, ``ÿ``→``y``, ``œ``→``oe``, and the
                   capitals ``À Â È Ê Ë Î Ï Ô Ù Û Ÿ Œ``. Kept because GSM
                   has them: ``à é è ù ì ò ä ö ü ñ É Ç Ä Ö Ü Æ æ``. Other
                   accented Latin letters lose their accent the same way
                   (``á``→``a``, ``ł``→``l``, ``ŵ``→``w``); unlike
                   Notify, Welsh letters are not kept.
``unicode``        no GSM equivalent (other scripts, emoji, most symbols):
                   kept, and the message goes to UCS-2. GOV.UK Notify
                   writes ``?`` instead; a message in Arabic, Ukrainian or
                   Chinese must reach its reader.
=================  =========================================================

Why downgrade French letters: readers restore a missing circumflex or
cedilla from context, while keeping one would more than double the price
of the message (70 characters a fragment instead of 160). Why keep them
once UCS-2 is needed anyway: they then cost nothing more. A character
counts as a ``letter`` only if its GSM form is at most two characters
long (longer forms, such as ``ﬃ``, are always replaced), so keeping
letters in UCS-2 never makes a message cheaper than its GSM form would
be, and adding a character never lowers the fragment count.

Layout, as Notify does: line endings unified, runs of spaces collapsed,
spaces at line ends dropped, three or more line breaks cut to two, the
ends trimmed. French spacing is kept: a space before ``.`` or ``,`` is
removed, the one before ``: ; ! ?`` stays.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .errors import (
    SMS_CHARACTER_LIMIT,
    EmptyMessageError,
    MessageTooLongError,
    MissingPersonalisationError,
)
from .placeholders import (
    clean_text,
    compile_plain,
    fill_plain,
    join_words,
    missing_names,
    normalise_personalisation,
)

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = "\f^{}\\[~]|€"
# What may stay in a message as is (control characters are never kept).
_KEPT_GSM = frozenset(GSM_BASIC + GSM_EXTENDED) - frozenset("\x1b\r\f")
_EXTENDED_KEPT = "^{}\\[~]|€"
_NOT_KEPT_GSM = re.compile("[^" + re.escape("".join(sorted(_KEPT_GSM))) + "]")
_EXTENDED_FOUND = re.compile("[" + re.escape(_EXTENDED_KEPT) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

GSM_SINGLE_FRAGMENT = 160
GSM_FRAGMENT = 153
UCS2_SINGLE_FRAGMENT = 70
UCS2_FRAGMENT = 67

ENCODING_GSM = "gsm"
ENCODING_UCS2 = "ucs2"

KIND_GSM = "gsm"
KIND_PUNCTUATION = "punctuation"
KIND_LETTER = "letter"
KIND_UNICODE = "unicode"

PUNCTUATION = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`\u2039\u203a", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043", "-"),
    **dict.fromkeys("\u2022\u2023\u25e6\u2219", "-"),
    "\u2026": "...",
    "\u00b7": ".",
    "\u00b0": "o",
    "\u00ba": "o",
    "\u00aa": "a",
    "\u00d7": "x",
    "\u2044": "/",
    "\u2215": "/",
    "\t": " ",
    "\u2028": "\n",
    "\u2029": "\n",
}
# Letters whose GSM form Unicode decomposition does not give.
LETTERS = {
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
    "ŀ": "l",
    "Ŀ": "L",
}
_GUILLEMET_OPEN = re.compile("\u00ab[ \t\u00a0\u202f]*")
_GUILLEMET_CLOSE = re.compile("[ \t\u00a0\u202f]*\u00bb")
_SPACE_RUNS = re.compile(r"  +")
_SPACES_AROUND_NEWLINE = re.compile(r" *\n *")
_NEWLINE_RUNS = re.compile(r"\n{3,}")
_SPACE_BEFORE_STOP = re.compile(r" +([.,])")
_RULE_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class CharacterRule:
    """What happens to one character in a text message."""

    kind: str
    replacement: str


@lru_cache(maxsize=_RULE_CACHE_SIZE)
def character_rule(character: str) -> CharacterRule:
    """The treatment of ``character`` (see the module's table)."""
    if character in _KEPT_GSM:
        return CharacterRule(KIND_GSM, character)
    if character in PUNCTUATION:
        return CharacterRule(KIND_PUNCTUATION, PUNCTUATION[character])
    if character in LETTERS:
        return CharacterRule(KIND_LETTER, LETTERS[character])
    category = unicodedata.category(character)
    if category in ("Zs",):
        return CharacterRule(KIND_PUNCTUATION, " ")
    if category in ("Zl", "Zp"):
        return CharacterRule(KIND_PUNCTUATION, "\n")
    if category in ("Cc", "Cf"):
        return CharacterRule(KIND_PUNCTUATION, "")
    if category in ("Mn", "Me"):
        return CharacterRule(KIND_LETTER, "")
    return _decomposed_rule(character, category)


def _decomposed_rule(character: str, category: str) -> CharacterRule:
    decomposed = unicodedata.normalize("NFKD", character)
    base = "".join(
        PUNCTUATION.get(part, LETTERS.get(part, part))
        for part in decomposed
        if not unicodedata.combining(part)
    )
    if not base or not _KEPT_GSM.issuperset(base):
        return CharacterRule(KIND_UNICODE, character)
    if category.startswith("L") and len(base) <= 2:
        return CharacterRule(KIND_LETTER, base)
    return CharacterRule(KIND_PUNCTUATION, base)


@dataclass(frozen=True, slots=True)
class Sanitised:
    """A normalised text. ``ucs2``: it holds a character GSM cannot carry;
    ``letters_kept``: letters GSM lacks were kept (as UCS-2 is needed)."""

    text: str
    ucs2: bool = False
    letters_kept: bool = False
    replaced: tuple[tuple[str, str], ...] = ()


def _layout(text: str) -> str:
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _SPACES_AROUND_NEWLINE.sub("\n", text)
    if "\n\n\n" in text:
        text = _NEWLINE_RUNS.sub("\n\n", text)
    if " ." in text or " ," in text:
        text = _SPACE_BEFORE_STOP.sub(r"\1", text)
    return text.strip()


def sanitise(text: str, *, keep_letters: bool | None = None) -> Sanitised:
    """Normalise a text message's characters and layout. Letters GSM lacks
    are kept only if the text needs UCS-2 anyway (or ``keep_letters``)."""
    text = clean_text(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not _NOT_KEPT_GSM.search(text):
        return Sanitised(_layout(text), False, bool(keep_letters))

    rules = {c: character_rule(c) for c in set(_NOT_KEPT_GSM.findall(text))}
    ucs2 = any(rule.kind == KIND_UNICODE for rule in rules.values())
    if keep_letters is None:
        keep_letters = ucs2
    if "\u00ab" in text or "\u00bb" in text:
        text = _GUILLEMET_CLOSE.sub('"', _GUILLEMET_OPEN.sub('"', text))
    replaced = []
    for character, rule in rules.items():
        if rule.kind == KIND_PUNCTUATION or (
            rule.kind == KIND_LETTER and not keep_letters
        ):
            text = text.replace(character, rule.replacement)
            if rule.replacement.strip():
                replaced.append((character, rule.replacement))
    return Sanitised(_layout(text), ucs2, keep_letters, tuple(sorted(replaced)))


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: what UCS-2 messages are counted in."""
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


def fragments(content: str, *, ucs2: bool | None = None) -> tuple[str, int]:
    """The encoding (``gsm`` or ``ucs2``) and billable fragment count of
    the text actually sent; ``ucs2`` says the encoding when it is known."""
    if ucs2 is None:
        ucs2 = bool(_NOT_KEPT_GSM.search(content))
    if ucs2:
        units = utf16_length(content)
        count = 1 if units <= UCS2_SINGLE_FRAGMENT else -(-units // UCS2_FRAGMENT)
        return ENCODING_UCS2, count
    septets = len(content) + len(_EXTENDED_FOUND.findall(content))
    count = 1 if septets <= GSM_SINGLE_FRAGMENT else -(-septets // GSM_FRAGMENT)
    return ENCODING_GSM, count


@dataclass(frozen=True)
class RenderedSms:
    """A text message ready to send.

    ``body`` is the normalised message without the prefix (Notify's
    ``content.body``); ``content`` is what is sent, prefix included;
    ``character_count`` is the body's length for the 918 limit;
    ``fragment_count`` is what is billed, prefix included. The last three
    fields tell the author which characters cost what:
    ``extended_characters`` count twice (GSM), ``unicode_characters``
    force UCS-2, and ``replaced_characters`` lists ``(written, sent)``.
    """

    body: str
    content: str
    character_count: int
    fragment_count: int
    encoding: str
    extended_characters: tuple[str, ...] = ()
    unicode_characters: tuple[str, ...] = ()
    replaced_characters: tuple[tuple[str, str], ...] = ()

    @property
    def is_too_long(self) -> bool:
        return self.character_count > SMS_CHARACTER_LIMIT

    def check_length(self) -> None:
        """Raise ``MessageTooLongError`` if the body is over 918
        characters (for callers that check the recipient first, as Notify
        does)."""
        if self.is_too_long:
            raise MessageTooLongError(channel="sms", length=self.character_count)

    def kept_letters(self) -> tuple[str, ...]:
        """Letters GSM lacks that are sent as written, because the message
        is in UCS-2 anyway (``ê``, ``ç``, ``œ``…)."""
        if self.encoding != ENCODING_UCS2:
            return ()
        foreign = set(_NOT_KEPT_GSM.findall(self.content))
        return tuple(
            sorted(
                character
                for character in foreign
                if character_rule(character).kind == KIND_LETTER
                and character_rule(character).replacement
            )
        )

    def cost_notes(self) -> list[str]:
        """What the special characters cost, in plain French, for the
        author: those forcing UCS-2, the letters then kept, those counting
        double, and those replaced (with what they become)."""
        notes = []
        if self.unicode_characters:
            notes.append(_ucs2_note(self.unicode_characters))
        kept = self.kept_letters()
        if kept:
            notes.append(
                f"Les lettres {_quoted(kept)} sont donc envoyées telles quelles, "
                "sans coût supplémentaire."
            )
        if self.extended_characters:
            count = len(self.extended_characters)
            verb = "compte" if count == 1 else "comptent chacun"
            notes.append(
                f"{_quoted(self.extended_characters)} {verb} pour 2 caractères."
            )
        letters, signs = _split_replaced(self.replaced_characters)
        if letters:
            notes.append(
                "Lettres simplifiées à l’envoi (absentes de l’alphabet SMS "
                "standard, elles feraient passer le message en Unicode) : "
                f"{_becomes(letters)}."
            )
        if signs:
            notes.append(f"Signes remplacés à l’envoi : {_becomes(signs)}.")
        return notes


def _quoted(characters) -> str:
    return join_words([f"« {character} »" for character in characters])


def _becomes(pairs) -> str:
    return join_words([f"« {written} » devient « {sent} »" for written, sent in pairs])


def _split_replaced(replaced) -> tuple[list, list]:
    letters = [pair for pair in replaced if character_rule(pair[0]).kind == KIND_LETTER]
    signs = [pair for pair in replaced if character_rule(pair[0]).kind != KIND_LETTER]
    return letters, signs


def _ucs2_note(characters: tuple[str, ...]) -> str:
    subject = _quoted(characters)
    verb = "n’est" if len(characters) == 1 else "ne sont"
    return (
        f"{subject} {verb} pas dans l’alphabet SMS standard (GSM-7) : tout le "
        "message passe en Unicode (UCS-2), soit 70 caractères par SMS au lieu "
        "de 160 (67 au lieu de 153 par partie d’un message long)."
    )


@lru_cache(maxsize=1024)
def _prefix(service_name: str, *, keep_letters: bool) -> Sanitised:
    name = sanitise(service_name, keep_letters=keep_letters)
    text = " ".join(name.text.split()).rstrip(":").rstrip()
    if not text:
        return Sanitised("")
    return Sanitised(f"{text}: ", name.ucs2, keep_letters, name.replaced)


def render_sms(
    *, body: str, personalisation, prefix: str = "", check_length: bool = True
) -> RenderedSms:
    """Render a text message; ``prefix`` is the service name, sent as
    ``"Name: "`` before the body. Raise ``MissingPersonalisationError``,
    then ``EmptyMessageError``, then (unless ``check_length`` is false)
    ``MessageTooLongError``."""
    values = normalise_personalisation(personalisation)
    template = compile_plain(body)
    missing = missing_names(template.placeholders, values)
    if missing:
        raise MissingPersonalisationError(missing)

    sanitised = sanitise(fill_plain(template, values))
    text = sanitised.text
    if not text:
        raise EmptyMessageError()
    # Without a character outside GSM, every character is one code unit.
    character_count = utf16_length(text) if sanitised.ucs2 else len(text)
    if check_length and character_count > SMS_CHARACTER_LIMIT:
        raise MessageTooLongError(channel="sms", length=character_count)

    start = _prefix(prefix, keep_letters=sanitised.letters_kept) if prefix else None
    content = start.text + text if start else text
    ucs2 = sanitised.ucs2 or (start is not None and start.ucs2)
    encoding, fragment_count = fragments(content, ucs2=ucs2)
    replaced = sanitised.replaced
    if start and start.replaced:
        replaced = tuple(sorted(set(replaced) | set(start.replaced)))
    return RenderedSms(
        body=text,
        content=content,
        character_count=character_count,
        fragment_count=fragment_count,
        encoding=encoding,
        extended_characters=_extended_characters(content)
        if encoding == ENCODING_GSM
        else (),
        unicode_characters=_unicode_characters(content)
        if encoding == ENCODING_UCS2
        else (),
        replaced_characters=replaced,
    )


def _extended_characters(text: str) -> tuple[str, ...]:
    if not _EXTENDED_FOUND.search(text):
        return ()
    return tuple(character for character in _EXTENDED_KEPT if character in text)


def _unicode_characters(text: str) -> tuple[str, ...]:
    """The characters that force UCS-2 (not the letters kept because of
    them)."""
    foreign = set(_NOT_KEPT_GSM.findall(text))
    return tuple(sorted(c for c in foreign if character_rule(c).kind == KIND_UNICODE))
