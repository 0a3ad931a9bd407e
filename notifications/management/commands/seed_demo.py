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
            help=(
                "If the demo service already exists, print its saved data (new "
                "secrets if the saved file is gone) instead of failing."
            ),
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing on success."
        )

    def handle(self, *args, **options) -> None:
        if demo.demo_exists():
            self._existing(options)
            return

        data = demo.demo_seed()
        path = demo.demo_save(data)

        self._report(options, data, path, created=True)

    def _existing(self, options) -> None:
        if not options["once"]:
            raise CommandError(
                f"The service {demo.DEMO_SERVICE_NAME!r} already exists; use --once "
                "to skip it."
            )
        data, path = demo.demo_load(), demo.demo_file()
        if data is None:
            # The saved secrets are lost and cannot be shown again: new ones.
            data = demo.demo_reissue()
            path = demo.demo_save(data)
            self.stderr.write(
                f"{path} was missing: the demo got new API keys and a new password."
            )
        self._report(options, data, path, created=False)

    def _report(self, options, data: dict, path, *, created: bool) -> None:
        if options["quiet"] and not options["json"]:
            return
        lines = [
            f"Demo service: {data['service_id']}"
            + ("" if created else " (already there)"),
            f"Email template: {data['email_template_id']}",
            f"SMS template: {data['sms_template_id']}",
            f"Reply-to address: {data['reply_to_id']}",
            f"SMS sender: {data['sms_sender_id']}",
            f"Team member: {data['member_email']} / {data['member_password']}",
            *[f"API key ({kind}): {key}" for kind, key in data["api_keys"].items()],
            f"(also saved in {path}, readable only by you)",
        ]
        self.emit(options, {**data, "created": created}, lines)
