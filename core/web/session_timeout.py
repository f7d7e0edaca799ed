"""Warning before the idle session ends (WCAG 2.2.1, HMRC's timeout dialog).

Every page a signed-in person sees states when their session ends, so the
limit is known without JavaScript. ``timeout.js`` opens a dialog
``SESSION_WARN_SECONDS`` (two minutes) before that moment, whose "Stay signed
in" posts here: the post is itself the activity that extends the session.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, jsonify, session

from core.http.tenancy import council_blueprint
from core.model.clock import LONDON
from core.runtime import now

bp = council_blueprint("session_timeout", __name__, "/session")
WARN_SECONDS = 120


@bp.post("/keep")
def keep():
    """Stay signed in: the idle timer starts again. 401 once the session has already ended."""
    if g.viewer is None:
        return jsonify(signed_in=False), 401
    session["seen_at"] = now().timestamp()
    return jsonify(signed_in=True, remaining=remaining())


def remaining() -> int:
    """Seconds until the session ends if nothing more is done: the idle limit, or the absolute one if sooner."""
    moment = now().timestamp()
    config = current_app.config
    idle = config["SESSION_IDLE_MINUTES"] * 60 - (moment - session.get("seen_at", moment))
    absolute = config["SESSION_MAX_HOURS"] * 3600 - (moment - session.get("signed_in_at", moment))
    return max(0, int(min(idle, absolute)))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def session_timing():
        def session_ends():
            """(seconds left, the London time it ends, seconds of warning) for the signed-in page."""
            left = remaining()
            return {"remaining": left, "at": (now() + timedelta(seconds=left)).astimezone(LONDON),
                    "warn": current_app.config.get("SESSION_WARN_SECONDS", WARN_SECONDS),
                    "idle_minutes": current_app.config["SESSION_IDLE_MINUTES"]}
        return {"session_ends": session_ends}
