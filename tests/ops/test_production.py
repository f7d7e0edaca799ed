"""The README's "Running in production", followed: separate gunicorn, Dramatiq worker and scheduler processes.

On a fresh PostgreSQL database and this test's own redis-server, with CONCORD_ENV=production, a real OpenID
Connect provider (tests/oidc) and an SMTP sink: a practitioner signs in with their council account, raises
a case through gunicorn, and the acknowledgement reaches the sink. ``/readyz`` answers 503 naming the broker
while redis-server is stopped, and 200 again once it is back. gunicorn serves TLS itself here only because
the session cookie is ``Secure`` in production; a council puts its own proxy in front.
"""
import datetime
import importlib.util
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from core.testing import POSTGRES_ADMIN_URL, free_port, require_service

pytestmark = pytest.mark.services
ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
OIDC_DIR = ROOT / "tests" / "oidc"
WDC = "westdunbartonshire"
ACCOUNTS = {"riley": {"email": "riley.teacher@wdc.example.org", "name": "Riley Example", "roles": ["practitioner"]}}
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "A concern", "tried": "Phoned the worker"}


def sso_helpers():
    spec = importlib.util.spec_from_file_location("sso_helpers", ROOT / "tests" / "auth" / "test_sso.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def missing(message):
    if os.environ.get("CONCORD_REQUIRE_SERVICES") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def start_redis(port):
    process = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    for _ in range(200):
        try:
            redis.Redis(port=port).ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def self_signed_certificate(folder: Path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def fresh_database():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"concord_production_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def provider(tmp_path):
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        missing("node or tests/oidc/node_modules missing (make test runs npm ci --prefix tests/oidc)")
    web_port, port = free_port(), free_port()
    jwk = sso_helpers().provider_key()
    env = {**os.environ, "PORT": str(port), "CLIENT_ID": "concord-wdc", "CLIENT_SECRET": "secret-wdc-example",
           "REDIRECT_URI": f"https://127.0.0.1:{web_port}/{WDC}/auth/callback",
           "POST_LOGOUT_REDIRECT_URI": f"https://127.0.0.1:{web_port}/{WDC}/",
           "ACCOUNTS": json.dumps(ACCOUNTS), "JWKS": json.dumps({"keys": [jwk]})}
    process = subprocess.Popen([node, "provider.mjs"], cwd=OIDC_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(issuer + "/.well-known/openid-configuration", timeout=1).ok, "the provider")
    yield {"issuer": issuer, "web_port": web_port}
    process.terminate()
    process.wait()


def wait_for(condition, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not come up within {seconds}s")


def test_production_processes_deliver_an_acknowledgement_and_readyz_follows_the_broker(
        fresh_database, provider, smtp_sink, tmp_path):
    if shutil.which("redis-server") is None:
        missing("redis-server is not installed")
    redis_port = free_port()
    redis_server = start_redis(redis_port)
    cert, key = self_signed_certificate(tmp_path)
    web = f"https://127.0.0.1:{provider['web_port']}"
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "CONCORD_INSTANCE": str(tmp_path / "instance"),
        "CONCORD_ENV": "production", "SECRET_KEY": "production-test-secret-key-0123456789abcdef",
        "DATABASE_URL": fresh_database, "CONCORD_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CONCORD_BASE_URL": "https://concord.example.org", "CONCORD_MAIL_TRANSPORT": "smtp",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port), "CONCORD_MAIL_FROM": "concord@wdc.example.org",
        "CONCORD_BIND": f"127.0.0.1:{provider['web_port']}", "WEB_CONCURRENCY": "2",
        "CONCORD_LOG_FORMAT": "json", "CONCORD_METRICS": "on",
        f"CONCORD_OIDC_{WDC.upper()}_ISSUER": provider["issuer"],
        f"CONCORD_OIDC_{WDC.upper()}_CLIENT_ID": "concord-wdc",
        f"CONCORD_OIDC_{WDC.upper()}_CLIENT_SECRET": "secret-wdc-example",
        f"CONCORD_OIDC_{WDC.upper()}_SCOPES": "openid email profile roles",
    }
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    upgrade = subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr

    logs = tmp_path / "logs"
    logs.mkdir()
    commands = {
        "web": [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--certfile", str(cert), "--keyfile", str(key)],
        "worker": [str(BIN / "dramatiq"), "core.worker", "--processes", "1", "--threads", "2"],
        "scheduler": [*flask, "concord", "scheduler", "--every", "1"],
    }
    processes = {name: subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                        stdout=open(logs / f"{name}.out", "w"), stderr=open(logs / f"{name}.err", "w"))
                 for name, command in commands.items()}
    browser = requests.Session()
    browser.trust_env = False  # REQUESTS_CA_BUNDLE would override the certificate named here
    browser.verify = str(cert)
    try:
        wait_for(lambda: browser.get(f"{web}/readyz", timeout=5).status_code == 200, "gunicorn /readyz")
        assert browser.get(f"{web}/healthz").json() == {"status": "ok"}
        assert browser.post(f"{web}/{WDC}/api/dev/session",
                            json={"email": "a@wdc.example.org", "role": "safeguarding-lead"}).status_code == 404

        sso = sso_helpers()
        response = sso.follow_to_concord(browser, browser.get(f"{web}/{WDC}/sign-in/sso", allow_redirects=False))
        response = sso.log_in_at_provider(browser, response, "riley")
        assert "Signed in as <strong>Riley Example</strong>" in response.text, response.text[:500]
        raised = browser.post(f"{web}/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
        assert raised.status_code == 201, raised.text
        reference = raised.json()["reference"]

        wait_for(lambda: smtp_sink.messages, "the acknowledgement", seconds=60)
        acknowledgement = smtp_sink.messages[0]
        assert acknowledgement["To"] == "riley.teacher@wdc.example.org"
        assert acknowledgement["Subject"] == f"{reference}: received – Raise a disagreement with another agency"
        assert acknowledgement["Message-ID"].endswith("@concord.example.org>")

        redis_server.terminate()
        redis_server.wait()
        stopped = browser.get(f"{web}/readyz")
        assert stopped.status_code == 503
        assert stopped.json()["failed"] == ["broker"]
        assert browser.get(f"{web}/healthz").status_code == 200, "the process itself is still up"

        redis_server = start_redis(redis_port)
        wait_for(lambda: browser.get(f"{web}/readyz", timeout=5).status_code == 200, "readiness after the restart")
        assert 'concord_outbox_messages{council="westdunbartonshire",state="sent"} 1.0' in browser.get(
            f"{web}/metrics").text
    finally:
        for process in processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        redis_server.terminate()
        redis_server.wait()
        for name in commands:
            print(f"--- {name} stderr (last lines)\n" + "\n".join((logs / f"{name}.err").read_text().splitlines()[-15:]))

    web_log = [json.loads(line) for line in (logs / "web.err").read_text().splitlines() if line.startswith("{")]
    assert any("Booting worker" in line["message"] for line in web_log), "gunicorn logs JSON lines"
    assert not any("code=" in line["message"] and "[redacted]" not in line["message"] for line in web_log)
