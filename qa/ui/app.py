"""The Gradio web UI: chat with highlighted cited spans, the article library, and the eval tab.

It only wires widgets to `Assistant` calls and renders results (HTML comes from ui_render).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # else it looks up remote hosts at launch

import gradio as gr  # noqa: E402

from qa.assistant import Assistant  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.settings import Settings, bundled_path, load_settings  # noqa: E402
from qa.types import Filters  # noqa: E402
from qa.ui.render import CSS, HEAD, answer_html, chunks_html, error_html  # noqa: E402
from qa.ui.uploads import UploadLimits, stage_uploads  # noqa: E402

ARTICLE_COLUMNS = ["title", "source", "published", "chunks", "id"]
STREAM_INTERVAL = 0.1  # seconds between streamed chat updates
UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"]


class UIState:
    """Assistants per answering model, sharing one embedder and one store."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.default = Assistant.open(settings)
        self._by_model = {settings.llm: self.default}
        self._lock = threading.Lock()

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys([self.settings.llm, "extractive"]))

    def assistant(self, model: str | None) -> Assistant:
        model = model or self.settings.llm
        with self._lock:
            if model not in self._by_model:
                copy = self.settings.model_copy(update={"llm": model})
                self._by_model[model] = Assistant.open(copy, embedder=self.default.embedder)
            return self._by_model[model]


def _text_of(content: Any) -> str:
    """Chat message content as plain text (Gradio may hand it back as a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return " ".join(_text_of(part) for part in content)
    return str(content)


def _article_rows(assistant: Assistant, needle: str = "") -> list[list[Any]]:
    needle = (needle or "").lower().strip()
    rows = []
    for a in assistant.articles():
        if needle and needle not in f"{a.title} {a.source} {a.id}".lower():
            continue
        rows.append([a.title, a.source, a.published, a.chunks, a.id])
    return rows


def build(state: UIState) -> gr.Blocks:
    with gr.Blocks(title="qa: news answers with verified citations") as demo:
        gr.Markdown("## qa: ask the articles\nEvery answer cites exact passages, checked against the stored article.")
        with gr.Tab("Ask"):
            empty_note = gr.Markdown(visible=False, elem_id="qa-empty")
            load_sample_top = gr.Button("Load the bundled sample corpus", visible=False, elem_id="qa-load-sample")
            chat = gr.Chatbot(label="Conversation", height=360, elem_id="qa-chat")
            with gr.Row():
                question = gr.Textbox(placeholder="How many hostages would be released?", show_label=False,
                                      scale=8, elem_id="qa-question")
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-send")
                clear = gr.Button("New conversation", scale=1)
            answer_panel = gr.HTML(elem_id="qa-answer")
            with gr.Accordion("Settings", open=False):
                with gr.Row():
                    model = gr.Dropdown(state.models, value=state.settings.llm, label="Model", elem_id="qa-model")
                    top_k = gr.Slider(1, 20, value=state.settings.top_k, step=1, label="Chunks given to the model")
                with gr.Row():
                    since = gr.Textbox(label="Published from (YYYY-MM-DD)")
                    until = gr.Textbox(label="Published until (YYYY-MM-DD)")
                    show_chunks = gr.Checkbox(label="Show retrieved chunks with scores", elem_id="qa-show-chunks")
            chunks_panel = gr.HTML(elem_id="qa-chunks")
        with gr.Tab("Library", elem_id="qa-library-tab"):
            with gr.Row():
                uploads = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Add articles", elem_id="qa-upload")
                with gr.Column():
                    add = gr.Button("Add to library", variant="primary", elem_id="qa-add")
                    load_sample = gr.Button("Load the bundled sample corpus")
            results = gr.Dataframe(headers=["file", "result", "articles", "chunks", "reason"], label="Last upload",
                                   interactive=False, elem_id="qa-upload-results")
            needle = gr.Textbox(label="Filter articles", elem_id="qa-filter")
            library = gr.Dataframe(headers=ARTICLE_COLUMNS, value=_article_rows(state.default), interactive=False,
                                   label="Articles", elem_id="qa-articles")
            with gr.Row():
                doomed = gr.Dropdown([a.id for a in state.default.articles()], label="Article id", elem_id="qa-delete-id",
                                     allow_custom_value=True)
                delete = gr.Button("Delete article", variant="stop", elem_id="qa-delete")
            library_note = gr.Markdown(elem_id="qa-library-note")
        with gr.Tab("Eval"):
            gold_files = sorted(str(p) for p in bundled_path("eval/gold").glob("*.jsonl")) if bundled_path("eval/gold").exists() else []
            with gr.Row():
                gold_pick = gr.Dropdown(gold_files, value=gold_files[0] if gold_files else None, label="Gold file",
                                        allow_custom_value=True)
                gold_upload = gr.File(file_types=[".jsonl"], label="…or upload one")
                corpus = gr.Radio(["sample corpus (throwaway store)", "current store"],
                                  value="sample corpus (throwaway store)", label="Articles")
            run_eval_button = gr.Button("Run eval", variant="primary")
            metrics_table = gr.Dataframe(headers=["metric", "value"], label="Metrics", interactive=False,
                                         elem_id="qa-eval-metrics")
            charts = gr.HTML(elem_id="qa-eval-charts")
            failing = gr.Dataframe(headers=["id", "question", "gold", "answer"], label="Failing questions",
                                   interactive=False, elem_id="qa-eval-failing")

        # ----- handlers --------------------------------------------------------------------
        def refresh_empty():
            empty = not state.default.articles()
            note = "**No articles yet.** Load the bundled sample corpus, or add your own in the Library tab." if empty else ""
            return gr.update(value=note, visible=empty), gr.update(visible=empty)

        def respond(message, history, model_name, k, date_from, date_to, show):
            history = list(history or [])
            if not (message or "").strip():
                yield history, "", error_html("Type a question first."), ""
                return
            history.append({"role": "user", "content": message})
            history.append({"role": "assistant", "content": ""})
            yield history, "", "", ""
            try:
                assistant = state.assistant(model_name)
                turns = [(m["role"], _text_of(m["content"])) for m in history[:-2]
                         if m["role"] in ("user", "assistant") and not _text_of(m["content"]).startswith("⚠️")]
                standalone = assistant.condense(turns, message) if turns else message
                filters = Filters(published_from=(date_from or "").strip(), published_to=(date_to or "").strip())
                answer, text, shown_at = None, "", 0.0
                for part in assistant.ask_stream(standalone, top_k=int(k), filters=filters):
                    if isinstance(part, str):
                        text += part
                        # Each update re-sends the whole chat: send at most ~10 per second.
                        if time.monotonic() - shown_at >= STREAM_INTERVAL:
                            history[-1] = {"role": "assistant", "content": text}
                            shown_at = time.monotonic()
                            yield history, "", "", ""
                    else:
                        answer = part
                if standalone != message:
                    answer = replace(answer, question=message, search_question=standalone)
                content = answer.answer if answer.answerable else f"_{answer.answer}_"
                if answer.short:
                    content = f"**{answer.short}**\n\n{content}"
                history[-1] = {"role": "assistant", "content": content}
                yield history, "", answer_html(answer, assistant.article), chunks_html(answer.retrieved) if show else ""
            except QAError as exc:  # a readable message; the app keeps working
                history[-1] = {"role": "assistant", "content": f"⚠️ {exc}"}
                yield history, "", error_html(str(exc)), ""

        ask_inputs = [question, chat, model, top_k, since, until, show_chunks]
        ask_outputs = [chat, question, answer_panel, chunks_panel]
        send.click(respond, ask_inputs, ask_outputs)
        question.submit(respond, ask_inputs, ask_outputs)
        clear.click(lambda: ([], "", ""), None, [chat, answer_panel, chunks_panel])

        def library_outputs(note: str, rows=None):
            ids = [a.id for a in state.default.articles()]
            return (rows if rows is not None else gr.update(), _article_rows(state.default), gr.update(choices=ids, value=None),
                    note, *refresh_empty())

        lib_outputs = [results, library, doomed, library_note, empty_note, load_sample_top]

        def add_files(files, progress=gr.Progress()):
            if not files:
                return library_outputs("Choose one or more files first.")
            rows = []
            limits = UploadLimits.from_mb(state.settings.max_upload_mb, state.settings.max_upload_total_mb)
            named = [(Path(p if isinstance(p, str) else p.name).name, Path(p if isinstance(p, str) else p.name))
                     for p in files]
            # A fresh folder per upload; names are sanitised there (they become article ids).
            with tempfile.TemporaryDirectory(prefix="qa-upload-") as folder:
                for staged in progress.tqdm(stage_uploads(named, Path(folder), limits), desc="Adding articles"):
                    if not staged.accepted:
                        rows.append([staged.name, "failed", "", 0, staged.reason])
                        continue
                    result = state.default.ingest([staged.path]).files[0]
                    rows.append([staged.name, result.status, ", ".join(result.articles), result.chunks, result.reason])
            state.default.lexical.ensure_current(state.default.store)
            return library_outputs(f"{len(rows)} file(s) processed.", rows)

        def add_sample(progress=gr.Progress()):
            progress(0, desc="Loading the sample corpus")
            report = state.default.ingest([bundled_path("data/sample")])
            rows = [[Path(f.path).name, f.status, ", ".join(f.articles), f.chunks, f.reason] for f in report.files]
            return library_outputs(f"Sample corpus: {report.count('added')} added, {report.count('unchanged')} unchanged.", rows)

        def delete_article(article_id):
            if not article_id:
                return library_outputs("Pick an article id to delete.")
            removed = state.default.remove(article_id)
            return library_outputs(f"Deleted {article_id}." if removed else f"No article with id {article_id}.")

        add.click(add_files, [uploads], lib_outputs)
        load_sample.click(add_sample, None, lib_outputs)
        load_sample_top.click(add_sample, None, lib_outputs)
        delete.click(delete_article, [doomed], lib_outputs)
        needle.change(lambda n: _article_rows(state.default, n), [needle], [library])

        def run_gold(pick, uploaded, which, progress=gr.Progress()):
            from qa.evaluation.reports import charts_html, metric_rows, worst
            from qa.evaluation.runner import run_eval

            gold = Path(uploaded if isinstance(uploaded, str) else uploaded.name) if uploaded else Path(pick or "")
            total = {"n": 0, "done": 0}

            def started(n):
                total["n"] = n

            def done(_):
                total["done"] += 1
                progress(total["done"] / max(total["n"], 1), desc=f"{total['done']}/{total['n']} questions")

            try:
                articles = bundled_path("data/sample") if which.startswith("sample") else None
                results_, summary = run_eval(state.settings, gold=gold, articles=articles,
                                             embedder=state.default.embedder, on_start=started, on_done=done)
            except QAError as exc:
                return [["error", str(exc)]], error_html(str(exc)), []
            metrics = [[name, value] for name, value in metric_rows(summary)]
            bad = [[r.id, r.question, ", ".join(r.gold_answers) or "(unanswerable)", r.error or r.prediction]
                   for r in worst(results_, 50)]
            return metrics, charts_html(results_, summary), bad

        run_eval_button.click(run_gold, [gold_pick, gold_upload, corpus], [metrics_table, charts, failing])
        demo.load(refresh_empty, None, [empty_note, load_sample_top])
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
        demo.launch(server_name=settings.host, server_port=settings.port, auth=auth, css=CSS, head=HEAD,
                    prevent_thread_lock=smoke, quiet=smoke, footer_links=[])
    except OSError as exc:
        print(f"error: cannot serve on {settings.host}:{settings.port} ({exc}); set QA_PORT to a free port",
              file=sys.stderr)
        raise SystemExit(1) from None
    if smoke:  # CI: prove the page is served, then stop
        import urllib.request

        url = f"http://{settings.host}:{demo.server_port}/"
        with urllib.request.urlopen(url, timeout=30) as response:
            print(f"UI served at {url} (HTTP {response.status}); exiting because QA_UI_EXIT_AFTER_START=1")
        demo.close()
