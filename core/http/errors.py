"""Clear pages (or JSON under /api) for every error: never a stack trace.

A service Concord depends on that does not answer (the session store, the broker, the database)
is a 503 "Sorry, there is a problem with the service" page saying nothing was saved, logged as one
line naming the service, not as a traceback: the outage is the cause, and a busy site would write
the same traceback for every request until it is over.
"""
from flask import Flask, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

RETRY_AFTER = "60"

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You cannot do that here.",
    404: "Page not found. If you typed the web address, check it is correct.",
    405: "That action is not available on this page.",
    413: "What you sent is too large. Shorten it and try again.",
    429: "Too many attempts from your network. Wait a little and try again.",
    500: "Sorry, there is a problem with the service. Nothing you sent has been saved; try again later.",
    503: "Sorry, the service is unavailable. Nothing you sent has been saved; try again in a few minutes.",
}
# The store failed after this request had already saved something (writing the session comes last).
MAY_HAVE_SAVED = ("Sorry, the service is unavailable. What you sent may have been saved: check before you send it "
                  "again, in a few minutes.")
COMMITTED = "concord_request_committed"


def unavailable_service(e: BaseException | None) -> str | None:
    """Which service an exception says is not answering, or None."""
    for error in (e, getattr(e, "original_exception", None), getattr(e, "__cause__", None)):
        if error is None:
            continue
        module = type(error).__module__
        if module.startswith("redis") and type(error).__name__ in ("ConnectionError", "TimeoutError", "BusyLoadingError"):
            return "session store"
        if module.startswith(("dramatiq", "pika")) and "Connection" in type(error).__name__:
            return "broker"
        if module.startswith("sqlalchemy") and type(error).__name__ in ("OperationalError", "InterfaceError"):
            return "database"
    return None


def _wants_json() -> bool:
    return "/api/" in request.path or request.path.startswith("/api")


def render_error(status: int, message: str | None = None, **context):
    message = message or MESSAGES.get(status, "Something went wrong.")
    if _wants_json():
        return jsonify({"error": message}), status
    return make_response(render_template("errors/error.html", status=status, message=message, **context)), status


def render_unavailable(app: Flask, service: str):
    """The 503 page, rendered without the session (the store may be what failed): nothing is saved."""
    ctx = request_ctx._get_current_object() if request_ctx else None  # type: ignore[attr-defined]
    if ctx is not None:
        # A null session is never saved, so finishing this response cannot fail a second time.
        ctx._session = app.session_interface.make_null_session(app)
    from core.model.records import db

    try:
        db.session.rollback()
    except Exception:  # the database may be the service that is down
        pass
    from flask import g

    body, status = render_error(503, MAY_HAVE_SAVED if g.get(COMMITTED) else None, service=service)
    body.headers["Retry-After"] = RETRY_AFTER
    return body, status


def _note_commit(session) -> None:
    from flask import g, has_request_context

    if has_request_context():
        setattr(g, COMMITTED, True)


def init_app(app: Flask) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _note_commit):
        event.listen(Session, "after_commit", _note_commit)
    plain_log_exception = app.log_exception

    def log_exception(exc_info):
        service = unavailable_service(exc_info[1])
        if service is None:
            return plain_log_exception(exc_info)
        app.logger.error("service unavailable: the %s did not answer on %s %s (%s: %s); answered 503",
                         service, request.method, request.path, type(exc_info[1]).__name__, exc_info[1])

    app.log_exception = log_exception  # type: ignore[method-assign]  # errors before the view (opening the session) are logged here

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, "Your form had expired. Go back, reload the page and submit it again: nothing was saved.")

    @app.errorhandler(HTTPException)
    def http_error(e):
        if e.code == 500 and (service := unavailable_service(e)):
            return render_unavailable(app, service)
        if e.response is not None:  # abort(response): already says what it means
            return e.response
        said = e.description if e.description != type(e).description else None  # abort(code, "what to do")
        body, status = render_error(e.code or 500, said or MESSAGES.get(e.code) or e.description)
        # Keep what the exception says in headers: Allow on a 405, Retry-After on a 429 or 503.
        for name, value in e.get_headers():
            if name.lower() != "content-type":
                body.headers[name] = value
        return body, status

    @app.errorhandler(Exception)
    def unexpected(e):
        if service := unavailable_service(e):
            log_exception((type(e), e, e.__traceback__))
            return render_unavailable(app, service)
        app.logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        from core.model.records import db
        db.session.rollback()
        return render_error(500)
