"""Clear pages (or JSON under /api) for every error: never a stack trace."""
from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You cannot do that here.",
    404: "Page not found. If you typed the web address, check it is correct.",
    405: "That action is not available on this page.",
    413: "What you sent is too large. Shorten it and try again.",
    429: "Too many attempts from your network. Wait a little and try again.",
    500: "Sorry, there is a problem with the service. Nothing you sent has been saved; try again later.",
}


def _wants_json() -> bool:
    return "/api/" in request.path or request.path.startswith("/api")


def render_error(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, "Something went wrong.")
    if _wants_json():
        return jsonify({"error": message}), status
    return make_response(render_template("errors/error.html", status=status, message=message)), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, "Your form had expired. Go back, reload the page and submit it again: nothing was saved.")

    @app.errorhandler(HTTPException)
    def http_error(e):
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
        app.logger.exception("unhandled error on %s %s", request.method, request.url_rule)
        from ..models import db
        db.session.rollback()
        return render_error(500)
