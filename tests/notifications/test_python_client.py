"""GOV.UK Notify's own Python client (notifications-python-client 13.0.0,
from PyPI) against a live server: every email, SMS and template method,
and errors as the client expects them."""

import io
import uuid

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.models import Notification, ReceivedTextMessage
from services.models import KeyType
from tests import factories

pytestmark = pytest.mark.e2e


@pytest.fixture
def setup(transactional_db):
    service = factories.service(name="Service client Python")
    return {
        "service": service,
        "live": factories.api_key(service=service, key_type=KeyType.NORMAL),
        "test": factories.api_key(service=service, key_type=KeyType.TEST),
        "email": factories.email_template(service=service),
        "sms": factories.sms_template(service=service),
    }


@pytest.fixture
def client(live_server, setup):
    return NotificationsAPIClient(setup["live"].key_string, base_url=live_server.url)


@pytest.fixture
def test_client(live_server, setup):
    return NotificationsAPIClient(setup["test"].key_string, base_url=live_server.url)


def _reply_to(service):
    from services import actions

    return actions.reply_to_address_add(service=service, email_address="r@gouv.fr")


def test_client_sends_an_email_and_reads_it_back(client, setup, live_server):
    reply_to = _reply_to(setup["service"])

    sent = client.send_email_notification(
        email_address="usager@example.org",
        template_id=str(setup["email"].id),
        personalisation={"name": "Camille", "reference": "A-12"},
        reference="client-ref",
        email_reply_to_id=str(reply_to.id),
        one_click_unsubscribe_url="https://example.org/unsubscribe",
    )
    read = client.get_notification_by_id(sent["id"])

    assert sent["content"]["subject"] == "Bonjour Camille"
    assert sent["content"]["body"] == "Votre dossier A-12 est complet."
    assert sent["uri"] == f"{live_server.url}/v2/notifications/{sent['id']}"
    assert sent["sanitised_content"] == {}
    assert read["id"] == sent["id"]
    assert read["reference"] == "client-ref"
    assert read["type"] == "email"
    assert read["status"] == "delivered"  # the fake provider, run eagerly
    assert read["one_click_unsubscribe_url"] == "https://example.org/unsubscribe"


def test_client_sends_an_sms_with_a_sender(client, setup):
    from services import actions

    sender = actions.sms_sender_add(service=setup["service"], sms_sender="MAIRIE")

    sent = client.send_sms_notification(
        phone_number="+33612345678",
        template_id=str(setup["sms"].id),
        personalisation={"code": "4242"},
        reference="sms-ref",
        sms_sender_id=str(sender.id),
    )

    assert sent["content"] == {"body": "Votre code : 4242", "from_number": "MAIRIE"}
    assert client.get_notification_by_id(sent["id"])["phone_number"] == "+33612345678"


def test_client_lists_and_iterates_notifications(client, setup):
    ids = [
        client.send_sms_notification(
            phone_number="0612345678",
            template_id=str(setup["sms"].id),
            personalisation={"code": str(n)},
            reference="batch",
        )["id"]
        for n in range(3)
    ]

    listed = client.get_all_notifications(
        status="delivered", template_type="sms", reference="batch"
    )
    iterated = list(client.get_all_notifications_iterator(template_type="sms"))

    assert [n["id"] for n in listed["notifications"]] == ids[::-1]
    assert set(listed["links"]) == {"current", "next"}
    assert [n["id"] for n in iterated] == ids[::-1]
    assert client.get_all_notifications(include_jobs=True)["notifications"]


def test_client_test_key_sees_only_its_notifications_with_simulated_outcomes(
    client, test_client, setup
):
    failed = test_client.send_email_notification(
        email_address="perm-fail@simulator.notify",
        template_id=str(setup["email"].id),
        personalisation={"name": "a", "reference": "b"},
    )

    assert test_client.get_notification_by_id(failed["id"])["status"] == (
        "permanent-failure"
    )
    assert [n["id"] for n in test_client.get_all_notifications()["notifications"]] == [
        failed["id"]
    ]
    assert client.get_all_notifications()["notifications"] == []


def test_client_reads_templates(client, setup):
    template = client.get_template(str(setup["email"].id))
    version = client.get_template_version(str(setup["email"].id), 1)
    every = client.get_all_templates()
    sms_only = client.get_all_templates(template_type="sms")

    assert template["subject"] == "Bonjour ((name))"
    assert version["version"] == 1
    assert {t["id"] for t in every["templates"]} == {
        str(setup["email"].id),
        str(setup["sms"].id),
    }
    assert [t["type"] for t in sms_only["templates"]] == ["sms"]


def test_client_template_versions_are_refused_as_notify_refuses_them(client, setup):
    """get_all_template_versions calls Notify's admin API, which refuses a
    service's key."""
    with pytest.raises(HTTPError) as refused:
        client.get_all_template_versions(str(setup["email"].id))

    assert refused.value.status_code == 401
    assert refused.value.message == {
        "token": ["Unauthorized: not allowed to perform this action"]
    }


def test_client_previews_a_template(client, setup):
    preview = client.post_template_preview(
        str(setup["email"].id), {"name": "Camille", "reference": "A-12"}
    )

    assert preview["subject"] == "Bonjour Camille"
    assert preview["body"] == "Votre dossier A-12 est complet."
    assert preview["html"]


def test_client_reads_received_texts(client, setup):
    messages = [
        ReceivedTextMessage.objects.create(
            service=setup["service"],
            notify_number="38100",
            user_number="33612345678",
            content=f"Message {n}",
        )
        for n in range(2)
    ]

    page = client.get_received_texts()
    iterated = list(client.get_received_texts_iterator())

    assert [m["content"] for m in page["received_text_messages"]] == [
        "Message 1",
        "Message 0",
    ]
    assert [m["id"] for m in iterated] == [str(m.id) for m in messages[::-1]]


def test_client_gets_errors_in_the_envelope(client, setup):
    with pytest.raises(HTTPError) as missing:
        client.send_email_notification(
            email_address="usager@example.org", template_id=str(setup["email"].id)
        )
    with pytest.raises(HTTPError) as not_found:
        client.get_notification_by_id(str(uuid.uuid4()))

    assert missing.value.status_code == 400
    assert missing.value.message == [
        {
            "error": "BadRequestError",
            "message": "Missing personalisation: name, reference",
        }
    ]
    assert not_found.value.status_code == 404
    assert not_found.value.message[0]["error"] == "NoResultFound"
    assert (
        str(not_found.value)
        == "404 - [{'error': 'NoResultFound', 'message': 'No result found'}]"
    )


def test_client_is_refused_letters_as_notify_refuses_them(client, setup):
    sent = client.send_email_notification(
        email_address="usager@example.org",
        template_id=str(setup["email"].id),
        personalisation={"name": "a", "reference": "b"},
    )

    with pytest.raises(HTTPError) as letter:
        client.send_letter_notification(
            template_id=str(setup["email"].id),
            personalisation={"address_line_1": "A", "address_line_2": "B"},
        )
    with pytest.raises(HTTPError) as precompiled:
        client.send_precompiled_letter_notification("ref", io.BytesIO(b"%PDF-1.4"))
    with pytest.raises(HTTPError) as pdf:
        client.get_pdf_for_letter(sent["id"])

    assert (
        letter.value.message[0]["message"] == "Service is not allowed to send letters"
    )
    assert precompiled.value.status_code == 400
    assert pdf.value.message == [
        {"error": "BadRequestError", "message": "Notification is not a letter"}
    ]


def test_client_with_a_wrong_key_gets_notifys_auth_error(live_server, setup):
    key = setup["live"].key_string[:-36] + str(uuid.uuid4())
    client = NotificationsAPIClient(key, base_url=live_server.url)

    with pytest.raises(HTTPError) as refused:
        client.get_all_templates()

    assert refused.value.status_code == 403
    assert refused.value.message == [
        {"error": "AuthError", "message": "Invalid token: API key not found"}
    ]
    assert not Notification.objects.exists()
