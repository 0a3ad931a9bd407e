import uuid

from django.apps import apps
from django.core.management.base import CommandError

from config.commands import OpsCommand
from templates_app import actions
from templates_app.models import Template, TemplateChannel

NAME_MAX_LENGTH = Template._meta.get_field("name").max_length


class Command(OpsCommand):
    help = "Create an email or SMS template for a service."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("service_id", help="The id (UUID) of the service.")
        parser.add_argument(
            "channel", choices=TemplateChannel.values, help="email or sms."
        )
        parser.add_argument("name", help="The template's name, shown to the team.")
        parser.add_argument(
            "--body",
            required=True,
            help="The content, with ((placeholders)); '-' reads it from stdin.",
        )
        parser.add_argument(
            "--subject", default="", help="The subject (required for email)."
        )

    def handle(self, *args, **options) -> None:
        service = self._service(options["service_id"])
        body = self.stdin_or(options["body"]).strip()
        subject = options["subject"].strip()
        name = options["name"].strip()
        if not name:
            raise CommandError("The name must not be empty.")
        if len(name) > NAME_MAX_LENGTH:
            raise CommandError(
                f"The name must be at most {NAME_MAX_LENGTH} characters."
            )
        if not body:
            raise CommandError("The body must not be empty.")
        if options["channel"] == TemplateChannel.EMAIL and not subject:
            raise CommandError("An email template needs a --subject.")

        template = actions.template_create(
            service=service,
            channel=options["channel"],
            name=name,
            subject=subject,
            body=body,
        )

        self.emit(
            options,
            {"id": str(template.id), "channel": template.channel, "version": 1},
            [f"Template {template.name!r} ({template.channel}) created: {template.id}"],
        )

    def _service(self, value: str):
        try:
            service_id = uuid.UUID(value)
        except ValueError as error:
            raise CommandError(f"{value!r} is not a UUID.") from error
        service = apps.get_model("services", "Service").objects.filter(id=service_id)
        if not service.exists():
            raise CommandError(f"No service has the id {service_id}.")
        return service.get()

    def stdin_or(self, value: str) -> str:
        import sys

        return sys.stdin.read() if value == "-" else value
