"""Test data, built through the actions so the same rules apply."""

import itertools
from dataclasses import dataclass

from services import actions as service_actions
from services import secrets
from services.models import ApiKey, KeyType, Service, User
from templates_app import actions as template_actions

_sequence = itertools.count(1)


def user(
    *,
    email: str | None = None,
    password: str = "correct horse battery staple",
    **fields,
) -> User:
    email = email or f"agent{next(_sequence)}@example.gouv.fr"
    return User.objects.create_user(email=email, password=password, **fields)


def service(*, name: str | None = None, **fields) -> Service:
    created = service_actions.service_create(
        name=name or f"Service {next(_sequence)}",
        restricted=fields.pop("restricted", False),
    )
    if fields:
        Service.objects.filter(pk=created.pk).update(**fields)
        created.refresh_from_db()
    return created


@dataclass(frozen=True)
class KeyWithSecret:
    api_key: ApiKey
    key_string: str

    @property
    def secret(self) -> str:
        return secrets.split_key_string(self.key_string).secret


def api_key(
    *, service: Service, key_type: str = KeyType.NORMAL, name: str = "test key"
):
    created = service_actions.api_key_create(
        service=service, name=name, key_type=key_type
    )
    return KeyWithSecret(api_key=created.api_key, key_string=created.key_string)


def email_template(
    *,
    service: Service,
    subject="Bonjour ((name))",
    body="Votre dossier ((reference)) est complet.",
    **fields,
):
    return template_actions.template_create(
        service=service,
        channel="email",
        name=fields.pop("name", "Dossier complet"),
        subject=subject,
        body=body,
        **fields,
    )


def sms_template(*, service: Service, body="Votre code : ((code))", **fields):
    return template_actions.template_create(
        service=service,
        channel="sms",
        name=fields.pop("name", "Code"),
        body=body,
        **fields,
    )
