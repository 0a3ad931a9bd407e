"""Shared fixtures. The suite runs against the real PostgreSQL and Redis
(``DATABASE_URL`` / ``REDIS_URL``, defaulting to the local servers)."""

import os
import time
import uuid

import jwt
import pytest

from tests import factories


def _unreachable_services() -> list[str]:
    import environ
    import psycopg
    import redis

    problems = []
    env = environ.Env()
    db = env.db("DATABASE_URL")
    try:
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"] or "postgres",
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        problems.append(
            f"PostgreSQL at {db['HOST']}:{db['PORT'] or 5432} is unreachable "
            f"({error.__class__.__name__}). Start it with: "
            "pg_ctlcluster 15 main start (or set DATABASE_URL)"
        )
    try:
        redis.Redis.from_url(env("REDIS_URL"), socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        problems.append(
            f"Redis at {env('REDIS_URL')} is unreachable ({error.__class__.__name__}). "
            "Start it with: redis-server --daemonize yes --port 6379 "
            "(or set REDIS_URL)"
        )
    return problems


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the exhaustive variants marked slow",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="exhaustive variant: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_sessionstart(session):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import config.settings.test  # noqa: F401  (sets the default URLs)

    problems = _unreachable_services()
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _clean_shared_state(settings):
    """Each test starts with an empty fake outbox and an empty cache."""
    from django.core.cache import cache

    from deliveries import tasks
    from notifications import authentication
    from notifications import cache as api_cache
    from notifications import redis_client as api_redis
    from providers import fake

    fake.outbox.clear()
    # A broker failure in one test must not pause publishing in the next.
    tasks._paused_until = 0.0
    cache.clear()
    api_cache.clear_local()
    api_redis.reset()
    authentication.forget_recorded_uses()
    yield
    fake.outbox.clear()


@pytest.fixture
def service(db):
    return factories.service()


@pytest.fixture
def email_template(service):
    return factories.email_template(service=service)


@pytest.fixture
def api_key(service):
    return factories.api_key(service=service)


def make_jwt(secret: str, service_id, iat: int | None = None, **extra) -> str:
    claims = {"iss": str(service_id), "iat": int(time.time()) if iat is None else iat}
    claims.update(extra)
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


@pytest.fixture
def api_client(api_key):
    """A DRF test client that signs each request with ``api_key``'s JWT, as
    Notify's clients do."""
    from rest_framework.test import APIClient

    client = APIClient()
    created = api_key

    class SigningClient:
        key = created

        def _headers(self):
            token = make_jwt(created.secret, created.api_key.service_id)
            return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        def get(self, path, **kwargs):
            return client.get(path, **self._headers(), **kwargs)

        def post(self, path, data=None, **kwargs):
            kwargs.setdefault("format", "json")
            return client.post(path, data, **self._headers(), **kwargs)

    return SigningClient()


@pytest.fixture
def random_uuid():
    return uuid.uuid4()
