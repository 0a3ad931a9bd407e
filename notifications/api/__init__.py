"""The public REST API v2 (GOV.UK Notify's protocol), by resource.

``sends``: POST email, SMS and (refused) letters; ``reads``: notifications;
``templates``: templates and previews; ``inbound``: received text messages;
``docs``: the OpenAPI document and its page.
"""

from . import openapi  # noqa: F401  (registers the authentication scheme)
