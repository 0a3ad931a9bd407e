"""Amazon SES tracking reports, checked beyond what anymail checks.

Its own module: anymail's SES webhook imports boto3, which only a process
that receives SES reports needs to load (see ``providers.urls``)."""

import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from django.conf import settings

from . import sns
from .webhooks import TrackingWebhookMixin

logger = logging.getLogger(__name__)


class VerifiedAmazonSESTrackingWebhookView(
    TrackingWebhookMixin, AmazonSESTrackingWebhookView
):
    """Anymail's Amazon SES tracking webhook, plus the checks anymail
    leaves out: the SNS topic is one of ours, the SNS signature is AWS's.

    They run after anymail's Basic-credentials check, so an anonymous
    request never makes us fetch a certificate."""

    def check_report(self, request) -> None:
        message = self._parse_sns_message(request)
        topics = getattr(settings, "AMAZON_SES_SNS_TOPIC_ARNS", [])
        if topics and message.get("TopicArn") not in topics:
            logger.warning("Refused an SES event from an unexpected SNS topic")
            raise AnymailWebhookValidationFailure("Unexpected SNS topic")
        if getattr(settings, "AMAZON_SES_VERIFY_SNS_SIGNATURES", True):
            try:
                sns.verify(message)
            except sns.SnsVerificationError as error:
                logger.warning("Refused an SES event: %s", error)
                raise AnymailWebhookValidationFailure(str(error)) from error
