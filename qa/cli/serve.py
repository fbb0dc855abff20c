"""`qa serve`: the web UI, as `python app.py` starts it."""

from __future__ import annotations


def serve_command() -> None:
    """Start the web UI (same as `python app.py`); QA_HOST / QA_PORT choose where."""
    from qa.ui.app import main as serve_ui  # gradio loads only for this command

    serve_ui()
