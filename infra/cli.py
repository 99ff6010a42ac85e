"""The `flowlogic` command: serve the API, mint local tokens, run the demo, write the spec,
create the tables, run the data migrations and the reminder job.

flowlogic --version
flowlogic serve [--host 127.0.0.1] [--port 8000] [--data-dir DIR] [--fresh]
                [--dynamodb-port PORT] [--save-every SECONDS]
flowlogic token --sub ID [--email E] [--groups worker,admin] [--ttl 3600]
flowlogic demo [--url http://127.0.0.1:8000]
flowlogic openapi [--check]
flowlogic tables create
flowlogic migrate [--dry-run]
flowlogic reminders --date YYYY-MM-DD
flowlogic layout copy --to single|multi [--dry-run] [--prune] [--segments 4] [--checkpoint PATH]
flowlogic layout follow --to single|multi [--until-caught-up] [--checkpoint PATH]
flowlogic layout verify --to single|multi [--segments 4]

The data commands (tables, migrate, reminders, layout) work on the stage's tables wherever
the profile keeps them; on `local` they need AWS_ENDPOINT_URL_DYNAMODB, since an embedded server
would vanish with the command (docs/decisions/110-data-commands-and-their-endpoint.md): the
endpoint `serve` prints does. A service on the other layout's tables refuses to start, exit 2
(decision 138). Every command and option: docs/cli.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

from adapters.dynamodb.layout import LAYOUTS
from infra.settings import Profile, Settings

if TYPE_CHECKING:
    import socket

    import uvicorn
    from mypy_boto3_dynamodb import DynamoDBClient
    from tqdm import tqdm

    from adapters.dynamodb.layout import Layout
    from application.run_migrations import Migration
    from infra.container import Container
    from infra.embedded import EmbeddedDynamoDB

DEV_SUB = "local-developer"
DEV_EMAIL = "developer@example.com"
DEV_TOKEN_TTL = 12 * 3600
_LOOPBACK_NAMES = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}  # noqa: S104 (display only)

_log = logging.getLogger("flowlogic.cli")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    from infra.settings import SettingsError, describe_invalid

    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    from adapters.dynamodb.layout_check import LayoutMismatch

    try:
        return handler(args)
    except LayoutMismatch as error:  # the stage's tables are the other layout's: one line
        sys.stderr.write(f"{error}\n")
        return 2
    except SettingsError as error:
        # A bad environment variable: say which and what it accepts, no traceback.
        for line in describe_invalid(error):
            sys.stderr.write(f"{line}\n")
        return 2


def version() -> str:
    """The installed package's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("flowlogic-core")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowlogic",
        description="Flow Logic core: the HTTP API and its local tools. Configuration comes "
        "from environment variables (docs/configuration.md).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version()}", help="print the version"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP API (local and memory profiles)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port of the HTTP API")
    serve.add_argument(
        "--data-dir",
        metavar="DIR",
        help="local profile: keep the DynamoDB items and the Stripe simulator's data in DIR "
        "across restarts (loaded at start, saved after changes and on stop)",
    )
    serve.add_argument(
        "--fresh",
        action="store_true",
        help="with --data-dir: start empty, ignoring the saved data (the next save replaces it)",
    )
    serve.add_argument(
        "--dynamodb-port",
        type=int,
        metavar="PORT",
        help="local profile: port of the embedded DynamoDB on 127.0.0.1 (default: a free one)",
    )
    serve.add_argument(
        "--save-every",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="with --data-dir: how often changed data is saved (default 2)",
    )
    serve.set_defaults(handler=_serve)

    token = commands.add_parser("token", help="print a bearer token for the local profiles")
    token.add_argument("--sub", required=True, help="the user id")
    token.add_argument("--email", help="the email claim (optional)")
    token.add_argument("--groups", default="", help="comma-separated, e.g. worker,admin")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    token.set_defaults(handler=_token)

    demo = commands.add_parser("demo", help="walk a user journey and print it")
    demo.add_argument("--url", help="a running service; without it one is started in process")
    demo.set_defaults(handler=_demo)

    spec = commands.add_parser("openapi", help="write api_spec.yaml from the application")
    spec.add_argument("--check", action="store_true", help="fail if api_spec.yaml is stale")
    spec.set_defaults(handler=_openapi)

    tables = commands.add_parser("tables", help="manage the stage's DynamoDB tables")
    table_commands = tables.add_subparsers(required=True, metavar="ACTION")
    create = table_commands.add_parser(
        "create", help="create the eight tables of FLOWLOGIC_STAGE; changes nothing when they exist"
    )
    create.set_defaults(handler=_tables_create)

    migrate = commands.add_parser("migrate", help="apply the pending data migrations")
    migrate.add_argument("--dry-run", action="store_true", help="list them, change nothing")
    migrate.set_defaults(handler=_migrate)

    reminders = commands.add_parser(
        "reminders", help="publish one reminder per user with uncompleted tasks on a date"
    )
    reminders.add_argument(
        "--date",
        required=True,
        type=_date_argument,
        metavar="YYYY-MM-DD",
        help="the day whose uncompleted tasks are reminded of",
    )
    reminders.set_defaults(handler=_reminders)

    layout = commands.add_parser("layout", help="move the stage's data between table layouts")
    layout_commands = layout.add_subparsers(required=True, metavar="ACTION")
    copy = layout_commands.add_parser(
        "copy",
        help="copy every item of FLOWLOGIC_STAGE into the other layout, then verify the copy",
    )
    _target_layout(
        copy, "the layout to copy into (the configured FLOWLOGIC_TABLE_LAYOUT is the source)"
    )
    copy.add_argument(
        "--dry-run",
        action="store_true",
        help="count what would be copied (and, with --prune, what would be deleted)",
    )
    copy.add_argument(
        "--prune",
        action="store_true",
        help="after copying, delete the target's items whose source item is gone (an erasure "
        "since an earlier copy); only with writes stopped or before `layout follow` runs",
    )
    _segments(copy)
    copy.add_argument(
        "--checkpoint",
        help="progress file (default: flowlogic-copy-<stage>-to-<layout>.json here)",
    )
    copy.set_defaults(handler=_layout_copy)

    follow = layout_commands.add_parser(
        "follow",
        help="replay the streams of FLOWLOGIC_STAGE's tables into the other layout, after "
        "`layout copy` (the live cut-over's change data capture)",
    )
    _target_layout(
        follow, "the layout to apply the records to (the other layout's streams are read)"
    )
    follow.add_argument(
        "--until-caught-up",
        action="store_true",
        help="stop once every open shard has nothing new (default: follow until Ctrl-C/SIGTERM)",
    )
    follow.add_argument(
        "--checkpoint",
        help="per-shard progress file (default: flowlogic-follow-<stage>-to-<layout>.json here)",
    )
    follow.set_defaults(handler=_layout_follow)

    check = layout_commands.add_parser(
        "verify",
        help="compare FLOWLOGIC_STAGE's two layouts: items per entity and every user's export",
    )
    _target_layout(check, "the layout copied or followed into (the other one is the source)")
    _segments(check)
    check.set_defaults(handler=_layout_verify)
    return parser


def settings_for_url(host: str, port: int) -> Settings:
    """The environment's settings; the public URL follows host and port unless configured."""
    settings = Settings()
    if "FLOWLOGIC_PUBLIC_URL" not in os.environ:
        settings = settings.model_copy(update={"public_url": display_url(host, port)})
    return settings


def display_url(host: str, port: int) -> str:
    """The URL a browser on this machine reaches the server at."""
    shown = _LOOPBACK_NAMES.get(host, f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


def _target_layout(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--to", required=True, choices=LAYOUTS, dest="target", help=help_text)


def _segments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--segments", type=int, default=4, help="parallel Scan segments per table")


def _refuse_layout(settings: Settings) -> bool:
    """Say so (one line) when the stage's tables do not fit the configured layout."""
    from infra.layout_guard import layout_refusal

    refusal = layout_refusal(settings)
    if refusal is not None:
        sys.stderr.write(f"{refusal}\n")
        return True
    return False


def _refuse_aws(settings: Settings, what: str) -> bool:
    if settings.profile is Profile.AWS:
        sys.stderr.write(f"{what} runs on the local and memory profiles only\n")
        return True
    return False


def _serve(args: argparse.Namespace) -> int:
    from infra.embedded import EmbeddedDynamoDB
    from infra.logs import configure_logging
    from infra.tokens import mint_token

    settings = settings_for_url(args.host, args.port)
    if _refuse_aws(settings, "flowlogic serve") or _refuse_layout(settings):
        return 2
    if args.save_every <= 0:
        sys.stderr.write("--save-every must be a positive number of seconds\n")
        return 2
    if settings.profile is Profile.MEMORY and (args.data_dir or args.dynamodb_port):
        sys.stderr.write(
            "--data-dir and --dynamodb-port need the local profile: the memory profile keeps "
            "its data in process and has no DynamoDB\n"
        )
        return 2
    configure_logging(settings.log_level, log_format=settings.log_format)
    if settings.uses_development_jwt_secret():
        _log.warning("FLOWLOGIC_JWT_SECRET is not set: tokens are signed with a development secret")
    secret = settings.jwt_secret.get_secret_value()
    token = mint_token(secret, DEV_SUB, DEV_EMAIL, ("worker", "admin"), DEV_TOKEN_TTL)
    url = display_url(args.host, args.port)
    notes: list[str] = []

    with ExitStack() as stack:
        engine: EmbeddedDynamoDB | None = None
        if settings.profile is Profile.LOCAL and settings.dynamodb_endpoint is None:
            # Started here rather than by the container, so that saved data is loaded before
            # the tables are created and the endpoint can be printed and reused.
            engine = EmbeddedDynamoDB(port=args.dynamodb_port or 0, region=settings.aws_region)
            try:
                stack.enter_context(engine)
            except RuntimeError as error:
                sys.stderr.write(f"{error}\n")
                return 2
            settings = settings.model_copy(update={"dynamodb_endpoint": engine.endpoint})
            notes.append(
                f"Embedded DynamoDB: {engine.endpoint} (e.g. AWS_ENDPOINT_URL_DYNAMODB="
                f"{engine.endpoint} flowlogic tables create)"
            )
        elif settings.profile is Profile.LOCAL:
            notes.append(f"DynamoDB: {settings.dynamodb_endpoint}")

        def keep_data(container: Container) -> AbstractContextManager[None]:
            if args.data_dir is None or settings.profile is not Profile.LOCAL:
                return nullcontext()
            return _keeping_data(args, engine, container, notes)

        def announce() -> None:
            print(f"Flow Logic API ({settings.profile.value} profile) on {url}", flush=True)
            print(f"Interactive docs: {url}/docs", flush=True)
            for note in notes:
                print(note, flush=True)
            print(
                f"Bearer token for {DEV_SUB} <{DEV_EMAIL}> (groups worker, admin; 12 h):\n{token}",
                flush=True,
            )

        try:
            with serving(settings, args.host, args.port, announce, keep_data) as server:
                server.run()
        except _DataDirUnusable as error:
            sys.stderr.write(f"{error}\n")
            return 2
    return 0


class _DataDirUnusable(Exception):
    pass


@contextmanager
def _keeping_data(
    args: argparse.Namespace,
    engine: EmbeddedDynamoDB | None,
    container: Container,
    notes: list[str],
) -> Iterator[None]:
    """Load the data directory (unless --fresh), save it in the background and at the end."""
    from infra.local_data import LocalData, LocalDataError

    data = LocalData(Path(args.data_dir), engine, container.stripe_simulator(), args.save_every)
    try:
        loaded = None if args.fresh else data.load()
        if args.fresh:
            data.directory.mkdir(parents=True, exist_ok=True)
    except (LocalDataError, OSError) as error:
        raise _DataDirUnusable(str(error)) from None
    if engine is None:
        notes.append("(DynamoDB lives at AWS_ENDPOINT_URL_DYNAMODB: only Stripe data is kept.)")
    if loaded is None:
        start = "starting empty" + (" (--fresh)" if args.fresh else "")
    else:
        start = f"loaded {loaded.items} item(s), {loaded.subscriptions} Stripe subscription(s)"
    notes.append(
        f"Data kept in {data.path}: {start}; saved every {args.save_every:g} s after changes "
        "and on stop"
    )
    data.start()
    try:
        yield
    finally:
        data.stop()


@contextmanager
def serving(
    settings: Settings,
    host: str,
    port: int,
    announce: Callable[[], None] = lambda: None,
    around: Callable[[Container], AbstractContextManager[None]] | None = None,
) -> Iterator[uvicorn.Server]:
    """A uvicorn server of the application for `settings`, not yet running; cleans up after.

    `around(container)` is entered before the server is handed out and left before the
    container shuts down (`serve --data-dir` loads and saves the data there).
    """
    import uvicorn

    from infra.container import create_container
    from infra.openapi import http_app

    container: Container = create_container(settings)
    try:
        with around(container) if around is not None else nullcontext():
            config = uvicorn.Config(
                http_app(container),
                host=host,
                port=port,
                log_config=None,  # our logging stays in charge
                access_log=False,  # the app logs one PII-free line per request itself
                lifespan="off",
            )
            yield _announcing_server(config, announce)
    finally:
        container.shutdown_resources()


def _announcing_server(config: uvicorn.Config, announce: Callable[[], None]) -> uvicorn.Server:
    """A uvicorn server that announces itself once it listens (uvicorn is the `local` extra's,
    so it is imported only by the commands that serve)."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                announce()

        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            # uvicorn re-raises SIGINT/SIGTERM once shut down, which would kill the process
            # before `serve` saves its data and stops the embedded server: a signal is a clean
            # stop here.
            with super().capture_signals():
                try:
                    yield
                finally:
                    self._captured_signals.clear()

    return AnnouncingServer(config)


@contextmanager
def in_background(settings: Settings, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the application on a free loopback port in a thread; yields its URL."""
    import socket as sockets

    with sockets.socket(sockets.AF_INET, sockets.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port = int(probe.getsockname()[1])
    url = display_url(host, port)
    if "FLOWLOGIC_PUBLIC_URL" not in os.environ:
        settings = settings.model_copy(update={"public_url": url})
    ready = threading.Event()
    with serving(settings, host, port, ready.set) as server:
        thread = threading.Thread(target=server.run, name="flowlogic-demo-server", daemon=True)
        thread.start()
        try:
            if not ready.wait(timeout=30):
                raise RuntimeError("the embedded service did not start")
            yield url
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _token(args: argparse.Namespace) -> int:
    from infra.tokens import mint_token

    settings = Settings()
    if _refuse_aws(settings, "flowlogic token"):
        return 2
    if args.ttl < 1:
        sys.stderr.write("--ttl must be at least 1 second\n")
        return 2
    groups = [group.strip() for group in args.groups.split(",") if group.strip()]
    secret = settings.jwt_secret.get_secret_value()
    print(mint_token(secret, args.sub, args.email, groups, args.ttl))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from infra.demo import run_demo

    settings = Settings()
    if _refuse_aws(settings, "flowlogic demo"):
        return 2
    if args.url:
        return run_demo(args.url.rstrip("/"), settings, sys.stdout)
    if _refuse_layout(settings):
        return 2
    with in_background(settings) as url:
        return run_demo(url, settings, sys.stdout)


def _openapi(args: argparse.Namespace) -> int:
    from infra.openapi import main as write_spec

    return write_spec(["--check"] if args.check else [])


def _date_argument(text: str) -> date:
    from infra.lambda_reminders import parse_date

    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _data_settings(what: str) -> Settings | None:
    """The environment's settings, or None (said why) when `what` cannot work on them."""
    settings = Settings()
    if settings.profile is Profile.LOCAL and settings.dynamodb_endpoint is None:
        sys.stderr.write(
            f"{what} needs a DynamoDB that outlives it: set AWS_ENDPOINT_URL_DYNAMODB to one "
            "(the `Embedded DynamoDB:` endpoint `flowlogic serve` prints, http://127.0.0.1:8001 "
            "under `make run`, DynamoDB Local, ...). Without it the local profile would start "
            "an embedded server, with its tables, on every run and drop it on exit.\n"
        )
        return None
    return settings


def _where(settings: Settings) -> str:
    return settings.dynamodb_endpoint or f"AWS DynamoDB in {settings.aws_region}"


def _tables_create(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from adapters.dynamodb.tables import create_tables
    from infra.embedded import make_client

    if Settings().profile is Profile.MEMORY:
        print("The memory profile keeps its data in process: there are no tables to create.")
        return 0
    settings = _data_settings("flowlogic tables create")
    if settings is None:
        return 2
    client = make_client(settings.dynamodb_endpoint, settings.aws_region)
    layout = settings.layout()
    try:
        created = create_tables(client, layout)
        missing = _missing_indexes(client, layout, created)
    except (BotoCoreError, ClientError) as error:
        sys.stderr.write(f"could not create the tables on {_where(settings)}: {error}\n")
        return 1
    for name, indexes in missing.items():
        sys.stderr.write(
            f"warning: {name} existed already and lacks {', '.join(indexes)}; this command "
            "never changes an existing table (a local index can only come with a new table)\n"
        )
    for name in created:
        print(f"created {name}")
    count = len(layout.tables())
    summary = (
        f"the {count} {'table' if count == 1 else 'tables'} of stage {settings.stage!r}"
        f" ({layout.name} layout) on {_where(settings)}"
    )
    if created:
        print(f"{len(created)} table(s) created; {summary} are active.")
    else:
        print(f"Nothing changed: {summary} exist already.")
    return 0


def _missing_indexes(
    client: DynamoDBClient, layout: Layout, created: list[str]
) -> dict[str, list[str]]:
    """Indexes of the definition that tables which existed already do not have, by table."""
    missing: dict[str, list[str]] = {}
    for table in layout.tables():
        name = layout.physical(table)
        if name in created or not table.indexes:
            continue
        described = client.describe_table(TableName=name)["Table"]
        present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
        present |= {index["IndexName"] for index in described.get("LocalSecondaryIndexes", [])}
        absent = [index.name for index in table.indexes if index.name not in present]
        if absent:
            missing[name] = absent
    return missing


def _migrate(args: argparse.Namespace) -> int:
    from application.run_migrations import RunMigrationsRequest
    from infra.container import create_container
    from infra.migrations import migrations_for

    if Settings().profile is Profile.MEMORY:
        print(
            "The memory profile has no migrations to run: its data lives and dies with the "
            "process, so none of it predates the code."
        )
        return 0
    settings = _data_settings("flowlogic migrate")
    if settings is None or _refuse_layout(settings):
        return 2
    container = create_container(settings)
    bars = _ProgressBars(sys.stderr)
    try:
        known = migrations_for(container.storage(), container.dynamodb(), container.clock())
        by_version = {migration.version: migration for migration in known}
        runner = container.run_migrations(on_progress=bars.update)
        versions = runner.execute(RunMigrationsRequest(dry_run=args.dry_run))
    except Exception as error:
        bars.close()
        sys.stderr.write(
            f"a migration failed; its claim was released, so the next run retries it: {error!r}\n"
        )
        return 1
    finally:
        container.shutdown_resources()
    bars.close()
    if args.dry_run:
        if not versions:
            print(f"Nothing pending: the {len(known)} migration(s) are all applied.")
        else:
            print(f"{len(versions)} pending migration(s):")
        for version in versions:
            print(_describe(by_version[version]))
        return 0
    for version in versions:
        print(f"applied {_describe(by_version[version])}")
    if not versions:
        print(f"Nothing to apply: the {len(known)} migration(s) are all recorded.")
    return 0


def _describe(migration: Migration) -> str:
    return f"{migration.version}  {migration.description}  ({migration.author})"


class _ProgressBars:
    """One tqdm bar per migration that reports progress, on `stream` (stderr), one at a time."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._bars: dict[str, tqdm[NoReturn]] = {}

    def update(self, version: str, done: int, total: int | None) -> None:
        from tqdm import tqdm

        bar = self._bars.get(version)
        if bar is None:
            self.close()  # migrations run one after another: the previous one is done
            bar = tqdm(desc=f"migration {version}", total=total, unit="item", file=self._stream)
            self._bars[version] = bar
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def _reminders(args: argparse.Namespace) -> int:
    from infra.container import create_container
    from infra.lambda_reminders import send_reminders

    settings = _data_settings("flowlogic reminders")
    if settings is None or _refuse_layout(settings):
        return 2
    container = create_container(settings)
    try:
        sent = send_reminders(container, args.date)
    finally:
        container.shutdown_resources()
    reminded = sent.users - sent.failed
    print(
        f"Reminders for {args.date.isoformat()}: {reminded} user(s) reminded, "
        f"{sent.failed} failure(s)."
    )
    if settings.profile is not Profile.AWS:
        print(f"(The {settings.profile.value} profile has no event bus: events stayed in process.)")
    return 0 if sent.failed == 0 else 1


def _layout_settings(action: str, what: str) -> Settings | None:
    """The settings a `layout` action works on; None (said why) on the memory profile, which
    has no tables, or where `_data_settings` refuses."""
    if Settings().profile is Profile.MEMORY:
        sys.stderr.write(f"the memory profile has no tables: there is nothing to {what}\n")
        return None
    return _data_settings(f"flowlogic layout {action}")


def _layout_copy(args: argparse.Namespace) -> int:
    from infra.layout_copy import copy_layout

    settings = _layout_settings("copy", "copy")
    if settings is None:
        return 2
    return copy_layout(
        settings,
        args.target,
        dry_run=args.dry_run,
        prune=args.prune,
        segments=args.segments,
        checkpoint=args.checkpoint,
    )


def _layout_verify(args: argparse.Namespace) -> int:
    from infra.layout_copy import verify_layout

    settings = _layout_settings("verify", "compare")
    if settings is None:
        return 2
    return verify_layout(settings, args.target, segments=args.segments)


def _layout_follow(args: argparse.Namespace) -> int:
    from infra.layout_follow import follow_layout, stopping_on_signals

    settings = _layout_settings("follow", "follow")
    if settings is None:
        return 2
    stop = threading.Event()
    with stopping_on_signals(stop):
        return follow_layout(
            settings,
            args.target,
            until_caught_up=args.until_caught_up,
            checkpoint=args.checkpoint,
            stop=stop,
        )


if __name__ == "__main__":
    raise SystemExit(main())
