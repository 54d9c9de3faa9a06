"""The ``tkg`` command: build, validate, query and serve the graph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Settings
from .storage import StoreError
from .turtle import TurtleError


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from .build import BuildError, build

    try:
        build(settings, reasoner=args.reasoner)
    except (TurtleError, BuildError) as error:
        print(f"build failed: {error}", file=sys.stderr)
        print("the previous store (if any) is unchanged and still current", file=sys.stderr)
        return 1
    return _push(args, settings) if args.push else 0


def _push(args: argparse.Namespace, settings: Settings) -> int:
    from .push import PushError, push
    from .store import QueryError

    try:
        push(settings, chunk=args.chunk, grace=args.grace)
    except (PushError, QueryError, StoreError) as error:
        print(f"push failed: {error}", file=sys.stderr)
        print("the version the store served (if any) is unchanged and still served", file=sys.stderr)
        return 1
    return 0


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    from .build import BuildError, check
    from .namespaces import GRAPH_ASSERTED

    try:
        inputs, _ = check(settings)
    except (TurtleError, BuildError) as error:
        print(f"invalid: {error}", file=sys.stderr)
        return 1
    print(f"valid: {inputs.count(GRAPH_ASSERTED)} data triples, every quote found in its article")
    return 0


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from .formats import by_name, carrying
    from .store import RESULT_FORMATS, EmbeddedStore, QuerySyntaxError

    text = args.sparql
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        store = EmbeddedStore(settings.current_store)
        result = store.query(text)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except QuerySyntaxError as error:
        print(f"malformed query: {error}", file=sys.stderr)
        return 1
    offered = RESULT_FORMATS[result.kind]
    named = by_name(args.format) if args.format else None
    media_type = named.media_type if named else args.format or next(iter(offered))
    if args.format is None and result.kind == "bindings":
        media_type = "text/tab-separated-values"
    if media_type not in offered:
        names = ", ".join(f"{f.name} ({f.media_type})" for f in carrying(result.kind))
        print(f"error: a {result.kind} result can be {names}", file=sys.stderr)
        return 2
    if result.kind == "boolean" and args.format is None:
        sys.stdout.write("true\n" if result.boolean else "false\n")
        return 0
    sys.stdout.write(result.serialize(media_type).decode("utf-8"))
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from server.wsgi import serve

    try:
        serve(
            settings,
            host=args.host,
            port=args.port,
            workers=args.workers,
            threads=args.threads,
            access_log=args.access_log,
        )
    except StoreError as error:
        print(f"cannot serve: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tkg", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="parse, validate, reason and write the store")
    build.add_argument(
        "--reasoner",
        choices=("fast", "owlrl"),
        default="fast",
        help="fast: owlrl closes the schema, a specialised chainer the instances (same result); "
        "owlrl: owlrl closes everything (the reasoner of record, slow)",
    )
    build.add_argument(
        "--push",
        action="store_true",
        help="then push the built graph to the remote store (TKG_STORE_GSP_URL) and switch to it",
    )
    push = commands.add_parser("push", help="push the current build to the remote store and switch to it")
    for command in (build, push):
        command.add_argument("--chunk", type=int, default=50_000, help="triples per request of the push")
        command.add_argument(
            "--grace",
            type=float,
            default=None,
            help="seconds the old version stays after the switch "
            "(default: TKG_STORE_VERSION_TTL + TKG_QUERY_TIMEOUT)",
        )
    commands.add_parser("validate", help="parse and validate the data without building")
    query = commands.add_parser("query", help="run a SPARQL query against the built store")
    query.add_argument("sparql", help="the query, '-' for standard input, or @file")
    query.add_argument(
        "--format",
        help="result format: a media type or a short name such as csv, json, ttl (default TSV or Turtle)",
    )
    serve = commands.add_parser("serve", help="serve the built store over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2, help="web worker processes")
    serve.add_argument(
        "--threads",
        type=int,
        default=32,
        help="most Python threads running requests in each worker (started as needed)",
    )
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one line per request on standard output (--no-access-log: none, faster)",
    )
    args = parser.parse_args(argv)
    handler = {"build": _build, "push": _push, "validate": _validate, "query": _query, "serve": _serve}
    return handler[args.command](args, Settings())


if __name__ == "__main__":
    sys.exit(main())
