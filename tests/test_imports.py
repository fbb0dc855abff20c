"""The command line stays light: neither `qa.cli.app` nor the ask path imports the web UI stack,
and each quick command loads only what it needs (issue 22: `qa ask ""` checks the question
before anything heavy loads; `qa articles` and `qa stats` read the store without llama-index or
the models)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE

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


HEAVY = ("llama_index.core", "chromadb", "spacy", "wordllama", "openai", "gradio", "pydantic_settings")

# Runs one command in-process (as the console script does) and lists the heavy packages it loaded.
COMMAND_PROBE = """
import json, sys
from typer.testing import CliRunner
from qa.cli.app import app
result = CliRunner().invoke(app, {args!r})
print(json.dumps({{"exit": result.exit_code, "output": result.output,
                   "loaded": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("imports") / "store"
    done = subprocess.run([str(Path(sys.executable).with_name("qa")), "--store", str(store), "ingest", str(SAMPLE)],
                          capture_output=True, text=True, timeout=300, env=_env(store))
    assert done.returncode == 0, done.stderr
    return store


def _env(store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    return {**env, "QA_STORE": str(store)}


@pytest.mark.parametrize(
    "args, allowed, exit_code",
    [
        (["--help"], (), 0),
        (["config"], ("pydantic_settings",), 0),
        (["ask", ""], (), 1),  # the empty question is refused before the settings, store or a model load
        (["ask", "   \t \x1b[0m"], (), 1),
        (["articles"], ("chromadb", "pydantic_settings"), 0),  # the store, and nothing of the models
        (["stats", "--json"], ("chromadb", "pydantic_settings"), 0),
    ],
)
def test_quick_commands_load_only_what_they_need(sample_store, tmp_path, args, allowed, exit_code):
    done = subprocess.run([sys.executable, "-c", COMMAND_PROBE.format(args=args, heavy=HEAVY)],
                          capture_output=True, text=True, timeout=120, env=_env(sample_store), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["exit"] == exit_code, result["output"]
    assert set(result["loaded"]) <= set(allowed), result["loaded"]
    if args[0] == "stats":  # what the models would have said, without loading them
        stats = json.loads(result["output"])
        assert stats["model"] == "extractive" and stats["embedding_model"] == "wordllama/l2_supercat-256"
        assert stats["embedding_dim"] == 256 and stats["articles"] >= 8


def test_the_library_knows_the_offline_models_without_building_them(tmp_path):
    """`qa articles`/`qa stats` open the store with the names and dimensions the built models
    report: they must agree, or the store's embedding check would refuse a good store."""
    from qa.models.embedding import WordLlamaEmbedding
    from qa.models.registry import (
        LLM_BACKENDS,
        build_llm,
        model_label,
        offline_embedder,
        offline_llm_label,
    )
    from qa.settings import Settings

    embedder = WordLlamaEmbedding()
    for spec in ("wordllama", "wordllama:l2_supercat-256"):
        assert offline_embedder(Settings(store=tmp_path, embed=spec)) == (embedder.model_name, embedder.dim)
    assert offline_embedder(Settings(store=tmp_path, embed="openai:text-embedding-3-small")) is None
    offline = [kind for kind, backend in LLM_BACKENDS.items() if backend.offline]
    assert offline  # the extractive model and its naive baseline
    for kind in offline:
        settings = Settings(store=tmp_path, llm=kind)
        assert offline_llm_label(settings) == model_label(build_llm(settings))
    assert offline_llm_label(Settings(store=tmp_path, llm="openai:gpt-4o-mini")) is None
