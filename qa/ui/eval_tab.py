"""The Eval tab: score the answering chain against a gold file and show the metrics, charts and
the failing questions."""

from __future__ import annotations

from html import escape
from pathlib import Path

import gradio as gr

from qa.errors import QAError
from qa.settings import bundled_path
from qa.ui.gold_files import GoldFiles, remember_upload
from qa.ui.render import error_html, failures_html
from qa.ui.state import Loader, UIState

SAMPLE_CORPUS = "sample corpus (throwaway store)"


def _path(file) -> str | None:
    """gr.File's value as a path string (a path, or an object with `.name` in older Gradio)."""
    if not file:
        return None
    return file if isinstance(file, str) else file.name


def build_eval_tab(state: UIState) -> Loader:
    """The tab's widgets and handler, inside an open `gr.Tab`. Returns what the page's load event
    fills in: the gold files are listed after login, by name, never as server paths."""
    gold = GoldFiles(bundled_path("eval/gold"))
    with gr.Row():
        # Names only, checked against the gold folder when run (a custom value is refused there,
        # not here, so the API and the page share one message).
        gold_pick = gr.Dropdown([], label="Gold file", allow_custom_value=True, elem_id="qa-gold-pick")
        gold_upload = gr.File(file_types=[".jsonl"], label="…or upload one", elem_id="qa-gold-upload")
        corpus = gr.Radio([SAMPLE_CORPUS, "current store"], value=SAMPLE_CORPUS, label="Articles")
    uploaded_here = gr.State([])  # this session's gold uploads: the only uploaded files it may run
    gold_note = gr.HTML(elem_id="qa-gold-note")
    run_eval_button = gr.Button("Run eval", variant="primary")
    # Hidden until a run: no empty tables on a first visit.
    metrics_table = gr.Dataframe(headers=["metric", "value"], label="Metrics", interactive=False, visible=False,
                                 elem_id="qa-eval-metrics")
    charts = gr.HTML(elem_id="qa-eval-charts")
    failing = gr.HTML(elem_id="qa-eval-failing")

    def run_gold(pick, uploaded, which, session_uploads, progress=gr.Progress()):
        from qa.evaluation.reports import charts_html, metric_rows, worst
        from qa.evaluation.runner import run_eval

        total = {"n": 0, "done": 0}

        def started(n):
            total["n"] = n

        def done(_):
            total["done"] += 1
            progress(total["done"] / max(total["n"], 1), desc=f"{total['done']}/{total['n']} questions")

        try:
            path = gold.resolve(pick, _path(uploaded), session_uploads or [])
            # the trust set also needs its own articles (eval/README.md: Gold format)
            articles = ([bundled_path("data/sample")] + ([bundled_path("data/trust")] if path.name == "trust.jsonl" else [])
                        if which.startswith("sample") else None)
            results, summary = run_eval(state.settings, gold=path, articles=articles,
                                        embedder=state.default.embedder, on_start=started, on_done=done)
        except QAError as exc:
            return gr.update(visible=False), error_html(str(exc)), ""
        metrics = [[name, value] for name, value in metric_rows(summary)]
        bad = [(r.id, r.question, ", ".join(r.gold_answers) or "(unanswerable)", r.error or r.prediction)
               for r in worst(results, 50)]
        return gr.update(value=metrics, visible=True), charts_html(results, summary), failures_html(bad)

    def loaded():
        return gr.update(choices=gold.names(), value=gold.default())

    def uploaded(file, session_uploads):
        """Remember the upload for this session, and say that it is what runs."""
        path = _path(file)
        note = f"Run eval uses the uploaded file {escape(Path(path).name)}." if path else ""
        return remember_upload(path, session_uploads), note

    gold_upload.upload(uploaded, [gold_upload, uploaded_here], [uploaded_here, gold_note], queue=False,
                       api_name="gold_uploaded")
    gold_upload.clear(lambda: "", None, [gold_note], queue=False, api_visibility="private")
    run_eval_button.click(run_gold, [gold_pick, gold_upload, corpus, uploaded_here], [metrics_table, charts, failing],
                          api_name="run_gold")
    return Loader("load_gold_files", loaded, [gold_pick])

