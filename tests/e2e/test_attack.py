"""Twenty pathological queries at once: each stopped at its budget, light queries keep answering,
memory comes back to its baseline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from bench.loadgen import tree_rss_kib
from tests.conftest import Serving, tkg_serve
from tkg.config import Settings

PATHOLOGICAL = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",  # cartesian product
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://x/p>|!<http://x/q>)* ?b . ?c ?d ?e }",  # unbounded paths
    "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?o . ?c ?r ?b } GROUP BY ?a ORDER BY DESC(?n)",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) < STR(?f)) } ORDER BY ?c ?f",
]
LIGHT = "ASK { <https://w3id.org/trotskyism/id/org/crfi> ?p ?o }"
BUDGET = 3.0


@pytest.fixture(scope="module")
def attacked_server(real_build: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    log = tmp_path_factory.mktemp("serve") / "attacked-server.log"
    with tkg_serve(real_build.build_dir, log=log, TKG_QUERY_TIMEOUT=str(BUDGET)) as server:
        yield server


@pytest.mark.serial
def test_twenty_pathological_queries_at_once(attacked_server: Serving, capsys) -> None:
    base, server = attacked_server.base, attacked_server.process
    light_url = f"{base}/sparql?format=json&query={quote(LIGHT)}"
    for _ in range(20):  # warm up both workers
        assert requests.get(light_url, timeout=10).status_code == 200
    time.sleep(2)
    baseline = tree_rss_kib(server.pid)

    attack_results: list[int] = []
    lock = threading.Lock()

    def attack(n: int) -> None:
        query = PATHOLOGICAL[n % len(PATHOLOGICAL)] + f" # attacker {n}"
        response = requests.post(base + "/sparql", data={"query": query}, timeout=60)
        with lock:
            attack_results.append(response.status_code)

    attackers = [threading.Thread(target=attack, args=(n,)) for n in range(20)]
    for thread in attackers:
        thread.start()
    time.sleep(0.5)
    light_latencies = []
    while any(t.is_alive() for t in attackers):
        started = time.perf_counter()
        response = requests.get(light_url, timeout=30)
        light_latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is True
    for thread in attackers:
        thread.join()
    peak = tree_rss_kib(server.pid)
    time.sleep(3)
    after = tree_rss_kib(server.pid)
    with capsys.disabled():
        ordered = sorted(light_latencies)
        print(
            f"\nattack: {len(attack_results)} pathological queries -> {sorted(set(attack_results))}; "
            f"{len(ordered)} light queries during it, median {ordered[len(ordered) // 2] * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms; memory baseline {baseline // 1024} MiB, "
            f"after {after // 1024} MiB"
        )
    # every pathological query was stopped at its budget, none answered partially
    assert attack_results.count(503) == 20
    # the light queries never waited for a heavy one to finish: each answered within the budget
    assert light_latencies and max(light_latencies) < BUDGET
    # the pool shrinks back: memory returns to (near) its baseline
    assert after <= baseline * 1.3 + 20_000, (baseline, peak, after)


ODD_TARGETS = [
    b"/svg/family-tree/org/a%20b",
    b"/svg/family-tree/org/%00",
    b"/svg/family-tree/org/%ff",
    b"/svg/family-tree/org/%3Cscript%3E",
    b"/svg/family-tree/org/\xff\xfe",
    b"/id/org/%c3%28.ttl",
    b"/trotskyism/%0d%0aSet-Cookie:%20x=1",
    b"/sparql?query=%ff%fe",
    b"/search?q=%00&format=json",
    b"/queries/ancestors?org=%ff",
    b"/%2e%2e/%2e%2e/etc/passwd",
]


def test_odd_targets_on_the_wire_get_no_5xx(live_server: str) -> None:
    """The issue's slugs and their kin, sent as raw bytes (no client library normalises them)."""
    import socket

    port = int(live_server.rsplit(":", 1)[1])
    for target in ODD_TARGETS:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        status = int(answer.split(b" ", 2)[1])
        assert 200 <= status < 500, (target, answer[:300])
        assert b"Traceback" not in answer
    refused = requests.get(live_server + "/void", headers={"Host": "evil.example"}, timeout=10)
    assert refused.status_code == 400 and "TKG_ALLOWED_HOSTS" in refused.text
