"""Sign-in state. Identity providers (development, OIDC) call ``sign_in``.

Sessions live on the server (Flask-Session): the cookie carries only a
random id, so signing out ends the session for whoever holds the cookie.
Redis holds them when ``CONCORD_SESSION_REDIS_URL`` is set (several
machines); otherwise files in the instance folder (one machine). A council
admin ends a user's sessions by bumping ``User.session_generation``.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Flask, current_app, session
from flask_session import Session
from sqlalchemy import bindparam, select

from core.engine.access import Viewer
from core.model.records import User, db
from core.runtime import now


def init_sessions(app: Flask) -> None:
    redis_url = app.config.get("SESSION_REDIS_URL")
    if redis_url:
        import redis

        app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(redis_url))
    else:
        from cachelib.file import FileSystemCache

        folder = Path(app.config.get("SESSION_DIR") or Path(app.config["INSTANCE_DIR"]) / "sessions")
        app.config.update(SESSION_TYPE="cachelib",
                          SESSION_CACHELIB=FileSystemCache(str(folder), threshold=100_000, mode=0o600))
    # The stored session is written when it changes, not on every request: the idle timeout is
    # Concord's own (``seen_at``, refreshed at most every 30 s) and the store's expiry is the absolute one.
    app.config.update(SESSION_KEY_PREFIX="concord:session:", SESSION_USE_SIGNER=False, SESSION_PERMANENT=True,
                      SESSION_REFRESH_EACH_REQUEST=False)
    Session(app)


def upsert_user(council: str, issuer: str, subject: str, email: str, name: str) -> User:
    """This council's user for (issuer, subject), with name and email refreshed.

    Keyed on the council too: one issuer may serve several councils, and a
    sign-in at one council never finds or changes another council's user.
    """
    user = db.session.scalar(select(User).where(
        User.council == council, User.issuer == issuer, User.subject == subject))
    if user is None:
        user = User(council=council, issuer=issuer, subject=subject, email=email, name=name)
        db.session.add(user)
    user.email, user.name = email.lower(), name
    user.last_sign_in_at = now()
    db.session.commit()
    return user


def sign_in(user: User, roles) -> None:
    from core.engine import directory

    # A fresh session id at sign-in, so nothing from before can be carried over
    # (regenerate deletes the stored session only while it still holds something).
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]  # Flask-Session's
    session.clear()
    user.roles = sorted(roles)
    conflicts = directory.bind(user)
    if conflicts:
        current_app.logger.warning("sign-in at %s: %d directory entries with this email belong to another identity",
                                   user.council, len(conflicts))
    db.session.commit()
    session["user_id"] = user.id
    session["council"] = user.council
    session["roles"] = sorted(roles)
    session["generation"] = user.session_generation
    session["signed_in_at"] = session["seen_at"] = now().timestamp()


def sign_out() -> None:
    """End the session on the server; anything said afterwards (a flash) goes in a new one."""
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]  # Flask-Session's
    session.clear()


def end_sessions(user: User) -> None:
    """Every session this user has signed in so far is over (the caller commits)."""
    user.session_generation += 1


def viewer_for(council_slug: str) -> Viewer | None:
    """The signed-in viewer if they belong to this council, else None."""
    if session.get("council") != council_slug or "user_id" not in session:
        return None
    user = db.session.scalars(_user_by_id(), {"id": session["user_id"]}).one_or_none()
    if user is None or user.council != council_slug or _expired(user):
        session.clear()
        return None
    return Viewer.of(user, session.get("roles", ()))


@cache
def _user_by_id():
    """Built once: every signed-in request reads its user, and ``Session.get`` cost a fifth more CPU."""
    return select(User).where(User.id == bindparam("id"))


def _expired(user: User) -> bool:
    """Ended by an admin, or past the idle or absolute timeout; refreshes the idle one."""
    moment = now().timestamp()
    started = session.get("signed_in_at", 0)
    if session.get("generation") != user.session_generation:
        return True
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_MAX_HOURS"] * 3600
    if moment - session.get("seen_at", 0) > idle or moment - started > absolute:
        return True
    if moment - session.get("seen_at", 0) > 30:  # saving the session costs a write: not on every request
        session["seen_at"] = moment
    return False
