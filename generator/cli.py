"""The `digest` command line: parse flags, run an orchestrator, print a summary.

The only module that prints or uses click. Exit codes: 0 ok, 1 input/config/build
errors, 2 usage. Tracebacks only with `-v`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import __version__, lock
from generator.config import Config, load_config
from generator.errors import EXIT_FAILURE, DigestError
from generator.log import RunReport, plural
from generator.models import Problem

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class _Formatter(logging.Formatter):
    """Plain messages for info, a level prefix for warnings and errors."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            return f"warning: {message}"
        return message


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem, level: str) -> str:
    """Return a problem as a GitHub Actions workflow command (`::warning file=…,line=…::…`)."""
    props = []
    if problem.path:
        props.append(f"file={_escape_property(problem.path)}")
        if problem.line:
            props.append(f"line={problem.line}")
    props.append("title=digest")
    return f"::{level} {','.join(props)}::{_escape_data(str(problem))}"


class _Annotations(logging.Formatter):
    """Problems as workflow commands, so they show on the run's summary page."""

    def format(self, record: logging.LogRecord) -> str:
        problem: Problem = record.problem  # type: ignore[attr-defined]
        return annotation(problem, "error" if record.levelno >= logging.ERROR else "warning")


def _is_problem(record: logging.LogRecord) -> bool:
    return isinstance(getattr(record, "problem", None), Problem)


def _setup_logging(verbose: int, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    handlers: list[logging.Handler] = [handler]
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # Under GitHub Actions each problem is one workflow command on stdout (where the
        # runner reads them) instead of a plain line: the log shows it either way.
        actions = logging.StreamHandler(sys.stdout)
        actions.setFormatter(_Annotations())
        actions.addFilter(_is_problem)
        handler.addFilter(lambda record: not _is_problem(record))
        handlers.append(actions)
    root = logging.getLogger("generator")
    root.handlers[:] = handlers
    root.propagate = False
    root.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose > 1 else logging.INFO)
    # Third-party extractors log their own heuristics as warnings ("discarding data: None");
    # our readers already report every real problem with its path and line.
    for noisy in ("trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose > 1 else logging.ERROR)


def config_option(func: F) -> F:
    """Add --config to a command."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Site config file (default: ./digest.yaml if it exists).",
    )(func)


def dir_option(flag: str, name: str, help_text: str) -> Callable[[F], F]:
    """Return a decorator adding a directory option (--content, --output) to a command."""
    return click.option(flag, name, type=click.Path(file_okay=False, path_type=Path), help=help_text)


def strict_option(func: F) -> F:
    """Add --strict to a command."""
    return click.option("--strict", is_flag=True, help="Treat every warning as an error.")(func)


def default_date_option(func: F) -> F:
    """Add --default-date to a command that ingests."""
    return click.option(
        "--default-date",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Date for items that have none (default: reject them).",
    )(func)


def _load(ctx: click.Context, config_path: Path | None) -> Config:
    return _guard(ctx, lambda: load_config(config_path))


def _guard(ctx: click.Context, func: Callable[[], Any]) -> Any:
    """Run func; turn a DigestError into its messages and exit status 1."""
    try:
        return func()
    except DigestError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        if _verbosity(ctx) > 0:
            raise
        ctx.exit(EXIT_FAILURE)


def _progress() -> Callable[[int, int, str], None] | None:
    """Return a progress callback drawing a bar on a terminal, or None when not a terminal."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("reading", total=None)

    def update(done: int, total: int, name: str) -> None:
        if done == 1:
            bar.start()
        bar.update(task, completed=done, total=total, description=name[-40:])
        if done >= total:
            bar.stop()

    return update


def _verbosity(ctx: click.Context) -> int:
    """Return -1 under -q, else the number of -v given (before or after the command name)."""
    root = ctx.find_root()
    if root.meta.get("digest.quiet") or root.params.get("quiet"):
        return -1
    return int(root.meta.get("digest.verbose", 0)) + int(root.params.get("verbose") or 0)


def _say(ctx: click.Context, text: str) -> None:
    """Print a line that is not an error (a summary, a note) to stderr, unless -q was given."""
    if _verbosity(ctx) >= 0:
        click.echo(text, err=True)


def _verbosity_option(*flags: str, name: str, help_text: str, count: bool) -> Callable[[F], F]:
    """Return a decorator adding -v or -q to a command too, so `digest build -q` works like `digest -q build`."""

    def remember(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if not value:
            return
        root = ctx.find_root()
        if count:
            root.meta["digest.verbose"] = int(root.meta.get("digest.verbose", 0)) + int(value)
        else:
            root.meta["digest.quiet"] = True
        level = _verbosity(ctx)
        _setup_logging(max(level, 0), level < 0)

    if count:
        return click.option(*flags, name, count=True, expose_value=False, callback=remember, help=help_text)
    return click.option(*flags, name, is_flag=True, expose_value=False, callback=remember, help=help_text)


def verbosity_options(func: F) -> F:
    """Add -v/--verbose and -q/--quiet to a command (the group takes them too)."""
    func = _verbosity_option("-q", "--quiet", name="quiet", help_text="Only print errors.", count=False)(func)
    return _verbosity_option(
        "-v", "--verbose", name="verbose", help_text="More detail; -vv for debug logs and tracebacks.", count=True
    )(func)


def _finish(ctx: click.Context, report: RunReport, summary: str) -> None:
    _say(ctx, summary)
    if report.failed:
        click.echo(f"{plural(len(report.errors), 'problem')} (see above)", err=True)
        ctx.exit(EXIT_FAILURE)
    if report.tolerant and report.problems:
        # The run did its job; what it skipped is listed above, one line each.
        rejected = len(report.rejected)
        warned = len(report.problems) - rejected
        what = "input or item" if rejected == 1 else "inputs or items"
        parts = [f"{rejected} {what} rejected"] if rejected else []
        if warned:
            parts.append(plural(warned, "warning"))
        _say(ctx, f"{' and '.join(parts)} (see above; --strict makes them fatal)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="digest")
@click.option("-v", "--verbose", count=True, help="More detail; -vv for debug logs and tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Turn raw scraped news into a curated, browsable static site.

    raw/ --ingest--> content/ --build--> site/
    """
    _setup_logging(verbose, quiet)
    ctx.ensure_object(dict)


@cli.command()
@verbosity_options
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@dir_option("--content", "content_dir", "Content directory to write (default: paths.content).")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JSON report of every input and what became of it.",
)
@default_date_option
@strict_option
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    config_path: Path | None,
    content_dir: Path | None,
    report_path: Path | None,
    default_date: dt.datetime | None,
    strict: bool,
) -> None:
    """Parse raw inputs (text dumps, HTML, RSS/Atom, JSON Lines) into content files.

    PATHS are files or directories (walked recursively); the default is the configured
    raw directory.
    """
    from generator.ingest import ingest_paths

    config = _load(ctx, config_path)
    report = RunReport(strict=strict, tolerant=True)
    targets = list(paths) or [config.paths.raw]
    result = _guard(
        ctx,
        lambda: ingest_paths(
            targets,
            config,
            content_dir=content_dir or config.paths.content,
            report=report,
            report_path=report_path,
            default_date=default_date.date() if default_date else None,
            on_progress=_progress(),
        ),
    )
    _finish(ctx, report, result.summary)


def _nothing_here(config: Config, content: Path) -> bool:
    """Return True when there is no config, no raw/ and no content: not a digest site."""
    return (
        config.config_path is None
        and not config.paths.raw.is_dir()
        and not (content.is_dir() and any(content.iterdir()))
    )


@cli.command()
@verbosity_options
@config_option
@dir_option("--content", "content_dir", "Content directory to read (default: paths.content).")
@dir_option("--output", "output_dir", "Directory to write the site to (default: paths.site).")
@click.option("--base-url", help="Absolute URL the site is published at (overrides base_url).")
@click.option(
    "--now",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Build time to print in feeds and pages (default: taken from the content).",
)
@click.option("--no-ingest", is_flag=True, help="Render content/ only; do not ingest raw/ first.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the build cache (.cache/digest/).")
@default_date_option
@strict_option
@click.pass_context
def build(
    ctx: click.Context,
    config_path: Path | None,
    content_dir: Path | None,
    output_dir: Path | None,
    base_url: str | None,
    now: dt.datetime | None,
    no_ingest: bool,
    no_cache: bool,
    default_date: dt.datetime | None,
    strict: bool,
) -> None:
    """Ingest raw/ (if present), then render content/ into a static site.

    A rejected input is reported and skipped: the site is built from everything else and
    the exit status stays 0 (--strict makes it 1, and then the site is not replaced).
    """
    config = _load(ctx, config_path)
    report = RunReport(strict=strict, tolerant=True)
    content = content_dir or config.paths.content
    if _nothing_here(config, content):
        click.echo(
            f"error: nothing to build in {Path.cwd()}: no digest.yaml, no raw/ and no content/ "
            "(run `digest init DIR` to start a site, or run this in a site's folder)",
            err=True,
        )
        ctx.exit(EXIT_FAILURE)
    output = output_dir or config.paths.site
    with contextlib.ExitStack() as held:
        # The whole run (ingest, then render) holds the site's lock: a second `digest build`
        # in this folder is refused at once with a message naming this one.
        _guard(ctx, lambda: held.enter_context(lock.site_lock(output)))
        built = _build_locked(
            ctx,
            config,
            content,
            content_dir,
            output,
            base_url,
            now,
            no_ingest,
            None if no_cache else config.paths.root,
            default_date,
            report,
        )
    if built.articles == 0:
        _say(ctx, f"warning: {content_dir or 'content/'} holds no articles: the site is empty")
    _finish(ctx, report, built.summary)


def _build_locked(
    ctx: click.Context,
    config: Config,
    content: Path,
    content_dir: Path | None,
    output: Path,
    base_url: str | None,
    now: dt.datetime | None,
    no_ingest: bool,
    cache_root: Path | None,
    default_date: dt.datetime | None,
    report: RunReport,
) -> Any:
    """Ingest raw/ (unless told not to) and build the site; return the BuildResult."""
    from generator.build import build_site

    if not no_ingest and content_dir is None and config.paths.raw.is_dir():
        from generator.ingest import ingest_paths

        result = _guard(
            ctx,
            lambda: ingest_paths(
                [config.paths.raw],
                config,
                content_dir=content,
                report=report,
                default_date=default_date.date() if default_date else None,
                on_progress=_progress(),
            ),
        )
        _say(ctx, result.summary)
    return _guard(
        ctx,
        lambda: build_site(
            config,
            content_dir=content,
            output_dir=output,
            base_url=base_url,
            now=now,
            report=report,
            cache_root=cache_root,
        ),
    )


@cli.command()
@verbosity_options
@config_option
@dir_option("--content", "content_dir", "Content directory to check (default: paths.content).")
@dir_option("--site", "site_dir", "Built site whose links to check (default: paths.site, if built).")
@click.option("--fix", is_flag=True, help="Move files whose folder disagrees with their date or theme.")
@strict_option
@click.pass_context
def check(
    ctx: click.Context,
    config_path: Path | None,
    content_dir: Path | None,
    site_dir: Path | None,
    fix: bool,
    strict: bool,
) -> None:
    """Validate the config and content files, and the links of a built site."""
    from generator.check import check_all

    config = _load(ctx, config_path)
    report = RunReport(strict=strict)
    result = _guard(
        ctx,
        lambda: check_all(
            config,
            content_dir=content_dir or config.paths.content,
            site_dir=site_dir or config.paths.site,
            fix=fix,
            report=report,
        ),
    )
    _finish(ctx, report, result)


@cli.command()
@verbosity_options
@config_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback keeps the preview private)."
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@dir_option("--content", "content_dir", "Content directory to read (default: paths.content).")
@dir_option("--output", "output_dir", "Directory to build the preview into (default: paths.site).")
@click.option("--no-ingest", is_flag=True, help="Do not ingest raw/ first, nor when raw files change.")
@click.pass_context
def serve(
    ctx: click.Context,
    config_path: Path | None,
    host: str,
    port: int,
    content_dir: Path | None,
    output_dir: Path | None,
    no_ingest: bool,
) -> None:
    """Build the site, serve it locally and rebuild it as you edit; open pages reload themselves."""
    import time

    from generator.serve import PreviewServer

    config = _load(ctx, config_path)
    server = PreviewServer(
        config,
        content_dir=content_dir,
        output_dir=output_dir,
        host=host,
        port=port,
        ingest=not no_ingest and content_dir is None,
    )
    try:
        server.start()
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc} (try another --port)", err=True)
        ctx.exit(EXIT_FAILURE)
    except KeyboardInterrupt:
        _say(ctx, "stopped")
        return
    _say(ctx, f"serving {server.url} (Ctrl-C to stop)")
    try:
        # Short sleeps, not one long one: the kernel may hand Ctrl-C to a worker thread, and
        # Python raises KeyboardInterrupt only when the main thread next runs bytecode.
        while True:
            time.sleep(0.25)
    except KeyboardInterrupt:
        _say(ctx, "\nstopping…")
    finally:
        server.stop()


@cli.command()
@verbosity_options
@config_option
@click.option("--only", "only", multiple=True, metavar="NAME", help="Fetch only this source (repeatable).")
@click.option(
    "--now",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date to file downloads under, raw/<name>/<date>.<ext> (default: today, UTC).",
)
@click.pass_context
def fetch(ctx: click.Context, config_path: Path | None, only: tuple[str, ...], now: dt.datetime | None) -> None:
    """Download the sources listed in digest.yaml into raw/<name>/<date>.<ext>.

    Unchanged sources (HTTP 304 or the same bytes) write nothing. A failing source is
    reported by name and makes the exit status 1; the others are still fetched.
    """
    from generator.fetch import fetch_sources

    config = _load(ctx, config_path)
    known = [s.name for s in config.sources]
    for name in only:
        if name not in known:
            raise click.BadParameter(
                f"no source named {name!r} in the config (known: {', '.join(known) or 'none'})", param_hint="--only"
            )
    if not config.sources:
        _say(ctx, "no sources to fetch: add a sources: list to digest.yaml")
        return
    report = RunReport()
    today = now.date() if now else None
    result = _guard(ctx, lambda: fetch_sources(config, report=report, only=only, today=today))
    _finish(ctx, report, result.summary)


@cli.command()
@verbosity_options
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--templates", "with_templates", is_flag=True, help="Also copy the default templates in, to customise them."
)
@click.option(
    "--force", is_flag=True, help="Add the files to a non-empty directory (existing files are never overwritten)."
)
@click.pass_context
def init(ctx: click.Context, directory: Path, with_templates: bool, force: bool) -> None:
    """Create a new digest site in DIRECTORY that builds at once."""
    from generator.scaffold import init_site

    result = _guard(ctx, lambda: init_site(directory, templates=with_templates, force=force))
    for rel in result.kept:
        _say(ctx, f"kept existing {rel}")
    _say(ctx, result.summary)
    _say(ctx, f"next: cd {directory} && digest build && digest serve")


def main() -> None:
    """Run the CLI (console-script entry point)."""
    cli(prog_name="digest")
