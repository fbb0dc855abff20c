"""The Gradio web UI: page layout, rendering, uploads; the work is done by qa.Assistant."""
