"""POST /v2/notifications/email, /sms and /letter."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from config.api import BadRequestError, ValidationError

from .. import actions, limits
from ..actions import idempotency
from . import openapi, outputs, schemas, validation
from .common import PublicApi, base_url, request_body

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "minLength": 1, "maxLength": 255},
    description="Any string of 1 to 255 characters, unique per request (a "
    "UUID4, say). Retries with the same key and body within 24 hours get the "
    "first answer again, with `Idempotent-Replayed: true`; the same key with "
    "another body gets 422; while the first request runs, 409.",
)


def _idempotency_key(request) -> str | None:
    # META directly: request.headers would copy every header on each send.
    key = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if key is None:
        return None
    if not 1 <= len(key) <= idempotency.MAX_KEY_LENGTH:
        raise BadRequestError("Idempotency-Key must be 1 to 255 characters long")
    return key


class _GetIsAnInvalidIdApi(PublicApi):
    """GET on a sending path: Notify's router takes ``email``, ``sms`` or
    ``letter`` for a notification id, which is not a UUID."""

    def get(self, request):
        raise ValidationError("notification_id is not a valid UUID")


class _NotificationCreateApi(_GetIsAnInvalidIdApi):
    """Notify's order: authentication, rate limit, daily limit, then the
    body (so a rate-limited request with a bad body still gets 429).

    With an ``Idempotency-Key``, the key is looked at first: a retry of a
    request already answered is replayed without taking a token (nothing is
    sent again), so a client retrying under load gets its answer, not 429;
    409 and 422 come first too. A new key then goes through Notify's order.
    """

    channel: str
    request_schema: dict

    def post(self, request):
        key = _idempotency_key(request)
        if key is None:
            return Response(self._send(request, self._rate_limit()), status=201)
        return self._send_idempotent(request, key)

    def _rate_limit(self) -> int | None:
        caller = self.caller
        # Today's count comes with the token, in the same round trip.
        return limits.check_rate_limit(
            service=caller.service, key_type=caller.key_type, daily_kind=self.channel
        )

    def _send(self, request, count: int | None) -> dict:
        caller = self.caller
        limits.check_daily_limit(
            service=caller.service,
            key_type=caller.key_type,
            kind=self.channel,
            count=count,
        )
        data = validation.validate(
            validation.parse_json(request_body(request)), self.request_schema
        )

        accepted = actions.notification_accept(
            sender=actions.Sender(
                service=caller.service,
                key_type=caller.key_type,
                api_key_id=caller.key_id,
            ),
            channel=self.channel,
            check_daily_limit=False,
            **self.arguments(data),
        )
        return self.output(base_url(request), accepted)

    def _send_idempotent(self, request, key: str) -> Response:
        fingerprint = idempotency.fingerprint(
            method=request.method,
            path=request.path,
            body=validation.fingerprint_body(request_body(request)),
        )
        claim = actions.idempotency_claim(
            service_id=self.caller.service_id,
            key_type=self.caller.key_type,
            key=key,
            request_fingerprint=fingerprint,
        )
        if claim.record_id is None:
            headers = {"Idempotent-Replayed": "true"}
            return Response(claim.replay_body, claim.replay_status, headers=headers)

        try:
            with transaction.atomic():
                body = self._send(request, self._rate_limit())
                actions.idempotency_complete(
                    record_id=claim.record_id,
                    status=201,
                    body=body,
                    notification_id=body["id"],
                )
        except BaseException:
            actions.idempotency_release(record_id=claim.record_id)
            raise
        return Response(body, status=201)


@extend_schema_view(
    post=extend_schema(
        tags=["notifications"],
        operation_id="send_email",
        summary="Send an email",
        request={"application/json": schemas.to_openapi(schemas.POST_EMAIL_REQUEST)},
        parameters=[
            IDEMPOTENCY_HEADER,
            openapi.RETRY_AFTER,
            openapi.IDEMPOTENT_REPLAYED,
        ],
        responses=openapi.responses(201, schemas.EMAIL_CREATED, sending=True),
    ),
    get=extend_schema(exclude=True),
)
class EmailNotificationCreateApi(_NotificationCreateApi):
    channel = "email"
    request_schema = schemas.POST_EMAIL_REQUEST

    def arguments(self, data: dict) -> dict:
        return {
            "template_id": data["template_id"],
            "recipient": data["email_address"],
            "personalisation": data.get("personalisation"),
            "client_reference": data.get("reference"),
            "reply_to_id": data.get("email_reply_to_id"),
            "one_click_unsubscribe_url": data.get("one_click_unsubscribe_url"),
            "sanitise_content_for": data.get("sanitise_content_for"),
        }

    def output(self, root: str, accepted) -> dict:
        return outputs.email_created(root, accepted)


@extend_schema_view(
    post=extend_schema(
        tags=["notifications"],
        operation_id="send_sms",
        summary="Send a text message",
        request={"application/json": schemas.to_openapi(schemas.POST_SMS_REQUEST)},
        parameters=[
            IDEMPOTENCY_HEADER,
            openapi.RETRY_AFTER,
            openapi.IDEMPOTENT_REPLAYED,
        ],
        responses=openapi.responses(201, schemas.SMS_CREATED, sending=True),
    ),
    get=extend_schema(exclude=True),
)
class SmsNotificationCreateApi(_NotificationCreateApi):
    channel = "sms"
    request_schema = schemas.POST_SMS_REQUEST

    def arguments(self, data: dict) -> dict:
        return {
            "template_id": data["template_id"],
            "recipient": data["phone_number"],
            "personalisation": data.get("personalisation"),
            "client_reference": data.get("reference"),
            "reply_to_id": data.get("sms_sender_id"),
        }

    def output(self, root: str, accepted) -> dict:
        return outputs.sms_created(root, accepted)


LETTER_REQUEST = {
    "oneOf": [
        schemas.to_openapi(schemas.POST_LETTER_REQUEST),
        schemas.to_openapi(schemas.POST_PRECOMPILED_LETTER_REQUEST),
    ]
}


@extend_schema_view(
    post=extend_schema(
        tags=["notifications"],
        operation_id="send_letter",
        summary="Send a letter (not offered)",
        description="Letters are not offered: a valid request is refused as GOV.UK "
        "Notify refuses it for a service without the letter permission.",
        request={"application/json": LETTER_REQUEST},
        parameters=[openapi.RETRY_AFTER],
        responses=openapi.responses(None, None, sending=True),
    ),
    get=extend_schema(exclude=True),
)
class LetterNotificationCreateApi(_GetIsAnInvalidIdApi):
    def post(self, request):
        caller = self.caller
        limits.check_rate_limit(service=caller.service, key_type=caller.key_type)
        data = validation.parse_json(request_body(request))
        precompiled = isinstance(data, dict) and "content" in data
        schema = (
            schemas.POST_PRECOMPILED_LETTER_REQUEST
            if precompiled
            else schemas.POST_LETTER_REQUEST
        )
        validation.validate(data, schema)

        raise BadRequestError("Service is not allowed to send letters")
