"""The OpenAPI 3.1 document of the canned-query API, generated from the ``.rq`` files.

One path per query, so that a client generator or Swagger UI shows each
question with its typed parameters; it cannot drift from the queries because
it is made from them.
"""

from __future__ import annotations

from collections.abc import Mapping

from tkg import formats
from tkg.canned import CannedQuery

SCHEMAS = {
    "iri": {"type": "string", "format": "iri"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}

SPARQL_JSON = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {
            "type": "object",
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/components/schemas/RDFTerm"},
                    },
                }
            },
        },
        "boolean": {"type": "boolean"},
    },
}
RDF_TERM = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]},
        "value": {"type": "string"},
        "datatype": {"type": "string"},
        "xml:lang": {"type": "string"},
    },
}
#: The formats whose answers have a JSON schema (the others are text).
RESULT_SCHEMAS: dict[str, dict] = {"json": {"$ref": "#/components/schemas/Results"}}


def _parameter(param) -> dict:
    schema: dict[str, object] = dict(SCHEMAS[param.type])
    if param.default is not None:
        schema["default"] = int(param.default) if param.type == "integer" else param.default
    description = param.label
    if param.type == "iri":
        description += " (an IRI, or a prefixed name such as o:crfi)"
    if param.help:
        description += f"; {param.help}"
    return {
        "name": param.name,
        "in": "query",
        "required": False,  # every parameter has a default or is optional
        "description": description,
        "schema": schema,
    }


def _operation(query: CannedQuery) -> dict:
    params = [_parameter(p) for p in query.parameters]
    params.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "The answer's format when the Accept header cannot be set.",
            "schema": {"enum": [f.name for f in formats.carrying("bindings")]},
        }
    )
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.summary,
        "description": query.description + f"\n\nThe SPARQL: `/queries/{query.name}`.",
        "tags": list(query.tags),
        "parameters": params,
        "responses": {
            "200": {
                "description": "The results (columns starting with `_` repeat the parameters).",
                "content": {
                    f.media_type: {"schema": RESULT_SCHEMAS.get(f.name, {"type": "string"})}
                    for f in formats.carrying("bindings")
                },
            },
            "304": {"description": "Not modified (ETag)."},
            "400": {"$ref": "#/components/responses/Error"},
            "406": {"$ref": "#/components/responses/Error"},
            "413": {"$ref": "#/components/responses/Error"},
            "503": {"$ref": "#/components/responses/Error"},
        },
    }


def document(queries: Mapping[str, CannedQuery], server: str, version: str) -> dict:
    """The OpenAPI document for ``server`` (the base URL the request came to)."""
    tags = sorted({tag for q in queries.values() for tag in q.tags})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Trotskyist movement knowledge graph: canned queries",
            "version": version,
            "description": (
                "Questions about the organisations of the Trotskyist movement, answered from a "
                "knowledge graph built from five articles. Each path runs one canned SPARQL query "
                "with its parameters bound as RDF terms. For anything else, use the SPARQL endpoint "
                "at /sparql."
            ),
            "license": {"name": "CC BY-SA 4.0", "url": "https://creativecommons.org/licenses/by-sa/4.0/"},
        },
        "servers": [{"url": server}],
        "tags": [{"name": tag} for tag in tags],
        "paths": {f"/api/queries/{q.name}": {"get": _operation(q)} for q in queries.values()},
        "components": {
            "schemas": {"Results": SPARQL_JSON, "RDFTerm": RDF_TERM},
            "responses": {
                "Error": {
                    "description": "A sentence saying what was wrong.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        },
    }
