"""The shared HTTP session against real loopback sockets: a refused
connection is safe to retry, a gateway that never answers is ambiguous."""

import socket
import threading

import pytest

from providers import http
from providers.base import ProviderTemporaryError


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A server that accepts connections and reads, but never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []

    def accept():
        try:
            connection, _ = server.accept()
        except OSError:
            return
        accepted.append(connection)
        connection.recv(65536)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/send"
    for connection in accepted:
        connection.close()
    server.close()


def test_refused_connection_is_a_safe_temporary_error(closed_port):
    url = f"http://127.0.0.1:{closed_port}/send"

    with pytest.raises(ProviderTemporaryError) as caught:
        http.post_json("gateway", url, payload={}, headers={})

    assert caught.value.ambiguous is False
    assert caught.value.provider == "gateway"


def test_read_timeout_is_an_ambiguous_temporary_error(silent_server, settings):
    settings.SMS_PROVIDER_TIMEOUT_SECONDS = 0.2

    with pytest.raises(ProviderTemporaryError) as caught:
        http.post_json("gateway", silent_server, payload={"a": 1}, headers={})

    assert caught.value.ambiguous is True


def test_session_is_shared_and_never_retries():
    first, second = http.session(), http.session()

    assert first is second
    assert first.get_adapter("https://api.brevo.com").max_retries.total == 0


def test_session_pool_holds_a_connection_per_send_thread(settings, monkeypatch):
    settings.DELIVERY_SEND_THREADS = 48
    monkeypatch.setattr(http, "_session", None)

    adapter = http.session().get_adapter("https://api.octopush.com")

    assert adapter._pool_maxsize == 48
