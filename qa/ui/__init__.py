"""The Gradio web UI: one module per tab composed by `app`, rendering, uploads; the work is done
by qa.Assistant."""

import os

# Set before any module of this package imports gradio: else it looks up remote hosts at launch.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
