"""Providers: the adapters that hand notifications to email and SMS
gateways, how one is chosen, and how their receipts come back.

What the delivery pipeline calls (and nothing else):

- ``registry.choose_provider(channel, exclude=())`` at every attempt, then
  ``send_email(OutgoingEmail)`` / ``send_sms(OutgoingSms)`` on the adapter,
  which return a ``SendResult`` or raise ``ProviderTemporaryError`` (retry;
  ``ambiguous`` when the provider may have the message, ``retry_after``
  when it said when) or ``ProviderPermanentError`` (its ``status`` is the
  notification's final status; ``provider_fault`` when another provider
  may well take it);
- ``registry.record_failure(name)`` / ``registry.record_success(name)``
  after each attempt, for the cool-down;
- ``settings.PROVIDER_RECEIPT_SINK``: the pipeline's function that takes
  each ``ReceiptEvent`` (webhooks, the anymail tracking signal and the
  fakes call it), stores it once per ``(provider, provider_event_id)`` and
  applies it in a task;
- ``fake.sent_count``, ``fake.sent_total``, ``fake.sent_log``,
  ``fake.set_behaviour``, ``fake.set_deduplication``, ``fake.reset`` in
  tests that run a real worker.

``providers`` imports no model of another app: plain dataclasses go in and
out (``providers.base``).
"""
