"""Sign-in state. Identity providers (development, OIDC) call ``sign_in``."""
from __future__ import annotations

from flask import current_app, session
from sqlalchemy import select

from ..access import Viewer
from ..models import User, db
from ..runtime import now


def upsert_user(council: str, issuer: str, subject: str, email: str, name: str) -> User:
    """The user for (issuer, subject), with name and email refreshed."""
    user = db.session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))
    if user is None:
        user = User(council=council, issuer=issuer, subject=subject, email=email, name=name)
        db.session.add(user)
    user.email, user.name = email.lower(), name
    user.last_sign_in_at = now()
    db.session.commit()
    return user


def sign_in(user: User, roles) -> None:
    # A fresh session at sign-in, so nothing from before can be carried over.
    session.clear()
    user.roles = sorted(roles)
    db.session.commit()
    session["user_id"] = user.id
    session["council"] = user.council
    session["roles"] = sorted(roles)
    session["signed_in_at"] = session["seen_at"] = now().timestamp()
    session.permanent = True


def sign_out() -> None:
    session.clear()


def viewer_for(council_slug: str) -> Viewer | None:
    """The signed-in viewer if they belong to this council, else None."""
    if session.get("council") != council_slug or "user_id" not in session:
        return None
    if _expired():
        session.clear()
        return None
    user = db.session.get(User, session["user_id"])
    if user is None or user.council != council_slug:
        return None
    return Viewer.of(user, session.get("roles", ()))


def _expired() -> bool:
    """Idle and absolute session timeouts, on Concord's clock; refreshes the idle one."""
    moment = now().timestamp()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_MAX_HOURS"] * 3600
    if moment - session.get("seen_at", 0) > idle or moment - session.get("signed_in_at", 0) > absolute:
        return True
    session["seen_at"] = moment
    return False
