"""Shared plumbing for management commands: human output by default,
one JSON object with ``--json`` so scripts can read the result."""

import json

from django.core.management.base import BaseCommand


class OpsCommand(BaseCommand):
    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the result as one JSON object instead of text.",
        )

    def emit(self, options: dict, data: dict, lines: list[str]) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(data, default=str))
            return
        for line in lines:
            self.stdout.write(line)
