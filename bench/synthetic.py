"""Synthetic movement histories with the real graph's shapes, for scale tests.

Each *world* is one invented movement: an international with national
sections (affiliation events), a founding party, long chains of renamings,
bushy splits into several groups, fusions, a re-fusion that closes a lineage
cycle, factions, leaders and founders (with tkg:Claims), periodicals, places,
stances on the USSR and a founding date with its evidence. Every claim cites a
synthetic article and quotes a sentence of it verbatim, so a generated graph
passes the same validation as the curated one and exercises every stage of
the build. Worlds are added until the asserted graph is ``factor`` times the
real one. Output is deterministic for a given ``factor`` and ``seed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

PREFIXES = """@prefix tkg: <https://w3id.org/trotskyism/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix id: <https://w3id.org/trotskyism/id/> .
@prefix o: <https://w3id.org/trotskyism/id/org/> .
@prefix person: <https://w3id.org/trotskyism/id/person/> .
@prefix event: <https://w3id.org/trotskyism/id/event/> .
@prefix stance: <https://w3id.org/trotskyism/id/stance/> .
@prefix source: <https://w3id.org/trotskyism/id/source/> .
@prefix country: <https://w3id.org/trotskyism/id/country/> .
@prefix place: <https://w3id.org/trotskyism/id/place/> .
@prefix periodical: <https://w3id.org/trotskyism/id/periodical/> .
@prefix pos: <https://w3id.org/trotskyism/id/position/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: Asserted triples of the curated graph the factors are relative to (data/ttl/ at the time of writing).
REAL_DATA_TRIPLES = 6486

POSITIONS = (
    "degenerated-workers-state",
    "deformed-workers-states",
    "state-capitalism",
    "bureaucratic-collectivism",
    "political-revolution",
)
KINDS = ("Party", "Group", "Faction", "Tendency", "YouthOrganisation")
WORDS = [
    "red",
    "workers",
    "socialist",
    "revolutionary",
    "communist",
    "internationalist",
    "spark",
    "banner",
    "vanguard",
    "militant",
    "struggle",
    "league",
    "union",
    "action",
    "class",
    "october",
    "tribune",
    "voice",
]


@dataclass
class World:
    """One generated movement: Turtle statements and the article they quote."""

    n: int
    rng: random.Random
    ttl: list[str] = field(default_factory=list)
    article: list[str] = field(default_factory=list)
    year: int = 1930

    @property
    def source(self) -> str:
        return f"source:synthetic-{self.n}"

    def quote(self, sentence: str) -> str:
        """Put ``sentence`` in the article; return the evidence that quotes it."""
        self.article.append(sentence)
        text = sentence.replace("\\", "\\\\").replace('"', '\\"')
        return f'[ dcterms:source {self.source} ; oa:exact "{text}" ]'

    def name(self) -> str:
        return " ".join(w.capitalize() for w in self.rng.sample(WORDS, 3))

    @property
    def numbered(self) -> str:
        """The world's number as organisation names show it: with a thousands separator, so that
        worlds 1800-2099 (the 1000x graph has them) do not read as a year in a name (lint refuses that)."""
        return f"{self.n:,}"

    def tick(self) -> str:
        self.year += self.rng.randint(0, 2)
        return str(self.year)


def _org(w: World, slug: str, label: str, kind: str, country: str) -> None:
    ev = w.quote(f"The {label} ({slug}) was a {kind.lower()} in country {country} of world {w.n}.")
    w.ttl.append(
        f'o:{slug} a tkg:{kind} ; rdfs:label "{label}"@en ; skos:altLabel "{slug.upper()}" ;\n'
        f"    tkg:country country:{country} ; tkg:evidence {ev} ."
    )


def _event(w: World, kind: str, slug: str, label: str, before: list[str], after: list[str]) -> str:
    year = w.tick()
    names = ", ".join(before + after)
    ev = w.quote(f"In {year}, world {w.n} saw the {kind.lower()} {slug} involving {names}.")
    parts = [f'event:{year}-{slug} a tkg:{kind} ; rdfs:label "{label}"@en ; tkg:date "{year}"^^xsd:gYear']
    if before:
        parts.append("org:originalOrganization " + " , ".join(f"o:{o}" for o in before))
    if after:
        parts.append("org:resultingOrganization " + " , ".join(f"o:{o}" for o in after))
    parts.append(f"tkg:place place:city-{w.n}")
    parts.append(f"tkg:evidence {ev}")
    w.ttl.append(" ;\n    ".join(parts) + " .")
    return year


def world(n: int, seed: int) -> World:
    """A movement history: chains, bushy splits, fusions, a cycle, sections, stances, evidence."""
    w = World(n, random.Random(seed * 1_000_003 + n))
    country = f"land-{n}"
    w.ttl.append(
        f'{w.source} a tkg:Source ; rdfs:label "Synthetic history {n}"@en ; tkg:file "synthetic-{n}.txt" .\n'
        f'country:{country} a tkg:Country ; rdfs:label "Land {n}"@en .\n'
        f'place:city-{n} a tkg:Place ; rdfs:label "City {n}"@en ; tkg:country country:{country} .'
    )
    intl = f"international-w{n}"
    _org(w, intl, f"International {w.numbered}", "International", country)
    _event(w, "Founding", f"founding-of-{intl}", f"Founding of International {n}", [], [intl])
    # the founding party, with a founding date and the claim behind it
    root = f"party-w{n}-0"
    _org(w, root, f"{w.name()} Party {w.numbered}", "Party", country)
    year = _event(w, "Founding", f"founding-of-{root}", f"Founding of party {n}", [], [root])
    w.ttl.append(f'o:{root} tkg:founded "{year}"^^xsd:gYear .')
    orgs = [root]
    count = 1
    # a long chain of renamings, with bushy splits and fusions branching off it
    current = root
    for step in range(w.rng.randint(6, 10)):
        nxt = f"party-w{n}-{count}"
        count += 1
        _org(w, nxt, f"{w.name()} {w.numbered}-{count}", "Party", country)
        _event(w, "Renaming", f"renaming-{current}", f"Renaming of {current}", [current], [nxt])
        orgs.append(nxt)
        if step % 3 == 1:  # a bushy split
            children = []
            for _ in range(w.rng.randint(3, 5)):
                child = f"group-w{n}-{count}"
                count += 1
                _org(w, child, f"{w.name()} Group {w.numbered}-{count}", w.rng.choice(KINDS), country)
                children.append(child)
            _event(w, "Split", f"split-of-{nxt}", f"Split of {nxt}", [nxt], children)
            orgs += children
            if len(children) >= 2:  # two of the split-offs fuse again
                fused = f"fused-w{n}-{count}"
                count += 1
                _org(w, fused, f"{w.name()} Fusion {w.numbered}-{count}", "Party", country)
                _event(w, "Fusion", f"fusion-forming-{fused}", f"Fusion into {fused}", children[:2], [fused])
                orgs.append(fused)
                # the fused party dissolves back into the chain: a lineage cycle
                _event(w, "Fusion", f"re-fusion-of-{fused}", f"{fused} rejoins {nxt}", [fused], [nxt])
        current = nxt
    # an expulsion whose expelled grouping goes on
    expelled = f"expelled-w{n}"
    _org(w, expelled, f"{w.name()} Opposition {w.numbered}", "Faction", country)
    _event(w, "Expulsion", f"expulsion-from-{current}", f"Expulsion from {current}", [current], [expelled])
    orgs.append(expelled)
    # sections of the international (affiliation events give the evidence)
    for org in w.rng.sample(orgs, min(4, len(orgs))):
        year = w.tick()
        ev = w.quote(f"In {year} the {org} of world {n} affiliated to the international {intl}.")
        w.ttl.append(
            f'event:{year}-affiliation-of-{org} a tkg:Affiliation ; rdfs:label "{org} joins {intl}"@en ;\n'
            f'    tkg:date "{year}"^^xsd:gYear ; org:originalOrganization o:{org} ;\n'
            f"    tkg:hostOrganisation o:{intl} ; tkg:evidence {ev} .\n"
            f"o:{org} tkg:sectionOf o:{intl} .\n"
            f"[] a tkg:Claim ; rdf:subject o:{org} ; rdf:predicate tkg:sectionOf ; rdf:object o:{intl} ;\n"
            f"    tkg:evidence {ev} ."
        )
    # people: leaders and founders, each link with its claim
    for i, org in enumerate(w.rng.sample(orgs, min(3, len(orgs)))):
        slug = f"leader-{n}-{i}"
        label = f"Leader {n} {i}"
        ev = w.quote(f"{label} ({slug}) led the {org} in world {n}.")
        prop = "leader" if i else "founder"
        w.ttl.append(
            f'person:{slug} a tkg:Person ; rdfs:label "{label}"@en ; tkg:evidence {ev} .\n'
            f"o:{org} tkg:{prop} person:{slug} .\n"
            f"[] a tkg:Claim ; rdf:subject o:{org} ; rdf:predicate tkg:{prop} ; rdf:object person:{slug} ;\n"
            f"    tkg:evidence {ev} ."
        )
    # a periodical
    paper = f"paper-w{n}"
    ev = w.quote(f"The {root} of world {n} published the paper {paper}.")
    w.ttl.append(
        f'periodical:{paper} a tkg:Periodical ; rdfs:label "Paper {n}"@en ; tkg:evidence {ev} .\n'
        f"o:{root} tkg:publishes periodical:{paper} .\n"
        f"[] a tkg:Claim ; rdf:subject o:{root} ; rdf:predicate tkg:publishes ;\n"
        f"    rdf:object periodical:{paper} ;\n"
        f"    tkg:evidence {ev} ."
    )
    # stances on the USSR
    for i, org in enumerate(w.rng.sample(orgs, min(3, len(orgs)))):
        position = w.rng.choice(POSITIONS)
        year = w.tick()
        ev = w.quote(f"In {year} the {org} of world {n} held the position {position}.")
        w.ttl.append(
            f'stance:{org}-{i}-{position} a tkg:Stance ; rdfs:label "{org} on the USSR"@en ;\n'
            f'    tkg:holder o:{org} ; tkg:position pos:{position} ; tkg:date "{year}"^^xsd:gYear ;\n'
            f"    tkg:evidence {ev} ."
        )
    return w


@dataclass(frozen=True)
class Generated:
    data_dir: Path
    seeds_dir: Path
    worlds: int


def generate(target: Path, factor: float, seed: int = 7, per_file: int = 200) -> Generated:
    """Write ``data/*.ttl`` and ``seeds/*.txt`` for a graph ``factor`` times the real one."""
    data_dir, seeds_dir = target / "data", target / "seeds"
    data_dir.mkdir(parents=True, exist_ok=True)
    seeds_dir.mkdir(parents=True, exist_ok=True)
    per_world = _triples_per_world(seed)
    worlds = max(1, round(factor * REAL_DATA_TRIPLES / per_world))
    for start in range(0, worlds, per_file):
        chunk = [world(n, seed) for n in range(start, min(worlds, start + per_file))]
        body = "\n\n".join("\n".join(w.ttl) for w in chunk)
        (data_dir / f"synthetic-{start:07d}.ttl").write_text(PREFIXES + "\n" + body + "\n", encoding="utf-8")
        for w in chunk:
            (seeds_dir / f"synthetic-{w.n}.txt").write_text("\n".join(w.article) + "\n", encoding="utf-8")
    return Generated(data_dir, seeds_dir, worlds)


def _triples_per_world(seed: int, sample: int = 20) -> float:
    """The average asserted triples of a world (with evidence skolemised), measured on a sample."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(
        data=PREFIXES + "\n".join("\n".join(world(n, seed).ttl) for n in range(sample)), format="turtle"
    )
    return len(graph) / sample + 0.0
