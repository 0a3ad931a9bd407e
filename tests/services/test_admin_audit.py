"""Operators' changes in the admin leave audit events, and what the back
office audits itself (permissions, key revocation, guest list) is read only
there."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import actions as service_actions
from services.models import ApiKey, AuditAction, AuditEvent, ServiceMember, User
from tests import factories
from tests.backoffice.conftest import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return factories.user(is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(operator):
    return verified_client(operator)


class _FormFields(HTMLParser):
    """The values a browser would submit from a page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, object] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") != "submit":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in attrs:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(client, url: str) -> dict:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_revoking_keys_from_the_admin_goes_through_the_audited_revocation(
    operator_client, operator, service
):
    live = factories.api_key(service=service).api_key
    already = factories.api_key(service=service).api_key
    service_actions.api_key_revoke(api_key=already)
    already.refresh_from_db()
    revoked_before = already.revoked_at

    response = operator_client.post(
        reverse("admin:services_apikey_changelist"),
        {"action": "revoke_api_keys", "_selected_action": [live.id, already.id]},
    )

    assert response.status_code == 302
    live.refresh_from_db()
    already.refresh_from_db()
    assert live.revoked_at is not None
    assert already.revoked_at == revoked_before
    event = AuditEvent.objects.get(action=AuditAction.API_KEY_REVOKED)
    assert (event.actor, event.service, event.object_id) == (
        operator,
        service,
        str(live.id),
    )


def test_an_api_key_cannot_be_edited_or_deleted_in_the_admin(operator_client, service):
    key = factories.api_key(service=service).api_key
    name = key.name
    change = reverse("admin:services_apikey_change", args=[key.id])

    edited = operator_client.post(
        change, {"name": "autre", "revoked_at_0": "01/01/2026", "revoked_at_1": "00:00"}
    )
    deleted = operator_client.post(
        reverse("admin:services_apikey_delete", args=[key.id]), {"post": "yes"}
    )

    assert (edited.status_code, deleted.status_code) == (403, 403)
    key.refresh_from_db()
    assert (key.name, key.revoked_at) == (name, None)
    assert ApiKey.objects.filter(id=key.id).exists()


def test_team_permissions_cannot_be_changed_from_the_service_admin(
    operator_client, operator
):
    manager = factories.user()
    service = service_actions.service_create(name="Préfecture", created_by=manager)
    member = ServiceMember.objects.get(service=service, user=manager)
    reader = factories.user()
    service_actions.member_add(
        service=service, user=reader, permissions=["view_activity"]
    )
    url = reverse("admin:services_service_change", args=[service.id])
    data = form_data(operator_client, url)
    assert not any(name.startswith("members-0-can_") for name in data)

    # What a forged form would send.
    data.update(
        {
            "members-0-id": member.id,
            "members-0-can_manage_service": "",
            "members-1-can_manage_api_keys": "on",
            "members-TOTAL_FORMS": "0",
        }
    )
    response = operator_client.post(url, data)

    assert response.status_code == 302
    assert ServiceMember.objects.get(service=service, user=reader).permissions == [
        "view_activity"
    ]
    assert ServiceMember.objects.get(id=member.id).can_manage_service
    assert not AuditEvent.objects.filter(action=AuditAction.PERMISSIONS_CHANGED)


def test_service_settings_changed_in_the_admin_are_audited(
    operator_client, operator, service
):
    url = reverse("admin:services_service_change", args=[service.id])
    data = form_data(operator_client, url)
    data["email_sender_name"] = "Préfecture du Rhône"
    data["sms_senders-TOTAL_FORMS"] = "1"
    data["sms_senders-0-sms_sender"] = "PREFECTURE"

    response = operator_client.post(url, data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert (event.actor, event.service) == (operator, service)
    assert event.data == {
        "fields": ["email_sender_name", "smssender"],
        "by_operator": True,
    }


def test_saving_a_service_unchanged_in_the_admin_records_nothing(
    operator_client, service
):
    url = reverse("admin:services_service_change", args=[service.id])

    operator_client.post(url, form_data(operator_client, url))

    assert not AuditEvent.objects.exists()


def test_giving_operator_rights_in_the_admin_is_audited_with_before_and_after(
    operator_client, operator
):
    user = factories.user()
    url = reverse("admin:services_user_change", args=[user.id])
    data = form_data(operator_client, url)
    data["is_staff"] = "on"
    data["full_name"] = "Camille Opératrice"

    response = operator_client.post(url, data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CHANGED)
    assert (event.actor, event.object_id) == (operator, str(user.id))
    assert event.data == {
        "created": False,
        "fields": ["full_name", "is_staff"],
        "before": {"is_staff": False},
        "after": {"is_staff": True},
    }


def test_creating_an_account_in_the_admin_is_audited(operator_client, operator):
    password = "une phrase de passe très solide"

    operator_client.post(
        reverse("admin:services_user_add"),
        {
            "email": "nouveau@example.gouv.fr",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )

    user = User.objects.get(email="nouveau@example.gouv.fr")
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_CHANGED)
    assert (event.object_id, event.data["created"]) == (str(user.id), True)
    assert password not in str(event.data)


def test_an_operator_setting_a_password_is_audited(operator_client, operator):
    user = factories.user()
    password = "une autre phrase de passe solide"

    response = operator_client.post(
        reverse("admin:auth_user_password_change", args=[user.id]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.object_id) == (operator, str(user.id))


def test_removing_someones_factor_in_the_admin_is_audited(operator_client, operator):
    user = factories.user()
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)

    response = operator_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.id]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(id=device.id).exists()
    event = AuditEvent.objects.get(action=AuditAction.FACTOR_REMOVED)
    assert event.actor == operator
    assert event.data == {"kind": "TOTPDevice", "user_id": user.id, "by_operator": True}


def test_factors_cannot_be_added_in_the_admin_nor_their_secrets_read(
    operator_client,
):
    user = factories.user()
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    codes = StaticDevice.objects.create(user=user, name="Codes", confirmed=True)
    token = StaticToken.objects.create(device=codes, token="0123456789abcdef")

    totp_page = operator_client.get(
        reverse("admin:otp_totp_totpdevice_change", args=[device.id])
    )
    codes_page = operator_client.get(
        reverse("admin:otp_static_staticdevice_change", args=[codes.id])
    )

    assert device.key not in totp_page.content.decode()
    assert token.token not in codes_page.content.decode()
    for name in ("otp_totp_totpdevice", "otp_static_staticdevice"):
        assert operator_client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_the_guest_list_is_read_only_in_the_admin(operator_client, service):
    entry = service_actions.guest_list_add(
        service=service,
        channel="email",
        recipient="invite@example.fr",
        normalised_recipient="invite@example.fr",
    )

    add = operator_client.get(reverse("admin:services_guestlistentry_add"))
    delete = operator_client.post(
        reverse("admin:services_guestlistentry_delete", args=[entry.id]),
        {"post": "yes"},
    )

    assert (add.status_code, delete.status_code) == (403, 403)


def test_deleting_an_account_in_the_admin_is_audited(operator_client, operator):
    gone = factories.user(email="partie@example.gouv.fr")
    url = reverse("admin:services_user_delete", args=[gone.pk])

    response = operator_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=gone.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_DELETED)
    assert (event.actor, event.object_id) == (operator, str(gone.pk))
    assert event.data == {"email": "partie@example.gouv.fr"}


def test_deleting_services_in_bulk_in_the_admin_audits_each(operator_client, operator):
    services = [factories.service(name=f"Ancien {n}") for n in (1, 2)]
    url = reverse("admin:services_service_changelist")

    response = operator_client.post(
        url,
        {
            "action": "delete_selected",
            "_selected_action": [str(s.pk) for s in services],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    events = AuditEvent.objects.filter(action=AuditAction.SERVICE_DELETED)
    assert sorted(event.data["name"] for event in events) == ["Ancien 1", "Ancien 2"]
    assert {event.actor for event in events} == {operator}
