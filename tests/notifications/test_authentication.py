"""Authentication: Notify's JWT checks step by step, ApiKey-v1, revoked keys,
archived services."""

import datetime as dt
import json
import time
import uuid

import jwt
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from notifications import authentication
from notifications.authentication import CLOCK_ERROR, GENERAL_AUTH_ERROR
from services import actions as service_actions
from services.models import ApiKey, Service
from tests import factories
from tests.conftest import make_jwt

from .conftest import errors

pytestmark = pytest.mark.django_db

PATH = "/v2/templates"


def call(header: str | None, path: str = PATH):
    client = APIClient()
    if header is None:
        return client.get(path)
    return client.get(path, HTTP_AUTHORIZATION=header)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_authentication_accepts_a_token_made_as_notify_clients_make_it(live_key):
    response = call(bearer(make_jwt(live_key.secret, live_key.api_key.service_id)))

    assert response.status_code == 200


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_authentication_accepts_the_bearer_scheme_in_any_case(live_key, scheme):
    token = make_jwt(live_key.secret, live_key.api_key.service_id)

    assert call(f"{scheme} {token}").status_code == 200


def test_authentication_requires_a_header(db):
    response = call(None)

    assert response.status_code == 401
    assert errors(response) == [
        ("AuthError", "Unauthorized: authentication token must be provided")
    ]


def test_authentication_requires_the_bearer_scheme(live_key):
    response = call(f"Basic {live_key.secret}")

    assert response.status_code == 401
    assert errors(response) == [
        ("AuthError", "Unauthorized: authentication bearer scheme must be used")
    ]


def test_authentication_refuses_what_is_not_a_jwt(db):
    response = call(bearer("not-a-token"))

    assert response.status_code == 403
    assert errors(response) == [("AuthError", GENERAL_AUTH_ERROR)]


def test_authentication_requires_iss(live_key):
    token = jwt.encode({"iat": int(time.time())}, live_key.secret, algorithm="HS256")

    response = call(bearer(token))

    assert response.status_code == 403
    assert errors(response) == [("AuthError", "Invalid token: iss field not provided")]


def test_authentication_requires_iss_to_be_a_uuid(live_key):
    response = call(bearer(make_jwt(live_key.secret, "not-a-uuid")))

    assert errors(response) == [
        ("AuthError", "Invalid token: service id is not the right data type")
    ]


def test_authentication_refuses_an_unknown_service(live_key):
    response = call(bearer(make_jwt(live_key.secret, uuid.uuid4())))

    assert errors(response) == [("AuthError", "Invalid token: service not found")]


def test_authentication_refuses_a_service_without_keys(service):
    response = call(bearer(make_jwt(str(uuid.uuid4()), service.id)))

    assert errors(response) == [("AuthError", "Invalid token: service has no API keys")]


def test_authentication_refuses_an_archived_service(live_key, service):
    service.active = False
    service.save()

    response = call(bearer(make_jwt(live_key.secret, service.id)))

    assert errors(response) == [("AuthError", "Invalid token: service is archived")]


def test_authentication_refuses_a_token_signed_with_another_services_key(
    live_key, other_service
):
    """A JWT signed with service A's secret but naming service B."""
    factories.api_key(service=other_service)

    response = call(bearer(make_jwt(live_key.secret, other_service.id)))

    assert response.status_code == 403
    assert errors(response) == [("AuthError", "Invalid token: API key not found")]


def test_authentication_refuses_a_wrong_secret(live_key):
    token = make_jwt(str(uuid.uuid4()), live_key.api_key.service_id)

    assert errors(call(bearer(token))) == [
        ("AuthError", "Invalid token: API key not found")
    ]


@pytest.mark.parametrize("algorithm", ["HS512", "HS384"])
def test_authentication_refuses_another_hmac_algorithm(live_key, algorithm):
    claims = {"iss": str(live_key.api_key.service_id), "iat": int(time.time())}
    token = jwt.encode(claims, live_key.secret, algorithm=algorithm)

    response = call(bearer(token))

    assert response.status_code == 403
    assert errors(response) == [
        ("AuthError", "Invalid token: algorithm used is not HS256")
    ]


def test_authentication_refuses_alg_none(live_key):
    claims = {"iss": str(live_key.api_key.service_id), "iat": int(time.time())}
    token = jwt.encode(claims, None, algorithm="none")

    response = call(bearer(token))

    assert errors(response) == [
        ("AuthError", "Invalid token: algorithm used is not HS256")
    ]


def test_authentication_refuses_a_token_without_iat(live_key):
    claims = {"iss": str(live_key.api_key.service_id)}
    token = jwt.encode(claims, live_key.secret, algorithm="HS256")

    assert errors(call(bearer(token))) == [
        ("AuthError", "Invalid token: API key not found")
    ]


@pytest.fixture
def frozen_clock():
    """A second that does not end while the test runs: with a ticking
    clock, a token made at x.99 s is checked in the next second."""
    with time_machine.travel(time.time(), tick=False):
        yield


@pytest.mark.parametrize("skew", [-29, 29])
def test_authentication_accepts_iat_within_29_seconds(live_key, skew, frozen_clock):
    iat = int(time.time()) + skew
    token = make_jwt(live_key.secret, live_key.api_key.service_id, iat=iat)

    assert call(bearer(token)).status_code == 200


@pytest.mark.parametrize("skew", [-31, 31, -3600])
def test_authentication_refuses_iat_over_30_seconds_away(live_key, skew, frozen_clock):
    iat = int(time.time()) + skew
    token = make_jwt(live_key.secret, live_key.api_key.service_id, iat=iat)

    response = call(bearer(token))

    assert response.status_code == 403
    assert errors(response) == [("AuthError", CLOCK_ERROR)]


def test_authentication_refuses_a_non_integer_iat(live_key):
    token = make_jwt(live_key.secret, live_key.api_key.service_id, iat="now")

    assert errors(call(bearer(token))) == [("AuthError", CLOCK_ERROR)]


def test_authentication_refuses_extra_claims_it_would_check(live_key):
    token = make_jwt(live_key.secret, live_key.api_key.service_id, aud="someone")

    assert errors(call(bearer(token))) == [("AuthError", GENERAL_AUTH_ERROR)]


def test_authentication_refuses_a_revoked_key(live_key):
    service_actions.api_key_revoke(api_key=live_key.api_key)

    response = call(bearer(make_jwt(live_key.secret, live_key.api_key.service_id)))

    assert response.status_code == 403
    assert errors(response) == [("AuthError", "Invalid token: API key revoked")]


def test_authentication_forgets_a_key_revoked_over_a_week_ago(live_key, service):
    factories.api_key(service=service, name="still valid")
    service_actions.api_key_revoke(api_key=live_key.api_key)
    ApiKey.objects.filter(id=live_key.api_key.id).update(
        revoked_at=live_key.api_key.revoked_at - dt.timedelta(days=8)
    )
    service.save()  # invalidate the cached snapshot

    response = call(bearer(make_jwt(live_key.secret, service.id)))

    assert errors(response) == [("AuthError", "Invalid token: API key not found")]


def test_authentication_tries_every_key_of_the_service(service):
    first = factories.api_key(service=service, name="first")
    second = factories.api_key(service=service, name="second")

    for key in (first, second):
        assert call(bearer(make_jwt(key.secret, service.id))).status_code == 200


def test_authentication_accepts_the_apikey_v1_scheme(live_key):
    response = call(f"ApiKey-v1 {live_key.key_string}")

    assert response.status_code == 200


def test_authentication_with_apikey_v1_refuses_a_wrong_secret(live_key):
    forged = live_key.key_string[:-36] + str(uuid.uuid4())

    response = call(f"ApiKey-v1 {forged}")

    assert errors(response) == [("AuthError", "Invalid token: API key not found")]


def test_authentication_with_apikey_v1_refuses_a_malformed_key(db):
    assert errors(call("ApiKey-v1 nonsense")) == [("AuthError", GENERAL_AUTH_ERROR)]


def test_authentication_with_apikey_v1_refuses_a_revoked_key(live_key):
    service_actions.api_key_revoke(api_key=live_key.api_key)

    response = call(f"ApiKey-v1 {live_key.key_string}")

    assert errors(response) == [("AuthError", "Invalid token: API key revoked")]


def test_authentication_with_apikey_v1_refuses_an_archived_service(live_key, service):
    Service.objects.filter(id=service.id).update(active=False)
    service.save(update_fields=["updated_at"])

    response = call(f"ApiKey-v1 {live_key.key_string}")

    assert errors(response) == [("AuthError", "Invalid token: service is archived")]


def test_authentication_costs_no_query_once_the_key_is_cached(live_key):
    service_id = live_key.api_key.service_id
    call(bearer(make_jwt(live_key.secret, service_id)))

    with CaptureQueriesContext(connection) as queries:
        response = call(bearer(make_jwt(live_key.secret, service_id)))

    assert response.status_code == 200
    auth_queries = [q for q in queries if 'FROM "services_' in q["sql"]]
    assert auth_queries == []


def test_authentication_records_last_use_at_most_once_a_minute(live_key):
    service_id = live_key.api_key.service_id
    call(bearer(make_jwt(live_key.secret, service_id)))
    first = ApiKey.objects.get(id=live_key.api_key.id).last_used_at
    ApiKey.objects.filter(id=live_key.api_key.id).update(last_used_at=None)

    call(bearer(make_jwt(live_key.secret, service_id)))

    assert first is not None
    assert ApiKey.objects.get(id=live_key.api_key.id).last_used_at is None


def test_authentication_errors_never_echo_the_secret(live_key):
    response = call(f"ApiKey-v1 {live_key.key_string[:-1]}x")

    assert live_key.secret[:-1] not in response.content.decode()


def test_authentication_accepts_the_same_token_twice_within_its_window(live_key):
    """As Notify: no replay cache (sends are deduplicated only with an
    Idempotency-Key)."""
    header = bearer(make_jwt(live_key.secret, live_key.api_key.service_id))

    assert call(header).status_code == call(header).status_code == 200


def test_authentication_with_apikey_v1_refuses_an_unknown_service(live_key):
    other_service = str(uuid.uuid4())
    forged = f"name-{other_service}-{live_key.secret}"

    assert errors(call(f"ApiKey-v1 {forged}")) == [
        ("AuthError", "Invalid token: service not found")
    ]


def _signed(live_key, claims: dict, **headers) -> str:
    return jwt.encode(
        {"iss": str(live_key.api_key.service_id), **claims},
        live_key.secret,
        algorithm="HS256",
        headers=headers or None,
    )


# Times are relative to when the test runs, not to when it was collected:
# a long suite would otherwise see "exp in 60 s" expire.
@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (lambda now: {"exp": now - 5}, CLOCK_ERROR),
        (lambda now: {"exp": "tomorrow"}, GENERAL_AUTH_ERROR),
        (lambda now: {"exp": now + 60}, None),
        (lambda now: {"nbf": now + 60}, GENERAL_AUTH_ERROR),
        (lambda now: {"nbf": now - 60}, None),
        (lambda now: {"aud": ""}, None),
        (lambda now: {"sub": 12}, GENERAL_AUTH_ERROR),
        (lambda now: {"sub": "someone"}, None),
        (lambda now: {"jti": ["x"]}, GENERAL_AUTH_ERROR),
    ],
)
def test_authentication_checks_the_registered_claims_of_a_signed_token(
    live_key, claims, message
):
    now = int(time.time())
    token = _signed(live_key, {"iat": now, **claims(now)})

    response = call(bearer(token))

    if message is None:
        assert response.status_code == 200
    else:
        assert errors(response) == [("AuthError", message)]


def test_authentication_does_not_check_claims_of_a_token_no_key_signed(live_key):
    token = jwt.encode(
        {"iss": str(live_key.api_key.service_id), "iat": 1, "exp": 1},
        "not-the-secret-of-any-key-of-this-service",
        algorithm="HS256",
    )

    assert errors(call(bearer(token))) == [
        ("AuthError", "Invalid token: API key not found")
    ]


def test_authentication_treats_a_null_iat_as_missing(live_key):
    token = _signed(live_key, {"iat": None})

    assert errors(call(bearer(token))) == [
        ("AuthError", "Invalid token: API key not found")
    ]


def test_authentication_refuses_a_header_without_alg(live_key):
    good = _signed(live_key, {"iat": int(time.time())})
    header = jwt.utils.base64url_encode(b'{"typ":"JWT"}').decode()
    token = ".".join([header, *good.split(".")[1:]])

    assert errors(call(bearer(token))) == [
        ("AuthError", "Invalid token: algorithm used is not HS256")
    ]


def test_authentication_refuses_a_signature_over_another_header(live_key):
    good = _signed(live_key, {"iat": int(time.time())})
    other = _signed(live_key, {"iat": int(time.time())}, kid="other")
    token = ".".join([other.split(".")[0], *good.split(".")[1:]])

    assert errors(call(bearer(token))) == [
        ("AuthError", "Invalid token: API key not found")
    ]


def test_authentication_refuses_a_detached_payload(live_key):
    token = _signed(live_key, {"iat": int(time.time())}, b64=False, crit=["b64"])

    assert errors(call(bearer(token))) == [("AuthError", GENERAL_AUTH_ERROR)]


def _pyjwt_parse(token: str):
    try:
        parsed = jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return parsed if isinstance(parsed["payload"], dict) else None


def _b64(raw: bytes) -> str:
    return jwt.utils.base64url_encode(raw).decode()


_HEADER = _b64(b'{"alg":"HS256","typ":"JWT"}')
_PAYLOAD = _b64(b'{"iss":"x","iat":1}')
_SIGNATURE = _b64(b"s" * 32)


def _token(header: bytes, payload: bytes = b'{"iss":"x","iat":1}') -> str:
    return f"{_b64(header)}.{_b64(payload)}.{_SIGNATURE}"


@pytest.mark.parametrize(
    "token",
    [
        f"{_HEADER}.{_PAYLOAD}.{_SIGNATURE}",
        f"{_HEADER}.{_PAYLOAD}.{_SIGNATURE}=",
        f"{_HEADER}=.{_PAYLOAD}.{_SIGNATURE}",
        f"{_HEADER}.{_PAYLOAD}.",
        f"{_HEADER}.{_PAYLOAD}",
        f"{_HEADER}.{_PAYLOAD}.{_SIGNATURE}.x",
        f"{_HEADER}.{_PAYLOAD}.{_SIGNATURE[:-1]}B",
        f"{_HEADER}.{_PAYLOAD}.a!b",
        _token(b"[1]"),
        _token(b'{"alg":"HS256"}', b"[1]"),
        _token(b'{"alg":"HS256"}', b"null"),
        _token(b'{"alg":"HS256","kid":7}'),
        _token(b'{"alg":"HS256","kid":"k"}'),
        _token(b'{"alg":"HS256","b64":true}'),
        _token(b'{"alg":"HS256","crit":["exp"]}'),
        _token(b'{"alg":"HS256"}', ' {"iss" : "\u00e9"} '.encode()),
        _token(b'{"alg":"HS256"}', b'{"iss":NaN}'),
        _token(b'{"alg":"HS256"}', b"\xff"),
    ],
)
def test_the_quick_parse_agrees_with_pyjwt_or_leaves_it_to_pyjwt(token):
    quick = authentication._parse_plain(token)

    assert quick is None or quick == _pyjwt_parse(token)


@given(
    st.lists(
        st.one_of(
            st.binary(max_size=40).map(_b64),
            st.text(alphabet="AZaz09-_=!.+/ ", max_size=12),
            st.dictionaries(
                st.sampled_from(["alg", "kid", "iss", "iat", "b64", "crit"]),
                st.one_of(st.integers(), st.text(max_size=4), st.booleans()),
            ).map(lambda value: _b64(json.dumps(value).encode())),
        ),
        min_size=1,
        max_size=4,
    )
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_the_quick_parse_never_disagrees_with_pyjwt(segments):
    token = ".".join(segments)

    quick = authentication._parse_plain(token)

    assert quick is None or quick == _pyjwt_parse(token)
