"""French forms on the screens: singular for 0 and 1, dates as d/m/Y H:i,
an empty chart said in words, labelled date filters, the notification's
facts and provider."""

import re

import pytest
from django.urls import reverse

from notifications.models import Notification
from services.audit import audit_record
from services.models import AuditAction
from tests import factories

pytestmark = pytest.mark.django_db


def _notification(service, template, **fields):
    return Notification.objects.create(
        service=service,
        template=template,
        template_version=template.versions.get(version=template.version),
        channel=template.channel,
        recipient="camille@example.fr",
        normalised_recipient="camille@example.fr",
        status="delivered",
        **fields,
    )


def test_activity_counts_in_the_singular_for_zero_and_one(manager_client, team_service):
    url = reverse("notifications:activity", args=[team_service.id])

    empty = manager_client.get(url).content.decode()
    _notification(team_service, factories.email_template(service=team_service))
    one = manager_client.get(url).content.decode()

    assert "<caption>0 message</caption>" in empty
    assert "<caption>1 message</caption>" in one


def test_activity_date_filters_are_labelled_dsfr_date_inputs(
    manager_client, team_service
):
    url = reverse("notifications:activity", args=[team_service.id])

    html = manager_client.get(url, {"date_from": "2026-03-12"}).content.decode()

    assert "Envoyés à partir du" in html and "Envoyés jusqu’au" in html
    assert html.count("Ce jour inclus.") == 2
    assert re.search(r'<input type="date" name="date_from" value="2026-03-12"', html)


def test_activity_accepts_a_french_date_typed_by_hand(manager_client, team_service):
    url = reverse("notifications:activity", args=[team_service.id])

    response = manager_client.get(url, {"date_from": "12/03/2026"})

    assert response.status_code == 200
    assert "fr-input-group--error" not in response.content.decode()


def test_dashboard_says_when_a_channel_sent_nothing(manager_client, team_service):
    _notification(team_service, factories.email_template(service=team_service))

    html = manager_client.get(
        reverse("notifications:dashboard", args=[team_service.id])
    ).content.decode()

    assert 'id="sms-empty">Aucun message sur la période.' in html
    assert 'id="email-empty"' not in html
    assert html.count("<svg") == 1
    assert re.search(r'id="sms-sent">0</p><p class="fr-text--sm">envoyé<', html)
    assert re.search(r'id="email-sent">1</p><p class="fr-text--sm">envoyé<', html)


def test_account_dates_read_day_month_year_hour(manager_client, manager):
    audit_record(action=AuditAction.SIGN_IN, actor=manager)

    html = manager_client.get(reverse("services:account")).content.decode()

    assert re.search(r"<td>\d{2}/\d{2}/\d{4} \d{2}:\d{2}</td><td>Connexion</td>", html)
    assert "restants)" in html or "restant)" in html


def test_notification_page_lists_its_facts_with_the_provider(
    manager_client, team_service
):
    template = factories.email_template(service=team_service)
    notification = _notification(team_service, template, provider="fake-email")

    html = manager_client.get(
        reverse(
            "notifications:notification-detail", args=[team_service.id, notification.id]
        )
    ).content.decode()

    assert '<dl class="bo-details' in html
    assert "<dt>Fournisseur</dt><dd>fake-email" in html
    assert "fournisseur simulé" in html
