"""Directory import: a council admin's CSV of 2,000 contacts, through the Flask test client on PostgreSQL.

The demo directory of West Dunbartonshire is seeded with ``BENCH_IMPORT_CASES`` (100,000) cases
loaded as bench/case_list.py loads them (about 2,400 of them open, each open stage's messages
planned before the clock starts, as they would be), a council admin signs in, and a CSV of
``BENCH_IMPORT_ROWS`` (2,000) rows (one in fifty on a rung above the first; see ``FIRST_RUNGS``) is imported twice: first every row new
(2,000 added), then the same file with every other name changed and every tenth contact made
inactive (1,200 updated). Each import is one whole request through the Flask test client (upload,
parsing, checks, the writes and their history rows, the re-offer and re-planning of every open
stage, commit). Prints ``SECONDS directory-import-2000`` (the slower of the two), goal < 2.
"""
from __future__ import annotations

import gc
import io
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import figure, fresh_database, migrated_app  # noqa: E402

COUNCIL = "westdunbartonshire"
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "2000"))
CASES = int(os.environ.get("BENCH_IMPORT_CASES", "100000"))


# Like a real directory, most people are on the first rung of a ladder (heads of establishment, team
# leaders) or the duty team, and one in fifty on a rung above (QIOs, service managers, heads of
# service): each of those hears of every stage below them that goes overdue, so a re-plan plans an
# overdue message per open stage below for each of them.
FIRST_RUNGS = [("head-of-establishment", None), ("health-team-leader", None), ("sw-team-leader", None),
               ("social-work-duty", None)]


def csv_text(rungs: list[tuple[str, str | None]], changed: bool) -> str:
    upper = [r for r in rungs if r not in FIRST_RUNGS]
    lines = ["role,scope,name,email,active"]
    for i in range(ROWS):
        role, scope = upper[(i // 50) % len(upper)] if i % 50 == 0 else FIRST_RUNGS[i % len(FIRST_RUNGS)]
        name = f"Contact {i:04d}" + (" (moved)" if changed and i % 2 else "")
        active = "no" if changed and i % 10 == 0 else "yes"
        lines.append(f"{role},{scope or ''},{name},contact{i:04d}@wdc.example.org,{active}")
    return "\n".join(lines) + "\n"


def timed_import(client, text: str, note: str) -> float:
    page = client.get(f"/{COUNCIL}/admin/directory/").get_data(as_text=True)
    token = re.search(r'name="import-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    start = time.perf_counter()
    response = client.post(f"/{COUNCIL}/admin/directory/import", data={
        "import-csrf_token": token, "import-note": note,
        "import-file": (io.BytesIO(text.encode()), "directory.csv")}, content_type="multipart/form-data")
    seconds = time.perf_counter() - start
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return seconds


def main() -> list[str]:
    from bench.case_list import load as load_cases
    from core.engine.outbox import replan
    from core.model.records import Contact, ContactChange, ScheduledNotification, StageEntry, db
    from core.testing import seed_demo_directories

    with fresh_database("import") as url:
        app = migrated_app(url, DEV_SIGN_IN=True, CONCORD_ENV="development")
        gc.collect()
        gc.freeze()
        with app.app_context():
            seed_demo_directories(app)
        began = time.perf_counter()
        load_cases(app, CASES)
        with app.app_context():
            council = app.extensions["concord"].councils[COUNCIL]
            with app.test_request_context():
                replan(council)  # every open stage's messages, as raising and acting on the cases planned them
                db.session.commit()
            open_stages = db.session.scalar(db.select(db.func.count(StageEntry.id)).where(StageEntry.closed_at.is_(None)))
            planned = db.session.scalar(db.select(db.func.count(ScheduledNotification.id)))
        print(f"{CASES:,} cases ({open_stages:,} open stages, {planned:,} messages planned) "
              f"loaded in {time.perf_counter() - began:.1f} s")
        with app.app_context():
            rungs = sorted({(c.role, c.scope) for c in db.session.scalars(
                db.select(Contact).where(Contact.council == COUNCIL))}, key=lambda r: (r[0], r[1] or ""))
        client = app.test_client()
        assert client.post(f"/{COUNCIL}/api/dev/session",
                           json={"email": "admin.demo@wdc.example.org", "role": "council-admin"}).status_code == 200
        print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        added = timed_import(client, csv_text(rungs, changed=False), "Bench: new contacts")
        updated = timed_import(client, csv_text(rungs, changed=True), "Bench: names changed")
        with app.app_context():
            changes = db.session.scalar(db.select(db.func.count(ContactChange.id)))
            assert changes == ROWS + sum(1 for i in range(ROWS) if i % 2 or i % 10 == 0), changes
            db.engine.dispose()
        print(f"{ROWS:,} rows: all added {added:.2f} s; half changed, a tenth inactive {updated:.2f} s")
    return [figure("SECONDS", f"directory-import-{ROWS}", max(added, updated), "<2")]


if __name__ == "__main__":
    main()
