"""The ``search`` command: a thin Click layer over the library.

Exit codes follow grep: 0 success (hits found), 1 nothing found (or, for
``index``, some input skipped), 2 error. Ctrl-C exits 130; a closed pipe
(``| head``) is not an error.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

import click

from .errors import SearcherError
from .terminal import has_surrogates, printable

EXIT_OK, EXIT_NOTHING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Problems of one kind printed with their location; the rest are counted at the end.
PROBLEMS_PER_KIND = 5


class TextArgumentsCommand(click.Command):
    """Refuses text arguments and options that are not valid UTF-8 (``search show $'\\xff'``)
    with one ``Error:`` line; paths (``search index``'s inputs) may be any bytes."""

    def invoke(self, ctx):
        for param in self.params:
            if isinstance(param.type, (click.Path, click.File)):
                continue
            value = ctx.params.get(param.name)
            for item in value if isinstance(value, (tuple, list)) else (value,):
                if isinstance(item, str) and has_surrogates(item):
                    name = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
                    raise SearcherError(f"{name} is not valid UTF-8 text: {printable(item, one_line=True)}")
        return super().invoke(ctx)


class SearchGroup(click.Group):
    """Maps library errors, Ctrl-C and broken pipes to exit codes in one place."""

    command_class = TextArgumentsCommand

    def resolve_command(self, ctx, args):
        ctx.meta["searcher.command_args"] = list(args)  # the command and its arguments, for hints
        return super().resolve_command(ctx, args)

    def invoke(self, ctx):
        previous = _interrupt_on_sigterm()
        try:
            return super().invoke(ctx)
        except SystemExit as done:
            if done.code == EXIT_INTERRUPTED:
                previous = _ignore_stop_signals()  # until the process is gone: exit 130, whatever comes
            raise
        except click.NoSuchOption as error:
            _add_dash_hint(error, ctx.meta.get("searcher.command_args", []))
            raise
        except (SearcherError, UnicodeError) as error:
            if ctx.obj and ctx.obj.get("traceback"):
                raise
            if isinstance(error, UnicodeError):  # bad text given, or a damaged index file read
                from .failures import damage

                error = damage((ctx.obj or {}).get("index_dir")) or error
            _report(error)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            previous = _ignore_stop_signals()  # a second Ctrl-C or SIGTERM cannot cut the message short
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # A reader like `head` closed the pipe: not a failure. Point stdout
            # at /dev/null so the interpreter's final flush stays quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_OK)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            # Anything else (a full disk, a dead worker, a damaged index, a bug): one line, exit 2.
            if ctx.obj and ctx.obj.get("traceback"):
                raise
            from .failures import describe

            _report(describe(error, (ctx.obj or {}).get("index_dir"), ctx.invoked_subcommand))
            ctx.exit(EXIT_ERROR)
        finally:
            _restore_signals(previous)


def _report(error) -> None:
    """Print an error as one ``Error:`` line on stderr, with its hint if it has one."""
    message = f"Error: {error}"
    if getattr(error, "hint", None):
        message += f". {error.hint}"
    click.echo(printable(message, one_line=True), err=True)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _interrupt_on_sigterm() -> dict:
    """SIGTERM stops a command as Ctrl-C does (one line, exit 130), also while it waits
    for input or for the index's lock; returns the handlers to put back."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    return {
        signal.SIGINT: signal.getsignal(signal.SIGINT),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _raise_interrupt),
    }


def _ignore_stop_signals() -> dict:
    """Ignore Ctrl-C and SIGTERM from now on (the command is ending with exit 130);
    returns nothing to put back, so that they stay ignored until the process exits."""
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
    return {}


def _restore_signals(previous: dict) -> None:
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


#: Commands whose arguments are query words, where "-word" (NOT word) is easily typed.
QUERY_COMMANDS = ("query", "timeline")


def _add_dash_hint(error: click.NoSuchOption, args: list[str]) -> None:
    """Add a line on how to pass a query word starting with "-" to an unknown-option error."""
    if not args or args[0] not in QUERY_COMMANDS or error.option_name.startswith("--"):
        return
    word = next((a for a in args[1:] if a.startswith(error.option_name)), error.option_name)
    error.message += (
        f'\nHint: to search with "{word}" (a leading - means NOT), put -- before the query words: '
        f"search {args[0]} [OPTIONS] -- [WORDS] {word}"
    )


def index_dir_option(command):
    """``--index-dir`` after the subcommand too (``search query X --index-dir DIR``).

    It overrides the group's ``--index-dir`` and SEARCH_INDEX_DIR; the command
    reads the folder from ``obj["index_dir"]`` either way.
    """

    def remember(ctx, param, value):
        if value is not None:
            ctx.ensure_object(dict)["index_dir"] = value
        return value

    return click.option(
        "--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None, expose_value=False,
        is_eager=True, callback=remember, allow_from_autoenv=False,
        help="Where the index lives (also before the command; env: SEARCH_INDEX_DIR).",
    )(command)


def _use_color(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


@click.group(cls=SearchGroup, context_settings={"auto_envvar_prefix": "SEARCH", "help_option_names": ["-h", "--help"]})
@click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("index"),
    show_default=True,
    help="Where the index lives (env: SEARCH_INDEX_DIR).",
)
@click.option("--traceback", is_flag=True, hidden=True, help="Show Python tracebacks of errors.")
@click.version_option(package_name="searcher-arabic")
@click.pass_context
def cli(ctx, index_dir, traceback):
    """Search an archive of Arabic news articles, whatever the spelling.

    \b
    Exit codes: 0 success (for query: at least one hit), 1 nothing found
    (for index: finished, but some input was skipped), 2 error.
    """
    ctx.obj = {"index_dir": index_dir, "traceback": traceback}
    _show_library_warnings()


class _StderrWarnings(logging.Handler):
    """The library's notes and warnings (``logging.getLogger("searcher")``), one line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        kind = "warning" if record.levelno >= logging.WARNING else "note"
        click.echo(printable(f"{kind}: {record.getMessage()}", one_line=True), err=True)


def _show_library_warnings() -> None:
    logger = logging.getLogger("searcher")
    logger.setLevel(logging.INFO)
    if not any(isinstance(handler, _StderrWarnings) for handler in logger.handlers):
        logger.addHandler(_StderrWarnings(logging.INFO))


#: The input formats of `search index --format` (searcher.ingest.FORMATS; kept here so
#: that importing the CLI does not import the readers).
INPUT_FORMATS = ("text", "jsonl", "csv", "tsv", "html", "warc")


def _parse_column_map(ctx, param, values):
    if not values:
        return None
    from .ingest.csvfile import ColumnMapError, parse_column_map

    try:
        return parse_column_map(values)
    except ColumnMapError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


@cli.command("index")
@index_dir_option
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--rebuild", is_flag=True, help="Build a new index from PATHS beside the old one, swapped in when complete.")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no summary (problems are still reported).")
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=20000, show_default=True,
    help="Articles per commit (and per index segment).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, show_default="one per CPU core",
    help="Processes that build the index (1: all in this process; inputs under 16 MiB use one).",
)
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True,
    help="Seconds to wait while another process writes to the index.",
)
@click.option(
    "--format", "fmt", type=click.Choice(INPUT_FORMATS),
    help="Read every input as this format, whatever its name (default: by extension, then content).",
)
@click.option(
    "--map", "column_map", multiple=True, metavar="FIELD=COLUMN", callback=_parse_column_map,
    help="CSV/TSV: the column holding a field, by header name or 1-based number "
    "(repeatable or comma-separated, e.g. --map body=text,title=headline).",
)
@click.option(
    "--all-problems", is_flag=True,
    help=f"Report every problem on stderr (default: the first {PROBLEMS_PER_KIND} of each kind, then a count).",
)
@click.option(
    "--problems", "problems_file", type=click.File("w", encoding="utf-8", lazy=False), metavar="FILE",
    help="Also write every problem to FILE, one per line: severity, kind, location, message (tab-separated).",
)
@click.option(
    "--strict", is_flag=True,
    help="Exit 1 also when only empty records were left out or warnings were reported.",
)
@click.pass_obj
def index_command(obj, paths, rebuild, quiet, batch_size, jobs, lock_timeout, fmt, column_map, all_problems, problems_file, strict):
    """Add articles from files and folders to the index (default: corpus/).

    Reads plain-text articles (*.txt), JSON Lines (*.jsonl), CSV/TSV exports
    (*.csv, *.tsv), saved web pages (*.html: the story only, without menus,
    related links or comments) and web captures (*.warc), each also gzipped
    (*.gz); other files are recognised by their content. Folders are walked
    recursively and "-" reads standard input. Re-running updates in place:
    changed articles are replaced, unchanged ones skipped. Bad input is
    reported on stderr and skipped: the first few problems of each kind with
    file and line, then how many more (--all-problems: every one). Ctrl-C or
    SIGTERM commits what was read, and the next run carries on.

    \b
    Exit codes:
      0    everything with text in it was indexed (empty records, which
           hold nothing to index, and warnings are reported, not counted)
      1    finished, but some input was lost: unreadable files, invalid
           JSON, bad encoding, repeated ids … (--strict: also empty
           records and warnings)
      2    error: nothing was indexed (missing path, index locked …)
      130  interrupted; what was read is committed (--rebuild: dropped,
           the index stays as it was)

    \b
    Example:
      search index corpus/
      zcat news.jsonl.gz | search index -
      search index export.csv --map body=text,title=headline
      search index crawl.warc.gz saved-pages/
      search index --format html mirror/
      search index --problems problems.tsv news.jsonl
    """
    from .indexer import Indexer
    from .ingest import CorpusReader
    from .output import render_summary
    from .parallel import choose_jobs

    _private_files()
    problems = ProblemPrinter(show_all=all_problems, log=problems_file)
    reader = CorpusReader(
        paths or ["corpus"], on_problem=lambda problem: indexer.report(problem), fmt=fmt, column_map=column_map
    )
    indexer = Indexer(
        obj["index_dir"], rebuild=rebuild, batch_size=batch_size, lock_timeout=lock_timeout, on_problem=problems,
        jobs=choose_jobs(jobs, reader.total_bytes),
    )
    with indexer, StopSignals() as stop:
        with ReadProgress(reader, quiet) as progress:
            problems.progress = progress
            try:
                for article in stop.articles(progress):
                    indexer.add(article)
            except StopReading:
                pass  # stopped while waiting for input: commit what was read
            if stop.requested:
                indexer.interrupt()  # a rebuild is dropped; an update commits what was read
        problems.progress = None
    problems.finish()
    stats = indexer.stats
    if not quiet:
        click.echo(render_summary(stats), err=True)
    if stop.requested and indexer.rebuilding:
        click.echo("Interrupted: the rebuild was dropped; the index is as it was.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if stop.requested:
        click.echo("Interrupted: everything read so far is committed; run again to continue.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if stats.skipped or (strict and (stats.empty or stats.warnings)):
        sys.exit(EXIT_NOTHING)
    sys.exit(EXIT_OK)


def _private_files() -> None:
    """Index files and folders are created 0644 and 0755 at most, whatever the umask:
    an index others could write to could run their code (see README, "Trust").
    The umask is put back when the command ends."""
    previous = os.umask(0o022)
    os.umask(previous | 0o022)
    click.get_current_context().call_on_close(lambda: os.umask(previous))


class StopReading(BaseException):
    """Raised into the reader by the first Ctrl-C or SIGTERM while it waits for input."""


class StopSignals:
    """Turns the first Ctrl-C or SIGTERM into a request to stop after the current article.

    The run then commits what it read, never half of a Whoosh commit; a second
    signal aborts at once (the last committed batch still stands). While the
    reader waits for input (an idle pipe, a FIFO without a writer), the first
    signal stops the reading at once (:class:`StopReading`).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self._reading = False
        self._previous = {}

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        if self._reading:
            self._reading = False
            raise StopReading

    def articles(self, articles):
        """The articles of an iterable, until a stop is requested."""
        iterator = iter(articles)
        while not self.requested:
            self._reading = True
            try:
                article = next(iterator)
            except StopIteration:
                return
            finally:
                self._reading = False
            yield article

    def __enter__(self) -> "StopSignals":
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> bool:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        return False


def _problem_severity(problem) -> str:
    """"skipped": input with something in it left out (exit 1); "warning": indexed anyway,
    or left out with nothing to index in it."""
    return "skipped" if problem.skipped and not problem.empty else "warning"


def _tsv_cell(text: str) -> str:
    return " ".join(text.split("\t")).replace("\r", " ").replace("\n", " ")


class ProblemPrinter:
    """Reports input problems on stderr as they come (also with -q).

    The first ``limit`` problems of each kind (``Problem.kind``) are printed
    with their file and line; the rest are only counted, and :meth:`finish`
    prints one line per kind saying how many were not shown. With
    ``show_all`` every problem is printed. ``log`` (a text file) gets every
    problem as a tab-separated line: severity, kind, location, message.
    While ``progress`` (a ReadProgress) is drawn, lines go through it so
    that the progress line is cleared before them and redrawn after.
    """

    def __init__(self, show_all: bool = False, log=None, limit: int = PROBLEMS_PER_KIND, stream=None):
        self.show_all = show_all
        self.log = log
        self.limit = limit
        self.stream = stream
        self.progress = None
        #: (severity, kind) -> problems reported, in the order first seen.
        self.counts: dict[tuple[str, str], int] = {}

    def __call__(self, problem) -> None:
        severity = _problem_severity(problem)
        kind = problem.kind
        if self.log is not None:
            fields = (severity, kind, problem.location, problem.message)
            self.log.write("\t".join(_tsv_cell(field) for field in fields) + "\n")
        key = (severity, kind)
        seen = self.counts[key] = self.counts.get(key, 0) + 1
        if self.show_all or seen <= self.limit:
            suffix = " (nothing to index)" if problem.empty else ""
            self._print(f"{severity}: {problem}{suffix}")

    def _print(self, line: str) -> None:
        line = printable(line, one_line=True)  # file names and messages may hold control characters
        if self.progress is not None and self.progress.drawn:
            self.progress.print_above(line)
        else:
            click.echo(line, file=self.stream, err=True)

    def finish(self) -> None:
        """One line per kind of problem of which some were not printed."""
        if self.log is not None:
            self.log.flush()
        if self.show_all:
            return
        for (severity, kind), count in self.counts.items():
            hidden = count - self.limit
            if hidden > 0:
                self._print(
                    f'{severity}: … and {hidden:,} more "{kind}" ({count:,} in all; --all-problems lists them)'
                )


def _draws_progress(stream) -> bool:
    """Progress is drawn on a terminal that understands "erase line" (not TERM=dumb)."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return terminal and os.environ.get("TERM") != "dumb"


def _columns(stream) -> int:
    """The width of the terminal behind ``stream`` (COLUMNS first, as shutil does), else 80."""
    import shutil

    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else shutil.get_terminal_size((80, 24)).columns or 80


class ReadProgress:
    """Progress on stderr while reading, on a terminal only and never with -q.

    A bar with the share of bytes read when the input's size is known; a
    counter of articles and bytes read when it is not (standard input, a
    pipe). The line is redrawn in place at most every ``INTERVAL`` seconds
    and kept shorter than the terminal, so that it never wraps. A line
    printed with :meth:`print_above` first erases the progress line (so no
    fragment of it is left in front) and the progress is drawn again after.
    Iterate the object returned by ``with`` to read the articles.
    """

    INTERVAL = 0.2
    #: Back to the start of the line and erase it.
    ERASE = "\r\x1b[K"
    BAR_WIDTH = 24

    def __init__(self, reader, quiet: bool, stream=None):
        self.reader = reader
        self.stream = stream if stream is not None else sys.stderr
        self.show = not quiet and _draws_progress(self.stream)
        self.articles = 0
        self.drawn = False
        self._started = 0.0
        self._last_draw = 0.0

    def __enter__(self):
        if self.show:
            self._started = time.monotonic()
            self._draw()
        return self

    def __iter__(self):
        if not self.show:
            yield from self.reader
            return
        for article in self.reader:
            self.articles += 1
            yield article
            now = time.monotonic()
            if now - self._last_draw >= self.INTERVAL:
                self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The progress line as drawn now (without the erase sequence)."""
        from .output import human_size

        now = time.monotonic() if now is None else now
        read = self.reader.bytes_read
        total = self.reader.total_bytes
        articles = f"{self.articles:,} article{'' if self.articles == 1 else 's'}"
        if total is None:
            text = f"Indexing: {articles}, {human_size(read)} read"
        else:
            fraction = min(read / total, 1.0) if total else 1.0
            filled = int(fraction * self.BAR_WIDTH)
            bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
            text = f"Indexing [{bar}] {fraction:4.0%}  {articles}"
            elapsed = now - self._started
            if 0 < fraction < 1 and elapsed >= 2:
                left = int(elapsed * (1 - fraction) / fraction)
                text += f", {left // 3600}:{left // 60 % 60:02d}:{left % 60:02d} left"
        return text[: max(_columns(self.stream) - 1, 1)]

    def _draw(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._last_draw = now
        self.stream.write(self.ERASE + self.line(now))
        self.stream.flush()
        self.drawn = True

    def print_above(self, text: str) -> None:
        """Print a line of text on stderr; the progress line stays below it."""
        if not self.drawn:
            click.echo(text, file=self.stream)
            return
        self.stream.write(self.ERASE + text + "\n")
        self._draw()

    def __exit__(self, exc_type, exc, tb):
        if self.drawn:
            if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
                self._draw()  # the final count stays on screen
                self.stream.write("\n")
            else:
                self.stream.write(self.ERASE)  # an error message follows on a clean line
            self.stream.flush()
            self.drawn = False
        return False


def bidi_option(command):
    """``--bidi/--no-bidi`` (env SEARCH_BIDI): visual-order Arabic for terminals that need it."""
    return click.option(
        "--bidi/--no-bidi",
        default=False,
        envvar="SEARCH_BIDI",
        show_envvar=True,
        help="Shape and reorder Arabic for terminals that print it reversed and unjoined "
        "(never applied to jsonl, tsv, ids or trec).",
    )(command)


#: Seconds one query may run from the command line (0: no limit).
DEFAULT_TIME_LIMIT = 10.0


def time_limit_option(command):
    return click.option(
        "--time-limit", type=click.FloatRange(min=0, max=86400), default=DEFAULT_TIME_LIMIT, show_default=True,
        metavar="SECONDS", help="Stop a query that runs longer (exit 2); 0: no limit.",
    )(command)


def _seconds(time_limit: float) -> float | None:
    return time_limit or None


def null_option(command):
    """``-0``/``--null``: ids separated by NUL, for ids with spaces (``xargs -0``)."""
    return click.option(
        "-0", "--null", is_flag=True, help="With --format ids: end each id with NUL, not a newline (for search show -0 -, xargs -0)."
    )(command)


def _marking(use_color: bool, bidi: bool):
    """(mark, visual) for tables: how matched words look, and the per-line bidi transform if any."""
    from . import output

    final = (lambda w: click.style(w, fg="red", bold=True)) if use_color else output.plain_mark
    if not bidi:
        return final, None
    from . import display

    return display.bidi_mark, lambda line: display.visual_text(line, final)


def _for_terminal(text: str, bidi: bool) -> str:
    """Text for people, in visual order with ``--bidi``."""
    if not bidi:
        return text
    from .display import visual_text

    return visual_text(text)


@cli.command("query")
@index_dir_option
@click.argument("words", nargs=-1, metavar="[QUERY]...")
@click.option("--topics", type=click.File("r", encoding="utf-8"), help="Run every 'qid<TAB>query' line of FILE ('-' = stdin).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "jsonl", "tsv", "ids", "trec"]), default="table", show_default=True)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Hits to skip first (for paging).")
@click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (YYYY[-MM[-DD]] or DD/MM/YYYY).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (YYYY[-MM[-DD]] or DD/MM/YYYY).")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True)
@click.option("--any", "match_any", is_flag=True, help="Rank articles with any of the words together.")
@click.option("--all", "match_all_only", is_flag=True, help="Only articles with every word: no partial matches after them.")
@click.option("--no-snippets", is_flag=True, help="Skip passages (faster).")
@click.option("--explain", is_flag=True, help="Print the parsed, normalised query, its weights and filters, and exit.")
@click.option("--run-tag", default="searcher", show_default=True, help="Tag of --format trec lines.")
@null_option
@click.option("--color/--no-color", default=None, help="Highlight with colour (default: on a terminal, unless NO_COLOR).")
@click.option(
    "--facet", "facets", multiple=True, type=click.Choice(["source", "year", "month", "category"]),
    help="Instead of hits, count ALL hits per source, year, month or category (repeatable).",
)
@click.option(
    "--collapse/--no-collapse", default=True, show_default=True,
    help="Fold re-published copies of an article into its best hit (+N similar).",
)
@click.option("--suggest", is_flag=True, help='Always offer "did you mean" spellings (default: when under 3 hits).')
@time_limit_option
@bidi_option
@click.pass_obj
def query_command(obj, words, topics, fmt, limit, offset, sources, since, until, sort, match_any, match_all_only, no_snippets, explain, run_tag, color, **explore):
    """Search the index; print ranked hits with the matching passage.

    \b
    Query syntax:
      الباغوز دير الزور     articles with all the words first, then
                            those with some (--all: only all, --any: any)
      "دير الزور"           a phrase
      =الرياض               the exact form, no stemming (also exact:الرياض)
      قسد OR داعش, NOT, -word, ( )   operators and grouping
      title:… source:… category:… date:2019-02 date:[2019-01 TO 2019-03]
      باغو*                 prefix
    \b
    Example:
      search query الباغوز
      search query الحوثيين اليمن --since 15/03/2017
      search query "دير الزور" --format jsonl | jq .title
      search query -n 5 -- الباغوز -الرياض
      search query --topics topics.tsv --format trec > run.txt
      search query "الباغوز" --facet source --facet month
    \b
    Exit codes: 0 at least one hit, 1 no hits, 2 error (with --topics: a
    topic that cannot be parsed is reported, the others still run).
    """
    from .query import SearchRequest, plan_query
    from .userdates import date_bounds

    text = " ".join(words) if words else None
    if (text is None) == (topics is None):
        raise click.UsageError("give a QUERY or --topics FILE (one of them)")
    end = _line_end(fmt, explore["null"])
    date_bounds(since, until)  # a bad or reversed date fails before the index is opened
    if match_any and match_all_only:
        raise click.UsageError("--any and --all exclude each other")
    options = dict(
        limit=limit, offset=offset, sources=tuple(sources), since=since, until=until,
        sort=sort, match_all=not match_any, fill_with_any=not match_all_only,
        snippets=not no_snippets and fmt in ("table", "jsonl", "tsv"),
    )
    if topics is None:
        requests = [SearchRequest(text=text, **options)]
    else:
        requests = [SearchRequest(text=q, qid=qid, **options) for qid, q in _read_topics(topics)]
    if explain:
        for request in requests:
            click.echo(_explain(plan_query(request), request))
        return
    if explore["facets"]:
        sys.exit(_run_facets(obj["index_dir"], requests, explore["facets"], fmt, explore["bidi"], explore["time_limit"]))
    use_color = _use_color(sys.stdout) if color is None else color
    found, failed = _run_queries(
        obj["index_dir"], requests, fmt, run_tag, use_color, batch=topics is not None,
        collapse=explore["collapse"], suggest=explore["suggest"], bidi=explore["bidi"], end=end,
        time_limit=explore["time_limit"],
    )
    if failed:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if found else EXIT_NOTHING)


def _read_topics(stream):
    """(qid, query) pairs of a topics file; a line without a tab (or qid) is an error naming it."""
    name = "standard input" if stream.name in ("-", "<stdin>") else stream.name
    for number, line in enumerate(stream, 1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        qid, tab, query = line.partition("\t")
        if not tab or not qid.strip():
            raise SearcherError(f"{name} line {number}: expected 'qid<TAB>query'")
        yield qid.strip(), query


def _explain(plan, request) -> str:
    from .explain import render_explain

    return render_explain(plan, request)


def _line_end(fmt: str, null: bool) -> str:
    """What ends each output line: NUL with -0 (only for --format ids), else a newline."""
    if not null:
        return "\n"
    if fmt != "ids":
        raise click.UsageError("-0/--null only goes with --format ids")
    return "\0"


def _run_queries(index_dir, requests, fmt, run_tag, use_color, batch, collapse=False, suggest=False, bidi=False, end="\n", time_limit=0.0) -> tuple[bool, int]:
    """Run every request on one open index, printing as it goes.

    Returns whether anything was found and, in batch mode, how many topics
    failed: a bad topic is reported and the batch goes on.
    """
    from . import output
    from .errors import QuerySyntaxError, QueryTimeout
    from .query import Archive
    from .terminal import printable_hit

    mark, visual = _marking(use_color, bidi)
    found = False
    failed = 0
    with Archive(index_dir, time_limit=_seconds(time_limit)) as archive:
        for request in requests:
            try:
                hits = archive.search_grouped(request) if collapse else archive.search(request)
                suggestions = _suggestions(archive, request, hits, suggest, batch)
            except (QuerySyntaxError, QueryTimeout) as error:
                if not batch:
                    raise
                failed += 1
                click.echo(f"Error: topic {request.qid}: {error}", err=True)
                continue
            found = found or bool(hits)
            if fmt == "table":
                if batch:
                    click.echo(f"{request.qid}: {request.text}")
                if hits:
                    shown = [printable_hit(hit) for hit in hits]
                    click.echo(output.render_table(shown, mark, _table_width(), visual), color=use_color)
                    note = output.partial_note(hits)
                    if note:
                        click.echo(note, err=True)
                else:
                    click.echo("No hits.", err=True)
                if suggestions:
                    click.echo(_for_terminal(output.render_suggestions(suggestions), bidi), err=True)
                continue
            if suggestions is not None and fmt == "jsonl" and (hits or suggest):
                if not hits:
                    record = {"query": request.text, "suggestions": output.suggestion_records(suggestions)}
                    if request.qid is not None:
                        record = {"qid": request.qid, **record}
                    click.echo(json.dumps(record, ensure_ascii=False))
            elif suggestions:
                click.echo(output.render_suggestions(suggestions), err=True)
            if fmt == "jsonl":
                lines = output.iter_jsonl(hits, suggestions)
            elif fmt == "tsv":
                lines = output.iter_tsv(hits)
            elif fmt == "ids":
                lines = output.iter_ids(hits)
            else:
                lines = output.iter_trec(hits, run_tag)
            for line in lines:
                click.echo(line + end, nl=False)
    return found, failed


def _table_width() -> int:
    """COLUMNS if set, else the terminal's width, else a fixed width for pipes."""
    import shutil

    from .output import DEFAULT_TABLE_WIDTH

    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_TABLE_WIDTH, 24)).columns
    return DEFAULT_TABLE_WIDTH


@cli.command("show")
@index_dir_option
@click.argument("article_id")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--dupes", is_flag=True, help="List the article's re-published copies (its duplicate group) instead.")
@click.option("-0", "--null", is_flag=True, help="With -: ids on standard input end with NUL, not a newline.")
@bidi_option
@click.pass_obj
def show_command(obj, article_id, fmt, dupes, null, bidi):
    """Print one stored article (ARTICLE_ID "-": every id read from standard input).

    \b
    Example:
      search show syria-tv-2019-02-27-baghouz.txt
      search show snn-2015-08-09-00042 --dupes
      search query الباغوز -f ids | search show -
      search query الباغوز -f ids -0 | search show -0 -
      search show -- --help        (an id that starts with -)
    \b
    With -, each article is printed as with one id, text ones separated by a
    line of "=" (json: one line each); an unknown id is reported and the
    others still print (exit 2 at the end). With --dupes, exit code 1 when
    the article has no copies.
    """
    from .output import article_record, render_article
    from .query import Archive

    if article_id == "-":
        sys.exit(_show_many(obj["index_dir"], _read_ids(null), fmt, dupes, bidi, null))
    if null:
        raise click.UsageError("-0/--null goes with ARTICLE_ID - (ids read from standard input)")
    if dupes:
        sys.exit(_show_duplicates(obj["index_dir"], article_id, fmt, bidi))
    with Archive(obj["index_dir"]) as archive:
        article = archive.get(article_id)
    if fmt == "json":
        click.echo(json.dumps(article_record(article), ensure_ascii=False))
    else:
        click.echo(_for_terminal(printable(render_article(article)), bidi), nl=False)


#: Printed between the articles of ``search show -`` (text format).
ARTICLE_SEPARATOR = "=" * 72


def _read_ids(null: bool):
    """The ids on standard input: one per line (blank lines skipped), or NUL-separated with ``null``."""
    stream = sys.stdin.buffer
    separator = b"\0" if null else b"\n"
    pending = b""
    number = 0
    while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
        pending += chunk
        *items, pending = pending.split(separator)
        for item in items:
            number += 1
            yield number, item
    if pending:
        yield number + 1, pending


def _decode_id(number: int, raw: bytes, null: bool):
    text = raw.decode("utf-8", errors="surrogateescape")
    if not null:
        text = text.rstrip("\r")
    if has_surrogates(text):
        raise SearcherError(f"standard input {'item' if null else 'line'} {number}: id is not valid UTF-8 text")
    return text


def _show_many(index_dir, ids, fmt, dupes, bidi, null) -> int:
    """Print the article of every id read; the exit code (2 when one was unknown or unreadable)."""
    from .errors import ArticleNotFound
    from .output import article_record, render_article
    from .query import Archive

    status = EXIT_OK
    shown = 0
    with Archive(index_dir) as archive:
        for number, raw in ids:
            try:
                article_id = _decode_id(number, raw, null)
                if not article_id.strip():
                    continue
                article = archive.get(article_id)
            except (ArticleNotFound, SearcherError) as error:
                _report(error)
                status = EXIT_ERROR
                continue
            if fmt == "json":
                record = article_record(article)
                if dupes:
                    from . import output

                    record = output.duplicates_record(article, archive.duplicates_of(article_id))
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                if shown:
                    click.echo(ARTICLE_SEPARATOR)
                if dupes:
                    from . import output

                    duplicates = archive.duplicates_of(article_id)
                    text = output.render_duplicates(article, duplicates, _table_width()) if duplicates else (
                        f"No re-published copies of {article_id}."
                    )
                    click.echo(_for_terminal(printable(text), bidi))
                else:
                    click.echo(_for_terminal(printable(render_article(article)), bidi), nl=False)
            shown += 1
    if not shown and status == EXIT_OK:
        click.echo("No ids on standard input.", err=True)
        return EXIT_NOTHING
    return status


@cli.command("delete")
@index_dir_option
@click.argument("article_ids", nargs=-1, required=True, metavar="ARTICLE_ID...")
@click.option("-0", "--null", is_flag=True, help="With -: ids on standard input end with NUL, not a newline.")
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True,
    help="Seconds to wait while another process writes to the index.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary (ids not found are still reported).")
@click.pass_obj
def delete_command(obj, article_ids, null, lock_timeout, quiet):
    """Delete articles from the index by id (ARTICLE_ID "-": ids read from standard input).

    Every deletion is committed at once, with the duplicate groups: a kill
    leaves all of them or none. Indexing the article's file again adds it
    back.

    \b
    Exit codes:
      0    every id was deleted
      1    some id was not in the index (the others are deleted)
      2    error: nothing was deleted (no index, index locked, bad input …)

    \b
    Example:
      search delete snn-2015-08-09-00042
      search query الباغوز -f ids | search delete -
      search query الباغوز -f ids -0 | search delete -0 -
      search delete -- --help        (an id that starts with -)
    """
    from .indexer import Indexer
    from .meta import check_version

    if "-" in article_ids:
        if len(article_ids) > 1:
            raise click.UsageError("- (ids read from standard input) goes alone")
        ids = []
        for number, raw in _read_ids(null):
            article_id = _decode_id(number, raw, null)
            if article_id.strip():
                ids.append(article_id)
        if not ids:
            click.echo("No ids on standard input.", err=True)
            sys.exit(EXIT_NOTHING)
    elif null:
        raise click.UsageError("-0/--null goes with ARTICLE_ID - (ids read from standard input)")
    else:
        ids = list(article_ids)
    check_version(obj["index_dir"])  # never create an index to delete from
    _private_files()
    with Indexer(obj["index_dir"], lock_timeout=lock_timeout) as indexer:
        deleted, not_found = indexer.delete(ids)
    if not quiet or not_found:
        click.echo(printable(_deletion_summary(deleted, not_found), one_line=True), err=True)
    sys.exit(EXIT_NOTHING if not_found else EXIT_OK)


#: Ids not found listed by name in the summary of ``search delete``; the rest are counted.
NOT_FOUND_SHOWN = 10


def _deletion_summary(deleted: list[str], not_found: list[str]) -> str:
    """"deleted 3 articles; 1 id not found: x" (the first few ids not found, quoted when needed)."""
    import shlex

    summary = f"deleted {len(deleted)} article{'' if len(deleted) == 1 else 's'}"
    if not_found:
        shown = ", ".join(shlex.quote(article_id) for article_id in not_found[:NOT_FOUND_SHOWN])
        more = f" and {len(not_found) - NOT_FOUND_SHOWN} more" if len(not_found) > NOT_FOUND_SHOWN else ""
        summary += f"; {len(not_found)} id{'' if len(not_found) == 1 else 's'} not found: {shown}{more}"
    return summary


@cli.command("stats")
@index_dir_option
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def stats_command(obj, fmt):
    """Print the index's article count, size, date range and sources.

    \b
    Example:
      search stats
    """
    from .output import human_size, render_source_counts
    from .query import Archive

    with Archive(obj["index_dir"]) as archive:
        stats = archive.stats()
    if fmt == "json":
        record = {
            "articles": stats.articles,
            "size_bytes": stats.size_bytes,
            "first_date": stats.first_date,
            "last_date": stats.last_date,
            "sources": dict(stats.sources),
        }
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    click.echo(f"index:    {obj['index_dir']}/")
    click.echo(f"articles: {stats.articles:,}")
    click.echo(f"size:     {human_size(stats.size_bytes)}")
    click.echo(f"dates:    {stats.first_date or '-'} .. {stats.last_date or '-'}")
    click.echo(f"sources:  {len(stats.sources):,}")
    for line in render_source_counts(stats.sources, _table_width()):
        click.echo(line)


@cli.command("check")
@index_dir_option
@click.option("--quick", is_flag=True, help="Skip reading every posting and stored field (files, counts, ids, store only).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def check_command(obj, quick, fmt):
    """Verify the index and its duplicate store; print what is wrong, one line each.

    Reads every segment whole (--quick: opens them and reads the ids only),
    compares the document counts, looks for articles stored twice, compares
    the duplicate store's articles and groups with the index, and lists files
    no commit names (left by an interrupted run) and files anyone may write.
    Changes nothing: the next `search index` run repairs what a crash left.

    \b
    Example:
      search check
      search check --quick --format json
    \b
    Exit codes: 0 healthy, 1 problems found (listed on stdout), 2 error.
    """
    from .check import check_index, iter_lines

    report = check_index(obj["index_dir"], quick=quick)
    if fmt == "json":
        click.echo(report.as_json())
    else:
        for line in iter_lines(report):
            click.echo(printable(line, one_line=True))
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    found = len(report.findings)
    verdict = "no problems found" if not found else f"{found:,} problem{'s' if found != 1 else ''} found"
    stored = "" if report.stored is None else f", {report.stored:,} in the duplicate store"
    click.echo(
        f"{obj['index_dir']}/: {report.articles:,} articles in {report.segments:,} segments{stored}: "
        f"{verdict} ({'quick' if quick else 'full'} check, {report.seconds:.1f} s)",
        err=True,
    )
    sys.exit(EXIT_NOTHING if found else EXIT_OK)


# Exploring: counts, timelines, similar articles, duplicate groups, suggestions.


#: A single query with fewer hits (with all the words) than this gets "did you mean" unasked.
SUGGEST_BELOW = 3


def _suggestions(archive, request, hits, forced: bool, batch: bool):
    """"Did you mean" suggestions: asked for (a list, maybe empty), or unasked when a
    single query found fewer than SUGGEST_BELOW hits with all its words and there
    is something to suggest; else None. Every output format shows this one list.

    Which words are corrected, and by what, is ``suggest.rank_candidates``'s rule;
    a suggestion that would find nothing is never offered (``Archive.suggest``)."""
    strict = [hit for hit in hits if not hit.partial]
    if forced:
        return archive.suggest(request, forced=True)
    if batch or request.offset or len(strict) >= min(SUGGEST_BELOW, request.limit):
        return None
    return archive.suggest(request) or None


def _run_facets(index_dir, requests, facets, fmt, bidi, time_limit=0.0) -> int:
    """Print hit counts per facet value for every request; the exit code."""
    from . import output
    from .query import Archive

    if fmt not in ("table", "jsonl", "tsv"):
        raise click.UsageError("--facet prints counts: use --format table, jsonl or tsv")
    found = False
    with Archive(index_dir, time_limit=_seconds(time_limit)) as archive:
        for request in requests:
            for facet in facets:
                counts = archive.facet_counts(request, facet)
                found = found or bool(counts)
                if fmt == "jsonl":
                    lines = output.iter_facet_jsonl(facet, counts, request.qid)
                elif fmt == "tsv":
                    lines = output.iter_facet_tsv(facet, counts, request.qid)
                else:
                    if request.qid is not None:
                        click.echo(f"{request.qid}: {request.text}")
                    lines = [_for_terminal(output.render_facets(facet, counts, _table_width()), bidi)] if counts else []
                    if not counts:
                        click.echo("No hits.", err=True)
                for line in lines:
                    click.echo(line)
    return EXIT_OK if found else EXIT_NOTHING


@cli.command("timeline")
@index_dir_option
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@click.option(
    "--by", type=click.Choice(["day", "month", "year", "auto"]), default="month", show_default=True,
    help="Bar per day, month or year; auto: the finest with at most 60 bars.",
)
@click.option(
    "--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the chart into FILE (.png or .svg; needs matplotlib).",
)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "jsonl", "tsv"]), default="table", show_default=True)
@click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (YYYY[-MM[-DD]] or DD/MM/YYYY).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (YYYY[-MM[-DD]] or DD/MM/YYYY).")
@click.option("--any", "match_any", is_flag=True, help="Count articles with any of the words, not all.")
@time_limit_option
@bidi_option
@click.pass_obj
def timeline_command(obj, words, by, plot_path, fmt, sources, since, until, match_any, time_limit, bidi):
    """Chart how many articles match a query per month (or day, or year).

    Counts every matching article (not a top N), empty periods included;
    undated articles are counted apart. The longest bar is the highest count;
    in a list of more than 60 rows the three highest end in "◀ #1" .. "◀ #3".

    \b
    Example:
      search timeline "الباغوز"
      search timeline "عاصفة الحزم" --by auto
      search timeline "الباغوز" --by day --since 2019-02 --plot baghouz.png
      search timeline "النفط" --by year --format tsv
    \b
    Exit codes: 0 some article matched, 1 none, 2 error.
    """
    from . import output
    from .explore import auto_timeline
    from .query import Archive, SearchRequest
    from .userdates import date_bounds

    text = " ".join(words)
    date_bounds(since, until)  # a bad or reversed date fails before the index is opened
    if plot_path is not None:
        from .plot import plot_format, require_matplotlib

        plot_format(plot_path)  # a wrong suffix or no matplotlib fails before the search
        require_matplotlib()
    request = SearchRequest(
        text=text, sources=tuple(sources), since=since, until=until, match_all=not match_any, fill_with_any=False
    )
    with Archive(obj["index_dir"], time_limit=_seconds(time_limit)) as archive:
        if by == "auto":
            timeline = auto_timeline(archive.timeline(request, "day"))
        else:
            timeline = archive.timeline(request, by)
    title = output.timeline_title(text, timeline)
    if fmt == "jsonl":
        for line in output.iter_timeline_jsonl(timeline):
            click.echo(line)
    elif fmt == "tsv":
        for line in output.iter_timeline_tsv(timeline):
            click.echo(line)
    elif timeline.total:
        click.echo(_for_terminal(output.render_timeline(timeline, _table_width(), title), bidi))
        if len(timeline.periods) > output.TIMELINE_MARK_ABOVE:
            peaks = ", ".join(f"{period} ({count:,})" for period, count in output.timeline_peaks(timeline))
            click.echo(
                f"{len(timeline.periods):,} rows; highest: {peaks}. Fewer rows: --by auto.", err=True
            )
    if not timeline.total:
        click.echo("No hits.", err=True)
        sys.exit(EXIT_NOTHING)
    if plot_path is not None:
        from .plot import plot_timeline

        if timeline.periods:
            drawn = plot_timeline(timeline, plot_path, title)
            grouped = f", each the busiest {timeline.by} of {drawn.per_bar}" if drawn.per_bar > 1 else ""
            click.echo(f"Wrote {drawn.path} ({len(drawn.heights)} bars{grouped}).", err=True)
        else:
            click.echo("Nothing to plot: no matching article has a date.", err=True)
    sys.exit(EXIT_OK)


@cli.command("similar")
@index_dir_option
@click.argument("article_id")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "jsonl", "tsv", "ids", "trec"]), default="table", show_default=True)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Articles to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Articles to skip first (for paging).")
@click.option("--no-snippets", is_flag=True, help="Skip passages (faster).")
@click.option(
    "--collapse/--no-collapse", default=True, show_default=True,
    help="Fold re-published copies into one hit (+N similar).",
)
@click.option("--run-tag", default="similar", show_default=True, help="Tag of --format trec lines.")
@null_option
@click.option("--color/--no-color", default=None, help="Highlight with colour (default: on a terminal, unless NO_COLOR).")
@bidi_option
@click.pass_obj
def similar_command(obj, article_id, fmt, limit, offset, no_snippets, collapse, run_tag, null, color, bidi):
    """List the articles most like a given one (not its own re-published copies).

    The article's most telling words (frequent in it, rare in the archive)
    are searched for together; the passages show them marked.

    \b
    Example:
      search similar sample-001
      search similar sample-001 --format ids | search show -
    \b
    Exit codes: 0 something similar found, 1 nothing, 2 error (unknown id).
    """
    from . import output
    from .query import Archive

    snippets = not no_snippets and fmt in ("table", "jsonl", "tsv")
    end = _line_end(fmt, null)
    with Archive(obj["index_dir"]) as archive:
        hits = archive.similar(article_id, limit=limit, offset=offset, collapse=collapse, snippets=snippets)
    use_color = _use_color(sys.stdout) if color is None else color
    if fmt == "table":
        if hits:
            from .terminal import printable_hit

            mark, visual = _marking(use_color, bidi)
            shown = [printable_hit(hit) for hit in hits]
            click.echo(output.render_table(shown, mark, _table_width(), visual), color=use_color)
        else:
            click.echo("Nothing similar.", err=True)
    else:
        lines = {
            "jsonl": lambda: output.iter_jsonl(hits),
            "tsv": lambda: output.iter_tsv(hits),
            "ids": lambda: output.iter_ids(hits),
            "trec": lambda: output.iter_trec(hits, run_tag),
        }[fmt]()
        for line in lines:
            click.echo(line + end, nl=False)
    sys.exit(EXIT_OK if hits else EXIT_NOTHING)


def _show_duplicates(index_dir, article_id, fmt, bidi) -> int:
    """Print an article's duplicate group; the exit code (1: no copies)."""
    from . import output
    from .query import Archive

    with Archive(index_dir) as archive:
        article = archive.get(article_id)
        duplicates = archive.duplicates_of(article_id)
    if fmt == "json":
        click.echo(json.dumps(output.duplicates_record(article, duplicates), ensure_ascii=False))
    elif duplicates:
        click.echo(_for_terminal(printable(output.render_duplicates(article, duplicates, _table_width())), bidi))
    if not duplicates:
        click.echo(f"No re-published copies of {article_id}.", err=True)
        return EXIT_NOTHING
    return EXIT_OK
