"""The command line stays light: neither `qa.cli.app` nor the ask path imports the web UI stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
for name in {modules!r}:
    __import__(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("gradio", "fastapi", "matplotlib"))))
"""


@pytest.mark.parametrize("modules", [["qa.cli.app"], ["qa.cli.app", "qa.assistant", "qa.settings"]])
def test_cli_and_ask_path_do_not_import_gradio(modules):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(modules=modules)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "gradio" not in {m.split(".")[0] for m in loaded}, loaded
    assert not any(m.startswith("matplotlib") for m in loaded)  # a bench-only dependency
