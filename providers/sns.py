"""Amazon SNS message signatures, for Amazon SES events.

Anymail checks the Basic credentials of SES webhooks but not the SNS
signature. We also verify it, as AWS documents ("Verifying the signatures
of Amazon SNS messages"): the signing certificate must come over HTTPS
from an ``sns.<region>.amazonaws.com`` host, and the RSA signature
(SHA1 for ``SignatureVersion`` 1, SHA256 for 2) must match the message's
canonical fields. Certificates are cached per process.
"""

import base64
import binascii
import logging
import re
import threading
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import http

logger = logging.getLogger(__name__)

CERT_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
SIGNED_FIELDS = {
    "Notification": (
        "Message",
        "MessageId",
        "Subject",
        "Timestamp",
        "TopicArn",
        "Type",
    ),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
SIGNED_FIELDS["UnsubscribeConfirmation"] = SIGNED_FIELDS["SubscriptionConfirmation"]
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}

_certificates: dict[str, rsa.RSAPublicKey] = {}
_lock = threading.Lock()


class SnsVerificationError(Exception):
    """An SNS message whose signature cannot be trusted."""


def string_to_sign(message: dict) -> str:
    fields = SIGNED_FIELDS.get(message.get("Type", ""))
    if fields is None:
        raise SnsVerificationError("Unknown SNS message type")
    return "".join(
        f"{name}\n{message[name]}\n" for name in fields if message.get(name) is not None
    )


def verify(message: dict) -> None:
    """Raise ``SnsVerificationError`` unless ``message`` is signed by SNS."""
    hash_class = HASHES.get(str(message.get("SignatureVersion", "")))
    if hash_class is None:
        raise SnsVerificationError("Unsupported SNS signature version")
    try:
        signature = base64.b64decode(message.get("Signature", ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnsVerificationError("Malformed SNS signature") from error
    public_key = _public_key(str(message.get("SigningCertURL", "")))
    try:
        public_key.verify(
            signature,
            string_to_sign(message).encode(),
            padding.PKCS1v15(),
            hash_class(),
        )
    except InvalidSignature as error:
        raise SnsVerificationError("Wrong SNS signature") from error


def _public_key(url: str) -> rsa.RSAPublicKey:
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or not CERT_HOST.match(parts.hostname or "")
        or not parts.path.endswith(".pem")
    ):
        raise SnsVerificationError("SNS signing certificate from an unexpected URL")
    cached = _certificates.get(url)
    if cached is not None:
        return cached
    try:
        response = http.session().get(url, timeout=http.timeouts())
        response.raise_for_status()
        certificate = x509.load_pem_x509_certificate(response.content)
    except (requests.RequestException, ValueError) as error:
        raise SnsVerificationError("SNS signing certificate unavailable") from error
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("SNS signing certificate is not RSA")
    with _lock:
        _certificates[url] = public_key
    return public_key


def forget_certificates() -> None:
    with _lock:
        _certificates.clear()
