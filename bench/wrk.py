"""Load from Debian's ``wrk``: a C load generator that leaves the server its cores.

Each run writes a Lua script that cycles through the requests; with
``new_text`` every request's query text ends in a comment that no other request
carries (thread number and counter), so no answer cache can serve it. wrk only
ever talks to 127.0.0.1 here, for a bounded number of seconds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

#: Appended to a URL-encoded query text: a newline, then ``# <thread>-<counter>``.
_COMMENT = "%0A%23%20"

_SCRIPT = """
local requests = {%(requests)s}
local new_text = %(new_text)s
local counter = 0
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  local path = r[1]
  if new_text then
    path = path .. "%(comment)s" .. (thread_id or 0) .. "-" .. counter
  end
  return wrk.format("GET", path, r[2])
end
"""


@dataclass(frozen=True)
class Request:
    """A GET whose URL ends with the ``query`` parameter, so a comment can be appended to its text."""

    path: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def sparql(cls, endpoint_path: str, text: str, accept: str) -> Request:
        return cls(f"{endpoint_path}?{urlencode({'query': text})}", (("Accept", accept),))


def available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script(requests: list[Request], new_text: bool) -> str:
    """The Lua script wrk runs: the requests in turn, each text made new if asked."""
    rows = []
    for r in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.headers)
        rows.append(f"{{{_lua_string(r.path)}, {{{headers}}}}}")
    return _SCRIPT % {
        "requests": ",\n  ".join(rows),
        "new_text": "true" if new_text else "false",
        "comment": _COMMENT,
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse(output: str) -> dict:
    """Requests per second, latency percentiles (ms) and failures from ``wrk --latency``'s output."""
    result: dict = {"requests": 0, "seconds": 0.0, "throughput": 0.0, "errors": 0, "non_2xx_3xx": 0}
    if m := re.search(r"(\d+) requests in ([\d.]+)(\w+)", output):
        result["requests"] = int(m.group(1))
        result["seconds"] = round(_ms(m.group(2), m.group(3)) / 1000, 3)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["throughput"] = round(float(m.group(1)), 1)
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M):
        result[f"p{pct}_ms"] = round(_ms(value, unit), 3)
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        result["errors"] = sum(int(x) for x in m.groups())
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result["non_2xx_3xx"] = int(m.group(1))
    return result


def run(
    base: str, requests: list[Request], clients: int, seconds: float, new_text: bool, threads: int = 2
) -> dict:
    """``clients`` keep-alive connections over ``threads`` wrk threads for ``seconds``."""
    if urlsplit(base).hostname != "127.0.0.1":
        raise ValueError("the load generator only talks to 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="tkg-wrk-") as tmp:
        lua = Path(tmp) / "requests.lua"
        lua.write_text(script(requests, new_text), encoding="utf-8")
        command = [
            "wrk",
            f"-t{min(threads, clients)}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",  # whole seconds only
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(lua),
            base,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr[-500:]}")
    return {"clients": clients, "new_text": new_text, **parse(done.stdout)}
