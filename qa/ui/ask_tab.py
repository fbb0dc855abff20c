"""The Ask tab: the conversation, the answer with its cited spans, and the answer settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import gradio as gr

from qa.errors import QAError
from qa.store.filters import checked_filters
from qa.types import Filters
from qa.ui.bubbles import WARNING, answer_bubble, bubble_text, error_bubble, text_bubble
from qa.ui.examples import chat_examples
from qa.ui.render import answer_html, chunks_html, error_html
from qa.ui.state import Loader, UIState

STREAM_INTERVAL = 0.1  # seconds between streamed chat updates
DATE_NAMES = {"published_from": "Published from", "published_to": "Published until"}  # as labelled


@dataclass(frozen=True)
class EmptyStoreNotice:
    """What the Ask tab offers for a start: while the store holds no articles, a note and a button
    that loads the sample corpus; otherwise example questions drawn from the articles, in the empty
    chat. The Library tab refreshes them after each change, the page when it loads (after login:
    nothing about the store is in the page's config)."""

    state: UIState
    note: gr.Markdown
    load_sample: gr.Button
    chat: gr.Chatbot

    @property
    def components(self) -> list[Any]:
        return [self.note, self.load_sample, self.chat]

    @property
    def loader(self) -> Loader:
        return Loader("refresh_empty", self.refresh, self.components)  # its API name so far

    def refresh(self) -> tuple[Any, Any, Any]:
        articles = self.state.default.articles()
        empty = not articles
        note = "**No articles yet.** Load the bundled sample corpus, or add your own in the Library tab." if empty else ""
        return gr.update(value=note, visible=empty), gr.update(visible=empty), gr.update(examples=chat_examples(articles))


def build_ask_tab(state: UIState) -> EmptyStoreNotice:
    """The tab's widgets and handlers, inside an open `gr.Tab`; returns its empty-store notice."""
    note = gr.Markdown(visible=False, elem_id="qa-empty")
    load_sample = gr.Button("Load the bundled sample corpus", visible=False, elem_id="qa-load-sample")
    # No Markdown, no LaTeX: bubbles are escaped HTML from qa.ui.bubbles (article text is untrusted).
    chat = gr.Chatbot(label="Conversation", height=360, elem_id="qa-chat", render_markdown=False,
                      latex_delimiters=[])
    notice = EmptyStoreNotice(state, note, load_sample, chat)
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

    def respond(message, history, model_name, k, date_from, date_to, show):
        history = list(history or [])
        if not (message or "").strip():
            yield history, "", error_html("Type a question first."), ""
            return
        history.append({"role": "user", "content": text_bubble(message)})
        history.append({"role": "assistant", "content": ""})
        yield history, "", "", ""
        try:
            # Checked first: a typo in a date is a message, not a model call answering from nothing.
            filters = checked_filters(
                Filters(published_from=(date_from or "").strip(), published_to=(date_to or "").strip()), DATE_NAMES
            )
            assistant = state.assistant(model_name)
            turns = [(m["role"], bubble_text(m["content"])) for m in history[:-2]
                     if m["role"] in ("user", "assistant") and not bubble_text(m["content"]).startswith(WARNING)]
            standalone = assistant.condense(turns, message) if turns else message
            answer, text, shown_at = None, "", 0.0
            for part in assistant.ask_stream(standalone, top_k=int(k), filters=filters):
                if isinstance(part, str):
                    text += part
                    # Each update re-sends the whole chat: send at most ~10 per second.
                    if time.monotonic() - shown_at >= STREAM_INTERVAL:
                        history[-1] = {"role": "assistant", "content": text_bubble(text)}
                        shown_at = time.monotonic()
                        yield history, "", "", ""
                else:
                    answer = part
            if standalone != message:
                answer = replace(answer, question=message, search_question=standalone)
            history[-1] = {"role": "assistant", "content": answer_bubble(answer)}
            yield history, "", answer_html(answer, assistant.article), chunks_html(answer.retrieved) if show else ""
        except QAError as exc:  # a readable message; the app keeps working
            history[-1] = {"role": "assistant", "content": error_bubble(str(exc))}
            yield history, "", error_html(str(exc)), ""

    ask_inputs = [question, chat, model, top_k, since, until, show_chunks]
    ask_outputs = [chat, question, answer_panel, chunks_panel]
    def ask_example(history, model_name, k, date_from, date_to, show, event: gr.SelectData):
        """A click on an example question in the empty chat asks it."""
        picked = event.value
        text = picked.get("text", "") if isinstance(picked, dict) else str(picked or "")
        yield from respond(text, history, model_name, k, date_from, date_to, show)

    send.click(respond, ask_inputs, ask_outputs)
    question.submit(respond, ask_inputs, ask_outputs)
    chat.example_select(ask_example, ask_inputs[1:], ask_outputs, api_name="ask_example")
    clear.click(lambda: ([], "", ""), None, [chat, answer_panel, chunks_panel])
    return notice
