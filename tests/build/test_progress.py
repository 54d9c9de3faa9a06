"""A build shows progress bars on a terminal and only plain stage lines elsewhere."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

from tests.conftest import cli_env, run_cli
from tkg.config import Settings

STAGE_LINE = re.compile(
    r"^\[(parse|validate|reason|load|dumps)\] done in [0-9.]+ s: [0-9,]+ [a-z ]+, [0-9,]+ [a-z ]+/s$"
)


def test_plain_lines_with_counts_and_rates_when_not_a_terminal(fixture_settings: Settings) -> None:
    result = run_cli(fixture_settings, "build")
    assert result.returncode == 0, result.stderr
    stages = {m.group(1) for line in result.stdout.splitlines() if (m := STAGE_LINE.match(line))}
    assert stages == {"parse", "validate", "reason", "load", "dumps"}
    assert "\r" not in result.stdout + result.stderr  # no bar redrawn in a log
    assert "it/s" not in result.stderr and "triples/s]" not in result.stderr


def test_progress_bars_on_a_terminal(fixture_settings: Settings) -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # a 100-column terminal
    process = subprocess.Popen(
        [sys.executable, "-m", "tkg.cli", "build"],
        env=cli_env(fixture_settings),
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=300) == 0, output.decode(errors="replace")[-2000:]
    os.close(leader)
    text = output.decode(errors="replace")
    for bar in ("parse", "load inferred", "dumps"):
        assert re.search(rf"\r  {bar}: +[0-9]+%\|", text), bar  # a bar, drawn in place
    assert "[parse] done in" in text
