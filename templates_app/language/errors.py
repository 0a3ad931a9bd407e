"""Errors raised while rendering a message, worded as GOV.UK Notify words
them so the API can pass ``str(error)`` through unchanged."""

SMS_CHARACTER_LIMIT = 918
EMAIL_SIZE_LIMIT = 2_000_000


class RenderingError(Exception):
    """Base of the errors a template and its personalisation can cause.
    ``str(error)`` is Notify's API text; ``french_message`` is for the back
    office."""

    french_message = ""


class MissingPersonalisationError(RenderingError):
    """Some placeholders have no value; ``names`` lists them as written in
    the template, in order of appearance."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"Missing personalisation: {', '.join(names)}")
        self.names = list(names)
        self.french_message = f"Des champs ne sont pas remplis : {', '.join(names)}."


class EmptyMessageError(RenderingError):
    """The message is empty once its placeholders are filled."""

    def __init__(self) -> None:
        super().__init__("Your message is empty.")
        self.french_message = "Le message est vide."


class MessageTooLongError(RenderingError):
    """The message is over the channel's limit: 918 characters for a text
    message (without the service-name prefix), 2,000,000 bytes for an
    email body."""

    def __init__(self, *, channel: str, length: int) -> None:
        if channel == "sms":
            message = (
                "Your message is too long. Text messages cannot be longer than "
                f"{SMS_CHARACTER_LIMIT} characters. Your message is {length} "
                "characters long."
            )
            limit = SMS_CHARACTER_LIMIT
            french = (
                f"Le SMS est trop long : {length} caractères, pour "
                f"{SMS_CHARACTER_LIMIT} au plus."
            )
        else:
            message = (
                "Your message is too long. Emails cannot be longer than "
                f"{EMAIL_SIZE_LIMIT} bytes. Your message is {length} bytes."
            )
            limit = EMAIL_SIZE_LIMIT
            french = (
                f"L’email est trop long : {length} octets, pour "
                f"{EMAIL_SIZE_LIMIT} au plus."
            )
        super().__init__(message)
        self.french_message = french
        self.channel = channel
        self.length = length
        self.limit = limit
