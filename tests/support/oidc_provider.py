"""A small OpenID Connect provider on 127.0.0.1 that stands in for Microsoft Entra ID in tests.

It speaks enough of the protocol for Authlib's real client (used by `st.login`): discovery, an
authorization endpoint that approves at once (the test picks the user beforehand with
`provider.next_user`), a token endpoint that checks the client, the one-time code, the redirect URI
and PKCE and returns an RS256-signed ID token carrying the nonce, the JWKS to check that signature,
and RP-initiated logout.

    with OIDCProvider(client_id="app", client_secret="secret") as provider:
        provider.next_user = {"oid": "...", "email": "a@example.com", "roles": ["Nexus360.Admin"]}
        ... metadata URL: provider.metadata_url
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TENANT_ID = "00000000-0000-4000-8000-00000000c0de"


class OIDCProvider:
    """The provider's state: keys, the user who signs in next, issued codes, and what was asked of it."""

    def __init__(self, *, client_id: str, client_secret: str, token_lifetime: int = 3600) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.next_user: dict[str, Any] | None = None  # claims of whoever "signs in" at /authorize next
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for assertions
        self.logouts: list[dict[str, str]] = []
        self._codes: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> OIDCProvider:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/{TENANT_ID}/v2.0"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # --- protocol ----------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "oid", "email", "name",
                                 "preferred_username", "given_name", "family_name", "roles", "groups", "tid"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        """Approve at once: redirect back with a one-time code (or an OAuth error) and the caller's state."""
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            return 400, {}
        error = None
        if query.get("client_id") != self.client_id:
            error = "unauthorized_client"
        elif query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            error = "invalid_request"
        elif self.next_user is None:
            error = "access_denied"
        params = {"state": query["state"]} if "state" in query else {}
        if error:
            return 302, {"Location": _with_query(redirect_uri, {"error": error, **params})}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "redirect_uri": redirect_uri, "nonce": query.get("nonce"), "user": dict(self.next_user),
                "code_challenge": query.get("code_challenge"), "issued": time.time(),
            }
        return 302, {"Location": _with_query(redirect_uri, {"code": code, **params})}

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        """Exchange a code for tokens after checking the client, the code, the redirect URI and PKCE."""
        client_id, client_secret = _client_credentials(form, authorization)
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # one use only
        if grant is None or time.time() - grant["issued"] > 120 or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant["code_challenge"] and _s256(form.get("code_verifier", "")) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        access_token = secrets.token_urlsafe(32)
        return 200, {
            "token_type": "Bearer",
            "scope": "openid profile email",
            "expires_in": self.token_lifetime,
            "access_token": access_token,
            "id_token": self.id_token(grant["user"], nonce=grant["nonce"], access_token=access_token),
        }

    def id_token(self, user: dict[str, Any], *, nonce: str | None, access_token: str | None = None) -> str:
        """An RS256-signed ID token shaped like Entra's v2.0 tokens; `user` claims win over the defaults."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "ver": "2.0", "iss": self.issuer, "aud": self.client_id, "tid": TENANT_ID,
            "iat": now, "nbf": now, "exp": now + self.token_lifetime,
            "sub": hashlib.sha256(str(user.get("oid", "")).encode()).hexdigest()[:43],
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["at_hash"] = _half_hash(access_token)
        if "name" not in user and ("given_name" in user or "family_name" in user):
            claims["name"] = " ".join(str(user[key]) for key in ("given_name", "family_name") if key in user)
        claims.update(user)
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def logout(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        self.logouts.append(query)
        target = query.get("post_logout_redirect_uri")
        if not target:
            return 200, {}
        return 302, {"Location": _with_query(target, {"state": query["state"]} if "state" in query else {})}


def _handler_for(provider: OIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path, query = self._split()
            provider.requests.append(("GET", path))
            if path == urlsplit(provider.metadata_url).path:
                self._json(200, provider.metadata())
            elif path == "/jwks":
                self._json(200, provider.jwks())
            elif path == "/authorize":
                self._redirect(*provider.authorize(query))
            elif path == "/logout":
                self._redirect(*provider.logout(query))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            path, _ = self._split()
            provider.requests.append(("POST", path))
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            if path == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization")))
            else:
                self._json(404, {"error": "not_found"})

        def _split(self) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, status: int, headers: dict[str, str]) -> None:
            body = b"signed out" if status == 200 else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:  # keep test output quiet
            pass

    return Handler


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(part for part in (parts.query, urlencode(params)) if part)
    return urlunsplit(parts._replace(query=query))


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str | None, str | None]:
    """client_secret_basic (Authorization header) or client_secret_post (form fields)."""
    if authorization and authorization.lower().startswith("basic "):
        decoded = base64.b64decode(authorization[6:]).decode()
        client_id, _, client_secret = decoded.partition(":")
        return unquote(client_id), unquote(client_secret)
    return form.get("client_id"), form.get("client_secret")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _s256(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def _half_hash(token: str) -> str:
    digest = hashlib.sha256(token.encode()).digest()
    return _b64url(digest[: len(digest) // 2])
