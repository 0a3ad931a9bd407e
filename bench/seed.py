"""Create the benchmark's service, templates and keys; print them as JSON.

Run inside the benchmark's environment: ``python -m bench.seed``."""

import json
import uuid

import django


def main() -> None:
    django.setup()
    from services import actions as service_actions
    from services.models import Service
    from templates_app import actions as template_actions

    name = f"Benchmark {uuid.uuid4().hex[:8]}"
    service = service_actions.service_create(name=name, restricted=False)
    limit = 1_000_000_000
    Service.objects.filter(id=service.id).update(
        email_daily_limit=limit, sms_daily_limit=limit, rate_limit=limit
    )
    email = template_actions.template_create(
        service=service,
        channel="email",
        name="Bench email",
        subject="Votre dossier ((reference))",
        body="Bonjour ((name)),\n\nVotre dossier ((reference)) est complet.",
    )
    sms = template_actions.template_create(
        service=service,
        channel="sms",
        name="Bench SMS",
        body="Bonjour ((name)), votre code est ((code)).",
    )
    service_actions.sms_sender_add(service=service, sms_sender="BENCH")
    key = service_actions.api_key_create(service=service, name="bench")
    print(
        json.dumps(
            {
                "service_id": str(service.id),
                "email_template_id": str(email.id),
                "sms_template_id": str(sms.id),
                "key": key.key_string,
            }
        )
    )


if __name__ == "__main__":
    main()
