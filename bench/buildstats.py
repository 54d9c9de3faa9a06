"""Run one build and print its per-stage seconds and peak memory as JSON (run in a fresh process).

``python -m bench.buildstats --build-dir /tmp/b --scale 100`` generates the
100× synthetic graph first and builds that (stage lines on stderr).

Peak memory is the process's high-water mark (``ru_maxrss``) read as each
stage ends, so each figure is the peak up to and including that stage and the
last is the build's peak. ``--compare-reasoners`` also times owlrl's full
closure against the fast path on the same input and checks they agree.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path

from tkg.build import Timings, build, load_inputs
from tkg.config import ROOT, Settings


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "ttl")
    parser.add_argument("--seeds", type=Path)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--compare-reasoners", action="store_true")
    parser.add_argument(
        "--scale",
        type=float,
        help="generate a synthetic graph this many times the real one under --build-dir and build it",
    )
    args = parser.parse_args(argv)
    if args.scale:
        from bench import synthetic

        generated = synthetic.generate(args.build_dir / f"scale-{args.scale:g}", args.scale)
        args.data, args.seeds = generated.data_dir, generated.seeds_dir
        args.build_dir = args.build_dir / f"scale-{args.scale:g}" / "build"
    settings = Settings(
        ontology_dir=ROOT / "ontology",
        data_dir=args.data,
        shapes_dir=ROOT / "shapes",
        seeds_dir=args.seeds or Settings().seeds_dir,
        build_dir=args.build_dir,
    )
    memory: dict[str, float] = {}
    stages: dict[str, float] = {}

    def report(line: str) -> None:
        match = re.match(r"\[(\w+)\] done in ([0-9.]+) s", line)
        if match:
            stages[match.group(1)] = float(match.group(2))
            memory[match.group(1)] = round(peak_mb(), 1)
        print(line, file=sys.stderr)

    start = time.perf_counter()
    _directory, manifest = build(settings, report=report)
    result = {
        "seconds": round(time.perf_counter() - start, 3),
        "stages": stages,
        "peak_mb": memory,
        "triples": manifest.graphs,
        "total_triples": manifest.triples,
    }
    if args.compare_reasoners:
        result["reasoners"] = compare(settings)
    print(json.dumps(result))
    return 0


def compare(settings: Settings) -> dict:
    """owlrl's full closure against the fast path on the same parsed input."""
    from tkg.namespaces import TKG
    from tkg.reasoner import infer

    inputs, _ = load_inputs(settings, Timings(report=lambda _line: None))
    times = {}
    results = {}
    for name in ("fast", "owlrl"):
        t0 = time.perf_counter()
        results[name] = set(infer(inputs.ontology, inputs.data, name))
        times[name] = round(time.perf_counter() - t0, 3)
    tkg = {n: {t for t in r if any(str(x).startswith(str(TKG)) for x in t)} for n, r in results.items()}
    return {
        "fast_seconds": times["fast"],
        "owlrl_seconds": times["owlrl"],
        "speedup": round(times["owlrl"] / times["fast"], 1),
        "inferred": len(results["fast"]),
        "tkg_inferred": len(tkg["fast"]),
        "identical": results["fast"] == results["owlrl"],
        "identical_tkg": tkg["fast"] == tkg["owlrl"],
    }


if __name__ == "__main__":
    sys.exit(main())
