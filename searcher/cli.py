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
from .terminal import has_surrogates, printable

EXIT_OK, EXIT_NOTHING, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Problem lines printed before the rest are only counted in the summary.
MAX_PROBLEM_LINES = 100


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

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (SearcherError, UnicodeError) as error:
            if ctx.obj and ctx.obj.get("traceback"):
                raise
            message = f"Error: {error}"
            if getattr(error, "hint", None):
                message += f". {error.hint}"
            click.echo(printable(message, one_line=True), err=True)
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
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary.")
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
@click.pass_obj
def index_command(obj, paths, rebuild, quiet, batch_size, jobs, lock_timeout, fmt, column_map):
    """Add articles from files and folders to the index (default: corpus/).

    Reads plain-text articles (*.txt), JSON Lines (*.jsonl), CSV/TSV exports
    (*.csv, *.tsv), saved web pages (*.html: the story only, without menus,
    related links or comments) and web captures (*.warc), each also gzipped
    (*.gz); other files are recognised by their content. Folders are walked
    recursively and "-" reads standard input. Re-running updates in place:
    changed articles are replaced, unchanged ones skipped. Bad input is
    reported on stderr and skipped; Ctrl-C or SIGTERM commits what was read,
    and the next run carries on.

    \b
    Example:
      search index corpus/
      zcat news.jsonl.gz | search index -
      search index export.csv --map body=text,title=headline
      search index crawl.warc.gz saved-pages/
      search index --format html mirror/
    """
    from .indexer import Indexer
    from .ingest import CorpusReader
    from .output import render_summary
    from .parallel import choose_jobs

    problems = ProblemPrinter()
    reader = CorpusReader(
        paths or ["corpus"], on_problem=lambda problem: indexer.report(problem), fmt=fmt, column_map=column_map
    )
    indexer = Indexer(
        obj["index_dir"], rebuild=rebuild, batch_size=batch_size, lock_timeout=lock_timeout, on_problem=problems,
        jobs=choose_jobs(jobs, reader.total_bytes),
    )
    with indexer, StopSignals() as stop:
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
        click.echo(printable(f"{label}: {problem}", one_line=True), err=True)


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
@click.argument("text", required=False)
@click.option("--topics", type=click.File("r", encoding="utf-8"), help="Run every 'qid<TAB>query' line of FILE ('-' = stdin).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "jsonl", "tsv", "ids", "trec"]), default="table", show_default=True)
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Hits to skip first (for paging).")
@click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True)
@click.option("--any", "match_any", is_flag=True, help="Rank articles with any of the words together.")
@click.option("--all", "match_all_only", is_flag=True, help="Only articles with every word: no partial matches after them.")
@click.option("--no-snippets", is_flag=True, help="Skip passages (faster).")
@click.option("--explain", is_flag=True, help="Print the parsed, normalised query and exit.")
@click.option("--run-tag", default="searcher", show_default=True, help="Tag of --format trec lines.")
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
@bidi_option
@click.pass_obj
def query_command(obj, text, topics, fmt, limit, offset, sources, since, until, sort, match_any, match_all_only, no_snippets, explain, run_tag, color, **explore):
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
      search query "الباغوز"
      search query "دير الزور" --format jsonl | jq .title
      search query --topics topics.tsv --format trec > run.txt
      search query "الباغوز" --facet source --facet month
    \b
    Exit codes: 0 at least one hit, 1 no hits, 2 error (with --topics: a
    topic that cannot be parsed is reported, the others still run).
    """
    from .query import SearchRequest, plan_query

    if (text is None) == (topics is None):
        raise click.UsageError("give a QUERY or --topics FILE (one of them)")
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
        sys.exit(_run_facets(obj["index_dir"], requests, explore["facets"], fmt, explore["bidi"]))
    use_color = _use_color(sys.stdout) if color is None else color
    found, failed = _run_queries(
        obj["index_dir"], requests, fmt, run_tag, use_color, batch=topics is not None,
        collapse=explore["collapse"], suggest=explore["suggest"], bidi=explore["bidi"],
    )
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


def _explain(plan, request) -> str:
    lines = [f"query: {request.text}", f"parsed: {plan.query}"]
    if plan.relaxed is not None:
        lines.append(f"then: {plan.relaxed}")
    lines.append("search forms: " + " ".join(sorted(plan.search_terms)))
    if plan.exact_terms:
        lines.append("exact forms: " + " ".join(sorted(plan.exact_terms)))
    if request.qid is not None:
        lines.insert(0, f"qid: {request.qid}")
    return "\n".join(lines)


def _run_queries(index_dir, requests, fmt, run_tag, use_color, batch, collapse=False, suggest=False, bidi=False) -> tuple[bool, int]:
    """Run every request on one open index, printing as it goes.

    Returns whether anything was found and, in batch mode, how many topics
    failed: a bad topic is reported and the batch goes on.
    """
    from . import output
    from .errors import QuerySyntaxError
    from .query import Archive
    from .terminal import printable_hit

    mark, visual = _marking(use_color, bidi)
    found = False
    failed = 0
    with Archive(index_dir) as archive:
        for request in requests:
            try:
                hits = archive.search_grouped(request) if collapse else archive.search(request)
                suggestions = _suggestions(archive, request, hits, suggest, batch)
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
@click.option("--dupes", is_flag=True, help="List the article's re-published copies (its duplicate group) instead.")
@bidi_option
@click.pass_obj
def show_command(obj, article_id, fmt, dupes, bidi):
    """Print one stored article.

    \b
    Example:
      search show syria-tv-2019-02-27-baghouz.txt
      search show snn-2015-08-09-00042 --dupes
    \b
    With --dupes, exit code 1 when the article has no copies.
    """
    from .output import article_record, render_article
    from .query import Archive

    if dupes:
        sys.exit(_show_duplicates(obj["index_dir"], article_id, fmt, bidi))
    with Archive(obj["index_dir"]) as archive:
        article = archive.get(article_id)
    if fmt == "json":
        click.echo(json.dumps(article_record(article), ensure_ascii=False))
    else:
        click.echo(_for_terminal(printable(render_article(article)), bidi), nl=False)


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


# Exploring: counts, timelines, similar articles, duplicate groups, suggestions.


#: A single query with fewer hits (with all the words) than this gets "did you mean" unasked.
SUGGEST_BELOW = 3


def _suggestions(archive, request, hits, forced: bool, batch: bool):
    """"Did you mean" suggestions: asked for (a list, maybe empty), or unasked when a
    single query found fewer than SUGGEST_BELOW hits with all its words and there
    is something to suggest; else None."""
    strict = [hit for hit in hits if not hit.partial]
    if forced:
        return archive.suggest(request, forced=True)
    if batch or request.offset or len(strict) >= min(SUGGEST_BELOW, request.limit):
        return None
    return archive.suggest(request) or None


def _run_facets(index_dir, requests, facets, fmt, bidi) -> int:
    """Print hit counts per facet value for every request; the exit code."""
    from . import output
    from .query import Archive

    if fmt not in ("table", "jsonl", "tsv"):
        raise click.UsageError("--facet prints counts: use --format table, jsonl or tsv")
    found = False
    with Archive(index_dir) as archive:
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
                    lines = [_for_terminal(output.render_facets(facet, counts), bidi)] if counts else []
                    if not counts:
                        click.echo("No hits.", err=True)
                for line in lines:
                    click.echo(line)
    return EXIT_OK if found else EXIT_NOTHING


@cli.command("timeline")
@click.argument("text")
@click.option("--by", type=click.Choice(["day", "month", "year"]), default="month", show_default=True, help="Bar per day, month or year.")
@click.option(
    "--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the chart into FILE (.png or .svg).",
)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "jsonl", "tsv"]), default="table", show_default=True)
@click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--any", "match_any", is_flag=True, help="Count articles with any of the words, not all.")
@bidi_option
@click.pass_obj
def timeline_command(obj, text, by, plot_path, fmt, sources, since, until, match_any, bidi):
    """Chart how many articles match a query per month (or day, or year).

    Counts every matching article (not a top N), empty periods included;
    undated articles are counted apart.

    \b
    Example:
      search timeline "الباغوز"
      search timeline "الباغوز" --by day --since 2019-02 --plot baghouz.png
      search timeline "النفط" --by year --format tsv
    \b
    Exit codes: 0 some article matched, 1 none, 2 error.
    """
    from . import output
    from .query import Archive, SearchRequest

    if plot_path is not None:
        from .plot import plot_format

        plot_format(plot_path)  # a wrong suffix fails before the search
    request = SearchRequest(
        text=text, sources=tuple(sources), since=since, until=until, match_all=not match_any, fill_with_any=False
    )
    with Archive(obj["index_dir"]) as archive:
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
    if not timeline.total:
        click.echo("No hits.", err=True)
        sys.exit(EXIT_NOTHING)
    if plot_path is not None:
        from .plot import plot_timeline

        if timeline.periods:
            drawn = plot_timeline(timeline, plot_path, title)
            click.echo(f"Wrote {drawn.path} ({len(drawn.heights)} bars).", err=True)
        else:
            click.echo("Nothing to plot: no matching article has a date.", err=True)
    sys.exit(EXIT_OK)


@cli.command("similar")
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
@click.option("--color/--no-color", default=None, help="Highlight with colour (default: on a terminal, unless NO_COLOR).")
@bidi_option
@click.pass_obj
def similar_command(obj, article_id, fmt, limit, offset, no_snippets, collapse, run_tag, color, bidi):
    """List the articles most like a given one (not its own re-published copies).

    The article's most telling words (frequent in it, rare in the archive)
    are searched for together; the passages show them marked.

    \b
    Example:
      search similar sample-001
      search similar sample-001 --format ids | xargs -n1 search show
    \b
    Exit codes: 0 something similar found, 1 nothing, 2 error (unknown id).
    """
    from . import output
    from .query import Archive

    snippets = not no_snippets and fmt in ("table", "jsonl", "tsv")
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
            click.echo(line)
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
        click.echo(_for_terminal(printable(output.render_duplicates(article, duplicates)), bidi))
    if not duplicates:
        click.echo(f"No re-published copies of {article_id}.", err=True)
        return EXIT_NOTHING
    return EXIT_OK
