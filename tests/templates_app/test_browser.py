"""The template screens in Debian's Chromium: the SMS editor's live preview
says what each character costs as the author types (its script is a static
file, so the CSP blocks nothing), and the template's id is copied with
one click."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from services import actions as service_actions
from templates_app import actions as template_actions
from tests import factories
from tests.backoffice.conftest import verified_client
from tests.chromium import CHROMIUM, require_chromium

SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    require_chromium("axe_playwright_python.sync_playwright")
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
def manager(db):
    return factories.user()


@pytest.fixture
def service(manager):
    return service_actions.service_create(name="Mairie", created_by=manager)


@pytest.fixture
def page(browser, live_server, manager, service):
    """A page signed in as the service's manager (second factor passed),
    recording CSP violations and script errors."""
    session = verified_client(manager).cookies
    cookie = session[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": cookie,
                "url": live_server.url,
            }
        ]
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda message: _record(page.problems, message))
    yield page
    context.close()


def _record(problems: list, message) -> None:
    # DSFR's own bundle sets inline styles when the viewport changes (as a
    # full-page screenshot does), which the CSP blocks; ours never do.
    if message.type == "error" and "/static/dsfr/" not in message.location["url"]:
        problems.append(message.text)


def screenshot_and_check(page, name: str) -> None:
    """Save a screenshot; axe-core finds no serious or critical problem."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    violations = Axe().run(page).response["violations"]
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in violations
        if violation["impact"] in {"serious", "critical"}
    ]
    assert blocking == [], name


def test_sms_editor_tells_what_each_character_costs_while_typing(page, service):
    from playwright.sync_api import expect

    page.goto(f"/services/{service.id}/modeles/nouveau/?type=sms")
    summary = page.locator("#preview-sms-summary")
    notes = page.locator("#preview-sms-notes li")
    assert summary.inner_text() == "Le message est vide."

    page.get_by_label("Message").fill("Prêt : 10 €")
    expect(summary).to_contain_text("11 caractères")
    assert "encodage GSM-7" in summary.inner_text()
    assert notes.all_inner_texts()[0] == "« € » compte pour 2 caractères."
    assert "« ê » devient « e »" in notes.all_inner_texts()[1]
    assert page.locator("#preview-sms-body").inner_text() == "Pret : 10 €"

    page.get_by_label("Message").press_sequentially(" 🙂")
    expect(summary).to_contain_text("UCS-2")
    assert notes.all_inner_texts()[0].startswith("« 🙂 » n’est pas dans l’alphabet")
    assert page.locator("#preview-sms-body").inner_text() == "Prêt : 10 € 🙂"
    screenshot_and_check(page, "20-modele-sms-cout")
    assert page.problems == []


def test_template_id_is_copied_with_one_click(page, service):
    template = factories.email_template(service=service)

    page.goto(f"/services/{service.id}/modeles/{template.id}/")
    page.get_by_role("button", name="Copier l’identifiant").click()

    page.get_by_text("Identifiant copié").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == str(template.id)
    screenshot_and_check(page, "21-modele-identifiant")
    assert page.problems == []


def test_template_list_filters_and_archived_page_are_accessible(page, service):
    factories.sms_template(service=service, name="Code de connexion")
    archived = factories.email_template(service=service, name="Ancienne convocation")
    template_actions.template_archive(template=archived)

    page.goto(f"/services/{service.id}/modeles/")
    page.get_by_label("État").select_option("1")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Ancienne convocation").wait_for()
    assert page.get_by_role("link", name="Code de connexion").count() == 0
    screenshot_and_check(page, "22-modeles-archives")

    page.get_by_role("link", name="Ancienne convocation").click()
    screenshot_and_check(page, "23-modele-archive")
    page.get_by_role("button", name="Remettre en service").click()
    page.get_by_text("remis en service").wait_for()
    assert page.problems == []
