"""The README's production page, deploy/compose.yaml and the systemd units say the same thing."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
COMPOSE = (ROOT / "deploy" / "compose.yaml").read_text()
UNITS = {p.stem: p.read_text() for p in (ROOT / "deploy" / "systemd").glob("*.service")}
COMMANDS = {
    "migrate": "flask --app wsgi db upgrade",
    "web": "gunicorn -c gunicorn.conf.py",
    "worker": "dramatiq core.worker --processes 2 --threads 8",
    "scheduler": "flask --app wsgi concord scheduler",
}


def test_the_production_commands_are_the_same_in_the_readme_compose_and_systemd():
    page = README.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    for service, command in COMMANDS.items():
        assert re.search(rf"^{re.escape(command)}\s+#", page, re.M), f"README lacks {command!r}"
        assert f"command: {json.dumps(command.split())}" in COMPOSE, f"compose {service} differs"
        assert f"ExecStart=/opt/concord/.venv/bin/{command}\n" in UNITS[f"concord-{service}"]


def test_every_setting_concord_reads_is_in_the_readme():
    names = set()
    for source in ("core/config.py", "gunicorn.conf.py"):
        text = (ROOT / source).read_text()
        names |= set(re.findall(r'environ\.get\("([A-Z_]+)"', text))
        names |= set(re.findall(r'\("([A-Z][A-Z_]+)", \d', text))  # config.INTEGERS
        names |= set(re.findall(r'_flag\(environ, "([A-Z_]+)"', text))
        names |= set(re.findall(r'_count\("([A-Z_]+)"', text))
    assert {"CONCORD_SESSION_IDLE_MINUTES", "SMTP_SSL", "WEB_CONCURRENCY", "CONCORD_METRICS_TOKEN"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"README's configuration table lacks {missing}"


def test_the_deploy_files_trust_the_proxy_in_front_so_one_client_cannot_use_up_the_sign_in_limit():
    example = (ROOT / "deploy" / "concord.env.example").read_text()
    assert re.search(r"^CONCORD_TRUSTED_PROXIES=1$", example, re.M), "concord.env.example"
    assert re.search(r'^\s+CONCORD_TRUSTED_PROXIES: "1"$', COMPOSE, re.M), "compose.yaml's web service"
    for text in (example, COMPOSE):
        comments = re.findall(r"^\s*# ?(.*)$", text.split("CONCORD_TRUSTED_PROXIES", 1)[0], re.M)[-5:]
        note = " ".join(comments)
        assert "sign-in limit" in note and "X-Forwarded-For" in note, "the setting says why"
    assert "CONCORD_TRUSTED_PROXIES" in UNITS["concord-web"]
    assert "`CONCORD_TRUSTED_PROXIES`" in README
