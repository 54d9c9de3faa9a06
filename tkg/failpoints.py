"""Named points where a build can be made to die, so that tests kill it exactly there.

A test sets ``TKG_FAILPOINT`` to a point's name and runs ``tkg build``; the
process kills itself with SIGKILL on reaching that point, as a power cut or an
OOM kill would. Tests then check that every point leaves a complete store
serving, without guessing with sleeps when a kill lands. Unset, a point costs
one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "TKG_FAILPOINT"

#: Every point a build passes, in order (the stage points are ``<stage>:start`` / ``<stage>:end``).
BUILD_POINTS = (
    "parse:start",
    "parse:end",
    "validate:start",
    "validate:end",
    "reason:start",
    "reason:end",
    "load:start",
    "store:written",
    "dumps:start",
    "dumps:end",
    "manifest:temporary",
    "load:end",
    "swap:start",
    "swap:linked",
    "swap:replaced",
    "swap:end",
)


def reached(name: str) -> None:
    """Die here if ``TKG_FAILPOINT`` names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
