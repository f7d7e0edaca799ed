"""`make run`'s embedded default: one process serves pages, runs the worker and the scheduler."""
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from core.testing import free_port

FLASK = [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "core.app:create_app"]


def test_the_embedded_server_sends_mail_to_the_development_outbox(tmp_path):
    env = {**os.environ, "CONCORD_INSTANCE": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    for command in (["db", "upgrade"], ["concord", "seed-demo"]):
        subprocess.run(FLASK + command, env=env, check=True, capture_output=True, cwd=Path(__file__).parents[2])
    port = free_port()
    server = subprocess.Popen(FLASK + ["concord", "run", "--port", str(port), "--tick", "0.5"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/councils", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        browser = requests.Session()
        browser.post(f"{base}/westdunbartonshire/api/dev/session",
                     json={"email": "teacher.demo@wdc.example.org", "role": "practitioner"})
        reference = browser.post(f"{base}/westdunbartonshire/api/cases", json={"process": "escalation", "answers": {
            "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Team",
            "decision": "d", "disagreement": "w", "tried": "t"}}).json()["reference"]
        for _ in range(100):
            page = browser.get(f"{base}/westdunbartonshire/dev/mail/").text
            if f"{reference}: a case is with you" in page:
                break
            time.sleep(0.1)
        assert f"{reference}: a case is with you" in page
        assert f"{reference}: received – Raise a disagreement" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
