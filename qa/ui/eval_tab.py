"""The Eval tab: score the answering chain against a gold file and show the metrics, charts and
the failing questions."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from qa.errors import QAError
from qa.settings import bundled_path
from qa.ui.render import error_html
from qa.ui.state import UIState


def build_eval_tab(state: UIState) -> None:
    """The tab's widgets and handler, inside an open `gr.Tab`."""
    gold_folder = bundled_path("eval/gold")
    gold_files = sorted(str(p) for p in gold_folder.glob("*.jsonl")) if gold_folder.exists() else []
    with gr.Row():
        default = next((f for f in gold_files if f.endswith("sample.jsonl")), gold_files[0] if gold_files else None)
        gold_pick = gr.Dropdown(gold_files, value=default, label="Gold file",
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
            # the trust set also needs its own articles (eval/README.md: Gold format)
            articles = ([bundled_path("data/sample")] + ([bundled_path("data/trust")] if gold.name == "trust.jsonl" else [])
                        if which.startswith("sample") else None)
            results, summary = run_eval(state.settings, gold=gold, articles=articles,
                                        embedder=state.default.embedder, on_start=started, on_done=done)
        except QAError as exc:
            return [["error", str(exc)]], error_html(str(exc)), []
        metrics = [[name, value] for name, value in metric_rows(summary)]
        bad = [[r.id, r.question, ", ".join(r.gold_answers) or "(unanswerable)", r.error or r.prediction]
               for r in worst(results, 50)]
        return metrics, charts_html(results, summary), bad

    run_eval_button.click(run_gold, [gold_pick, gold_upload, corpus], [metrics_table, charts, failing])
