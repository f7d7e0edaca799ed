"""Mail transports, registered as plugins: SMTP, GOV.UK Notify, development outbox."""
from __future__ import annotations

import smtplib
import threading
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Protocol

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from .render import Message


class Transport(Protocol):
    """Sends one rendered message, or raises ``TemporaryFailure``/``PermanentFailure``."""

    def send(self, message: Message) -> None: ...


class TemporaryFailure(Exception):
    """Worth trying again later (connection refused, 4xx SMTP reply, Notify 5xx or 429)."""


class PermanentFailure(Exception):
    """Will never work (bad address, 5xx SMTP reply, Notify 4xx): stop at once."""


def as_email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.to, message.subject
    email["Message-ID"] = message.message_id
    if message.date is not None:
        email["Date"] = format_datetime(message.date)
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    if message.ics:
        email.add_attachment(message.ics, maintype="text", subtype="calendar", filename="deadline.ics",
                             params={"method": "PUBLISH"})
    return email


class SmtpTransport:
    """SMTP with one kept-open connection per worker thread (reopened after any error)."""

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
            self._connection().send_message(as_email(message, self.sender))
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
        from ..models import DevMail, db
        from ..runtime import now

        db.session.add(DevMail(council=message.council, at=now(), recipient=message.to, subject=message.subject,
                               text=message.text, html=message.html))


@hookimpl
def concord_register_transports():
    return [("smtp", SmtpTransport), ("notify", NotifyTransport), ("dev-outbox", DevOutbox)]
