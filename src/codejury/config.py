"""All settings in one place, read from ``CODEJURY_*`` environment variables.

Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CODEJURY_", extra="ignore")

    data_dir: Path = Field(
        Path("./codejury-data"),
        description="Folder for the SQLite file, secrets, caches and exports.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in the data folder."
    )
    secret_key: str | None = Field(
        None,
        description="Signs sessions and CSRF tokens; generated into the data folder when unset.",
    )
    demo: bool = Field(
        False, description="Demo mode: relaxes production checks (e.g. allows HTTP cookies)."
    )
    log_level: str = Field("INFO", description="Logging level.")
    log_json: bool = Field(False, description="Log one JSON object per line instead of text.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-* headers are honoured.",
    )
    https: bool = Field(False, description="Mark cookies Secure (set when served over HTTPS).")
    lease_minutes: int = Field(
        20, description="How long an assigned item is reserved for an annotator."
    )
    idle_seconds: int = Field(
        120, description="No input for this long counts as idle in the task timer."
    )
    login_attempts_per_minute: int = Field(
        10, description="Failed logins allowed per account and address per minute."
    )
    sandbox_mode: Literal["bwrap", "unsafe-no-isolation"] = Field(
        "bwrap", description="Sandbox isolation; the weaker mode must be chosen explicitly."
    )
    sandbox_workers: int = Field(0, description="Parallel sandbox runs; 0 means one per CPU core.")
    sandbox_python_env: Path | None = Field(
        None, description="Read-only folder of extra Python packages mounted into the sandbox."
    )
    openai_base_url: str = Field(
        "http://127.0.0.1:8000/v1", description="Base URL of an OpenAI-compatible server."
    )
    openai_api_key_file: Path | None = Field(
        None, description="File holding the API key (else the OPENAI_API_KEY environment variable)."
    )
    generation_concurrency: int = Field(
        4, description="Concurrent requests to a generation backend."
    )
    min_floors: dict[str, Decimal] = Field(
        default_factory=lambda: {"USD": Decimal("8"), "EUR": Decimal("7.5"), "GBP": Decimal("6.5")},
        description="Lowest hourly floor a project may set, per currency.",
    )
    auto_approve_days: int = Field(
        21, description="Unreviewed work is approved automatically after this many days."
    )
    rate_cut_notice_days: int = Field(
        14, description="Notice a pay-rate cut needs before it applies."
    )
    appeal_deadline_days: int = Field(
        7, description="An appeal open longer than this is escalated."
    )

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'codejury.sqlite3').resolve()}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, else one stored in the data folder (created on first use)."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def get_settings() -> Settings:
    """The settings for the current ``CODEJURY_*`` environment (built once per distinct environment)."""
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("CODEJURY_")))
    return _settings_for(key)


@lru_cache(maxsize=8)
def _settings_for(_env: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()
