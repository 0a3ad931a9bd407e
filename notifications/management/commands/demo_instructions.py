from django.core.management.base import CommandError

from config.commands import OpsCommand
from notifications import demo


class Command(OpsCommand):
    help = "Print the demo API key and a curl command that sends an email."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help="Where the server answers.",
        )

    def handle(self, *args, **options) -> None:
        data = demo.demo_load()
        if data is None:
            raise CommandError("No demo data: run `manage.py seed_demo` first.")

        base_url = options["base_url"].rstrip("/")
        curl = demo.curl_command(data, base_url)
        lines = [
            "",
            "Notifications is starting on the embedded default (SQLite, tasks run",
            "in-process, fake providers: nothing leaves this machine).",
            "",
            f"Demo API key (live): {data['api_keys']['normal']}",
            f"Team key: {data['api_keys']['team']}",
            f"Test key: {data['api_keys']['test']}",
            "",
            "Send an email:",
            curl,
            "",
            "Then read it (it turns 'delivered' a moment later):",
            f"curl -s {base_url}/v2/notifications/<id> \\",
            f"  -H 'Authorization: ApiKey-v1 {data['api_keys']['normal']}'",
            "",
            f"Back office: {base_url}/connexion/ as {data['member_email']} / "
            f"{data['member_password']}",
            "  second factor: scan this URI in an authenticator app, or run "
            "`.venv/bin/python manage.py demo_totp`",
            f"  {data.get('member_otpauth_uri', '')}",
            "",
            f"Operators' admin: {base_url}/admin/ (create an operator with "
            "`.venv/bin/python manage.py create_operator you@example.gouv.fr`)",
            f"API documentation: {base_url}/docs/api/",
            "",
        ]
        self.emit(options, {**data, "curl": curl}, lines)
