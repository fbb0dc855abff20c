"""Server mode: a Chroma client for `QA_CHROMA_URL` whose failures are one-line `StoreError`s.

Chroma's HTTP client raises raw httpx errors (or a bare `Exception` with the response body) when
the server is down, restarts or refuses the token. `connect()` returns the client wrapped so that
every call on it, and on the collections it hands out, turns those into messages naming the URL
(never the token). After a server restart the same client carries on: httpx opens a new
connection on the next request, and collections keep their ids across restarts.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from qa.errors import ConfigError, StoreError
from qa.settings import redact_url

# Writes of large batches can take a while on a busy server; a hung server still errors out.
_READ_SECONDS = 300.0


@dataclass(frozen=True)
class ServerAddress:
    url: str
    host: str
    port: int
    ssl: bool

    @classmethod
    def parse(cls, url: str) -> ServerAddress:
        raw = url.strip()
        parts = urlsplit(raw if "://" in raw else f"http://{raw}")
        try:
            port = parts.port
        except ValueError:
            port = -1
        if (
            parts.scheme not in ("http", "https") or not parts.hostname or port == -1
            or parts.path.strip("/") or parts.query or parts.fragment or parts.username
        ):
            raise ConfigError(
                f"QA_CHROMA_URL: cannot use {redact_url(raw)!r}; write it as http://HOST:PORT, "
                "e.g. http://127.0.0.1:8000"
            )
        ssl = parts.scheme == "https"
        port = port or (443 if ssl else 8000)
        return cls(url=f"{parts.scheme}://{parts.hostname}:{port}", host=parts.hostname, port=port, ssl=ssl)

    def unreachable(self) -> StoreError:
        return StoreError(
            f"cannot reach the Chroma server at {self.url}; "
            "is `chroma run` running and QA_CHROMA_URL right?"
        )

    def refused(self, status: int) -> StoreError:
        return StoreError(
            f"the Chroma server at {self.url} refused the request (HTTP {status}): "
            "check QA_CHROMA_TOKEN"
        )


def connect(address: ServerAddress, token: str | None = None, connect_timeout: float = 30.0) -> Any:
    """A guarded `chromadb.HttpClient` for the server (checks that it answers)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    logging.getLogger("httpx").setLevel(logging.WARNING)  # else one INFO line per request
    headers = {"Authorization": f"Bearer {token}"} if token else None
    _probe(address, headers or {}, connect_timeout)
    try:
        client = _translated(address)(chromadb.HttpClient)(
            host=address.host,
            port=address.port,
            ssl=address.ssl,
            headers=headers,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except ValueError as exc:
        if "already exists" in str(exc):  # Chroma keeps one client (one token) per server and process
            raise StoreError(
                f"this process already talks to the Chroma server at {address.url} with another "
                "token; use one QA_CHROMA_TOKEN per process"
            ) from None
        raise StoreError(f"the Chroma server at {address.url} failed: {exc}") from None
    _tune_session(client, address, connect_timeout)
    return SharedClient(client, address)


def _probe(address: ServerAddress, headers: dict[str, str], connect_timeout: float) -> None:
    """Ask the server who we are before Chroma's client does: its own checks turn a refused
    connection or token into a vague ValueError."""
    import httpx

    try:
        reply = httpx.get(
            f"{address.url}/api/v2/auth/identity", headers=headers,
            timeout=httpx.Timeout(_READ_SECONDS, connect=connect_timeout),
        )
    except httpx.TransportError:
        raise address.unreachable() from None
    if reply.status_code in (401, 403):
        raise address.refused(reply.status_code)


def _tune_session(client: Any, address: ServerAddress, connect_timeout: float) -> None:
    """Bound waits (Chroma's default is none) and name auth refusals. The session is private to
    chromadb, so this is best effort: without it only the messages get vaguer."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        return
    session.timeout = httpx.Timeout(_READ_SECONDS, connect=connect_timeout)
    hooks = session.event_hooks.setdefault("response", [])
    if not any(getattr(h, "_qa_auth_check", False) for h in hooks):

        def check_auth(response: httpx.Response) -> None:
            if response.status_code in (401, 403):
                raise address.refused(response.status_code)

        check_auth._qa_auth_check = True  # type: ignore[attr-defined]
        hooks.append(check_auth)


def _translated(address: ServerAddress):
    """Decorator: run a Chroma call, turning transport and auth failures into a StoreError."""
    import httpx
    from chromadb.errors import AuthorizationError, ChromaAuthError

    def wrap(call):
        @functools.wraps(call)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return call(*args, **kwargs)
            except httpx.TransportError:
                raise address.unreachable() from None
            except (ChromaAuthError, AuthorizationError):
                raise address.refused(403) from None

        return run

    return wrap


class Guarded:
    """A Chroma client or collection whose method calls fail with clear `StoreError`s."""

    def __init__(self, target: Any, address: ServerAddress):
        self._target = target
        self._address = address

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        call = _translated(self._address)(value)

        @functools.wraps(value)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            result = call(*args, **kwargs)
            return Guarded(result, self._address) if _is_collection(result) else result

        return guarded

    def __repr__(self) -> str:
        return f"Guarded({self._target!r})"


class SharedClient(Guarded):
    """The client: other app processes may create the same collection at the same moment."""

    def create_collection(self, name: str, **options: Any) -> Any:
        from chromadb.errors import ChromaError

        try:
            return self.__getattr__("create_collection")(name, **options)
        except ChromaError as exc:
            if "already exists" not in str(exc):
                raise
        existing = self.get_collection(name, embedding_function=None)
        wanted, found = options.get("metadata") or {}, existing.metadata or {}
        for key in ("qa_embed_model", "qa_embed_dim"):
            if key in wanted and found.get(key) != wanted[key]:
                raise StoreError(
                    f"another process just created collection '{name}' on {self._address.url} with "
                    f"embedding model '{found.get('qa_embed_model')}'; set QA_EMBED to match"
                )
        return existing


def _is_collection(value: Any) -> bool:
    from chromadb.api.models.Collection import Collection

    return isinstance(value, Collection)
