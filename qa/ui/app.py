"""The Gradio web UI: chat with highlighted cited spans, the article library, and the eval tab.

It only composes the tabs (one module each) and serves the page; the tabs wire widgets to
`Assistant` calls and render results (HTML comes from qa.ui.render).
"""

from __future__ import annotations

import os
import time

import gradio as gr

from qa.errors import QAError
from qa.settings import Settings, load_settings
from qa.ui.ask_tab import build_ask_tab
from qa.ui.eval_tab import build_eval_tab
from qa.ui.library_tab import build_library_tab
from qa.ui.render import CSS, HEAD
from qa.ui.state import UIState
from qa.ui.uploads import MB


def build(state: UIState) -> gr.Blocks:
    """The page. Nothing about the store or the server's files is a component's initial value
    (Gradio serves those in the page's config, before any login): each tab's `Loader` fills them
    in when the page loads, which with QA_UI_AUTH set is after login."""
    with gr.Blocks(title="qa: news answers with verified citations") as demo:
        gr.Markdown("## qa: ask the articles\nEvery answer cites exact passages, checked against the stored article.")
        with gr.Tab("Ask"):
            empty_store = build_ask_tab(state)
        with gr.Tab("Library", elem_id="qa-library-tab"):
            library = build_library_tab(state, empty_store)
        with gr.Tab("Eval"):
            gold = build_eval_tab(state)
        for loader in (empty_store.loader, library, gold):
            demo.load(loader.fn, None, loader.outputs, api_name=loader.name, show_progress="hidden")
    return demo


def _auth(settings: Settings):
    if settings.ui_auth is None:
        return None
    user, sep, password = settings.ui_auth.get_secret_value().partition(":")
    if not sep or not user or not password:
        raise QAError("QA_UI_AUTH must look like user:password")
    return (user, password)


def _patient_url_ok(url: str, seconds: float = 60.0) -> bool:
    """Gradio's launch() gives the just-started server a few 3-second HEAD requests and, if they
    time out, fails asking for share=True; on a busy machine the first reply can be slower."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.head(url, timeout=10).status_code in (200, 401, 301, 302, 303, 307, 308):
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def _max_file_size(settings: Settings) -> int:
    """QA_MAX_UPLOAD_MB in bytes, for Gradio's upload route: a larger file is refused while it
    streams in (HTTP 413), before anything is stored, instead of after a whole upload."""
    return int(settings.max_upload_mb * MB)


def main() -> None:
    import sys

    gr.networking.url_ok = _patient_url_ok

    try:
        settings = load_settings()
        auth = _auth(settings)
        state = UIState(settings)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    if settings.host not in ("127.0.0.1", "localhost", "::1") and auth is None:
        print(f"warning: the UI is reachable from other machines ({settings.host}) without a login; "
              "set QA_UI_AUTH=user:password", file=sys.stderr)
    demo = build(state)
    demo.queue(default_concurrency_limit=2)
    smoke = os.environ.get("QA_UI_EXIT_AFTER_START") == "1"
    try:
        # quiet: Gradio's own lines end with a hint to set share=True (a public tunnel); we print ours.
        # run_history off: Gradio would keep every answer in the browser and offer to send them to a
        # Hugging Face bucket.
        demo.launch(server_name=settings.host, server_port=settings.port, auth=auth, css=CSS, head=HEAD,
                    prevent_thread_lock=True, quiet=True, footer_links=[], run_history=False,
                    max_file_size=_max_file_size(settings))
    except OSError as exc:
        print(f"error: cannot serve on {settings.host}:{settings.port} ({exc}); set QA_PORT to a free port",
              file=sys.stderr)
        raise SystemExit(1) from None
    url = f"http://{settings.host}:{demo.server_port}/"
    if smoke:  # CI: prove the page is served, then stop
        import urllib.request

        with urllib.request.urlopen(url, timeout=30) as response:
            print(f"UI served at {url} (HTTP {response.status}); exiting because QA_UI_EXIT_AFTER_START=1")
        demo.close()
        return
    print(f"qa web UI: {url} (Ctrl+C stops it)", flush=True)
    demo.block_thread()
