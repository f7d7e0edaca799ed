"""``make bench``: run every benchmark in bench/ and print their figures together, last.

A benchmark is any ``bench/*.py`` whose name does not start with ``_`` (and is
not this file); each runs in its own process and prints lines starting with
``RATIO``, ``P95MS`` or ``SECONDS``. Their own output is shown as it comes; the figure lines
are printed again at the end, in a fixed order, with any failure named.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["submission", "submission-production", "mail", "sweep", "case-list-100k", "case-list-1m", "case-list-1m-deep",
         "case-list-1m-sorted", "reports-100k", "reports-1m", "reports-1m-3y", "case-page-300-events",
         "directory-page", "directory-import-2000", "startup", "startup-400-councils", "rss-400-councils"]


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.name != "run.py")
    if len(sys.argv) > 1:
        scripts = [p for p in scripts if p.stem in sys.argv[1:]]
    figures, failed = [], []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.monotonic()
        process = subprocess.Popen([sys.executable, str(script)], cwd=str(HERE.parent), stdout=subprocess.PIPE,
                                   text=True)
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith(("RATIO ", "P95MS ", "SECONDS ")):
                figures.append(line.strip())
        if process.wait() != 0:
            failed.append(script.name)
        print(f"== {script.name}: {time.monotonic() - start:.0f} s", flush=True)
    print()
    figures.sort(key=lambda line: ORDER.index(line.split()[1]) if line.split()[1] in ORDER else len(ORDER))
    for name in failed:
        print(f"FAILED {name}")
    for line in figures:
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
