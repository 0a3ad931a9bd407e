"""Browser tests: Playwright drives Debian's Chromium against the live
server. A team signs in with TOTP, registers and uses a passkey (Chromium's
virtual authenticator), creates a template and sees its preview, sends a
message that reaches ``delivered``, sees a refused send's reason in French
at its field, creates an API key and uses it, and invites a member.
axe-core checks each main page; screenshots are saved under
test-artifacts/screenshots/."""

import json
import os
import re
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from providers import fake
from services import actions as service_actions
from tests import factories
from tests.chromium import CHROMIUM, require_chromium

from .conftest import PASSWORD, add_totp, totp_code

SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the ORM calls
# the tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check_accessibility(page, name: str) -> None:
    """axe-core: no serious or critical violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert blocking == [], name


def sign_in_with_totp(page, user, device) -> None:
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/second-facteur/")
    page.get_by_label("Code à usage unique").fill(totp_code(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/services/")


@pytest.fixture
def team(db):
    user = factories.user(full_name="Camille Martin")
    device = add_totp(user)
    service = service_actions.service_create(
        name="Rendez-vous en préfecture",
        organisation_name="Préfecture du Rhône",
        created_by=user,
    )
    return user, device, service


def test_sign_in_with_totp_and_main_pages_are_accessible(page, team):
    user, device, service = team
    page.goto("/connexion/")
    check_accessibility(page, "sign-in")
    screenshot(page, "01-connexion")
    page.get_by_role("link", name="Accessibilité : non conforme").click()
    page.wait_for_url("**/accessibilite/")
    screenshot(page, "19-accessibilite")
    check_accessibility(page, "accessibility-statement")

    sign_in_with_totp(page, user, device)
    screenshot(page, "02-services")
    check_accessibility(page, "services")

    factories.email_template(service=service)
    service_actions.reply_to_address_add(
        service=service, email_address="accueil@rhone.gouv.fr"
    )
    service_actions.sms_sender_add(service=service, sms_sender="PREFECTURE")
    service_actions.sms_sender_add(service=service, sms_sender="RDV")
    for name, path in [
        ("03-tableau-de-bord", f"/services/{service.id}/"),
        ("04-modeles", f"/services/{service.id}/modeles/"),
        ("05-activite", f"/services/{service.id}/activite/"),
        ("06-cles-api", f"/services/{service.id}/cles-api/"),
        ("07-equipe", f"/services/{service.id}/equipe/"),
        ("08-parametres", f"/services/{service.id}/parametres/"),
        ("09-compte", "/compte/"),
    ]:
        page.goto(path)
        assert page.locator("h1").count() == 1
        screenshot(page, name)
        check_accessibility(page, name)


def test_register_then_use_a_passkey_with_the_virtual_authenticator(page):
    user = factories.user()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/securiser-mon-compte/")
    screenshot(page, "10-securiser-mon-compte")
    check_accessibility(page, "factor-setup")
    page.get_by_role("button", name="Enregistrer une clé de sécurité").click()
    page.wait_for_url("**/connexion/codes-de-secours/")
    assert page.locator("#backup-codes li").count() == 10
    screenshot(page, "17-codes-de-secours")
    check_accessibility(page, "backup-codes")
    page.get_by_role("link", name="J’ai noté mes codes, continuer").click()
    page.wait_for_url("**/services/")

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/second-facteur/")
    screenshot(page, "18-second-facteur")
    check_accessibility(page, "second-factor")
    page.get_by_role("button", name="Utiliser ma clé de sécurité").click()
    page.wait_for_url("**/services/")
    assert user.webauthncredential_set.count() == 1


def test_create_template_see_preview_and_send_it_until_delivered(page, team):
    user, device, service = team
    sign_in_with_totp(page, user, device)

    page.goto(f"/services/{service.id}/modeles/nouveau/?type=email")
    page.get_by_label("Nom du modèle").fill("Confirmation de rendez-vous")
    page.get_by_label("Objet").fill("Votre rendez-vous du ((date))")
    page.get_by_label("Contenu").fill(
        "Bonjour ((prénom)),\n\nVotre rendez-vous est confirmé."
    )
    frame = page.frame_locator("#preview-frame")
    frame.get_by_text("Votre rendez-vous est confirmé.").wait_for()
    assert "prénom" in page.locator("#preview-placeholder-list").inner_text()
    screenshot(page, "11-modele-apercu")
    check_accessibility(page, "template-edit")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r".*/modeles/[0-9a-f-]{36}/$"))

    page.get_by_role("link", name="Envoyer avec ce modèle").click()
    page.get_by_label("date").fill("12 mars")
    page.get_by_label("prénom").fill("Camille")
    screenshot(page, "12-envoyer")
    check_accessibility(page, "send")
    page.get_by_role("button", name=re.compile("M’envoyer ce message")).click()
    page.wait_for_url(re.compile(r".*/activite/[0-9a-f-]{36}/$"))
    page.reload()
    assert (
        page.locator("#notification-status [data-status]").get_attribute("data-status")
        == "delivered"
    )
    screenshot(page, "13-message-distribue")
    check_accessibility(page, "notification")


def test_a_refused_send_shows_its_french_reason_at_the_field(page, team):
    user, device, service = team
    template = factories.email_template(service=service)
    sign_in_with_totp(page, user, device)

    page.goto(f"/services/{service.id}/envoyer/{template.id}/")
    page.get_by_label("Adresse électronique du destinataire").fill("x@example.fr")
    page.get_by_label("name").fill("Camille")
    page.get_by_label("reference").fill("A-1")
    page.get_by_role("button", name="Envoyer", exact=True).click()

    reason = "En mode d’essai, vous ne pouvez envoyer qu’aux membres"
    assert reason in page.locator("#id_recipient-desc-error").inner_text()
    assert reason in page.locator("#resume-erreurs").inner_text()
    assert page.locator("#id_recipient").get_attribute("aria-invalid") == "true"
    screenshot(page, "16-envoi-refuse")
    check_accessibility(page, "send-refused")


def test_create_an_api_key_and_use_it_against_the_api(page, team, live_server):
    from playwright.sync_api import expect

    user, device, service = team
    template = factories.email_template(service=service)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    sign_in_with_totp(page, user, device)

    page.goto(f"/services/{service.id}/cles-api/nouvelle/")
    check_accessibility(page, "api-key-create")
    page.get_by_label("Nom de la clé").fill("Serveur de test")
    page.locator("label[for=id_key_type_2]").click()
    page.get_by_role("button", name="Créer la clé").click()
    # The key's page answers the form's POST at the same address: wait for
    # its content, then for the whole page (footer, copy script) to load.
    page.locator("#api-key-value").wait_for()
    page.wait_for_load_state("load")
    copy_button = page.get_by_role("button", name="Copier la clé")
    expect(copy_button).to_be_visible()
    expect(page.locator("#pied-de-page")).to_be_visible()
    key = page.locator("#api-key-value").inner_text().strip()
    screenshot(page, "14-cle-api-creee")
    check_accessibility(page, "api-key-created")
    copy_button.click()
    expect(page.locator("#copy-status")).to_have_text(
        "Clé copiée dans le presse-papiers."
    )
    assert page.evaluate("navigator.clipboard.readText()") == key

    body = json.dumps(
        {
            "template_id": str(template.id),
            "email_address": user.email,
            "personalisation": {"name": "Camille", "reference": "A-1"},
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the live server, loopback)
        f"{live_server.url}/v2/notifications/email",
        data=body,
        headers={
            "Authorization": f"ApiKey-v1 {key}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 201


def test_invite_a_member_who_creates_an_account(page, team, browser, live_server):
    user, device, service = team
    sign_in_with_totp(page, user, device)

    page.goto(f"/services/{service.id}/equipe/inviter/")
    page.get_by_label("Adresse électronique").fill("nina@example.gouv.fr")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    page.wait_for_url(f"**/services/{service.id}/equipe/")
    assert page.get_by_text("nina@example.gouv.fr").count() >= 1
    screenshot(page, "15-equipe-invitation")

    body = next(
        entry.message.text_body
        for entry in fake.outbox
        if entry.to == "nina@example.gouv.fr"
    )
    link = re.search(r"http://\S+/invitation/[\w-]+/", body).group(0)
    invited = browser.new_context(base_url=live_server.url).new_page()
    invited.goto(link)
    invited.get_by_label("Nom complet").fill("Nina Nouvelle")
    invited.locator("#id_new_password").fill("une phrase de passe pour nina")
    invited.get_by_label("Confirmez le nouveau mot de passe").fill(
        "une phrase de passe pour nina"
    )
    invited.get_by_role("button", name="Créer mon compte").click()
    invited.wait_for_url("**/connexion/securiser-mon-compte/")
    assert service.members.filter(user__email="nina@example.gouv.fr").exists()
    invited.context.close()
