"""The one settings object. Every field reads `QA_<FIELD>` from the environment or a `.env` file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qa.models.names import EXTRACTIVE
from qa.types import RetrievalMode

# The password part of a URL's user info: "http://user:pw@host" (also "http://:token@host"). Greedy
# up to the authority's last "@", so an unencoded "@" in the password is hidden too.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^/\s]*@")


def redact_url(text: str) -> str:
    """`text` with the password of every URL in it shown as ***: http://user:***@host. For any
    message or output that names a configured URL (QA_OPENAI_BASE_URL, QA_CHROMA_URL)."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}:***@", text)


def default_store() -> Path:
    """A per-user data folder (e.g. ~/.local/share/qa/store on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("qa", appauthor=False)) / "store"


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def bundled_path(name: str) -> Path:
    """A data folder shipped with qa: inside the package when installed as a wheel, else the repo."""
    inside = Path(__file__).resolve().parent / "_bundled" / name
    return inside if inside.exists() else project_root() / name


class Settings(BaseSettings):
    """Effective configuration. Precedence: explicit arguments > environment > .env > defaults."""

    model_config = SettingsConfigDict(
        env_prefix="QA_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        populate_by_name=True,
    )

    store: Path = Field(
        default_factory=default_store,
        description="Folder holding the article store (Chroma database and BM25 index).",
    )
    chroma_url: str = Field(
        default="",
        description="URL of a Chroma server (http://HOST:PORT) shared by several app processes; "
        "empty: the embedded store in QA_STORE.",
    )
    chroma_token: SecretStr | None = Field(
        default=None, description="Auth token sent to the Chroma server (optional); never printed."
    )
    store_timeout: float = Field(
        default=30.0, gt=0,
        description="Seconds to wait for a store that another process holds locked before giving up.",
    )
    collection: str = Field(
        default="news",
        description="Name of the Chroma collection (3-40 characters: letters, digits, '-', '_').",
    )
    embed: str = Field(
        default="wordllama",
        description="Embedding backend: 'wordllama' (offline, bundled weights), 'openai:MODEL' or "
        "'openai-compatible:MODEL'.",
    )
    llm: str = Field(
        default=EXTRACTIVE,
        description="Answering model: 'extractive' (offline, deterministic), 'openai:MODEL' or "
        "'openai-compatible:MODEL' (any model name; set QA_OPENAI_BASE_URL).",
    )
    openai_base_url: str = Field(
        default="",
        description="Base URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1 "
        "(empty: OpenAI's own API).",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("QA_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key (QA_OPENAI_API_KEY or OPENAI_API_KEY); never printed.",
    )
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds to wait for one model reply.")
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries after a 429, 5xx, timeout or lost connection."
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(default=800, ge=16, description="Longest reply the model may write.")
    json_mode: bool = Field(
        default=True, description="Ask OpenAI-style servers for a JSON object reply (response_format)."
    )
    json_schema: Literal["off", "openai", "llama-cpp"] = Field(
        default="off",
        description="With QA_JSON_MODE, also send the reply's JSON schema so the server constrains "
        "the reply to it: 'openai' (response_format json_schema: OpenAI, vLLM, Ollama, LM Studio) or "
        "'llama-cpp' (json_object with a schema: llama-cpp-python's server).",
    )
    top_k: int = Field(default=5, ge=1, le=50, description="Chunks given to the model per question.")
    chunk_size: int = Field(
        default=160, ge=16, le=4000, description="Target chunk length in words and punctuation marks."
    )
    chunk_overlap: int = Field(
        default=30, ge=0, description="Words carried over from the end of one chunk into the next."
    )
    retrieval: RetrievalMode = Field(
        default="hybrid", description="Which retrievers to use: both fused, or one alone."
    )
    dense_weight: float = Field(
        default=0.3, ge=0.0, le=1.0, description="Weight of the dense retriever in hybrid fusion (tuned on the SQuAD development split)."
    )
    rerank: bool = Field(
        default=True,
        description="Re-rank the top hybrid candidates by their best sentence (scorer trained on SQuAD dev).",
    )
    answer_threshold: float | None = Field(
        default=None,
        description="Extractive model: answer only when the best sentence scores at least this (default: "
        "qa/reader/reading.py ANSWER_THRESHOLD, 6.6; qa/reader/weights/sentence.json records the trained "
        "SQuAD operating points, e.g. 'strict' 8.348 refuses more).",
    )
    prompts_dir: Path = Field(
        default_factory=lambda: bundled_path("prompts"),
        description="Folder of prompt templates (answer.txt, system.txt).",
    )
    host: str = Field(default="127.0.0.1", description="Web UI address (loopback unless told otherwise).")
    port: int = Field(
        default_factory=lambda: int(os.environ.get("GRADIO_SERVER_PORT") or 7860),
        ge=1,
        le=65535,
        description="Web UI port (GRADIO_SERVER_PORT is honoured when QA_PORT is not set).",
    )
    ui_auth: SecretStr | None = Field(default=None, description="Web UI login as user:password (optional).")
    max_upload_mb: float = Field(
        default=20.0, gt=0, description="Largest single file the web UI accepts, in MB."
    )
    max_upload_total_mb: float = Field(
        default=200.0, gt=0, description="Largest total size of one web UI upload, in MB."
    )
    max_file_mb: float = Field(
        default=50.0, gt=0,
        description="Largest article file (or downloaded page) that ingest reads, in MB; a larger one "
        "fails with its size before it is read.",
    )
    refuse_private_urls: bool = Field(
        default=False,
        description="Refuse to fetch web addresses that resolve to loopback, private or link-local "
        "addresses (set it for a shared server; `qa ingest` fetches them by default).",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longer questions are refused with a clear message."
    )

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        import re

        # Chroma also stores a companion collection "<name>_articles": keep both legal.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{1,38}[A-Za-z0-9]", value):
            raise ValueError(
                "must be 3-40 characters of letters, digits, '-' or '_', "
                "starting and ending with a letter or digit"
            )
        return value

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})"
            )
        return self

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, description) for every field, for `qa config`; a password inside a URL
        is shown as *** (secrets fields show as their masked SecretStr)."""
        rows = []
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            rows.append((name, redact_url(value) if isinstance(value, str) else value, info.description or ""))
        return rows


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning validation errors into a one-line `ConfigError`."""
    from pydantic import ValidationError

    from qa.errors import ConfigError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"QA_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting: {problems}") from None
