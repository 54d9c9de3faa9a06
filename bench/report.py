"""The benchmark's targets (each a ratio measured in the same run) and its Markdown report."""

from __future__ import annotations

import os
import platform


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}


def _run(data: dict, service: str, mode: str, group: str, clients: int) -> dict | None:
    for run in data["http"]["runs"]:
        if (run["service"], run["mode"], run["group"], run["clients"]) == (service, mode, group, clients):
            return run
    return None


def _ratio(a: dict | None, b: dict | None) -> float | None:
    if not a or not b or not b["throughput"]:
        return None
    return round(a["throughput"] / b["throughput"], 2)


def targets(data: dict) -> list[dict]:
    """Each target of issue 7 with what this run measured."""
    c8 = 8
    top = max(data["plan"]["concurrency"])
    ox8 = _run(data, "oxigraph", "plain", "canned", c8)
    rows = []

    def add(name: str, value, goal: str, met: bool | None) -> None:
        rows.append({"target": name, "measured": value, "goal": goal, "met": met})

    off = _run(data, "tkg", "off", "canned", c8)
    on = _run(data, "tkg", "on", "canned", c8)
    reval = _run(data, "tkg", "revalidate", "canned", c8)
    r = _ratio(off, ox8)
    add("uncached canned throughput vs Oxigraph server, 8 clients", r, ">= 0.5x", r is not None and r >= 0.5)
    r = _ratio(on, ox8)
    add(
        "repeated canned (answer cache) vs Oxigraph server, 8 clients",
        r,
        ">= 1.5x",
        r is not None and r >= 1.5,
    )
    r = _ratio(reval, ox8)
    add(
        "repeated canned (If-None-Match, 304) vs Oxigraph server, 8 clients",
        r,
        ">= 1.5x",
        r is not None and r >= 1.5,
    )
    r = _ratio(off, _run(data, "rdflib", "plain", "canned", c8))
    add("uncached canned throughput vs rdflib endpoint, 8 clients", r, ">= 20x", r is not None and r >= 20)
    p99 = (_run(data, "tkg", "off", "canned", top) or {}).get("p99_ms")
    add(f"p99 latency, uncached canned, {top} clients (ms)", p99, "< 20 ms", p99 is not None and p99 < 20)
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
    stages = data["build"]["stages"]
    real_seconds = round(sum(stages.values()), 2)
    add("real graph build, sum of stages (s)", real_seconds, "< 5 s", real_seconds < 5)
    for row in data["scale"]:
        if row["factor"] == 100:
            build = row["build"]
            if "error" in build:
                add("100x graph build", "failed", "< 180 s and < 4 GB", False)
                continue
            seconds = round(sum(build["stages"].values()), 1)
            peak = max(build["peak_mb"].values())
            add("100x graph build (s)", seconds, "< 180 s", seconds < 180)
            add("100x graph build peak memory (MB)", peak, "< 4096 MB", peak < 4096)
    return rows


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


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
    lines += [
        "",
        "## HTTP: throughput and latency",
        "",
        "`plain`: the peers, which have no answer cache and send no validators. tkg `off`: answer cache "
        "off; `on`: in-process answer cache; `revalidate`: clients send `If-None-Match` and get 304.",
        "",
        "| service | mode | workload | clients | req/s | p50 ms | p99 ms | errors | × Oxigraph | × rdflib |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in data["http"]["runs"]:
        ox = _run(data, "oxigraph", "plain", run["group"], run["clients"])
        rdf = _run(data, "rdflib", "plain", run["group"], run["clients"])
        lines.append(
            f"| {run['service']} | {run['mode']} | {run['group']} | {run['clients']} "
            f"| {_fmt(run['throughput'])} "
            f"| {_fmt(run['p50_ms'])} | {_fmt(run['p99_ms'])} | {run['errors']} | {_fmt(_ratio(run, ox))} "
            f"| {_fmt(_ratio(run, rdf))} |"
        )
    disagree = {k: v["sizes"] for k, v in data["http"]["agreement"].items() if not v["agree"]}
    lines += [
        "",
        f"Answers compared across services for {len(data['http']['agreement'])} queries: "
        + ("all agree in size." if not disagree else f"{len(disagree)} differ:"),
        "",
    ]
    for name, sizes in disagree.items():
        lines.append(f"- `{name}`: {sizes}")
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
    lines += [
        "## Scale",
        "",
        "| factor | worlds | triples | build s | parse | validate | reason | load | peak MB "
        "| tkg req/s (8) | p99 ms | Oxigraph req/s (8) | lineage closure ms (tkg / Oxigraph) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in data["scale"]:
        build = row["build"]
        if "error" in build:
            lines.append(f"| {row['factor']:g} | {row['worlds']} | build failed: {build['error'][-200:]!r} |")
            continue
        s = build["stages"]
        tkg, ox = row.get("tkg", {}), row.get("oxigraph", {})
        ours = row.get("heavy_ms", {}).get("lineage-closure")
        closure = f"{ours} / {row.get('oxigraph_heavy_ms', {}).get('lineage-closure')}"
        lines.append(
            f"| {row['factor']:g} | {row['worlds']} | {build['total_triples']:,} | {sum(s.values()):.1f} "
            f"| {s.get('parse')} | {s.get('validate')} | {s.get('reason')} | {s.get('load')} "
            f"| {max(build['peak_mb'].values())} | {_fmt(tkg.get('throughput'))} | {_fmt(tkg.get('p99_ms'))} "
            f"| {_fmt(ox.get('throughput'))} | {closure} |"
        )
    return "\n".join(lines) + "\n"
