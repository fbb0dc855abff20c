"""Requests one failing model call costs: plain llama-index OpenAILike vs qa's single retry layer.

    python -m bench.retry_layers [--retries 3]

Runs the fake OpenAI-compatible server from the test suite on loopback, answering 500 forever.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from llama_index.core.base.llms.types import ChatMessage  # noqa: E402
from llama_index.llms.openai_like import OpenAILike  # noqa: E402

from fake_openai import FakeOpenAI, Reply  # noqa: E402
from qa.models.openai_compatible import OpenAIChat  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--retries", type=int, default=3)
    n = parser.parse_args().retries
    fake = FakeOpenAI().start()
    fake.default = Reply(status=500, content="down", headers={"retry-after-ms": "10"})
    clients = {
        f"llama-index OpenAILike(max_retries={n})": OpenAILike(
            model="m", api_base=fake.url, api_key="k", max_retries=n, is_chat_model=True
        ),
        f"qa OpenAIChat(retries={n})": OpenAIChat(model="m", api_base=fake.url, api_key="k", retries=n, is_chat_model=True),
    }
    for name, llm in clients.items():
        fake.requests.clear()
        started = time.perf_counter()
        try:
            llm.chat([ChatMessage(role="user", content="hi")])
        except Exception:
            pass
        print(f"{name}: {len(fake.chat_requests())} requests, {time.perf_counter() - started:.1f} s")
    fake.stop()


if __name__ == "__main__":
    main()
