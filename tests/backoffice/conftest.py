"""Fixtures for the back office: users with a second factor, and clients
whose session passed it."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import actions as service_actions
from tests import factories

PASSWORD = "correct horse battery staple"


def add_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)


def totp_code(device: TOTPDevice, *, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, drift=drift):06d}"


def verified_client(user) -> Client:
    """A client signed in as ``user`` whose session passed the second
    factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_totp(
        user
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def confirm_password(client, password: str = PASSWORD):
    """Re-authenticate ``client``'s session, as adding or removing a factor
    and new backup codes require."""
    response = client.post(reverse("services:reauthenticate"), {"password": password})
    assert response.status_code == 302, "the password was not confirmed"
    return response


@pytest.fixture
def manager(db):
    return factories.user(full_name="Camille Martin")


@pytest.fixture
def team_service(manager):
    """A service in trial mode managed by ``manager``."""
    return service_actions.service_create(
        name="Rendez-vous en préfecture",
        organisation_name="Préfecture du Rhône",
        created_by=manager,
    )


@pytest.fixture
def manager_client(manager, team_service):
    return verified_client(manager)


@pytest.fixture
def other_service(db):
    """A service of someone else, with a template, a key and a member."""
    owner = factories.user()
    service = service_actions.service_create(name="Autre service", created_by=owner)
    factories.email_template(service=service)
    factories.api_key(service=service)
    return service


@pytest.fixture(autouse=True)
def _fast_fake_provider(settings):
    settings.FAKE_PROVIDER_LATENCY_MS = 0
