"""The benchmark's targets (each a ratio measured in the same run) and its Markdown report."""

from __future__ import annotations

import math
import os
import platform


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}


SERVICES = ("tkg", "oxigraph-memory", "oxigraph-disk", "rdflib")
PEER = "oxigraph-memory"  # the targets' reference


def _run(data: dict, service: str, workload: str, new_text: bool, clients: int) -> dict | None:
    for run in data["http"]["runs"]:
        key = (run["service"], run["workload"], run["new_text"], run["clients"])
        if key == (service, workload, new_text, clients):
            return run
    return None


def _ratio(a: dict | None, b: dict | None) -> float | None:
    if not a or not b or not b["throughput"]:
        return None
    return round(a["throughput"] / b["throughput"], 3)


def workloads(data: dict) -> list[str]:
    return list(dict.fromkeys(r["workload"] for r in data["http"]["runs"] if ":" not in r["workload"]))


def geomean_ratio(data: dict, new_text: bool, peer: str = PEER) -> float | None:
    """Geometric mean over issue 11's workloads of tkg's req/s over ``peer``'s."""
    clients = data["plan"]["clients"]
    ratios = [
        _ratio(_run(data, "tkg", w, new_text, clients), _run(data, peer, w, new_text, clients))
        for w in workloads(data)
    ]
    known = [r for r in ratios if r]
    if not known or len(known) < len(ratios):
        return None
    return round(math.exp(sum(math.log(r) for r in known) / len(known)), 3)


def targets(data: dict) -> list[dict]:
    """Each target of issues 11 and 7 with what this run measured."""
    rows = []

    def add(name: str, value, goal: str, met: bool | None) -> None:
        rows.append({"target": name, "measured": value, "goal": goal, "met": met})

    g = geomean_ratio(data, True)
    add(
        f"geomean req/s vs in-memory Oxigraph server, every text new, {data['plan']['clients']} clients",
        g,
        ">= 0.5x",
        g is not None and g >= 0.5,
    )
    g = geomean_ratio(data, False)
    add(
        f"geomean req/s vs in-memory Oxigraph server, repeated text, {data['plan']['clients']} clients",
        g,
        ">= 1.5x",
        g is not None and g >= 1.5,
    )
    first = data.get("first_request", {})
    p95, top = first.get("p95_ms"), first.get("max_ms")
    add(
        f"first request of {first.get('count')} pages, API calls and pictures: p95 (ms)",
        p95,
        "<= 20 ms",
        p95 is not None and p95 <= 20,
    )
    add("first request: max (ms)", top, "<= 50 ms", top is not None and top <= 50)
    top_clients = data["plan"]["top_clients"]
    w = workloads(data)
    p99 = (_run(data, "tkg", w[0], True, top_clients) or {}).get("p99_ms") if w else None
    add(
        f"p99 at {top_clients} clients, {w[0] if w else '?'}, every text new (ms)",
        p99,
        "<= 20 ms",
        p99 is not None and p99 <= 20,
    )
    reasoners = data["build"].get("reasoners", {})
    add(
        "reasoning speed-up over owlrl's full closure",
        reasoners.get("speedup"),
        ">= 20x",
        reasoners.get("speedup", 0) >= 20,
    )
    add(
        "same tkg: inferences as owlrl (all inferences identical)",
        f"{reasoners.get('identical_tkg')} ({reasoners.get('identical')})",
        "identical",
        bool(reasoners.get("identical_tkg")),
    )
    real_seconds = build_seconds(data["build"])
    add("real graph build, whole process (s)", real_seconds, "< 5 s", real_seconds < 5)
    goals = {100: (180, 4096), 1000: (1800, 16384)}  # the targets: seconds and MB
    for row in data["scale"]:
        factor = int(row["factor"]) if row["factor"] in goals else None
        if factor is None:
            continue
        seconds_goal, mb_goal = goals[factor]
        build = row["build"]
        if "error" in build:
            add(f"{factor}x graph build", "failed", f"< {seconds_goal} s and < {mb_goal} MB", False)
            continue
        seconds = build_seconds(build)
        peak = max(build["peak_mb"].values())
        add(f"{factor}x graph build (s)", seconds, f"< {seconds_goal} s", seconds < seconds_goal)
        add(f"{factor}x graph build peak memory (MB)", peak, f"< {mb_goal} MB", peak < mb_goal)
    return rows


def build_seconds(build: dict) -> float:
    """A build's whole time: the process's own clock, not the sum of its stages (``dumps`` runs inside
    ``load``, so the sum counts it twice)."""
    if "seconds" in build:
        return round(build["seconds"], 1)
    return round(sum(s for name, s in build["stages"].items() if name != "dumps"), 1)


def scale_markdown(rows: list[dict]) -> list[str]:
    """The scale section: each factor's build by stage, then its service against Oxigraph's."""
    lines = [
        "## Scale",
        "",
        "Build: seconds by stage (``dumps`` is part of ``load``); peak RSS of the build process.",
        "Service: the first query on a fresh server, the canned query ``ancestors`` with its parameter"
        " (tkg's API / the same text on the Oxigraph server), the lineage closure (tkg / Oxigraph),"
        " and requests a second at 8 clients.",
        "",
        "| factor | triples | build s | parse | validate | lint | reason | load | dumps | peak MB "
        "| first query ms | canned ms (tkg / Oxigraph) | lineage closure ms (tkg / Oxigraph) "
        "| tkg req/s | Oxigraph req/s |",
        "|" + " ---: |" * 11 + " --- | --- | ---: | ---: |",
    ]
    for row in rows:
        build = row["build"]
        if "error" in build:
            lines.append(f"| {row['factor']:g} | build failed: {build['error'][-200:]!r} |")
            continue
        s = build["stages"]
        tkg, ox = row.get("tkg", {}), row.get("oxigraph", {})
        closure = (
            f"{row.get('heavy_ms', {}).get('lineage-closure')} / "
            f"{row.get('oxigraph_heavy_ms', {}).get('lineage-closure')}"
        )
        canned = f"{row.get('canned_ms')} / {row.get('oxigraph_canned_ms')}"
        lines.append(
            f"| {row['factor']:g} | {build['total_triples']:,} | {build_seconds(build)} "
            + "".join(
                f"| {s.get(stage)} " for stage in ("parse", "validate", "lint", "reason", "load", "dumps")
            )
            + f"| {max(build['peak_mb'].values())} | {row.get('first_query_ms')} | {canned} "
            f"| {closure} | {_fmt(tkg.get('throughput'))} | {_fmt(ox.get('throughput'))} |"
        )
    return lines


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def http_markdown(data: dict) -> list[str]:
    """Issue 11's workloads, the gallery, p99 at 32 clients, first requests, agreement."""
    clients, top_clients = data["plan"]["clients"], data["plan"]["top_clients"]
    services = [s for s in SERVICES if any(r["service"] == s for r in data["http"]["runs"])]
    lines = [
        "",
        f"## Throughput: issue 11's workloads (wrk, {clients} connections, 2 threads, "
        f"{data['plan']['seconds']:g} s a run)",
        "",
        "`new`: every request's text ends in a comment no other request has, so no answer cache "
        "serves it; `repeated`: the same text every time (tkg's answer cache on, as deployed). "
        "Peers: the Oxigraph server holding the same quads in memory (`oxigraph-memory`, the "
        "reference) and read-only over the same on-disk store (`oxigraph-disk`), and the Flask + "
        "rdflib endpoint. tkg runs with its access log off.",
        "",
        "| workload | texts | "
        + " | ".join(f"{s} req/s" for s in services)
        + " | "
        + " | ".join(f"tkg × {s}" for s in services[1:])
        + " |",
        "| --- | --- |" + " ---: |" * (2 * len(services) - 1),
    ]
    for w in workloads(data):
        for new_text in (True, False):
            runs = [_run(data, s, w, new_text, clients) for s in services]
            cells = [_fmt((r or {}).get("throughput")) for r in runs]
            ratios = [_fmt(_ratio(runs[0], r)) for r in runs[1:]]
            lines.append(
                f"| {w} | {'new' if new_text else 'repeated'} | " + " | ".join(cells + ratios) + " |"
            )
    for new_text in (True, False):
        means = [_fmt(geomean_ratio(data, new_text, s)) for s in services[1:]]
        lines.append(
            f"| **geometric mean** | {'new' if new_text else 'repeated'} | "
            + " | ".join(["" for _ in services] + means)
            + " |"
        )
    check = data["http"].get("cache_check", {})
    verdict = "distinct, so new texts miss" if check.get("misses") else "NOT distinct"
    lines += [
        "",
        f"Cache check: two texts differing only in their comment got ETags {check.get('etags')} "
        f"(the answer cache is keyed by them): {verdict}.",
        "",
        f"## Latency at {top_clients} clients (first workload, every text new)",
        "",
        "| service | req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    first_workload = workloads(data)[0] if workloads(data) else ""
    for s in services:
        r = _run(data, s, first_workload, True, top_clients) or {}
        lines.append(
            f"| {s} | {_fmt(r.get('throughput'))} | {_fmt(r.get('p50_ms'))} | {_fmt(r.get('p90_ms'))} "
            f"| {_fmt(r.get('p99_ms'))} | {r.get('errors')} | {r.get('non_2xx_3xx')} |"
        )
    lines += [
        "",
        f"## The gallery (wrk, {clients} connections, every text new)",
        "",
        "`canned`: `queries/*.rq` with their default parameters and the questions of `bench/workload.py`; "
        "`describe`: DESCRIBE of two organisations; `heavy`: whole-graph lineage closure, events by year.",
        "",
        "| group | " + " | ".join(f"{s} req/s (p99 ms)" for s in services) + " | tkg × " + PEER + " |",
        "| --- |" + " ---: |" * (len(services) + 1),
    ]
    for group in ("canned", "describe", "heavy"):
        runs = [_run(data, s, f"gallery:{group}", True, clients) for s in services]
        cells = [f"{_fmt((r or {}).get('throughput'))} ({_fmt((r or {}).get('p99_ms'))})" for r in runs]
        peer = runs[services.index(PEER)] if PEER in services else None
        lines.append(f"| {group} | " + " | ".join(cells) + f" | {_fmt(_ratio(runs[0], peer))} |")
    first = data.get("first_request")
    if first:
        lines += [
            "",
            "## First request on a fresh server",
            "",
            f"{first['count']} URLs, each fetched once in turn (answer caches cold): p95 "
            f"{_fmt(first['p95_ms'])} ms, max {_fmt(first['max_ms'])} ms. "
            + (f"Not 200: {[(r['path'], r['status']) for r in first['not_ok']]}." if first["not_ok"] else ""),
            "",
            "| kind | slowest ms |",
            "| --- | ---: |",
        ]
        lines += [f"| {kind} | {_fmt(ms)} |" for kind, ms in first["max_by_kind"].items()]
        lines += ["", "Slowest five:", "", "| URL | ms |", "| --- | ---: |"]
        lines += [f"| `{r['path']}` | {_fmt(r['ms'])} |" for r in first["slowest"]]
    disagree = {k: v["sizes"] for k, v in data["http"]["agreement"].items() if not v["agree"]}
    lines += [
        "",
        f"Answers compared across services for {len(data['http']['agreement'])} queries: "
        + ("all agree in size." if not disagree else f"{len(disagree)} differ:"),
        "",
    ]
    for name, sizes in disagree.items():
        lines.append(f"- `{name}`: {sizes}")
    return lines


def markdown(data: dict) -> str:
    lines = ["# tkg benchmark report", ""]
    m = data["machine"]
    lines.append(
        f"{m['cpus']} CPUs, Python {m['python']}, {m['system']}. "
        f"{'Quick mode: figures prove the harness works, not the service.' if data['quick'] else ''}"
    )
    lines += [
        "",
        "Produced by `python -m bench` (see bench/README.md). Every figure below comes from one run.",
        "",
    ]
    lines += ["## Targets", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |"]
    for t in data["targets"]:
        met = "yes" if t["met"] else ("no" if t["met"] is False else "–")
        lines.append(f"| {t['target']} | {_fmt(t['measured'])} | {t['goal']} | {met} |")
    lines += http_markdown(data)
    b = data["build"]
    lines += [
        "",
        "## Build of the real graph",
        "",
        "| stage | seconds | peak RSS after stage (MB) |",
        "| --- | ---: | ---: |",
    ]
    for stage, seconds in b["stages"].items():
        lines.append(f"| {stage} | {seconds} | {b['peak_mb'].get(stage, '–')} |")
    r = b.get("reasoners", {})
    lines += [
        "",
        f"Reasoning on the same input: owlrl full closure {r.get('owlrl_seconds')} s, fast path "
        f"{r.get('fast_seconds')} s ({r.get('speedup')}×); {r.get('inferred')} inferred triples, "
        f"{r.get('tkg_inferred')} with tkg: terms; identical: {r.get('identical')}.",
        "",
    ]
    lines += scale_markdown(data["scale"])
    if data.get("soak"):
        from .soak import markdown as soak_markdown

        lines += soak_markdown(data["soak"])
    return "\n".join(lines) + "\n"
