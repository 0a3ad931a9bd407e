"""Shared plumbing for management commands: human output by default,
one JSON object with ``--json`` so scripts can read the result (or
``{"error": ...}`` when the command refuses)."""

import json

from django.core.management.base import BaseCommand, CommandError


class OpsCommand(BaseCommand):
    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the result as one JSON object instead of text.",
        )

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            # A script reading stdout gets the refusal as JSON too; the exit
            # status and the message on stderr stay Django's.
            if options.get("json"):
                self.stdout.write(json.dumps({"error": str(error)}))
            raise

    def emit(self, options: dict, data: dict, lines: list[str]) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(data, default=str))
            return
        for line in lines:
            self.stdout.write(line)
