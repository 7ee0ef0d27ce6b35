"""``codejury generate``: sample candidates from a model for every task of a project."""

from __future__ import annotations

import typer

from codejury.cli.common import console, err_console, session, settings


def generate(
    project: str = typer.Argument(..., help="Project slug."),
    backend: str = typer.Option(
        "openai", "--backend", help="openai (any compatible server) or transformers."
    ),
    model: str = typer.Option(
        ..., "--model", help="Model name on the server, or a local model path or id."
    ),
    n: int = typer.Option(1, "-n", min=1, help="Samples per task."),
    temperature: float = typer.Option(0.8, "--temperature", min=0.0),
    top_p: float = typer.Option(1.0, "--top-p", min=0.0, max=1.0),
    max_tokens: int = typer.Option(512, "--max-tokens", min=1),
    chat: bool | None = typer.Option(
        None,
        "--chat/--completions",
        help="Endpoint; default: chat for chat prompts, else completions.",
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="Overrides CODEJURY_OPENAI_BASE_URL."
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds per request."),
) -> None:
    """Generate N samples per task; cached responses are reused, so a re-run only fills the gaps."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from codejury.candidates.backends import Mode, make_backend
    from codejury.candidates.generation import GenerationPlan, generate_candidates
    from codejury.projects import get_project

    mode: Mode | None = None if chat is None else ("chat" if chat else "completion")
    plan = GenerationPlan(
        n=n, temperature=temperature, top_p=top_p, max_tokens=max_tokens, mode=mode
    )
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with session() as s:
        chosen = get_project(s, project)
        runner = make_backend(backend, model, settings(), base_url=base_url, timeout_s=timeout)
        try:
            with Progress(*columns, console=console, transient=True) as bar:
                task = bar.add_task("generating", total=None)
                report = generate_candidates(
                    s, chosen, runner, model, plan, progress=lambda k: bar.advance(task, k)
                )
        except KeyboardInterrupt:
            err_console.print("interrupted: finished samples are saved; run again to resume")
            raise typer.Exit(130)
        finally:
            runner.close()
    console.print(
        f"{report.requested} samples: {report.generated} generated, {report.cached} from cache, "
        f"{report.failed} failed; {report.candidates_added} new candidates "
        f"({report.duplicates} duplicates dropped)"
    )
    for error in report.errors[:20]:
        err_console.print(f"  {error}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
