"""Helpers shared by the view tests of the back office's screens."""


def field_error(response, text: str) -> bool:
    """The page shows ``text`` with a DSFR field in its error state."""
    html = response.content.decode()
    return "fr-input-group--error" in html and text in html
