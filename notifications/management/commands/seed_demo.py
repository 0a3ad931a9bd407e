from django.core.management.base import CommandError

from config.commands import OpsCommand
from notifications import demo


class Command(OpsCommand):
    help = (
        "Create a demo service with templates, senders, a team member and one API "
        "key of each type, and print them (keys are shown only now)."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing (and succeed) if the demo service already exists.",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing on success."
        )

    def handle(self, *args, **options) -> None:
        if demo.demo_exists():
            if options["once"]:
                return
            raise CommandError(
                f"The service {demo.DEMO_SERVICE_NAME!r} already exists; use --once "
                "to skip silently."
            )

        data = demo.demo_seed()
        path = demo.demo_save(data)

        if options["quiet"] and not options["json"]:
            return
        lines = [
            f"Demo service: {data['service_id']}",
            f"Email template: {data['email_template_id']}",
            f"SMS template: {data['sms_template_id']}",
            f"Reply-to address: {data['reply_to_id']}",
            f"SMS sender: {data['sms_sender_id']}",
            f"Team member: {data['member_email']} / {data['member_password']}",
            *[f"API key ({kind}): {key}" for kind, key in data["api_keys"].items()],
            f"(also saved in {path}, readable only by you)",
        ]
        self.emit(options, data, lines)
