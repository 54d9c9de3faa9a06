"""``python -m bench``: build, serve three ways, load, scale; write report.md and report.json."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from . import load, report, servers, synthetic, workload

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plan:
    """How much to measure: the full run, or a quick proof that everything works."""

    concurrency: tuple[int, ...]
    seconds: float
    max_requests: int
    scales: tuple[float, ...]
    scale_seconds: float
    workers: int = 2


FULL = Plan((1, 8, 32), 4.0, 200_000, (10, 100), 3.0)
QUICK = Plan((1, 8), 0.4, 400, (0.05,), 0.3)


def build_stats(work: Path, data: Path | None, seeds: Path | None, compare: bool, timeout: float) -> dict:
    command = [sys.executable, "-m", "bench.buildstats", "--build-dir", str(work / "build")]
    if data:
        command += ["--data", str(data)]
    if seeds:
        command += ["--seeds", str(seeds)]
    if compare:
        command.append("--compare-reasoners")
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={"PYTHONPATH": str(ROOT)}
    )
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
        sizes = {}
        for name, url in endpoints.items():
            try:
                sizes[name] = size_of(q, fetch(url, q)[1])
            except Exception as error:  # a peer that cannot answer is reported, not fatal
                sizes[name] = f"error: {type(error).__name__}"
        table[q.name] = {"sizes": sizes, "agree": len({str(v) for v in sizes.values()}) == 1}
    return table


def measure(url: str, queries: list[workload.Query], plan: Plan, clients: int, etags: dict | None = None):
    path = "/" + url.split("/", 3)[3]
    base = url.rsplit("/", 1)[0]
    requests = [workload.request(q, path, (etags or {}).get(q.name)) for q in queries]
    seconds = plan.seconds
    outcome = load.run(base, requests, clients, seconds, plan.max_requests)
    return {
        "clients": clients,
        "requests": outcome.requests,
        "errors": outcome.errors,
        "seconds": round(outcome.seconds, 3),
        "throughput": round(outcome.throughput, 1),
        "p50_ms": round(outcome.percentile(0.50) * 1000, 2),
        "p99_ms": round(outcome.percentile(0.99) * 1000, 2),
        "statuses": {str(k): v for k, v in outcome.statuses.items()},
    }


def http_bench(store_dir: Path, build_dir: Path, queries: list[workload.Query], plan: Plan) -> dict:
    """Every group of the workload, on every service, at every concurrency, cache off and on."""
    groups = {g: [q for q in queries if q.group == g] for g in ("canned", "describe", "heavy")}
    results: dict = {"agreement": {}, "runs": []}
    with ExitStack() as stack:
        ox = stack.enter_context(servers.oxigraph(store_dir))
        rdf = stack.enter_context(servers.rdflib(store_dir, plan.workers))
        results["agreement"] = agreement({"oxigraph": ox.endpoint, "rdflib": rdf.endpoint}, queries)
        for peer in (ox, rdf):
            for group, qs in groups.items():
                for c in plan.concurrency:
                    results["runs"].append(
                        {
                            "service": peer.name,
                            "mode": "plain",
                            "group": group,
                            **measure(peer.endpoint, qs, plan, c),
                        }
                    )
    for mode in ("off", "on", "revalidate"):
        with servers.tkg(build_dir, plan.workers, cache=mode != "off") as tkg:
            if mode == "off":
                for name, row in agreement({"tkg": tkg.endpoint}, queries).items():
                    results["agreement"][name]["sizes"]["tkg"] = row["sizes"]["tkg"]
                    sizes = results["agreement"][name]["sizes"]
                    results["agreement"][name]["agree"] = len({str(v) for v in sizes.values()}) == 1
            etags = {q.name: fetch(tkg.endpoint, q)[2] for q in queries} if mode == "revalidate" else None
            for group, qs in groups.items():
                for c in plan.concurrency:
                    results["runs"].append(
                        {
                            "service": "tkg",
                            "mode": mode,
                            "group": group,
                            **measure(tkg.endpoint, qs, plan, c, etags),
                        }
                    )
    return results


def scale_bench(work: Path, plan: Plan, timeout: float) -> list[dict]:
    """Generate, build and query the synthetic graph at each factor."""
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
            short = Plan(plan.concurrency, plan.scale_seconds, plan.max_requests, (), 0)
            with servers.tkg(build_dir, plan.workers, cache=False) as tkg:
                row["tkg"] = measure(tkg.endpoint, queries, short, 8)
                row["heavy_ms"] = {q.name: round(_timed(tkg.endpoint, q) * 1000, 1) for q in heavy}
            with servers.oxigraph(store_dir) as ox:
                row["oxigraph"] = measure(ox.endpoint, queries, short, 8)
                row["oxigraph_heavy_ms"] = {q.name: round(_timed(ox.endpoint, q) * 1000, 1) for q in heavy}
        rows.append(row)
        print(f"scale {factor:g}: {json.dumps(row)[:300]}", file=sys.stderr)
    return rows


def _timed(url: str, query: workload.Query) -> float:
    t0 = time.perf_counter()
    fetch(url, query)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run that proves the benchmark works")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--scales", help="comma-separated factors of the real graph (default 10,100)")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--build-timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.scales:
        plan = Plan(
            plan.concurrency,
            plan.seconds,
            plan.max_requests,
            tuple(float(x) for x in args.scales.split(",")),
            plan.scale_seconds,
        )
    if args.no_scale:
        plan = Plan(plan.concurrency, plan.seconds, plan.max_requests, (), plan.scale_seconds)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    print("building the real graph ...", file=sys.stderr)
    real = build_stats(work / "real", None, None, True, args.build_timeout)
    if "error" in real:
        print(real["error"], file=sys.stderr)
        return 1
    build_dir = work / "real" / "build"
    store_dir = (build_dir / "current").resolve()
    print("serving it three ways ...", file=sys.stderr)
    http = http_bench(store_dir, build_dir, workload.queries(), plan)
    scale = scale_bench(work, plan, args.build_timeout)
    data = {
        "quick": args.quick,
        "machine": report.machine(),
        "plan": plan.__dict__,
        "build": real,
        "http": http,
        "scale": scale,
    }
    data["targets"] = report.targets(data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (args.out / "report.md").write_text(report.markdown(data), encoding="utf-8")
    print(f"wrote {args.out / 'report.md'} and {args.out / 'report.json'}", file=sys.stderr)
    return 0
