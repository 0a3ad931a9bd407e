"""French number forms for the back office's templates.

``{{ 3000|thousands }}`` gives "3 000" (a no-break space per thousand, as
the French locale writes it); ``message{{ count|fr_plural }}`` adds the
"s" only from 2 on, since French writes "0 message" and "1 message".
"""

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def thousands(value):
    """An integer with the locale's thousands separator; anything else as
    it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def fr_plural(value, suffix: str = "s") -> str:
    """``suffix`` when ``value`` (a number, or something with a length) is
    2 or more in absolute value; nothing for 0 and 1."""
    try:
        count = abs(int(value))
    except (TypeError, ValueError):
        try:
            count = len(value)
        except TypeError:
            return ""
    return suffix if count >= 2 else ""
