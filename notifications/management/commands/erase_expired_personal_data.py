"""``manage.py erase_expired_personal_data``: what Beat runs hourly."""

from django.utils import timezone

from config.commands import OpsCommand
from notifications import actions, selectors


class Command(OpsCommand):
    help = (
        "Erase the personal data of notifications and received text messages "
        "past their service's retention period."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be erased.",
        )

    def handle(self, *args, **options) -> None:
        if options["dry_run"]:
            counts = selectors.personal_data_past_retention_counts(now=timezone.now())
            lines = [f"Would erase: {counts}"]
            self.emit(options, {"dry_run": True, **counts}, lines)
            return
        report = actions.personal_data_erase_expired()
        self.emit(options, report.__dict__, [f"Erased: {report.__dict__}"])
