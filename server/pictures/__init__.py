"""Pictures drawn from the graph as SVG, server-side and with no external tools.

Each module turns plain rows (what a SELECT returns) into one SVG document;
the blueprint in :mod:`server.svg_routes` runs the queries and serves them.
"""
