"""Fixtures for the delivery pipeline: notifications inserted as the API
does (status ``created``), without publishing anything."""

import pytest

from notifications.models import Notification
from tests import factories

RECIPIENTS = {"email": "camille@example.org", "sms": "+33612345678"}


def make_notification(*, service, template, key_type="normal", **fields):
    version = template.versions.get()
    channel = template.channel
    recipient = fields.pop("recipient", RECIPIENTS[channel])
    personalisation = fields.pop(
        "personalisation",
        {"name": "Camille", "reference": "A-1", "code": "123456"},
    )
    return Notification.objects.create(
        service=service,
        template=template,
        template_version=version,
        key_type=key_type,
        channel=channel,
        recipient=recipient,
        normalised_recipient=recipient,
        personalisation=personalisation,
        **fields,
    )


@pytest.fixture
def sms_template(service):
    return factories.sms_template(service=service)


@pytest.fixture
def new_notification(service, email_template, sms_template):
    """Build a ``created`` notification: ``new_notification("sms")``."""

    def build(channel: str = "email", **fields):
        template = email_template if channel == "email" else sms_template
        return make_notification(service=service, template=template, **fields)

    return build
