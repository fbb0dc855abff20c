"""A fake OpenAI-compatible server on 127.0.0.1: real HTTP, the real wire format (chat
completions, SSE streaming, embeddings), driven by scripted replies, counting every request."""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted reply. `content` may be a function of the request body (e.g. to quote the
    prompt's sources). `status` != 200 sends an OpenAI-style error; `raw` sends bytes as is."""

    content: str | Callable[[dict], str] = ""
    status: int = 200
    delay: float = 0.0
    finish_reason: str = "stop"
    raw: bytes | None = None
    headers: dict[str, str] | None = None


def embed_text(text: str, dim: int = 64) -> list[float]:
    """A deterministic embedding that ranks: hashed bag of words, L2-normalised."""
    vector = [0.0] * dim
    for word in re.findall(r"\w+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.default: Reply | None = None
        self.requests: list[tuple[str, dict, dict]] = []  # (path, body, headers)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def chat_requests(self) -> list[dict]:
        return [body for path, body, _ in self.requests if path.endswith("/chat/completions")]

    def _next(self) -> Reply:
        with self._lock:
            if self.script:
                return self.script.pop(0)
        if self.default is None:
            return Reply(status=500, content="no scripted reply left")
        return self.default

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append((self.path, body, dict(self.headers)))
                if self.path.endswith("/embeddings"):
                    return self._embeddings(body)
                if self.path.endswith("/chat/completions"):
                    return self._chat(body, fake._next())
                self._send(404, {"error": {"message": "unknown path", "type": "invalid_request_error"}})

            def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _embeddings(self, body: dict) -> None:
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [{"object": "embedding", "index": i, "embedding": embed_text(t)} for i, t in enumerate(inputs)]
                self._send(200, {"object": "list", "data": data, "model": body.get("model"),
                                 "usage": {"prompt_tokens": 1, "total_tokens": 1}})

            def _chat(self, body: dict, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.raw is not None:
                    return self._send(reply.status, reply.raw, reply.headers)
                content = reply.content(body) if callable(reply.content) else reply.content
                if reply.status != 200:
                    error = {"error": {"message": content or "error", "type": "server_error", "code": None}}
                    return self._send(reply.status, error, reply.headers)
                usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
                if body.get("stream"):
                    return self._stream(body, content, reply.finish_reason, usage)
                self._send(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": reply.finish_reason}],
                    "usage": usage,
                })

            def _stream(self, body: dict, content: str, finish: str, usage: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [content[i : i + 7] for i in range(0, len(content), 7)] or [""]
                for n, piece in enumerate(pieces):
                    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body.get("model"),
                             "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece} if n == 0 else {"content": piece},
                                          "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                last = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body.get("model"),
                        "choices": [{"index": 0, "delta": {}, "finish_reason": finish}], "usage": usage}
                self.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

        return Handler
