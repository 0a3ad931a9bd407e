import uuid

from django.core.management.base import CommandError

from config.commands import OpsCommand
from services import actions
from services.models import KeyType, Service


class Command(OpsCommand):
    help = "Create an API key for a service and print it; it is shown only once."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("service_id", help="The id (UUID) of the service.")
        parser.add_argument("name", help="A name for the key, e.g. 'production'.")
        parser.add_argument(
            "--type",
            dest="key_type",
            default=KeyType.NORMAL,
            choices=KeyType.values,
            help="normal (live), team (team and guest list only) or test (never "
            "delivered).",
        )

    def handle(self, *args, **options) -> None:
        try:
            service_id = uuid.UUID(options["service_id"])
        except ValueError as error:
            raise CommandError(f"{options['service_id']!r} is not a UUID.") from error
        service = Service.objects.filter(id=service_id).first()
        if service is None:
            raise CommandError(f"No service has the id {service_id}.")
        name = options["name"].strip()
        if not name:
            raise CommandError("The key name must not be empty.")

        created = actions.api_key_create(
            service=service, name=name, key_type=options["key_type"]
        )

        self.emit(
            options,
            {
                "id": str(created.api_key.id),
                "service_id": str(service.id),
                "key_type": created.api_key.key_type,
                "key": created.key_string,
            },
            [
                f"API key {name!r} ({created.api_key.key_type}) for {service.name}:",
                created.key_string,
                "Keep it now: it will not be shown again.",
            ],
        )
