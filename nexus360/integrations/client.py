"""A small Microsoft Graph client: app-only token through msal, users and their groups over `requests`.

The msal application is built on first use only: its constructor fetches the authority's OpenID
configuration over the network, and an app that merely imports or configures this client must not.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlparse, urlsplit

import msal
import requests
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

from nexus360.common.errors import Nexus360Error
from nexus360.config import Settings

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
USER_FIELDS = "id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled"
TIMEOUT_SECONDS = 30
MAX_RETRIES = 3
RETRY_STATUSES = (429, 502, 503, 504)  # Graph's throttling and transient gateway answers
MAX_RETRY_WAIT_SECONDS = 30

REQUIRED_SETTINGS = {
    "graph_tenant_id": "NEXUS360_GRAPH_TENANT_ID",
    "graph_client_id": "NEXUS360_GRAPH_CLIENT_ID",
    "graph_client_secret": "NEXUS360_GRAPH_CLIENT_SECRET",
}
SECRET_REFERENCE = "env:NEXUS360_GRAPH_CLIENT_SECRET"  # what configs and logs may hold instead of the secret


class GraphError(Nexus360Error):
    """Microsoft Graph or Entra ID could not be reached or refused a request."""


class GraphDeltaExpired(GraphError):
    """Graph no longer knows the saved deltaLink (410 Gone): the next round must list everyone again."""


class GraphListingStopped(GraphError):
    """A listing failed part-way; `users` and `removed` hold what arrived before (safe to apply)."""

    def __init__(self, message: str, *, users: list[GraphUser], removed: list[str]) -> None:
        super().__init__(message)
        self.users, self.removed = users, removed


class GraphNotConfigured(GraphError):
    """The directory sync lacks its tenant, client id or client secret."""


class GraphAuthError(GraphError):
    """Entra ID refused the app's token request (wrong secret, unknown client, no consent…)."""


@dataclass(frozen=True)
class UserChanges:
    """One round of Graph's delta query: the users it sent, the ids it removed, the link for the next round."""

    users: list[GraphUser]
    removed: list[str]
    delta_link: str | None
    full: bool  # a round without a deltaLink lists every user (then missing users are gone)


@dataclass(frozen=True)
class GraphUser:
    """One user as Graph lists it (only the fields the sync needs)."""

    id: str
    display_name: str | None
    given_name: str | None
    surname: str | None
    mail: str | None
    user_principal_name: str | None
    account_enabled: bool

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> GraphUser:
        return cls(
            id=str(item.get("id") or ""),
            display_name=item.get("displayName"),
            given_name=item.get("givenName"),
            surname=item.get("surname"),
            mail=item.get("mail"),
            user_principal_name=item.get("userPrincipalName"),
            account_enabled=item.get("accountEnabled") is not False,
        )


class GraphClient:
    """App-only (client-credentials) access to one tenant's directory."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        authority_host: str = "https://login.microsoftonline.com",
        base_url: str = "https://graph.microsoft.com/v1.0",
        ca_bundle: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._secret = client_secret
        self._verify: str | bool = ca_bundle or True
        self._app: msal.ConfidentialClientApplication | None = None
        self._http: requests.Session | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphClient:
        """A client for the configured tenant; GraphNotConfigured names the variables still to set."""
        missing = [variable for field, variable in REQUIRED_SETTINGS.items() if not getattr(settings, field)]
        if missing:
            raise GraphNotConfigured(
                "The Microsoft Graph directory sync is not configured: set "
                f"{', '.join(missing)} (environment or .streamlit/secrets.toml)."
            )
        assert settings.graph_client_secret is not None  # checked just above; narrows the type
        return cls(
            tenant_id=str(settings.graph_tenant_id),
            client_id=str(settings.graph_client_id),
            client_secret=settings.graph_client_secret.get_secret_value(),
            authority_host=settings.graph_authority_host,
            base_url=settings.graph_base_url,
            ca_bundle=settings.graph_ca_bundle,
        )

    def iter_users(self) -> Iterator[GraphUser]:
        """Every user of the tenant, following Graph's paging; raises GraphError mid-way on failure."""
        url = f"{self.base_url}/users"
        params: dict[str, str] | None = {"$select": USER_FIELDS, "$top": "999"}
        for item in self._iter_values(url, params):
            yield GraphUser.from_json(item)

    def user_changes(self, delta_link: str | None) -> UserChanges:
        """Users changed since `delta_link` (every user when None) through /users/delta, with the next link.

        A round with no changes is one request answering an empty page. GraphDeltaExpired when Graph
        answers 410 Gone for an old link (the caller then starts a full round).
        """
        if delta_link and not delta_link.startswith(f"{self.base_url}/"):
            delta_link = None  # saved for another Graph endpoint: start over with a full round
        url = delta_link or f"{self.base_url}/users/delta"
        params = None if delta_link else {"$select": USER_FIELDS}
        users: list[GraphUser] = []
        removed: list[str] = []
        next_url: str | None = url
        new_link = None
        while next_url:
            try:
                page = self._get(next_url, params if next_url == url else None, gone=GraphDeltaExpired)
            except GraphDeltaExpired:
                raise
            except GraphError as error:
                if not users and not removed:
                    raise
                raise GraphListingStopped(str(error), users=users, removed=removed) from error
            for item in page.get("value", []):
                if "@removed" in item:
                    removed.append(str(item.get("id") or ""))
                else:
                    users.append(GraphUser.from_json(item))
            next_url = page.get("@odata.nextLink")
            new_link = page.get("@odata.deltaLink") or new_link
        return UserChanges(users=users, removed=[user_id for user_id in removed if user_id], delta_link=new_link,
                           full=delta_link is None)

    def probe(self) -> int:
        """Get a token and read the first user: how many users the first page held (0 or 1)."""
        return len(self._get(f"{self.base_url}/users", {"$select": "id", "$top": "1"}).get("value", []))

    def list_group_ids(self, user_id: str) -> list[str]:
        """Object ids of the groups the user belongs to, directly or through nested groups."""
        url = f"{self.base_url}/users/{quote(user_id, safe='')}/transitiveMemberOf/microsoft.graph.group"
        return [str(item["id"]) for item in self._iter_values(url, {"$select": "id"}) if item.get("id")]

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # --- internals ------------------------------------------------------------------------------

    def _iter_values(self, url: str, params: dict[str, str] | None) -> Iterator[dict[str, Any]]:
        next_url: str | None = url
        while next_url:
            # nextLink already carries every query parameter (and the skip token): send none again.
            page = self._get(next_url, params if next_url == url else None)
            yield from page.get("value", [])
            next_url = page.get("@odata.nextLink")

    def _get(self, url: str, params: dict[str, str] | None, gone: type[GraphError] = GraphError) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = self._session().get(url, params=params, headers=headers)
            except requests.RequestException as error:
                raise GraphError(f"Cannot reach Microsoft Graph at {self.base_url}: {error}") from error
            if response.status_code not in RETRY_STATUSES or attempt == MAX_RETRIES:
                break
            time.sleep(_retry_after(response, attempt))
        if response.status_code == 410:
            raise gone(f"Microsoft Graph no longer knows this sync state: {_graph_message(response)}")
        if not response.ok:
            path = urlsplit(url).path
            raise GraphError(f"Microsoft Graph answered {response.status_code} for {path}: {_graph_message(response)}")
        try:
            return response.json()
        except ValueError as error:
            raise GraphError(f"Microsoft Graph sent something other than JSON for {urlsplit(url).path}") from error

    def _token(self) -> str:
        try:
            result = self._msal_app().acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except (requests.RequestException, ValueError) as error:
            raise GraphError(f"Cannot get a token from {self.authority}: {error}") from error
        token = result.get("access_token") if result else None
        if not token:
            detail = (result or {}).get("error_description") or (result or {}).get("error") or "no details"
            raise GraphAuthError(f"Microsoft Entra ID refused the directory sync's token request: {detail}")
        return token

    def _msal_app(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            host = urlparse(self.authority).hostname or ""
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._secret,
                    authority=self.authority,
                    http_client=self._session(),  # carries verify and timeout (msal ignores them then)
                    # Instance discovery asks login.microsoftonline.com about the authority; a host it does
                    # not know (a private authority, the test stand-in) is one we configured ourselves.
                    instance_discovery=None if host in WELL_KNOWN_AUTHORITY_HOSTS else False,
                )
            except (requests.RequestException, ValueError) as error:
                raise GraphError(f"Cannot use the Entra ID authority {self.authority}: {error}") from error
        return self._app

    def _session(self) -> requests.Session:
        if self._http is None:
            http = requests.Session()
            # Per request, not `Session.verify`: requests lets REQUESTS_CA_BUNDLE override the latter
            # (psf/requests#3829), which would drop the CA file configured for Graph.
            send = functools.partial(http.request, verify=self._verify, timeout=self.timeout)
            http.request = send  # type: ignore[method-assign]
            self._http = http
        return self._http


def _retry_after(response: requests.Response, attempt: int) -> float:
    try:
        wait = float(response.headers.get("Retry-After", ""))
    except ValueError:
        wait = 2.0**attempt
    return min(max(wait, 0.0), MAX_RETRY_WAIT_SECONDS)


def _graph_message(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return response.text[:200] or response.reason
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or response.reason)
    return str(error)
