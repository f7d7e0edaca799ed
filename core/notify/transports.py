"""Mail transports, registered as plugins: SMTP, GOV.UK Notify, development outbox."""
from __future__ import annotations

import base64
import secrets
import smtplib
import threading
from email.utils import format_datetime, formatdate

from core.hookspecs import PermanentFailure, TemporaryFailure, hookimpl


def _header(value: str) -> str:
    """One header value, on one line, as RFC 2047 encoded words when it is not ASCII."""
    value = " ".join(value.split())  # no line breaks: nothing can be injected
    if value.isascii():
        return value
    words, chunk = [], ""
    for char in value:
        if len((chunk + char).encode()) > 45:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode()).decode()}?=" for w in words)


def _part(content_type: str, payload: bytes, disposition: str = "") -> str:
    body = base64.encodebytes(payload).decode().replace("\n", "\r\n")
    return f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: base64\r\n{disposition}\r\n{body}"


def as_bytes(message, sender: str) -> bytes:
    """The MIME message, written out directly: text and HTML alternatives, and the calendar entry.

    The ``email`` package's header objects and generator took two thirds of a
    worker's CPU per message for these few fixed shapes.
    """
    inner, outer = f"=_alt_{secrets.token_hex(12)}", f"=_mix_{secrets.token_hex(12)}"
    text = _part('text/plain; charset="utf-8"', message.text.encode())
    html = _part('text/html; charset="utf-8"', message.html.encode())
    body = (f'Content-Type: multipart/alternative; boundary="{inner}"\r\n\r\n'
            f"--{inner}\r\n{text}--{inner}\r\n{html}--{inner}--\r\n")
    if message.ics:
        body = (f'Content-Type: multipart/mixed; boundary="{outer}"\r\n\r\n--{outer}\r\n{body}'
                f"--{outer}\r\n"
                + _part('text/calendar; charset="utf-8"; method=PUBLISH', message.ics,
                        'Content-Disposition: attachment; filename="deadline.ics"\r\n')
                + f"--{outer}--\r\n")
    date = format_datetime(message.date) if message.date is not None else formatdate()
    head = (f"From: {_header(sender)}\r\nTo: {_header(message.to)}\r\nSubject: {_header(message.subject)}\r\n"
            f"Date: {date}\r\nMessage-ID: {_header(message.message_id)}\r\nMIME-Version: 1.0\r\n")
    return (head + body).encode("ascii")


class SmtpTransport:
    """SMTP with one kept-open connection per worker thread (reopened after any error).

    A relay closes a connection left idle (Postfix after 300 s): the next message finds it gone,
    reconnects once and is sent straight away, rather than counting as a temporary failure.
    """

    def __init__(self, config):
        self.host, self.port = config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25)
        self.starttls = config.get("SMTP_STARTTLS", False)
        self.ssl = config.get("SMTP_SSL", False)
        self.username, self.password = config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD")
        self.sender = config["MAIL_FROM"]
        self.local = threading.local()

    def _connection(self) -> smtplib.SMTP:
        smtp = getattr(self.local, "smtp", None)
        if smtp is None:
            smtp = (smtplib.SMTP_SSL if self.ssl else smtplib.SMTP)(self.host, self.port, timeout=30)
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            self.local.smtp = smtp
        return smtp

    def _drop(self) -> None:
        smtp, self.local.smtp = getattr(self.local, "smtp", None), None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def send(self, message) -> None:
        try:
            data = as_bytes(message, self.sender)
            reused = getattr(self.local, "smtp", None) is not None
            try:
                self._connection().sendmail(self.sender, [message.to], data)
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused, ConnectionError) as e:
                if not reused or getattr(e, "smtp_code", 421) != 421:
                    raise
                # The relay closed the kept-open connection while it was idle (silently, or "421 … timeout"
                # read at the next command): nothing was accepted, so open a new one and send once more now.
                self._drop()
                self._connection().sendmail(self.sender, [message.to], data)
        except UnicodeEncodeError:
            raise PermanentFailure("the address is not ASCII") from None
        except smtplib.SMTPRecipientsRefused as e:
            code = next(iter(e.recipients.values()))[0]
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(f"recipient refused ({code})") from None
        except smtplib.SMTPResponseException as e:
            self._drop()
            raise (PermanentFailure if e.smtp_code >= 500 else TemporaryFailure)(f"SMTP {e.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as e:
            self._drop()
            raise TemporaryFailure(f"{type(e).__name__}: {e}") from None


class NotifyTransport:
    """GOV.UK Notify: one template per kind per council, personalised with reference, due date and link."""

    def __init__(self, config):
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"])
        self.templates = config["NOTIFY_TEMPLATES"]

    def send(self, message) -> None:
        from notifications_python_client.errors import HTTPError

        template = self.templates.get(message.council, {}).get(message.kind) or self.templates.get("*", {}).get(message.kind)
        if not template:
            raise PermanentFailure(f"no Notify template for {message.council}/{message.kind}")
        try:
            self.client.send_email_notification(email_address=message.to, template_id=template,
                                                personalisation=message.personalisation)
        except HTTPError as e:
            status = e.status_code or 0
            raise (PermanentFailure if 400 <= status < 500 and status != 429 else TemporaryFailure)(
                f"Notify {status}") from None
        except OSError as e:
            raise TemporaryFailure(f"{type(e).__name__}") from None


class DevOutbox:
    """Keeps messages in the database for /dev/mail; never sends anything."""

    def __init__(self, config):
        pass

    def send(self, message) -> None:
        from core.model.records import DevMail, db
        from core.runtime import now

        db.session.add(DevMail(council=message.council, at=now(), recipient=message.to, subject=message.subject,
                               text=message.text, html=message.html))


@hookimpl
def concord_register_transports():
    return [("smtp", SmtpTransport), ("notify", NotifyTransport), ("dev-outbox", DevOutbox)]
