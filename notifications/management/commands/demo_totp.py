from django.conf import settings
from django.core.management.base import CommandError

from config.commands import OpsCommand
from notifications import demo


class Command(OpsCommand):
    help = (
        "Print the demo team member's current second-factor code (development "
        "only), to sign in to the back office without an authenticator app."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp is for development only (DEBUG is off).")
        code = demo.demo_totp_code()
        if code is None:
            raise CommandError("No demo member: run `manage.py seed_demo` first.")

        self.emit(options, {"code": code}, [code])
