import io
import secrets
import sys

import segno
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email

from config.commands import OpsCommand
from services import actions
from services.models import User


class Command(OpsCommand):
    help = (
        "Create a platform operator (admin access) with a TOTP device; print its "
        "otpauth:// URI and a QR code to scan."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("email", help="The operator's email address (their login).")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input instead of generating one.",
        )
        parser.add_argument(
            "--name", default="", help="The operator's full name, for the audit trail."
        )

    def handle(self, *args, **options) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid email address.") from error
        if User.objects.filter(email=email).exists():
            raise CommandError(f"A user with the email {email!r} already exists.")
        password = self._password(options, email)

        created = actions.operator_create(
            email=email, password=password, full_name=options["name"]
        )

        data = {"email": email, "otpauth_uri": created.otpauth_uri}
        if not options["password_stdin"]:
            data["password"] = password
        self.emit(options, data, self._lines(created, data))

    def _password(self, options: dict, email: str) -> str:
        if not options["password_stdin"]:
            return secrets.token_urlsafe(18)
        password = sys.stdin.readline().rstrip("\n")
        try:
            validate_password(password, User(email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password

    def _lines(self, created, data: dict) -> list[str]:
        qr = io.StringIO()
        segno.make(created.otpauth_uri, error="m").terminal(out=qr, compact=True)
        lines = [f"Operator {data['email']} created."]
        if "password" in data:
            lines.append(f"Password (shown once): {data['password']}")
        lines += [
            "Scan this QR code with an authenticator app, or enter the URI:",
            qr.getvalue(),
            created.otpauth_uri,
        ]
        return lines
