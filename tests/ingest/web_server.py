"""A small web server on loopback for the URL ingest tests and the URL benchmark: pages, feeds,
redirects, errors, slow and oversized answers, all served from a dict of routes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""  # for redirects
    delay: float = 0.0  # seconds before answering
    length: bool = True  # send Content-Length (else the body is streamed until the connection closes)
    repeat: int = 1  # send the body this many times (a large answer without holding it twice)


class WebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        routes, hits = self.routes, self.hits

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except ConnectionResetError:  # a client that stopped reading (a size limit): expected
                    pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                hits[self.path] = hits.get(self.path, 0) + 1
                route = routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.delay:
                    time.sleep(route.delay)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.location:
                    self.send_header("Location", route.location)
                if route.length:
                    self.send_header("Content-Length", str(len(route.body) * route.repeat))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(route.repeat):
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: as it should
                    pass
                if not route.length:
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> WebServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def rss(items: list[tuple[str, str, str]], title: str = "Coastal Ledger") -> bytes:
    """An RSS 2.0 feed of (link, title, RFC 822 date) items."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate><guid>{link}</guid></item>"
        for link, t, d in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://example.org/</link><description>News</description>{entries}</channel></rss>").encode()


def atom(items: list[tuple[str, str, str]], title: str = "Vale Gazette") -> bytes:
    """An Atom feed of (link, title, ISO date) entries."""
    entries = "".join(
        f'<entry><title>{t}</title><link href="{link}"/><id>{link}</id><updated>{d}</updated></entry>'
        for link, t, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
            f"<id>urn:x</id><updated>2025-01-01T00:00:00Z</updated>{entries}</feed>").encode()
