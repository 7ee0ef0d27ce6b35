"""Entry point: builds the Typer app from every command module in this package."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import codejury.cli as cli_package
from codejury import __version__
from codejury.accounts.audit import audit_channel
from codejury.assign.eligibility import load_feature_filters
from codejury.cli.common import state

app = typer.Typer(
    name="codejury",
    help="CodeJury: a human-feedback studio for code models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_SKIP = {"main", "common"}


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"codejury.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"codejury {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at DEBUG level."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    state.verbose = verbose
    # Changes made by the command are audited as coming from the command line, until it ends.
    ctx.with_resource(audit_channel("cli"))


_register_all()

load_feature_filters()


def main() -> None:
    app()
