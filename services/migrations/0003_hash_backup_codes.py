"""Replace the backup codes stored in clear by their keyed hash (see
``services.accounts.backup_code_hash``; the hashing is repeated here so
that this migration does not change if that function does)."""

from django.conf import settings
from django.db import migrations
from django.db.models.functions import Length
from django.utils.crypto import salted_hmac

SALT = "services.accounts.backup_code"


def hash_clear_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    # Hashes are 16 characters long; anything shorter is a code in clear.
    clear = StaticToken.objects.annotate(length=Length("token")).filter(length__lt=16)
    for token in clear:
        digest = salted_hmac(
            SALT, token.token.lower(), secret=settings.SECRET_KEY, algorithm="sha256"
        )
        token.token = digest.hexdigest()[:16]
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_backoffice_security"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # A hash cannot be turned back into the code: going back leaves the
    # hashes, and users generate new codes.
    operations = [migrations.RunPython(hash_clear_codes, migrations.RunPython.noop)]
