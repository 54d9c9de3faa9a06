"""The publication tests (``tests/http/test_publication.py``: VoID, dumps, service description) over each
remote store, but two: the dumps a front end makes from the store are isomorphic to the build's, not
byte-identical (a store relabels blank nodes on upload), so their checksums differ from the build's."""

from __future__ import annotations

from tests.http.test_publication import (  # noqa: F401
    test_every_page_has_the_search_box,
    test_search_finds_names_and_acronyms_ignoring_case_and_accents,
    test_search_refuses_bad_input_and_escapes_it,
    test_the_ontology_documents_every_term_and_serves_rdf,
    test_unknown_dumps_are_404,
    test_void_counts_match_the_store,
)
