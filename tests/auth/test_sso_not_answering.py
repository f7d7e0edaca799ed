"""A council's identity provider that does not answer: the person is told so, and the worker is freed.

Gunicorn's sync workers serve one request each: a sign-in waiting on a provider that never answers held
its worker until gunicorn ended it, and with no time limit on the calls, forever under threaded workers.
Every call to the provider now gives up after ``OIDC_TIMEOUT_SECONDS`` (``CONCORD_SSO_TIMEOUT_SECONDS``).
Both "providers" here are real sockets on loopback: one accepts connections and never says a word, one
answers discovery but sends its token endpoint to the first.
"""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

WDC = "westdunbartonshire"
NOT_ANSWERING = "sign-in service is not answering, so you have not been signed in"


@pytest.fixture
def silent_address():
    """An address that takes connections (the kernel's backlog) and never answers them."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def discovery_only(silent_address):
    """A provider that answers discovery, with its token endpoint at the silent address."""
    class Discovery(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({
                "issuer": issuer, "authorization_endpoint": f"{issuer}/auth", "jwks_uri": f"{issuer}/jwks",
                "token_endpoint": f"{silent_address}/token", "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Discovery)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield issuer
    server.shutdown()
    server.server_close()


def sso_app(make_app, issuer):
    return make_app(OIDC={WDC: {"issuer": issuer, "client_id": "concord-wdc", "client_secret": "secret-wdc-example",
                                "scopes": "openid email profile"}}, OIDC_TIMEOUT_SECONDS=1)


def ends(request) -> object:
    """The response of ``request()``, which must end: against a provider that never answers, a call with
    no time limit would wait for ever (the join's 20 s is only there so that the test itself ends)."""
    done = []
    worker = threading.Thread(target=lambda: done.append(request()), daemon=True)
    worker.start()
    worker.join(20)
    assert done, "the request is still waiting on the provider"
    return done[0]


def test_sign_in_with_a_provider_that_never_answers_says_so(make_app, silent_address):
    client = sso_app(make_app, silent_address).test_client()
    response = ends(lambda: client.get(f"/{WDC}/sign-in/sso"))
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert NOT_ANSWERING in page and "You have not been signed in" in page
    assert "Traceback" not in page and "Timeout" not in page


def test_coming_back_from_the_provider_whose_token_endpoint_never_answers_says_so(make_app, discovery_only):
    client = sso_app(make_app, discovery_only).test_client()
    started = client.get(f"/{WDC}/sign-in/sso")
    assert started.status_code == 302 and started.headers["Location"].startswith(f"{discovery_only}/auth?")
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    response = ends(lambda: client.get(f"/{WDC}/auth/callback?code=example-code&state={state}"))
    assert response.status_code == 503
    assert NOT_ANSWERING in response.get_data(as_text=True)
    assert "Signed in as" not in client.get(f"/{WDC}/").get_data(as_text=True), "nobody is signed in"
