"""Simulated recipients: addresses and numbers with documented outcomes,
so services can test their integration without reaching anyone.

Smoke-test recipients (GOV.UK Notify's, and ours) are accepted by the API
with any key: the request is validated in full and answered 201 with a
fresh id, but nothing is stored, sent or counted (``GET`` on that id then
answers 404, and no callback follows).

============================================================  ==========
smoke-test recipient                                          outcome
============================================================  ==========
``simulate-delivered@notifications.service.gov.uk``           accepted,
(and ``-2``, ``-3``; Notify's)                                not sent
``simulate-delivered@<our sender domain>`` (and ``-2``,       accepted,
``-3``)                                                       not sent
``+447700900000``, ``+447700900111``, ``+447700900222``       accepted,
(Notify's; Ofcom's drama range)                               not sent
``06 39 98 00 00``, ``06 39 98 01 11``, ``06 39 98 02 22``    accepted,
(ARCEP's range reserved for fiction)                          not sent
============================================================  ==========

With a test key, notifications are stored and go through the fake
provider, which ends them in a fixed status (``providers/fake.py`` holds
the same table):

============================================================  =====================
test-key recipient                                            final status
============================================================  =====================
``temp-fail@simulator.notify``                                ``temporary-failure``
``perm-fail@simulator.notify``                                ``permanent-failure``
number ending ``7700900003`` or ``639980003``                 ``temporary-failure``
number ending ``7700900002`` or ``639980002``                 ``permanent-failure``
any other valid recipient                                     ``delivered``
============================================================  =====================

Any number in ARCEP's fiction range (``06 39 98 xx xx``) is valid and
never reaches a real phone, which makes it the safe choice for examples.
"""

NOTIFY_SIMULATED_EMAIL_DOMAIN = "notifications.service.gov.uk"
SIMULATED_EMAIL_LOCAL_PARTS = (
    "simulate-delivered",
    "simulate-delivered-2",
    "simulate-delivered-3",
)
SIMULATED_PHONE_NUMBERS = frozenset(
    {
        "+447700900000",
        "+447700900111",
        "+447700900222",
        "+33639980000",
        "+33639980111",
        "+33639980222",
    }
)

DELIVERED = "delivered"
TEMPORARY_FAILURE = "temporary-failure"
PERMANENT_FAILURE = "permanent-failure"

TEST_EMAIL_OUTCOMES = {
    "temp-fail@simulator.notify": TEMPORARY_FAILURE,
    "perm-fail@simulator.notify": PERMANENT_FAILURE,
}
TEST_PHONE_OUTCOMES = {
    "7700900003": TEMPORARY_FAILURE,
    "7700900002": PERMANENT_FAILURE,
    "639980003": TEMPORARY_FAILURE,
    "639980002": PERMANENT_FAILURE,
}


def is_simulated_email_address(
    normalised_address: str, *, sender_domain: str | None = None
) -> bool:
    """Whether a normalised address is a smoke-test one (Notify's, or ours
    on ``sender_domain``, the platform's sending domain)."""
    local_part, _, domain = normalised_address.rpartition("@")
    if local_part not in SIMULATED_EMAIL_LOCAL_PARTS:
        return False
    domains = {NOTIFY_SIMULATED_EMAIL_DOMAIN}
    if sender_domain:
        domains.add(sender_domain.lower())
    return domain in domains


def is_simulated_phone_number(e164: str) -> bool:
    """Whether a number (E.164, as ``PhoneNumber.e164``) is a smoke-test
    one."""
    return e164 in SIMULATED_PHONE_NUMBERS


def test_key_email_outcome(normalised_address: str) -> str:
    """The final status a test key's email to this address ends in."""
    return TEST_EMAIL_OUTCOMES.get(normalised_address, DELIVERED)


def test_key_phone_outcome(e164: str) -> str:
    """The final status a test key's text message to this number ends in."""
    for ending, outcome in TEST_PHONE_OUTCOMES.items():
        if e164.endswith(ending):
            return outcome
    return DELIVERED
