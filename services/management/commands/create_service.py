from django.core.management.base import CommandError

from config.commands import OpsCommand
from services import actions
from services.models import Service


class Command(OpsCommand):
    help = (
        "Create a service (a public body's sending account), in trial mode by default."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name", help="The service's name, unique on the platform.")
        parser.add_argument(
            "--organisation", default="", help="The public body the service belongs to."
        )
        parser.add_argument(
            "--live",
            action="store_true",
            help="Create it live (not in trial mode): it may send to anyone.",
        )
        parser.add_argument(
            "--email-sender-name",
            default="",
            help="The name shown as the sender of its emails (defaults to its name).",
        )

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("The service name must not be empty.")
        if Service.objects.filter(name=name).exists():
            raise CommandError(f"A service named {name!r} already exists.")

        service = actions.service_create(
            name=name,
            organisation_name=options["organisation"],
            restricted=not options["live"],
            email_sender_name=options["email_sender_name"],
        )

        mode = "trial" if service.restricted else "live"
        self.emit(
            options,
            {
                "id": str(service.id),
                "name": service.name,
                "restricted": service.restricted,
            },
            [f"Service {service.name!r} created ({mode}): {service.id}"],
        )
