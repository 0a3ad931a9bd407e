from config.commands import OpsCommand
from services import actions
from services.models import ApiKey


class Command(OpsCommand):
    help = (
        "Encrypt every API key secret again with the first key of "
        "API_KEY_ENCRYPTION_KEYS (after adding a new key in front)."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the keys that would be rewritten; change nothing.",
        )

    def handle(self, *args, **options) -> None:
        if options["dry_run"]:
            count = ApiKey.objects.count()
        else:
            count = actions.api_key_secrets_rotate()

        verb = "would be" if options["dry_run"] else "were"
        self.emit(
            options,
            {"rewritten": count, "dry_run": options["dry_run"]},
            [f"{count} API key secrets {verb} encrypted with the first key."],
        )
