"""ASGI entry for ``uvicorn --factory codejury.web.asgi:app_from_env`` and ``codejury serve``."""

from __future__ import annotations

import os

from fastapi import FastAPI

from codejury import logs
from codejury.config import Settings
from codejury.web.app import create_app


def app_from_env() -> FastAPI:
    settings = Settings()
    logs.configure(settings.log_level, settings.log_json)
    return create_app(settings, worker=os.environ.get("CODEJURY_NO_WORKER") != "1")
