"""SMTP with the standard library: STARTTLS (587), implicit TLS (465) or a plain local relay.

One `Mailer` is one connection, opened on the first message and closed by `close()`. Errors reach the
caller as `MailError` with a sentence for people; the server's own words go to the log only.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from email.message import EmailMessage

from nexus360.config import Settings

log = logging.getLogger(__name__)


class MailError(Exception):
    """A message could not be handed to the mail server. `permanent`: retrying will not help (a refused
    recipient); otherwise the server or the network failed and a later attempt may work."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            self._connection().send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            log.warning("SMTP refused the recipient: %s", error.recipients)
            raise MailError("The mail server refused the recipient's address.", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            log.warning("SMTP send failed: %r", error)
            self.close()
            raise MailError("The mail server did not take the message; it will be tried again.") from None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        if not settings.smtp_host:
            raise MailError("E-mail is not set up: NEXUS360_SMTP_HOST is empty.", permanent=True)
        context = ssl.create_default_context(cafile=settings.smtp_ca_bundle)
        try:
            if settings.smtp_security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                      timeout=settings.smtp_timeout_seconds, context=context)
            else:
                smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
                if settings.smtp_security == "starttls":
                    smtp.starttls(context=context)
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
        except smtplib.SMTPAuthenticationError:
            log.warning("SMTP login refused for the configured user")
            raise MailError("The mail server refused the sign-in; check NEXUS360_SMTP_USER and its password.") \
                from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            log.warning("SMTP connection failed: %r", error)
            raise MailError("The mail server cannot be reached; e-mails will be tried again.") from None
        return smtp
