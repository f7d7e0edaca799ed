"""The ``concord`` command (and ``python -m core``): ``flask`` with Concord's app."""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup

from core.app import create_app
from core.config import ConfigError


def main() -> None:
    try:
        cli = FlaskGroup(create_app=create_app)
        cli.main(args=sys.argv[1:], prog_name="concord")
    except ConfigError as e:
        raise SystemExit(f"Concord cannot start: {e}") from None


if __name__ == "__main__":
    main()
