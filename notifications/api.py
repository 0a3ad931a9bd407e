"""The public REST API v2 (GOV.UK Notify's protocol).

TODO(#4): the foundation's first cut: email send and notification read.
The full protocol (SMS, lists, templates, limits, idempotency) is issue 4.
"""

import datetime as dt
import uuid

from django.conf import settings
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import NotFoundError, ValidationError

from . import actions, selectors
from .authentication import ApiKeyAuthentication
from .statuses import FINAL_STATUSES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime(DATETIME_FORMAT)


def base_url(request) -> str:
    return (
        settings.PUBLIC_API_BASE_URL.rstrip("/") or request.build_absolute_uri("/")[:-1]
    )


def notification_output(request, notification) -> dict:
    version = notification.template_version
    is_email = notification.channel == "email"
    root = base_url(request)
    completed = notification.status in FINAL_STATUSES
    template_uri = f"{root}/v2/template/{version.template_id}/version/{version.version}"
    return {
        "id": str(notification.id),
        "reference": notification.client_reference,
        "email_address": notification.recipient if is_email else None,
        "phone_number": None if is_email else notification.recipient,
        "line_1": None,
        "line_2": None,
        "line_3": None,
        "line_4": None,
        "line_5": None,
        "line_6": None,
        "postcode": None,
        "type": notification.channel,
        "status": notification.status,
        "template": {
            "id": str(version.template_id),
            "version": version.version,
            "uri": template_uri,
        },
        "body": "",
        "subject": None,
        "created_at": format_datetime(notification.created_at),
        "created_by_name": None,
        "sent_at": format_datetime(notification.sent_at),
        "completed_at": format_datetime(notification.updated_at) if completed else None,
        "scheduled_for": None,
        "postage": None,
        "one_click_unsubscribe_url": notification.one_click_unsubscribe_url or None,
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.0,
        "cost_details": {},
    }


class EmailNotificationCreateApi(APIView):
    authentication_classes = [ApiKeyAuthentication]

    class InputSerializer(serializers.Serializer):
        template_id = serializers.UUIDField()
        email_address = serializers.CharField()
        personalisation = serializers.DictField(required=False, default=dict)
        reference = serializers.CharField(required=False, max_length=1000)

    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError([f"{k} {v[0]}" for k, v in serializer.errors.items()])
        data = serializer.validated_data

        notification, rendered = actions.notification_create_email(
            api_key=request.auth,
            template_id=data["template_id"],
            email_address=data["email_address"],
            personalisation=data["personalisation"],
            client_reference=data.get("reference"),
        )

        return Response(_email_created_output(request, notification, rendered), 201)


def _email_created_output(request, notification, rendered) -> dict:
    root = base_url(request)
    version = notification.template_version
    return {
        "id": str(notification.id),
        "reference": notification.client_reference,
        "content": {
            "from_email": "",
            "body": rendered.body,
            "subject": rendered.subject,
            "one_click_unsubscribe_url": None,
        },
        "uri": f"{root}/v2/notifications/{notification.id}",
        "template": {
            "id": str(version.template_id),
            "version": version.version,
            "uri": f"{root}/services/{notification.service_id}/templates/"
            f"{version.template_id}",
        },
        "scheduled_for": None,
        "sanitised_content": {},
    }


class NotificationDetailApi(APIView):
    authentication_classes = [ApiKeyAuthentication]

    def get(self, request, notification_id: str):
        try:
            notification_uuid = uuid.UUID(notification_id)
        except ValueError as error:
            raise ValidationError("notification_id is not a valid UUID") from error
        notification = selectors.notification_get(
            service_id=request.auth.service_id, notification_id=notification_uuid
        )
        if notification is None:
            raise NotFoundError()

        return Response(notification_output(request, notification))
