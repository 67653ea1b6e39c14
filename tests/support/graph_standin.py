"""A local stand-in for Microsoft Entra ID's token endpoint and Microsoft Graph's user directory.

HTTPS on 127.0.0.1 (a random port) with a self-signed certificate made at start, so the real msal
client (which insists on an https authority) and `requests` run unchanged: give them `ca_file`.

    with GraphStandin(users=[standin_user("u1", "Ada", "Lovelace")], groups={"u1": ["g-admins"]}) as graph:
        settings = Settings(**graph.settings())
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import secrets
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
USER_FIELDS = ("id", "displayName", "givenName", "surname", "mail", "userPrincipalName", "accountEnabled")


def standin_user(
    user_id: str,
    given_name: str | None,
    surname: str | None,
    *,
    mail: str | None = "",
    upn: str | None = None,
    enabled: bool = True,
) -> dict[str, Any]:
    """A Graph user object; `mail` defaults to given.surname@contoso.example."""
    if mail == "":
        mail = f"{(given_name or 'user').lower()}.{(surname or user_id).lower()}@contoso.example"
    return {
        "id": user_id,
        "displayName": " ".join(part for part in (given_name, surname) if part) or None,
        "givenName": given_name,
        "surname": surname,
        "mail": mail,
        "userPrincipalName": upn or mail or f"{user_id}@contoso.onmicrosoft.com",
        "accountEnabled": enabled,
    }


class GraphStandin:
    """Serves the OpenID configuration, the client-credentials token endpoint and Graph's users."""

    def __init__(
        self,
        *,
        users: list[dict[str, Any]] | None = None,
        groups: dict[str, list[str]] | None = None,
        tenant_id: str = "11111111-2222-3333-4444-555555555555",
        client_id: str = "nexus360-sync-test",
        client_secret: str = "standin-secret",
        page_size: int = 2,
    ) -> None:
        self.users = list(users or [])
        self.groups = dict(groups or {})
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = page_size
        self.fail_users_page: int | None = None  # answer 500 for this page of /users (0-based)
        self.throttle_next = 0  # answer this many Graph requests with 429 + Retry-After: 0 first
        self.requests: list[str] = []  # "GET /v1.0/users?…", to assert paging
        self.tokens: set[str] = set()
        self.delta_states: dict[str, dict[str, dict[str, Any]]] = {}  # delta token -> the users as sent then
        self._dir = tempfile.TemporaryDirectory(prefix="graph-standin-")
        self.ca_file = str(Path(self._dir.name) / "cert.pem")
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> GraphStandin:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        key_file = str(Path(self._dir.name) / "key.pem")
        _write_self_signed(self.ca_file, key_file)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="graph-standin", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._dir.cleanup()

    @property
    def origin(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def graph_base_url(self) -> str:
        return f"{self.origin}/v1.0"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for `Settings(...)` pointing the directory sync here."""
        values = {
            "graph_tenant_id": self.tenant_id,
            "graph_client_id": self.client_id,
            "graph_client_secret": self.client_secret,
            "graph_authority_host": self.origin,
            "graph_base_url": self.graph_base_url,
            "graph_ca_bundle": self.ca_file,
        }
        return {**values, **overrides}

    def env(self) -> dict[str, str]:
        """The same as NEXUS360_* environment variables (for the CLI)."""
        return {f"NEXUS360_{name.upper()}": str(value) for name, value in self.settings().items()}

    # --- the protocol ---------------------------------------------------------------------------

    def openid_configuration(self, tenant: str) -> tuple[int, dict[str, Any]]:
        if tenant != self.tenant_id:
            return 400, {"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{tenant}' not found."}
        base = f"{self.origin}/{tenant}"
        return 200, {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if tenant != self.tenant_id:
            return 400, _aad_error("invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return 400, _aad_error("unsupported_grant_type", "AADSTS70003: Unsupported grant type.")
        if form.get("client_id") != self.client_id:
            return 400, _aad_error(
                "unauthorized_client", f"AADSTS700016: Application with identifier '{form.get('client_id')}' "
                "was not found in the directory.")
        if form.get("client_secret") != self.client_secret:
            return 401, _aad_error(
                "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                f"in the request is the client secret value, not the client secret ID, for a secret added to app "
                f"'{self.client_id}'.")
        if GRAPH_SCOPE not in form.get("scope", "").split():
            return 400, _aad_error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}

    def graph(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")  # v1.0/users[/{id}/transitiveMemberOf/microsoft.graph.group]
        if parts[:2] != ["v1.0", "users"]:
            return 404, _graph_error("Request_ResourceNotFound", f"Resource '{path}' does not exist.")
        if len(parts) == 2:
            return self._page(f"{self.graph_base_url}/users", self.users, query, fail=self.fail_users_page)
        if len(parts) == 3 and parts[2] == "delta":
            return self._delta(query)
        if len(parts) == 5 and parts[3:] == ["transitiveMemberOf", "microsoft.graph.group"]:
            if not any(user["id"] == parts[2] for user in self.users):
                return 404, _graph_error("Request_ResourceNotFound", f"Resource '{parts[2]}' does not exist.")
            groups = [{"@odata.type": "#microsoft.graph.group", "id": g} for g in self.groups.get(parts[2], [])]
            return self._page(f"{self.graph_base_url}/{'/'.join(parts[1:])}", groups, query, fail=None)
        return 404, _graph_error("Request_ResourceNotFound", f"Resource '{path}' does not exist.")

    def forget_delta_tokens(self) -> None:
        """Graph forgets sync states after a while: the next delta link answers 410 Gone."""
        self.delta_states.clear()

    def _delta(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """GET /users/delta: every user (no token), or the users changed and removed since `$deltatoken`.

        Paging carries the token and offset in `$skiptoken`; the last page ends with `@odata.deltaLink`,
        whose `$deltatoken` names the users as this round sent them (what the next round compares with).
        """
        fields = [f for f in query.get("$select", "").split(",") if f] or list(USER_FIELDS)
        token, _, offset = query.get("$skiptoken", "").partition(".")
        token = token or query.get("$deltatoken", "")
        if token and token not in self.delta_states and token != "full":
            return 410, _graph_error("syncStateNotFound", "The sync state is no longer available; resync.")
        before = self.delta_states.get(token, {}) if token != "full" else {}
        current = {user["id"]: dict(user) for user in self.users}
        items: list[dict[str, Any]] = [
            {k: v for k, v in user.items() if k in fields or k == "id"}
            for user_id, user in current.items() if before.get(user_id) != user]
        if token:
            items += [{"id": user_id, "@removed": {"reason": "changed"}}
                      for user_id in before if user_id not in current]
        start = int(offset or 0)
        if self.fail_users_page is not None and start // self.page_size == self.fail_users_page:
            return 500, _graph_error("UnknownError", "The stand-in failed this page on purpose.")
        body: dict[str, Any] = {"value": items[start : start + self.page_size]}
        url = f"{self.graph_base_url}/users/delta"
        if start + self.page_size < len(items):
            select = {"$select": query["$select"]} if "$select" in query else {}
            skip = f"{token or 'full'}.{start + self.page_size}"
            body["@odata.nextLink"] = f"{url}?{urlencode({**select, '$skiptoken': skip})}"
        else:
            new_token = secrets.token_urlsafe(12)
            self.delta_states[new_token] = current
            body["@odata.deltaLink"] = f"{url}?{urlencode({'$deltatoken': new_token})}"
        return 200, body

    def _page(
        self, url: str, items: list[dict[str, Any]], query: dict[str, str], *, fail: int | None
    ) -> tuple[int, dict[str, Any]]:
        size = min(self.page_size, int(query.get("$top", self.page_size)))
        start = int(query.get("$skiptoken", "0"))
        if fail is not None and start // size == fail:
            return 500, _graph_error("UnknownError", "The stand-in failed this page on purpose.")
        fields = [f for f in query.get("$select", "").split(",") if f]
        page = [{k: v for k, v in item.items() if not fields or k in fields} for item in items[start : start + size]]
        body: dict[str, Any] = {"value": page}
        if start + size < len(items):
            kept = {k: v for k, v in query.items() if k != "$skiptoken"}
            body["@odata.nextLink"] = f"{url}?{urlencode({**kept, '$skiptoken': str(start + size)})}"
        return 200, body


def _handler_for(standin: GraphStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            standin.requests.append(f"GET {self.path}")
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            parts = url.path.strip("/").split("/")
            if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
                self._reply(*standin.openid_configuration(parts[0]))
            elif not self._bearer_ok():
                self._reply(401, _graph_error("InvalidAuthenticationToken", "Access token is empty or invalid."))
            elif standin.throttle_next > 0:
                standin.throttle_next -= 1
                self._reply(429, _graph_error("TooManyRequests", "Too many requests."), {"Retry-After": "0"})
            else:
                self._reply(*standin.graph(url.path, query))

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            standin.requests.append(f"POST {self.path}")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = {key: values[-1] for key, values in parse_qs(body).items()}
            parts = url.path.strip("/").split("/")
            if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
                self._reply(*standin.token(parts[0], form))
            else:
                self._reply(404, {"error": "not_found"})

        def _bearer_ok(self) -> bool:
            scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
            return scheme == "Bearer" and token in standin.tokens

        def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's name)
            pass  # keep test output clean

    return Handler


def _aad_error(error: str, description: str) -> dict[str, Any]:
    return {"error": error, "error_description": description, "error_codes": [int(description[6:].split(":")[0])],
            "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": secrets.token_hex(8), "correlation_id": secrets.token_hex(8)}


def _graph_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _write_self_signed(cert_file: str, key_file: str) -> None:
    """A certificate for IP 127.0.0.1 that is its own CA, so clients can trust exactly this file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nexus360 Graph stand-in")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    Path(cert_file).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    Path(key_file).write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
