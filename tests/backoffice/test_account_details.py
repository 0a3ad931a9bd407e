"""The account page's "Mes informations" form (name and mobile number,
checked by the recipient rules) and sending an SMS to oneself."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests import factories

from .screens import field_error

pytestmark = pytest.mark.django_db


def test_account_page_shows_the_details_form_with_the_current_values(
    manager_client, manager
):
    manager.mobile_number = "+33612345678"
    manager.save()

    page = manager_client.get(reverse("services:account")).content.decode()
    own_page = manager_client.get(reverse("services:account-details"))

    assert "Mes informations" in page
    assert own_page.status_code == 200 and 'value="+33612345678"' in (
        own_page.content.decode()
    )
    assert 'name="mobile_number"' in page and 'value="+33612345678"' in page
    assert 'value="Camille Martin"' in page


def test_account_details_save_a_name_and_a_normalised_mobile_number(
    manager_client, manager
):
    response = manager_client.post(
        reverse("services:account-details"),
        {"full_name": "  Camille   Durand ", "mobile_number": "06 12 34 56 78"},
    )

    manager.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("services:account")
    assert (manager.full_name, manager.mobile_number) == (
        "Camille Durand",
        "+33612345678",
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("01 23 45 67 89", "n’est pas un numéro de mobile"),
        ("06 12", "pas assez de chiffres"),
        ("06 12 34 56 7x", "ne peut contenir que des chiffres"),
    ],
)
def test_account_details_refuse_a_bad_mobile_number_in_french_at_the_field(
    manager_client, manager, typed, message
):
    response = manager_client.post(
        reverse("services:account-details"),
        {"full_name": "Camille Martin", "mobile_number": typed},
    )

    manager.refresh_from_db()
    assert response.status_code == 200
    assert field_error(response, message)
    assert manager.mobile_number == ""


def test_account_details_want_a_name_and_allow_no_mobile_number(
    manager_client, manager
):
    manager.mobile_number = "+33612345678"
    manager.save()

    refused = manager_client.post(
        reverse("services:account-details"), {"full_name": " ", "mobile_number": ""}
    )
    manager_client.post(
        reverse("services:account-details"),
        {"full_name": "Camille", "mobile_number": ""},
    )

    manager.refresh_from_db()
    assert field_error(refused, "Ce champ est obligatoire.")
    assert (manager.full_name, manager.mobile_number) == ("Camille", "")


def test_send_page_offers_sms_to_myself_only_with_a_mobile_number(
    manager_client, manager, team_service
):
    template = factories.sms_template(service=team_service)
    url = reverse("notifications:send", args=[team_service.id, template.id])

    without = manager_client.get(url).content.decode()
    manager.mobile_number = "+33612345678"
    manager.save()
    with_number = manager_client.get(url).content.decode()

    assert 'name="to_myself"' not in without and "ajoutez votre numéro" in without
    assert 'name="to_myself"' in with_number and "+33612345678" in with_number


def test_sms_to_myself_reaches_delivered_in_trial_mode(
    manager_client, manager, team_service, django_capture_on_commit_callbacks
):
    template = factories.sms_template(service=team_service)
    manager_client.post(
        reverse("services:account-details"),
        {"full_name": "Camille Martin", "mobile_number": "06 12 34 56 78"},
    )
    url = reverse("notifications:send", args=[team_service.id, template.id])

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"field_0": "123456", "to_myself": "1"})

    notification = Notification.objects.get(service=team_service)
    assert response.status_code == 302
    assert notification.normalised_recipient == "+33612345678"
    assert notification.status == "delivered"


def test_sms_to_myself_without_a_number_says_so_at_the_field(
    manager_client, team_service
):
    template = factories.sms_template(service=team_service)
    url = reverse("notifications:send", args=[team_service.id, template.id])

    response = manager_client.post(url, {"field_0": "123456", "to_myself": "1"})

    assert response.status_code == 200
    assert field_error(response, "Votre numéro de mobile n’est pas renseigné")
    assert not Notification.objects.exists()
