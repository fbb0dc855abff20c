"""Fetching web pages and feeds for ingest: http and https only, with limits on time, size and
redirects, a content-type check, and (when asked) no connections to the machine's own or private
networks.

`Fetcher.fetch(url)` returns a `Fetched` page or raises `ArticleError` with a one-line reason.
The address check runs where the connection is made, on the address actually connected to, so a
redirect or a name that resolves differently the second time cannot get round it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

from qa.errors import ArticleError
from qa.ingest.loading import too_large

CONNECT_TIMEOUT = 10.0  # seconds to connect, and between two reads of one response
PAGE_DEADLINE = 30.0  # seconds for a whole response: a server that trickles bytes is cut off
MAX_REDIRECTS = 5
USER_AGENT = "qa-ingest/0.1 (news article reader)"
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
TEXT_TYPES = ("text/plain",)
ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.1"


def is_url(value: str) -> bool:
    return value[:8].lower().startswith(("http://", "https://"))


def normal_url(url: str) -> str:
    """The URL as it is remembered: scheme and host in lower case, no fragment, no default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{netloc}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class FetchOptions:
    max_bytes: int = 50 * 1024 * 1024
    refuse_private: bool = False  # refuse loopback, private, link-local and other non-public addresses
    timeout: float = CONNECT_TIMEOUT
    deadline: float = PAGE_DEADLINE
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    content_type: str  # media type, lower case, without parameters
    charset: str  # from the Content-Type header ("" when not given)
    data: bytes


def _not_public(address: str) -> str:
    """Why an address may not be fetched when private addresses are refused ("" when it may)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, test in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local), ("private", ip.is_private),
                       ("unspecified", ip.is_unspecified), ("multicast", ip.is_multicast)):
        if test:
            return f"a {kind} address"
    return "" if ip.is_global else "a reserved address"


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself, checks every address, and connects to a checked one (so the
    address checked is the address used)."""

    def __init__(self, refuse_private: bool):
        self.refuse_private = refuse_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host!r} ({getattr(exc, 'strerror', None) or exc})") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if self.refuse_private:
            for address in addresses:
                why = _not_public(address)
                if why:
                    raise httpcore.ConnectError(
                        f"refused: {host} resolves to {address}, {why} (QA_REFUSE_PRIVATE_URLS is on)")
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
            except httpcore.ConnectTimeout:
                raise
        raise error or httpcore.ConnectError(f"no address for host {host!r}")


class Fetcher:
    """One HTTP client (connections are reused) for the pages of one ingest; thread-safe."""

    def __init__(self, options: FetchOptions | None = None):
        self.options = options or FetchOptions()
        transport = httpx.HTTPTransport(trust_env=False)
        # httpx has no public hook for the connection step; its pool takes a network backend.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=16,
            network_backend=_CheckedBackend(self.options.refuse_private),
        )
        self._client = httpx.Client(
            transport=transport, follow_redirects=True, max_redirects=self.options.max_redirects,
            timeout=httpx.Timeout(self.options.timeout), headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str) -> Fetched:
        if not is_url(url):
            raise ArticleError("only http:// and https:// addresses can be fetched")
        try:
            return self._fetch(url)
        except httpx.TooManyRedirects:
            raise ArticleError(f"more than {self.options.max_redirects} redirects; give the final address") from None
        except httpx.TimeoutException:
            raise ArticleError(f"no answer within {self.options.timeout:g} s (timed out)") from None
        except httpx.UnsupportedProtocol:
            raise ArticleError("redirected to an address that is not http:// or https://") from None
        except httpx.InvalidURL as exc:
            raise ArticleError(f"not a valid web address ({exc})") from None
        except httpx.HTTPError as exc:
            raise ArticleError(f"cannot fetch: {str(exc) or type(exc).__name__}") from None

    def _fetch(self, url: str) -> Fetched:
        started = time.monotonic()
        limit = self.options.max_bytes
        with self._client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise ArticleError(f"the server answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
            if response.status_code in (301, 302, 303, 307, 308):  # a redirect without a Location
                raise ArticleError(f"the server answered HTTP {response.status_code} with nowhere to go")
            media, charset = _content_type(response.headers.get("content-type", ""))
            if media and media not in (*PAGE_TYPES, *FEED_TYPES, *TEXT_TYPES) and not media.endswith("+xml"):
                raise ArticleError(f"not a web page or feed (content type {media}); save it and ingest the file")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_large(int(declared), limit, "page")
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > limit:
                    raise too_large(-1, limit, "page")
                if time.monotonic() - started > self.options.deadline:
                    raise ArticleError(f"the page took longer than {self.options.deadline:g} s to arrive")
            return Fetched(url, str(response.url), media, charset, bytes(body))


def _content_type(header: str) -> tuple[str, str]:
    media, _, params = header.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset
