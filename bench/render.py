"""Renders per second of the template language, on one core.

    .venv/bin/python -m bench.render [--seconds 2] [--json]

Measures a 10-placeholder text message and a 10-placeholder email that uses
every markdown feature (full HTML document and plain text; and without
HTML, as the API's hot path renders it), plus recipient validation. The
process is pinned to one core; each case runs for ``--seconds`` of CPU
time after a warm-up, three times, and the best run is reported, per CPU
second (the core's capacity) and per wall-clock second (lower when other
processes share the core). Targets: 20,000 SMS/s and 2,000 HTML
emails/s.
"""

import argparse
import json
import os
import platform
import sys
import time

from notifications import recipients
from templates_app import rendering

SMS_BODY = (
    "((civilite)) ((nom)), votre rendez-vous du ((date)) à ((heure)) au "
    "((lieu)) est confirmé. Dossier n°((reference)). Pièces : ((pieces)). "
    "((rappel??Un rappel vous sera envoyé la veille.)) Infos : ((lien)) "
    "– ((service))"
)
SMS_VALUES = {
    "civilite": "Madame",
    "nom": "Lefèvre",
    "date": "12/03",
    "heure": "14 h 30",
    "lieu": "guichet 4",
    "reference": "AB-12345",
    "pieces": ["carte d’identité", "justificatif"],
    "rappel": "oui",
    "lien": "https://rdv.exemple.gouv.fr/x",
    "service": "Préfecture du Nord",
}

EMAIL_SUBJECT = "Votre rendez-vous du ((date)) – dossier ((reference))"
EMAIL_BODY = """# Rendez-vous du ((date))

Bonjour ((civilite)) ((nom)),

Votre rendez-vous à ((heure)) au ((lieu)) est confirmé. Apportez :((pieces))

## À savoir

* Le guichet ouvre à 9 h.
  * le samedi à 10 h.
* Les mineurs viennent accompagnés.

1. Présentez-vous à l'accueil.
   * muni de vos pièces.
2. Attendez d'être appelé.

^ ((rappel??Un rappel vous sera envoyé la veille.))

---

[Gérer mon rendez-vous](((lien))) ou https://www.service-public.fr/.
Référence : ((reference)) – ((service)) – ((contact))
"""
EMAIL_VALUES = {**SMS_VALUES, "contact": "contact@prefecture.gouv.fr"}


def render_sms() -> None:
    rendering.render_sms(body=SMS_BODY, personalisation=SMS_VALUES, prefix="Mairie")


def render_email() -> None:
    rendering.render_email(
        subject=EMAIL_SUBJECT,
        body=EMAIL_BODY,
        personalisation=EMAIL_VALUES,
        service_name="Préfecture du Nord",
        unsubscribe_url="https://rdv.exemple.gouv.fr/stop",
    )


def render_email_for_api() -> None:
    rendering.render_email(
        subject=EMAIL_SUBJECT,
        body=EMAIL_BODY,
        personalisation=EMAIL_VALUES,
        with_html=False,
    )


def validate_phone() -> None:
    recipients.validate_phone_number("06 12 34 56 78")


def validate_email() -> None:
    recipients.validate_email_address("Agent.Public@Mairie-Évry.fr")


CASES = [
    ("sms (10 placeholders)", render_sms, 20_000),
    ("email with HTML (10 placeholders, every feature)", render_email, 2_000),
    ("email for the API, no HTML", render_email_for_api, None),
    ("phone number validation", validate_phone, None),
    ("email address validation", validate_email, None),
]


def rate(function, seconds: float) -> tuple[float, float]:
    """Calls per CPU second and per wall-clock second, over about
    ``seconds`` of CPU time. On a shared machine the CPU-time figure is the
    one core's capacity; the wall-clock one also counts time spent waiting
    for the core."""
    calls, batch = 0, 100
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    while True:
        for _ in range(batch):
            function()
        calls += batch
        cpu = time.process_time() - cpu_started
        if cpu >= seconds:
            return calls / cpu, calls / (time.perf_counter() - wall_started)


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per run")
    parser.add_argument("--json", action="store_true", help="print JSON")
    arguments = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    results = []
    for name, function, target in CASES:
        rate(function, 0.3)
        runs = [rate(function, arguments.seconds) for _ in range(3)]
        results.append(
            {
                "case": name,
                "per_cpu_second": round(max(cpu for cpu, _ in runs)),
                "per_wall_second": round(max(wall for _, wall in runs)),
                "target": target,
            }
        )

    if arguments.json:
        _write(json.dumps({"python": platform.python_version(), "results": results}))
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    _write(f"Python {platform.python_version()}, one core, load average {load:.1f}")
    _write(f"{'case':<50} {'per CPU s':>10} {'per wall s':>11}")
    for result in results:
        target = result["target"]
        verdict = ""
        if target:
            reached = result["per_cpu_second"] >= target
            verdict = f"  target {target:,}/s: {'ok' if reached else 'BELOW'}"
        _write(
            f"{result['case']:<50} {result['per_cpu_second']:>10,}"
            f" {result['per_wall_second']:>11,}{verdict}"
        )


if __name__ == "__main__":
    main()
