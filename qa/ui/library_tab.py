"""The Library tab: add articles (uploads or the bundled sample), list and filter them, delete one."""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.assistant import Assistant
from qa.ingest.formats import FORMATS
from qa.settings import bundled_path
from qa.ui.state import Loader, UIState
from qa.ui.uploads import UploadLimits, stage_uploads

if TYPE_CHECKING:
    from qa.ui.ask_tab import EmptyStoreNotice

ARTICLE_COLUMNS = ["title", "source", "published", "chunks", "id"]
UPLOAD_TYPES = list(FORMATS)
EMPTY_NOTE = "No articles yet: add files above, or load the bundled sample corpus."


def article_rows(assistant: Assistant, needle: str = "") -> list[list[Any]]:
    """The library table's rows: the articles whose title, source or id contains `needle`."""
    needle = (needle or "").lower().strip()
    rows = []
    for a in assistant.articles():
        if needle and needle not in f"{a.title} {a.source} {a.id}".lower():
            continue
        rows.append([a.title, a.source, a.published, a.chunks, a.id])
    return rows


def build_library_tab(state: UIState, notice: EmptyStoreNotice) -> Loader:
    """The tab's widgets and handlers, inside an open `gr.Tab`. Every change also refreshes the
    Ask tab's `notice` (empty-store note, sample button, example questions), whose sample button
    loads the sample as the one here does. Returns what the page's load event fills in: the article
    table and ids are sent after login, never in the page's config (a login page must not list
    the store)."""
    with gr.Row():
        # The server refuses a larger file as it streams in (qa.ui.app passes the limit to Gradio).
        uploads = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, elem_id="qa-upload",
                          label=f"Add articles (at most {state.settings.max_upload_mb:g} MB a file)")
        with gr.Column():
            add = gr.Button("Add to library", variant="primary", elem_id="qa-add")
            load_sample = gr.Button("Load the bundled sample corpus")
    # Hidden until there was an upload: no empty table on a first visit.
    results = gr.Dataframe(headers=["file", "result", "articles", "chunks", "reason"], label="Last upload",
                           interactive=False, visible=False, wrap=True, latex_delimiters=[],
                           elem_id="qa-upload-results")
    needle = gr.Textbox(label="Filter articles", elem_id="qa-filter")
    library = gr.Dataframe(headers=ARTICLE_COLUMNS, interactive=False, wrap=True, latex_delimiters=[],
                           label="Articles", visible=False, elem_id="qa-articles")
    with gr.Row():
        doomed = gr.Dropdown([], label="Article id", elem_id="qa-delete-id", allow_custom_value=True)
        delete = gr.Button("Delete article", variant="stop", elem_id="qa-delete")
    library_note = gr.HTML(elem_id="qa-library-note")  # text only, escaped (it may echo an id typed in)

    def articles_update():
        """The table, hidden while the store is empty (the note says so instead)."""
        rows = article_rows(state.default)
        return gr.update(value=rows, visible=bool(rows))

    def library_outputs(note: str, rows=None):
        ids = [a.id for a in state.default.articles()]
        shown = gr.update() if rows is None else gr.update(value=rows, visible=True)
        if not ids:
            note = f"{note} {EMPTY_NOTE}".strip()
        return (shown, articles_update(), gr.update(choices=ids, value=None), escape(note), *notice.refresh())

    lib_outputs = [results, library, doomed, library_note, *notice.components]

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

    def loaded():
        """The table, the ids and the empty-store note, when the page loads (after login)."""
        ids = [a.id for a in state.default.articles()]
        return articles_update(), gr.update(choices=ids, value=None), "" if ids else escape(EMPTY_NOTE)

    add.click(add_files, [uploads], lib_outputs)
    load_sample.click(add_sample, None, lib_outputs)
    notice.load_sample.click(add_sample, None, lib_outputs)
    delete.click(delete_article, [doomed], lib_outputs)
    needle.change(lambda n: article_rows(state.default, n), [needle], [library])
    return Loader("load_library", loaded, [library, doomed, library_note])
