"""Why a recipient is refused, in GOV.UK Notify's words for the API and in
French for the back office."""

from enum import StrEnum


class Problem(StrEnum):
    INVALID_EMAIL_ADDRESS = "invalid_email_address"
    INVALID_NUMBER = "invalid_number"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    UNKNOWN_CHARACTER = "unknown_character"
    UNSUPPORTED_COUNTRY_CODE = "unsupported_country_code"
    NOT_A_MOBILE = "not_a_mobile"
    PREMIUM_RATE = "premium_rate"
    INTERNATIONAL_NOT_ALLOWED = "international_not_allowed"


_INVALID_NUMBER = "Number is not valid – double check the phone number you entered"

# (API message, back-office message). The API messages are Notify's legacy
# v2 texts; ``Not a mobile number`` stands for Notify's ``Not a UK mobile
# number``, and special numbers get Notify's "not valid" text.
MESSAGES = {
    Problem.INVALID_EMAIL_ADDRESS: (
        "Not a valid email address",
        "L’adresse électronique n’est pas valide. Le format attendu est : "
        "nom@domaine.fr",
    ),
    Problem.INVALID_NUMBER: (
        _INVALID_NUMBER,
        "Ce numéro n’est pas valide. Vérifiez le numéro saisi.",
    ),
    Problem.TOO_LONG: (
        "Too many digits",
        "Le numéro contient trop de chiffres.",
    ),
    Problem.TOO_SHORT: (
        "Not enough digits",
        "Le numéro ne contient pas assez de chiffres.",
    ),
    Problem.UNKNOWN_CHARACTER: (
        "Must not contain letters or symbols",
        "Le numéro ne peut contenir que des chiffres, des espaces et les signes "
        "+ ( ) - et .",
    ),
    Problem.UNSUPPORTED_COUNTRY_CODE: (
        "Not a valid country prefix",
        "L’indicatif pays n’existe pas. Vérifiez le numéro saisi.",
    ),
    Problem.NOT_A_MOBILE: (
        "Not a mobile number",
        "Ce numéro n’est pas un numéro de mobile : les SMS ne peuvent être "
        "envoyés qu’à des mobiles.",
    ),
    Problem.PREMIUM_RATE: (
        _INVALID_NUMBER,
        "Les numéros spéciaux (surtaxés, gratuits ou à coût partagé) ne peuvent "
        "pas recevoir de SMS.",
    ),
    Problem.INTERNATIONAL_NOT_ALLOWED: (
        "Cannot send to international mobile numbers",
        "Ce service n’est pas autorisé à envoyer des SMS vers l’étranger.",
    ),
}


class InvalidRecipientError(Exception):
    """The recipient cannot receive the message.

    ``message`` is the API's text (``str(error)``), ``french_message`` the
    back office's, and ``problem`` says which rule failed.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.message, self.french_message = MESSAGES[problem]
        super().__init__(self.message)


class InvalidEmailAddressError(InvalidRecipientError):
    """Not a valid email address."""

    def __init__(self) -> None:
        super().__init__(Problem.INVALID_EMAIL_ADDRESS)


class InvalidPhoneNumberError(InvalidRecipientError):
    """Not a phone number that can receive text messages (Notify's API
    reports it as ``InvalidPhoneError`` or as a schema error)."""


class InternationalNumberNotAllowedError(InvalidPhoneNumberError):
    """A valid mobile number outside France, for a service that may not
    send abroad. Notify's API reports this one as a ``BadRequestError``
    (``Cannot send to international mobile numbers``), not as an invalid
    number: catch it first."""

    def __init__(self) -> None:
        super().__init__(Problem.INTERNATIONAL_NOT_ALLOWED)
