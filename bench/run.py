"""``python -m bench``: build, serve four ways, load with wrk, first requests, scale; write the report."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tkg.canned import load_all

from . import first_request, report, servers, soak, synthetic, workload, wrk

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plan:
    """How much to measure: the full run, or a quick proof that everything works."""

    seconds: float  # of each wrk run
    scales: tuple[float, ...]
    scale_seconds: float
    clients: int = 8
    top_clients: int = 32  # the p99 target's concurrency
    workers: int = 2
    soak_minutes: float = 30.0  # issue 16: a long mixed load, memory at the start and the end
    soak_round_seconds: float = 60.0


FULL = Plan(5.0, (10, 100), 3.0)
QUICK = Plan(1.0, (0.05,), 1.0, soak_minutes=0.25, soak_round_seconds=5.0)


def build_stats(work: Path, data: Path | None, seeds: Path | None, compare: bool, timeout: float) -> dict:
    command = [sys.executable, "-m", "bench.buildstats", "--build-dir", str(work / "build")]
    if data:
        command += ["--data", str(data)]
    if seeds:
        command += ["--seeds", str(seeds)]
    if compare:
        command.append("--compare-reasoners")
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={"PYTHONPATH": str(ROOT)}
        )
    except subprocess.TimeoutExpired as expired:  # subprocess.run has killed it: an error row, not a hang
        tail = expired.stderr or b""
        tail = tail.decode(errors="replace") if isinstance(tail, bytes) else tail
        return {"error": f"the build took more than --build-timeout {timeout:g} s; it ended:\n{tail[-1500:]}"}
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def fetch(url: str, query: workload.Query, etag: str | None = None) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query.text}), headers={"Accept": query.accept}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read(), response.headers.get("ETag")


def size_of(query: workload.Query, body: bytes) -> int:
    """Rows, triples or the boolean of an answer: what must agree across services."""
    if query.accept == workload.JSON:
        data = json.loads(body)
        return int(data["boolean"]) if "boolean" in data else len(data["results"]["bindings"])
    from rdflib import Graph

    return len(Graph().parse(data=body, format="turtle"))


def agreement(endpoints: dict[str, str], queries: list[workload.Query]) -> dict:
    """Each query's answer size on each service, and whether they agree."""
    table = {}
    for q in queries:
        sizes: dict[str, int | str] = {}
        for name, url in endpoints.items():
            try:
                sizes[name] = size_of(q, fetch(url, q)[1])
            except Exception as error:  # a peer that cannot answer is reported, not fatal
                sizes[name] = f"error: {type(error).__name__}"
        table[q.name] = {"sizes": sizes, "agree": len({str(v) for v in sizes.values()}) == 1}
    return table


def measure(url: str, queries: list[workload.Query], clients: int, seconds: float, new_text: bool) -> dict:
    """wrk against one endpoint, cycling through ``queries``."""
    base, path = url.rsplit("/", 1)
    requests = [workload.request(q, "/" + path) for q in queries]
    return wrk.run(base, requests, clients, seconds, new_text)


def cache_check(endpoint: str, query: workload.Query) -> dict:
    """Two texts that differ only in a trailing comment get different validators: the answer cache
    (keyed by them) cannot serve the second from the first, so the new-text runs really miss."""
    first = fetch(endpoint, workload.Query(query.name, query.group, query.text + "\n# 1-1"))[2]
    second = fetch(endpoint, workload.Query(query.name, query.group, query.text + "\n# 1-2"))[2]
    return {"etags": [first, second], "misses": first is not None and first != second}


def http_bench(store_dir: Path, build_dir: Path, plan: Plan, peers: tuple[str, ...] | None = None) -> dict:
    """Issue 11's workloads, new and repeated, on tkg and each peer; the gallery; p99 at 32 clients.

    The answers are compared with every service up; then each service is measured **alone**, started
    afresh: a peer still working off a slow query (the rdflib endpoint takes minutes on the heavy
    gallery) would otherwise take the cores from the one under load.
    """
    throughput = workload.throughput_queries()
    gallery = workload.queries()
    groups = {g: [q for q in gallery if q.group == g] for g in ("canned", "describe", "heavy")}
    results: dict = {"agreement": {}, "runs": [], "cache_check": {}}
    starts = {
        "tkg": lambda: servers.tkg(build_dir, plan.workers),
        "oxigraph-memory": lambda: servers.oxigraph_memory(store_dir),
        "oxigraph-disk": lambda: servers.oxigraph(store_dir),
        "rdflib": lambda: servers.rdflib(store_dir, plan.workers),
    }
    if peers is not None:  # tkg against these peers only
        starts = {name: start for name, start in starts.items() if name == "tkg" or name in peers}
    with ExitStack() as stack:
        endpoints = {name: stack.enter_context(start()).endpoint for name, start in starts.items()}
        results["agreement"] = agreement(endpoints, throughput + gallery)
    for name, start in starts.items():
        with start() as service:
            endpoint = service.endpoint
            if name == "tkg":
                results["cache_check"] = cache_check(endpoint, throughput[0])
            for query in throughput:
                for new_text in (True, False):
                    run = measure(endpoint, [query], plan.clients, plan.seconds, new_text)
                    results["runs"].append({"service": name, "workload": query.name, **run})
                    print(f"{name} {query.name} new={new_text}: {run['throughput']} req/s", file=sys.stderr)
            run = measure(endpoint, throughput[:1], plan.top_clients, plan.seconds, True)
            results["runs"].append({"service": name, "workload": throughput[0].name, **run})
            for group, queries in groups.items():
                run = measure(endpoint, queries, plan.clients, plan.seconds, True)
                results["runs"].append({"service": name, "workload": f"gallery:{group}", **run})
    return results


def first_requests(store_dir: Path, build_dir: Path, plan: Plan) -> dict:
    """Every page and picture once, on a fresh tkg server whose caches are cold."""
    targets = first_request.urls(store_dir)
    with servers.tkg(build_dir, plan.workers) as tkg:
        return first_request.measure(tkg.endpoint.rsplit("/", 1)[0], targets)


#: The largest factor whose tkg server answers from an in-memory copy of the store (TKG_STORE_IN_MEMORY).
IN_MEMORY_UP_TO = 100

#: The canned query the scale section times with its parameter: an organisation of the first world.
SCALE_CANNED = ("ancestors", {"org": "https://w3id.org/trotskyism/id/org/" + workload.SYNTHETIC["org"]})


def scale_bench(work: Path, plan: Plan, timeout: float) -> list[dict]:
    """Generate, build and serve the synthetic graph at each factor; time its first query, the lineage
    closure and a canned query with its parameter on tkg and on the Oxigraph server over the same store."""
    rows = []
    for factor in plan.scales:
        target = work / f"scale-{factor:g}"
        t0 = time.perf_counter()
        generated = synthetic.generate(target, factor)
        row: dict = {
            "factor": factor,
            "worlds": generated.worlds,
            "generate_seconds": round(time.perf_counter() - t0, 1),
        }
        row["build"] = build_stats(target, generated.data_dir, generated.seeds_dir, False, timeout)
        if "error" not in row["build"]:
            build_dir = target / "build"
            store_dir = (build_dir / "current").resolve()
            queries = [q for q in workload.queries(synthetic=True) if q.group != "heavy"]
            heavy = [q for q in workload.queries(synthetic=True) if q.group == "heavy"]
            name, values = SCALE_CANNED
            canned = load_all(ROOT / "queries")[name]
            canned_query = workload.Query(f"rq:{name}", "canned", canned.editor_text(canned.bind(values)))
            # above 100x the query processes read the store on disk, as a deployment that large would
            # ... with the budget such a deployment sets: the default 10 s answered the 1000x first query 503
            on_disk = factor > IN_MEMORY_UP_TO
            timeout_s = 600.0 if on_disk else None
            with servers.tkg(build_dir, plan.workers, in_memory=not on_disk, query_timeout=timeout_s) as tkg:
                row["first_query_ms"] = round(_timed(tkg.endpoint, queries[0]) * 1000, 1)
                api = f"{tkg.endpoint.rsplit('/', 1)[0]}/api/queries/{name}?{urllib.parse.urlencode(values)}"
                row["canned_ms"] = round(_timed_get(api) * 1000, 1)
                row["tkg"] = measure(tkg.endpoint, queries, plan.clients, plan.scale_seconds, True)
                row["heavy_ms"] = {q.name: round(_timed(tkg.endpoint, q) * 1000, 1) for q in heavy}
            with servers.oxigraph(store_dir) as ox:
                row["oxigraph_first_query_ms"] = round(_timed(ox.endpoint, queries[0]) * 1000, 1)
                row["oxigraph_canned_ms"] = round(_timed(ox.endpoint, canned_query) * 1000, 1)
                row["oxigraph"] = measure(ox.endpoint, queries, plan.clients, plan.scale_seconds, True)
                row["oxigraph_heavy_ms"] = {q.name: round(_timed(ox.endpoint, q) * 1000, 1) for q in heavy}
        rows.append(row)
        print(f"scale {factor:g}: {json.dumps(row)[:300]}", file=sys.stderr)
    return rows


def _timed_get(url: str) -> float:
    """Seconds to answer one GET in full (a 4xx or 5xx raises: a timing of an error is no timing)."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        response.read()
    return time.perf_counter() - t0


def scale_alone(work: Path, out: Path, plan: Plan, timeout: float) -> int:
    """Only the scale section (``--scale-only``): write ``scale.json`` and ``scale.md``."""
    rows = scale_bench(work, plan, timeout)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    (out / "scale.md").write_text("\n".join(report.scale_markdown(rows)) + "\n", encoding="utf-8")
    print(f"wrote {out / 'scale.md'} and {out / 'scale.json'}", file=sys.stderr)
    return 0 if all("error" not in row["build"] for row in rows) else 1


def _timed(url: str, query: workload.Query) -> float:
    t0 = time.perf_counter()
    fetch(url, query)
    return time.perf_counter() - t0


def soak_alone(work: Path, out: Path, plan: Plan) -> int:
    """Build the real graph (no reasoner comparison) and soak it; write ``soak.json`` and ``soak.md``."""
    build_dir = work / "soak" / "build"
    env = {**os.environ, "TKG_BUILD_DIR": str(build_dir), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "tkg.cli", "build"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    data = soak.soak(build_dir, plan.soak_minutes, round_seconds=plan.soak_round_seconds)
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (out / "soak.md").write_text("\n".join(soak.markdown(data)).lstrip() + "\n", encoding="utf-8")
    print(f"wrote {out / 'soak.md'} and {out / 'soak.json'}", file=sys.stderr)
    return 0 if data["passed"] else 1


def http_only(build_dir: Path, out: Path, plan: Plan) -> int:
    """The service's figures alone, over an existing build: ``http.md`` and ``http.json`` in ``out``."""
    store_dir = (build_dir / "current").resolve()
    data = {
        "quick": False,
        "machine": report.machine(),
        "plan": plan.__dict__,
        "http": http_bench(store_dir, build_dir, plan, peers=("oxigraph-memory",)),
        "first_request": first_requests(store_dir, build_dir, plan),
    }
    lines = ["# tkg against the in-memory Oxigraph server (`python -m bench --http-only`)", ""]
    for new_text in (True, False):
        lines.append(
            f"- geomean, {'new' if new_text else 'repeated'} texts: {report.geomean_ratio(data, new_text)}"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "http.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (out / "http.md").write_text("\n".join(lines + report.http_markdown(data)) + "\n", encoding="utf-8")
    print(f"wrote {out / 'http.md'} and {out / 'http.json'}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run that proves the benchmark works")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--scales", help="comma-separated factors of the real graph (default 10,100)")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--seconds", type=float, help="of each load run (default 5, quick 1)")
    parser.add_argument("--build-timeout", type=float, default=1800)
    parser.add_argument("--soak-minutes", type=float, help="of the soak (default 30, quick 0.25; 0: none)")
    parser.add_argument(
        "--soak-only", action="store_true", help="build the real graph and run the soak alone"
    )
    parser.add_argument(
        "--http-only",
        action="store_true",
        help="only tkg against the in-memory Oxigraph server (issue 11's workloads, 32 clients, the gallery) "
        "and the first requests, over the build of --build-dir: no build, scale or soak",
    )
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build", help="with --http-only")
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="only the scale section: build and serve each --scales factor",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.scales:
        plan = dataclasses.replace(plan, scales=tuple(float(x) for x in args.scales.split(",")))
    if args.no_scale:
        plan = dataclasses.replace(plan, scales=())
    if args.seconds:
        plan = dataclasses.replace(plan, seconds=args.seconds)
    if args.soak_minutes is not None:
        plan = dataclasses.replace(plan, soak_minutes=args.soak_minutes)
    if args.soak_only:
        return soak_alone(args.work, args.out, plan)
    if not wrk.available():
        print("wrk is not installed: `make bench` installs it (apt-get install wrk)", file=sys.stderr)
        return 1
    if args.http_only:
        return http_only(args.build_dir, args.out, plan)
    if args.scale_only:
        return scale_alone(args.work, args.out, plan, args.build_timeout)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    print("building the real graph ...", file=sys.stderr)
    real = build_stats(work / "real", None, None, True, args.build_timeout)
    if "error" in real:
        print(real["error"], file=sys.stderr)
        return 1
    build_dir = work / "real" / "build"
    store_dir = (build_dir / "current").resolve()
    print("serving it four ways ...", file=sys.stderr)
    http = http_bench(store_dir, build_dir, plan)
    print("first requests on a fresh server ...", file=sys.stderr)
    first = first_requests(store_dir, build_dir, plan)
    scale = scale_bench(work, plan, args.build_timeout)
    soaked = (
        soak.soak(build_dir, plan.soak_minutes, round_seconds=plan.soak_round_seconds)
        if plan.soak_minutes
        else None
    )
    data = {
        "quick": args.quick,
        "machine": report.machine(),
        "plan": plan.__dict__,
        "build": real,
        "http": http,
        "first_request": first,
        "scale": scale,
        "soak": soaked,
    }
    data["targets"] = report.targets(data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (args.out / "report.md").write_text(report.markdown(data), encoding="utf-8")
    print(f"wrote {args.out / 'report.md'} and {args.out / 'report.json'}", file=sys.stderr)
    return 0
