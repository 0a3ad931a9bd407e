"""The HTML email passes axe-core's checks (WCAG 2.x A and AA, and best
practices) in Chromium, for a template that uses every markdown feature."""

import pytest

from templates_app import rendering
from tests.chromium import CHROMIUM, require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser

EVERY_FEATURE = """# Votre rendez-vous du ((date))

Bonjour ((prénom)),

Votre demande n°((référence)) est prête. Voici ce qu'il faut apporter :((pièces))

## Ce qu'il faut savoir

* Le guichet ouvre à 9 h.
- Pensez à votre convocation.
  * imprimée ou sur votre téléphone ;
    1. avec le code de réservation ;
      - et votre numéro de dossier.
• Les mineurs viennent accompagnés.

1. Présentez-vous à l'accueil.
   * au rez-de-chaussée ;
   * muni de vos pièces :
     * ((pièces))
2. Attendez d'être appelé.
3. Récupérez votre titre.

^ Attention : sans les pièces demandées, le rendez-vous sera annulé.
^
^ ((rappel??Un rappel vous sera envoyé la veille.))

---

[Gérer mon rendez-vous](((lien))) ou https://www.service-public.fr/particuliers/vosdroits.
Pour nous écrire : [contact](mailto:contact@prefecture.gouv.fr).
Adresse du service : <((lien))>
"""

PERSONALISATION = {
    "date": "12 mars",
    "prénom": "Zoé",
    "référence": "AB-123",
    "pièces": ["une pièce d'identité", "un justificatif de domicile", "une photo"],
    "rappel": "oui",
    "lien": "https://rdv.exemple.gouv.fr/gerer?id=AB-123&source=email",
}


@pytest.fixture(scope="module")
def page():
    require_chromium("axe_playwright_python.sync_playwright")
    from playwright import sync_api as playwright_api

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def axe_violations(page, html: str) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    page.set_content(html)
    results = Axe().run(page)
    return [
        {"id": violation["id"], "nodes": [n["html"] for n in violation["nodes"]]}
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("branding", ["state", "neutral"])
def test_email_with_every_markdown_feature_has_no_accessibility_violation(
    page, branding
):
    rendered = rendering.render_email(
        subject="Votre rendez-vous du ((date))",
        body=EVERY_FEATURE,
        personalisation=PERSONALISATION,
        service_name="Préfecture du Nord",
        branding=branding,
        unsubscribe_url="https://rdv.exemple.gouv.fr/desabonnement",
    )

    assert axe_violations(page, rendered.html) == []
    assert page.locator("h1").inner_text() == "Votre rendez-vous du 12 mars"
    assert page.locator("li").count() == 17
    assert page.locator("li li li li").count() == 1
    assert page.locator("ol li ul li ul li").count() == 3
    assert page.locator("a").count() == 5


def test_axe_reports_a_violation_it_should_find(page):
    """The check is live: a page with an unlabelled image and low contrast
    text fails."""
    bad = (
        '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body>'
        '<main><img src="data:,"><p style="color:#ccc">pâle</p></main></body></html>'
    )

    assert {violation["id"] for violation in axe_violations(page, bad)} >= {
        "image-alt",
        "color-contrast",
    }
