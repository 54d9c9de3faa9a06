"""How the browser tests start Chromium: Debian's binary, the flags this closed network needs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tkg.config import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("TKG_SCREENSHOTS", ROOT / "build" / "screenshots"))
