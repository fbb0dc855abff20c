"""The web UI: `python app.py` (or `qa serve`), then open http://127.0.0.1:7860.

Host and port: QA_HOST / QA_PORT (or GRADIO_SERVER_PORT); login: QA_UI_AUTH=user:password.
"""

from qa.ui.app import main

if __name__ == "__main__":
    main()
