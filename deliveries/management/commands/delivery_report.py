"""``manage.py delivery_report``: what operators watch in the pipeline."""

import json

from django.core.management.base import BaseCommand

from deliveries import selectors


class Command(BaseCommand):
    help = (
        "Print the notifications per status and the reconciliation counts "
        "(possible and confirmed duplicates, unknown or late outcomes, "
        "attempts in progress, receipts set aside)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead"
        )

    def handle(self, *args, **options):
        report = {
            "statuses": selectors.notification_status_counts(),
            "reconciliation": selectors.reconciliation_counts(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, sort_keys=True))
            return
        for section, counts in report.items():
            self.stdout.write(f"{section}:")
            for name, count in sorted(counts.items()):
                self.stdout.write(f"  {name}: {count}")
