"""The ``search`` command: a thin Click layer over the library.

Exit codes follow grep: 0 success (hits found), 1 nothing found (or, for
``index``, some input skipped), 2 error. Ctrl-C exits 130; a closed pipe
(``| head``) is not an error.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import click

from .errors import SearcherError

EXIT_OK, EXIT_NOTHING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Problem lines printed before the rest are only counted in the summary.
MAX_PROBLEM_LINES = 100


class SearchGroup(click.Group):
    """Maps library errors, Ctrl-C and broken pipes to exit codes in one place."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SearcherError as error:
            if ctx.obj and ctx.obj.get("traceback"):
                raise
            message = f"Error: {error}"
            if error.hint:
                message += f". {error.hint}"
            click.echo(message, err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # A reader like `head` closed the pipe: not a failure. Point stdout
            # at /dev/null so the interpreter's final flush stays quiet.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_OK)


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


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary.")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True, help="Articles per commit.")
@click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True,
    help="Seconds to wait while another process writes to the index.",
)
@click.pass_obj
def index_command(obj, paths, rebuild, quiet, batch_size, lock_timeout):
    """Add articles from files and folders to the index (default: corpus/).

    Reads plain-text articles (*.txt) and JSON Lines (*.jsonl, *.jsonl.gz);
    folders are walked recursively and "-" reads standard input. Re-running
    updates in place: changed articles are replaced, unchanged ones skipped.
    Bad input is reported on stderr and skipped; Ctrl-C or SIGTERM commits
    what was read, and the next run carries on.

    \b
    Example:
      search index corpus/
      zcat news.jsonl.gz | search index -
    """
    from .indexer import Indexer
    from .ingest import CorpusReader
    from .output import render_summary

    problems = ProblemPrinter()
    indexer = Indexer(
        obj["index_dir"], rebuild=rebuild, batch_size=batch_size, lock_timeout=lock_timeout, on_problem=problems
    )
    with indexer, StopSignals() as stop:
        reader = CorpusReader(paths or ["corpus"], on_problem=indexer.report)
        with ReadProgress(reader, quiet) as articles:
            for article in articles:
                indexer.add(article)
                if stop.requested:
                    break
    stats = indexer.stats
    if not quiet:
        click.echo(render_summary(stats), err=True)
    if stop.requested:
        click.echo("Interrupted: everything read so far is committed; run again to continue.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_NOTHING if stats.skipped else EXIT_OK)


class StopSignals:
    """Turns the first Ctrl-C or SIGTERM into a request to stop after the current article.

    The run then commits what it read, never half of a Whoosh commit; a second
    signal aborts at once (the last committed batch still stands).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self._previous = {}

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> "StopSignals":
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> bool:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        return False


class ProblemPrinter:
    """Prints input problems to stderr as they come (also with -q), up to a limit."""

    def __init__(self):
        self.printed = 0

    def __call__(self, problem) -> None:
        if self.printed > MAX_PROBLEM_LINES:
            return
        self.printed += 1
        if self.printed > MAX_PROBLEM_LINES:
            click.echo("(further problems are only counted in the summary)", err=True)
            return
        label = "skipped" if problem.skipped else "warning"
        click.echo(f"{label}: {problem}", err=True)


class ReadProgress:
    """A progress bar over the reader's bytes on a terminal; a plain pass-through elsewhere."""

    def __init__(self, reader, quiet: bool):
        self.reader = reader
        self.show = not quiet and sys.stderr.isatty() and reader.total_bytes
        self.bar = None

    def __enter__(self):
        if not self.show:
            return iter(self.reader)
        self.bar = click.progressbar(
            length=self.reader.total_bytes, label="Indexing", file=sys.stderr, show_percent=True, show_eta=True
        )
        self.bar.__enter__()
        return self._iterate()

    def _iterate(self):
        done = 0
        for article in self.reader:
            yield article
            read = self.reader.bytes_read
            if read > done:
                self.bar.update(read - done)
                done = read

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


@cli.command("query")
@click.argument("text", required=False)
@click.option("--topics", type=click.File("r", encoding="utf-8"), help="Run every 'qid<TAB>query' line of FILE ('-' = stdin).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "jsonl", "tsv", "ids", "trec"]), default="table", show_default=True)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Hits to skip first (for paging).")
@click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True)
@click.option("--any", "match_any", is_flag=True, help="Match articles with any of the words, not all.")
@click.option("--no-snippets", is_flag=True, help="Skip passages (faster).")
@click.option("--explain", is_flag=True, help="Print the parsed, normalised query and exit.")
@click.option("--run-tag", default="searcher", show_default=True, help="Tag of --format trec lines.")
@click.option("--color/--no-color", default=None, help="Highlight with colour (default: on a terminal, unless NO_COLOR).")
@click.pass_obj
def query_command(obj, text, topics, fmt, limit, offset, sources, since, until, sort, match_any, no_snippets, explain, run_tag, color):
    """Search the index; print ranked hits with the matching passage.

    \b
    Query syntax:
      الباغوز دير الزور     all words (--any: any word)
      "دير الزور"           a phrase
      =الرياض               the exact form, no stemming (also exact:الرياض)
      قسد OR داعش, NOT, -word, ( )   operators and grouping
      title:… source:… category:… date:2019-02 date:[2019-01 TO 2019-03]
      باغو*                 prefix
    \b
    Example:
      search query "الباغوز"
      search query "دير الزور" --format jsonl | jq .title
      search query --topics topics.tsv --format trec > run.txt
    \b
    Exit codes: 0 at least one hit, 1 no hits, 2 error (with --topics: a
    topic that cannot be parsed is reported, the others still run).
    """
    from .query import SearchRequest, parse_query

    if (text is None) == (topics is None):
        raise click.UsageError("give a QUERY or --topics FILE (one of them)")
    options = dict(
        limit=limit, offset=offset, sources=tuple(sources), since=since, until=until,
        sort=sort, match_all=not match_any, snippets=not no_snippets and fmt in ("table", "jsonl", "tsv"),
    )
    if topics is None:
        requests = [SearchRequest(text=text, **options)]
    else:
        requests = [SearchRequest(text=q, qid=qid, **options) for qid, q in _read_topics(topics)]
    if explain:
        for request in requests:
            click.echo(_explain(parse_query(request.text, match_all=request.match_all), request))
        return
    use_color = _use_color(sys.stdout) if color is None else color
    found, failed = _run_queries(obj["index_dir"], requests, fmt, run_tag, use_color, batch=topics is not None)
    if failed:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if found else EXIT_NOTHING)


def _read_topics(stream):
    """(qid, query) pairs of a topics file; a line without a tab is numbered."""
    for number, line in enumerate(stream, 1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        qid, tab, query = line.partition("\t")
        yield (qid.strip(), query) if tab else (str(number), line)


def _explain(q, request) -> str:
    from .query import highlight_terms

    search_terms, exact_terms = highlight_terms(q)
    lines = [f"query: {request.text}", f"parsed: {q}"]
    lines.append("search forms: " + " ".join(sorted(search_terms)))
    if exact_terms:
        lines.append("exact forms: " + " ".join(sorted(exact_terms)))
    if request.qid is not None:
        lines.insert(0, f"qid: {request.qid}")
    return "\n".join(lines)


def _run_queries(index_dir, requests, fmt, run_tag, use_color, batch) -> tuple[bool, int]:
    """Run every request on one open index, printing as it goes.

    Returns whether anything was found and, in batch mode, how many topics
    failed: a bad topic is reported and the batch goes on.
    """
    from . import output
    from .errors import QuerySyntaxError
    from .query import Archive

    mark = (lambda w: click.style(w, fg="red", bold=True)) if use_color else output.plain_mark
    found = False
    failed = 0
    with Archive(index_dir) as archive:
        for request in requests:
            try:
                hits = archive.search(request)
            except QuerySyntaxError as error:
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
                    click.echo(output.render_table(hits, mark, _table_width()), color=use_color)
                else:
                    click.echo("No hits.", err=True)
                continue
            if fmt == "jsonl":
                lines = output.iter_jsonl(hits)
            elif fmt == "tsv":
                lines = output.iter_tsv(hits)
            elif fmt == "ids":
                lines = output.iter_ids(hits)
            else:
                lines = output.iter_trec(hits, run_tag)
            for line in lines:
                click.echo(line)
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
@click.argument("article_id")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def show_command(obj, article_id, fmt):
    """Print one stored article.

    \b
    Example:
      search show syria-tv-2019-02-27-baghouz.txt
    """
    from .output import article_record, render_article
    from .query import Archive

    with Archive(obj["index_dir"]) as archive:
        article = archive.get(article_id)
    if fmt == "json":
        click.echo(json.dumps(article_record(article), ensure_ascii=False))
    else:
        click.echo(render_article(article), nl=False)


@cli.command("stats")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def stats_command(obj, fmt):
    """Print the index's article count, size, date range and sources.

    \b
    Example:
      search stats
    """
    from .output import human_size
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
    for name, count in stats.sources:
        click.echo(f"  {count:>8,}  {name}")
