"""Which channel a request came through, for the audit log: ``api`` or ``web``.

A request that carries a bearer token (``Authorization: Bearer cj_…``) is a program using the REST
API; any other request is a browser, signed in with its session cookie (even when the studio's own
pages call the REST API). The middleware only declares the channel: who the caller is, and whether
the credential is valid, is decided by ``web.deps`` as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from codejury.accounts.audit import Channel, audit_channel


def channel_of(scope: Scope) -> Channel:
    """``api`` for a request with a bearer token, else ``web``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return "api"
    return "web"


class AuditChannelMiddleware:
    """Audit events written while a request is served record its channel."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with audit_channel(channel_of(scope)):
            await self.app(scope, receive, send)
