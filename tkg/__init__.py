"""tkg: the Trotskyist movement knowledge graph.

Data flows one way: ``tkg build`` turns ``ontology/`` and ``data/ttl/`` into a
validated, reasoned Oxigraph store; ``tkg serve`` publishes that store read-only.
"""

__version__ = "0.1.0"
