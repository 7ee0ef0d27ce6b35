"""The application factory: ``create_app()`` builds the studio for one database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from codejury import __version__
from codejury.assign.eligibility import load_feature_filters
from codejury.config import Settings
from codejury.db import Database, open_database
from codejury.web import errors
from codejury.web.channel import AuditChannelMiddleware

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None, *, database: Database | None = None, worker: bool = True
) -> FastAPI:
    """Migrations are applied on start-up; the background worker runs in a thread unless ``worker=False``."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    db = database or open_database(settings.resolved_database_url)
    _ = settings.resolved_secret_key  # create it now, not under concurrent first requests

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from codejury.jobs import Worker

        thread = Worker(db) if worker else None
        if thread:
            thread.start()
        yield
        if thread:
            thread.stop()

    app = FastAPI(
        title="CodeJury",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served by web/pages/apidocs.py, without assets from elsewhere
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    errors.install(app)
    load_feature_filters()
    app.middleware("http")(_security_headers)
    app.add_middleware(AuditChannelMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _include_routers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        from sqlalchemy import text

        with db.session() as s:
            s.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


# Model output is untrusted text: besides escaping it everywhere, the browser is told to run no script
# that the studio itself did not serve, and to load nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _include_routers(app: FastAPI) -> None:
    """Every module in web/api and web/pages with a ``router`` is mounted (API under /api/v1)."""
    import importlib
    import pkgutil

    from codejury.web import api, pages

    for package, prefix in ((api, "/api/v1"), (pages, "")):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            router = getattr(module, "router", None)
            if router is not None:
                app.include_router(router, prefix=prefix)
