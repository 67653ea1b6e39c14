"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): plain, STARTTLS or implicit TLS, optionally
with a required login, that keeps every message it accepts, parsed, for the tests to read.

    with SmtpStandIn(security="starttls", user="mailer", password="s3cret") as server:
        settings = server.settings()            # the app's Settings pointing at it
        ... send ...
        server.messages                         # email.message.EmailMessage, in order received
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import tempfile
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from nexus360.common.net import free_port
from nexus360.config import Settings


class _Keeper:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SmtpStandIn:
    def __init__(self, *, security: str = "none", user: str | None = None, password: str | None = None) -> None:
        self.security, self.user, self.password = security, user, password
        self.port = free_port()
        self._keeper = _Keeper()
        self._directory = tempfile.TemporaryDirectory(prefix="smtp-standin-")
        self.ca_bundle: Path | None = None
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self._keeper.lock:
            return list(self._keeper.messages)

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        with self._keeper.lock:
            return list(self._keeper.envelopes)

    def refuse(self, address: str) -> None:
        """Answer 550 for this recipient from now on."""
        self._keeper.refuse.add(address)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": self.security,
            "smtp_user": self.user, "smtp_password": SecretStr(self.password) if self.password else None,
            "smtp_from": "Nexus360 <notifications@nexus360.test>", "smtp_timeout_seconds": 5.0,
            "smtp_ca_bundle": str(self.ca_bundle) if self.ca_bundle else None,
            "public_url": "https://nexus360.test",
        }
        return Settings(**{**values, **overrides})

    def __enter__(self) -> SmtpStandIn:
        options: dict[str, Any] = {}
        if self.security != "none":
            cert, key = _certificate(Path(self._directory.name))
            self.ca_bundle = cert
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            if self.security == "ssl":
                options["ssl_context"] = context
            else:
                options.update(tls_context=context, require_starttls=True)
        if self.user:
            # aiosmtpd sees TLS begun by STARTTLS only; implicit TLS (ssl) is encrypted from the first byte.
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.security == "starttls")
        self._controller = Controller(self._keeper, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._controller is not None:
            self._controller.stop()
        self._directory.cleanup()

    def _authenticate(self, server, session, envelope, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user \
            and auth_data.password.decode() == self.password
        return AuthResult(success=ok, handled=False)
