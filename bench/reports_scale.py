"""The reports at national scale: 1,000,000 cases of one council (and 200,000 of another) on PostgreSQL.

Seeds as bench/reports.py does (generate_series over three years: stages, themes and learning, then
the monthly rows counted from the cases as the migration counts them, and VACUUM ANALYZE), signs in
a safeguarding lead and times through the Flask test client ``BENCH_REPORTS_RUNS`` (40) requests of
each page after a warm-up:

* ``reports-1m``: the reports page over the last twelve months (the default period); goal p95 < 200 ms;
* ``reports-1m-3y``: the reports page over all three years; goal p95 < 300 ms.

``BENCH_REPORTS_CASES`` (1,000,000) makes a quicker run with fewer.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import figure, fresh_database, migrated_app  # noqa: E402
from bench.reports import WDC, p95, seed, timed  # noqa: E402

CASES = int(os.environ.get("BENCH_REPORTS_CASES", "1000000"))
RUNS = int(os.environ.get("BENCH_REPORTS_RUNS", "40"))


def main() -> list[str]:
    with fresh_database("reports_scale") as url:
        # The other council's cases borrow West Dunbartonshire's process names (see bench/reports.py).
        app = migrated_app(url, DEV_SIGN_IN=True, CHECK_OPEN_CASES=False)
        print(f"seeded {CASES:,} cases (+{CASES // 5:,} of another council) in {seed(url, CASES):.0f} s", flush=True)
        client = app.test_client()
        assert client.post(f"/{WDC}/api/dev/session",
                           json={"email": "lead@wdc.example.org", "role": "safeguarding-lead"}).status_code == 200
        print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        found = {}
        for name, path in (("reports-1m", f"/{WDC}/reports/"),
                           ("reports-1m-3y", f"/{WDC}/reports/?from=2023-12-01&to=2026-12-31")):
            samples = timed(client, path, RUNS)
            found[name] = p95(samples)
            print(f"{path}: median {statistics.median(samples):.1f} ms, p95 {found[name]:.1f} ms", flush=True)
        with app.app_context():
            from core.model.records import db

            db.engine.dispose()
    return [figure("P95MS", "reports-1m", found["reports-1m"], "<200"),
            figure("P95MS", "reports-1m-3y", found["reports-1m-3y"], "<300")]


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"reports_scale: {time.perf_counter() - started:.0f} s in all")
