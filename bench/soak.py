"""The soak: a long mixed load on ``tkg serve``; memory at the start and the end, and every error counted.

Sixteen clients on 127.0.0.1 (closed loop, :mod:`bench.loadgen`) cycle through
the live tier's mix (``/``, the service description, SELECT and ASK in JSON and
CSV), the pages, pictures, search and canned API, and a few thousand query texts
that differ only in a comment, so that the answer cache keeps filling and
evicting as it would under real traffic. Memory is the resident size of the
whole server (granian workers and their query processes), read from ``/proc``
before the load, after each round and at the end. It passes when no request
failed and memory after the last round is within ``growth`` of the first
round's (the caches fill in the first round).

    PYTHONPATH=. .venv/bin/python -m bench --soak-only --soak-minutes 30
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from bench.loadgen import mix, run, tree_rss_kib

from . import servers

PAGES = [
    "/id/org/crfi.html",
    "/id/org/fourth-international.ttl",
    "/queries",
    "/queries/ancestors",
    "/api/queries/ancestors?org=https%3A%2F%2Fw3id.org%2Ftrotskyism%2Fid%2Forg%2Fcrfi&format=json",
    "/svg/family-tree/org/fourth-international",
    "/svg/timeline?from=1928&to=1953",
    "/svg/positions",
    "/search?q=ligue&format=json",
    "/void",
    "/ontology.ttl",
]
VARIED = (
    "SELECT ?o ?label WHERE { ?o a <https://w3id.org/trotskyism/ontology#Organisation> ; rdfs:label ?label }"
)
PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def paths(distinct: int = 3000) -> list[str]:
    """The mixed load: fixed routes interleaved with ``distinct`` query texts seen once per cycle."""
    fixed = mix() + PAGES
    out = []
    for n in range(distinct):
        out.append(f"/sparql?format=json&query={quote(PREFIX + VARIED + f' LIMIT {n % 50 + 1} # soak {n}')}")
        out.append(fixed[n % len(fixed)])
    return out


def soak(
    build_dir: Path,
    minutes: float,
    clients: int = 16,
    round_seconds: float = 60,
    workers: int = 2,
    growth: float = 0.25,
) -> dict:
    """Serve ``build_dir`` and load it for ``minutes``; the figures of the run, and whether it passed."""
    rounds = max(1, round(minutes * 60 / round_seconds))
    load = paths()
    with servers.tkg(build_dir, workers) as tkg:
        base = tkg.endpoint.rsplit("/", 1)[0]
        time.sleep(2)  # the workers' warm-up (templates, lineage, search index) is done
        start_kib = tree_rss_kib(tkg.pid)
        rows, errors = [], []
        for n in range(rounds):
            result = run(base, load, clients, round_seconds, max_requests=100_000_000)
            errors += result.errors
            rows.append(
                {
                    "round": n + 1,
                    "requests": result.requests,
                    "per_second": round(result.requests / result.seconds),
                    "errors": len(result.errors),
                    "p50_ms": round(result.percentile(50), 1),
                    "p99_ms": round(result.percentile(99), 1),
                    "rss_mib": round(tree_rss_kib(tkg.pid) / 1024),
                }
            )
            print(
                f"soak round {n + 1}/{rounds}: {result.summary()}; RSS {rows[-1]['rss_mib']} MiB", flush=True
            )
        end_kib = tree_rss_kib(tkg.pid)
    first, last = rows[0]["rss_mib"], rows[-1]["rss_mib"]
    change = (last - first) / first
    return {
        "minutes": minutes,
        "clients": clients,
        "workers": workers,
        "requests": sum(r["requests"] for r in rows),
        "errors": len(errors),
        "error_samples": errors[:10],
        "rss_start_mib": round(start_kib / 1024),
        "rss_end_mib": round(end_kib / 1024),
        "growth_from_first_round": round(change, 3),
        "passed": not errors and change <= growth,
        "rounds": rows,
    }


def markdown(data: dict) -> list[str]:
    """The soak's section of the report."""
    lines = [
        "",
        "## Soak",
        "",
        f"{data['minutes']:g} minutes of mixed load, {data['clients']} clients, {data['workers']} workers: "
        f"{data['requests']:,} requests, **{data['errors']} errors**; server memory "
        f"{data['rss_start_mib']} MiB before the load, {data['rss_end_mib']} MiB at the end "
        f"({data['growth_from_first_round']:+.1%} from the first round's); "
        f"{'passed' if data['passed'] else 'FAILED'}.",
        "",
        "| round | requests | req/s | errors | p50 ms | p99 ms | RSS MiB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["rounds"]:
        lines.append(
            f"| {r['round']} | {r['requests']} | {r['per_second']} | {r['errors']} | {r['p50_ms']} "
            f"| {r['p99_ms']} | {r['rss_mib']} |"
        )
    if data["error_samples"]:
        lines += ["", "First errors: " + ", ".join(f"`{e}`" for e in data["error_samples"])]
    return lines
