"""Load an Open311 GeoReport v2 server with 16 concurrent clients and report latency percentiles.

    python bench/load_open311.py --base-url http://127.0.0.1:8000/open311/v2/ \\
        --api-key KEY --ids-file ids.txt --service-codes a,b,c [--duration 20] [--runs 3]

The load comes from `wrk` (Debian package `wrk`, 4.1), driven by a Lua script this module
writes for each scenario. Why wrk and not a Python client: the machine has 2 cores, shared by
the server, PostgreSQL and the load generator. A Python asyncio client at a few hundred
requests a second takes a large part of a core away from the server and adds its own event-loop
delays to every latency; wrk (C, epoll) needs a few per cent of a core and measures each request
from the first byte written to the last byte read. It is a closed loop: each of the 16
connections sends its next request as soon as the previous answer arrives, like 16 busy
clients. When the server closes the connection after an answer (gunicorn's sync worker does),
wrk reconnects, and the reconnect is part of the next request's time.

Scenarios (each timed separately, one after the other; the same for every server measured):

- ``list``: ``GET requests.json?page_size=50`` — the newest page, no filters.
- ``list_filtered``: ``GET requests.json`` with ``service_code`` (one of the codes), ``status``
  (open/closed) and a 30-day ``start_date``–``end_date`` window inside the data, page of 50;
  the combinations are cycled.
- ``one``: ``GET requests/<id>.json`` for ids drawn at random from ``--ids-file``.
- ``post``: ``POST requests.json``, form-encoded, with ``api_key``, ``service_code``,
  ``description``, ``lat``/``long`` and a unique ``Idempotency-Key`` header per request.

Every answer's status is counted; a run with any answer outside 200–299 is reported as failed
(the figures of a server that answers quickly with errors mean nothing). For ``post``, every
2xx body must name a ``service_request_id`` or a ``token``.

Each scenario gets a warm-up (not recorded) and then ``--runs`` timed runs of ``--duration``
seconds; the report gives the median over the runs of each run's throughput and p50/p95/p99.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

CONNECTIONS = 16
THREADS = 2
RESULT_MARKER = "LOAD_OPEN311_RESULT "

# Targets from issue 3 ("Benchmarks"): p99 in milliseconds, throughput in requests a second.
TARGETS: dict[str, dict[str, float]] = {
    "list": {"p99_ms": 100.0},
    "list_filtered": {"p99_ms": 100.0},
    "one": {"p99_ms": 30.0},
    "post": {"p99_ms": 150.0, "rps": 300.0},
}
SCENARIOS = ("list", "list_filtered", "one", "post")

# The Lua half. `PATHS`, `METHOD`, `BODIES`, `CONTENT_TYPE`, `CHECK_POST` and `BODY_MARKS` are
# filled in by `wrk_script`. Each thread starts at its own random offset so that the 16
# connections do not ask for the same URL in lock step; per-thread status counters are summed in
# done().
LUA_TEMPLATE = r"""
local paths = %(paths)s
local bodies = %(bodies)s
local method = %(method)s
local content_type = %(content_type)s
local check_post = %(check_post)s
local body_marks = %(body_marks)s
local marker = %(marker)s

local threads = {}
local started = 0

-- setup() runs in the main Lua state; thread:set() makes `thread_number` a global of that
-- thread's own state (a local of the same name would hide it there).
function setup(thread)
  started = started + 1
  thread:set("thread_number", started)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(%(seed)d + thread_number * 7919)
  position = math.random(#paths)
  sequence = 0
  statuses = {}
  bad_bodies = 0
end

function request()
  position = position %% #paths + 1
  sequence = sequence + 1
  if method == "POST" then
    local headers = {}
    headers["Content-Type"] = content_type
    headers["Idempotency-Key"] = string.format("%(run_id)s-%%d-%%d", thread_number, sequence)
    return wrk.format("POST", paths[position], headers, bodies[position])
  end
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if check_post and status >= 200 and status < 300 then
    local marked = false
    for _, mark in ipairs(body_marks) do
      if string.find(body, mark, 1, true) then marked = true end
    end
    if not marked then bad_bodies = bad_bodies + 1 end
  end
end

local function encode(value)
  if type(value) == "table" then
    local parts = {}
    for k, v in pairs(value) do
      table.insert(parts, string.format("%%q:%%s", tostring(k), encode(v)))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return tostring(value)
end

function done(summary, latency, requests)
  local statuses_total = {}
  local bad_total = 0
  local sent_total = 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sequence")
    local counts = thread:get("statuses")
    for k, v in pairs(counts) do
      statuses_total[k] = (statuses_total[k] or 0) + v
    end
    bad_total = bad_total + thread:get("bad_bodies")
  end
  local result = {
    requests = summary.requests,
    duration_us = summary.duration,
    connect_errors = summary.errors.connect,
    read_errors = summary.errors.read,
    write_errors = summary.errors.write,
    timeouts = summary.errors.timeout,
    p50_us = latency:percentile(50),
    p95_us = latency:percentile(95),
    p99_us = latency:percentile(99),
    max_us = latency.max,
    mean_us = latency.mean,
    statuses = statuses_total,
    bad_bodies = bad_total,
    sent = sent_total,
  }
  io.write(marker .. encode(result) .. "\n")
end
"""


@dataclass
class RunResult:
    """One timed wrk run of one scenario."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: int
    bad_bodies: int
    cpu_ms_per_request: float | None = None
    # Requests written; those beyond `requests` were cut off unanswered when wrk stopped (the
    # server may still have completed them).
    sent: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        """Answers that were not 2xx, broken POST bodies and socket errors/timeouts."""
        not_ok = sum(n for code, n in self.statuses.items() if not code.startswith("2"))
        return not_ok + self.bad_bodies + self.socket_errors


@dataclass
class ScenarioResult:
    """All timed runs of one scenario and their medians."""

    name: str
    runs: list[RunResult] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)

    @property
    def failures(self) -> int:
        return sum(run.failures for run in self.runs)

    def meets_target(self) -> bool:
        target = TARGETS[self.name]
        if self.failures:
            return False
        if self.median("p99_ms") >= target["p99_ms"]:
            return False
        return "rps" not in target or self.median("rps") >= target["rps"]


@dataclass
class LoadPlan:
    """What to ask the server: the URLs (and POST bodies) of every scenario."""

    base_url: str
    api_key: str
    ids: Sequence[str]
    service_codes: Sequence[str]
    window_end: datetime
    seed: int = 1
    post_count: int = 2000

    def paths(self, scenario: str) -> tuple[list[str], list[str]]:
        """The request paths and (for POST) bodies of one scenario, deterministic by seed."""
        rng = random.Random(f"{self.seed}-{scenario}")
        prefix = urlsplit(self.base_url).path.rstrip("/") + "/"
        if scenario == "list":
            return [prefix + "requests.json?" + urlencode({"page_size": 50})], []
        if scenario == "list_filtered":
            paths = []
            for _ in range(500):
                end = self.window_end - timedelta(days=rng.randrange(0, 700))
                query = {
                    "service_code": rng.choice(self.service_codes),
                    "status": rng.choice(["open", "closed"]),
                    "start_date": (end - timedelta(days=30)).isoformat(),
                    "end_date": end.isoformat(),
                    "page_size": 50,
                }
                paths.append(prefix + "requests.json?" + urlencode(query))
            return paths, []
        if scenario == "one":
            chosen = [rng.choice(self.ids) for _ in range(5000)]
            return [f"{prefix}requests/{request_id}.json" for request_id in chosen], []
        if scenario == "post":
            bodies = []
            for number in range(self.post_count):
                bodies.append(
                    urlencode(
                        {
                            "api_key": self.api_key,
                            "service_code": rng.choice(self.service_codes),
                            "description": f"Kuormitustesti {number}: katuvalo ei pala "
                            f"talon {rng.randrange(1, 200)} kohdalla.",
                            "lat": f"{62.89 + rng.uniform(-0.03, 0.03):.6f}",
                            "long": f"{27.68 + rng.uniform(-0.05, 0.05):.6f}",
                        }
                    )
                )
            return [prefix + "requests.json"] * len(bodies), bodies
        raise ValueError(f"unknown scenario {scenario!r}")


def _lua_string(value: str) -> str:
    # json.dumps gives a double-quoted string whose escapes (\n, \", \\, \uXXXX for non-ASCII
    # when ensure_ascii) Lua 5.1 reads the same, except \u — hence ASCII-only inputs below.
    if not value.isascii():
        raise ValueError(f"non-ASCII text cannot go into the Lua script: {value!r}")
    return json.dumps(value)


def _lua_list(values: Sequence[str]) -> str:
    return "{" + ",".join(_lua_string(value) for value in values) + "}"


def lua_script(plan: LoadPlan, scenario: str, run_id: str) -> str:
    """The wrk script of one scenario: its URLs, bodies and the result reporter."""
    paths, bodies = plan.paths(scenario)
    return wrk_script(
        paths=paths,
        bodies=bodies,
        content_type="application/x-www-form-urlencoded",
        body_marks=("service_request_id", "token"),
        seed=plan.seed,
        run_id=run_id,
    )


def wrk_script(
    *,
    paths: Sequence[str],
    bodies: Sequence[str],
    content_type: str,
    body_marks: Sequence[str],
    seed: int,
    run_id: str,
) -> str:
    """A wrk script that GETs `paths` or, with `bodies`, POSTs them (a unique Idempotency-Key
    `<run_id>-<thread>-<n>` each); every 2xx POST answer must contain one of `body_marks`."""
    is_post = bool(bodies)
    return LUA_TEMPLATE % {
        "paths": _lua_list(paths),
        "bodies": _lua_list(bodies) if bodies else "{}",
        "method": _lua_string("POST" if is_post else "GET"),
        "content_type": _lua_string(content_type),
        "check_post": "true" if is_post else "false",
        "body_marks": _lua_list(body_marks),
        "marker": _lua_string(RESULT_MARKER),
        "seed": seed,
        "run_id": run_id,
    }


def parse_result(stdout: str) -> RunResult:
    """Read the JSON line that the Lua done() printed."""
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            data = json.loads(line[len(RESULT_MARKER) :])
            socket_errors = sum(
                int(data[key])
                for key in ("connect_errors", "read_errors", "write_errors", "timeouts")
            )
            # Without a Content-Length, wrk can count a reply closed by the server as a read
            # error; gunicorn always sends one, so a read error here is a real failure.
            return RunResult(
                requests=int(data["requests"]),
                seconds=float(data["duration_us"]) / 1e6,
                p50_ms=float(data["p50_us"]) / 1000,
                p95_ms=float(data["p95_us"]) / 1000,
                p99_ms=float(data["p99_us"]) / 1000,
                max_ms=float(data["max_us"]) / 1000,
                statuses={str(k): int(v) for k, v in data["statuses"].items()},
                socket_errors=socket_errors,
                bad_bodies=int(data["bad_bodies"]),
                sent=int(data["sent"]),
            )
    raise RuntimeError(f"wrk printed no result line:\n{stdout}")


def run_wrk(
    plan: LoadPlan,
    scenario: str,
    duration: float,
    run_id: str,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
) -> RunResult:
    """One wrk run of one scenario against the plan's server."""
    return run_wrk_script(
        plan.base_url, lua_script(plan, scenario, run_id), duration, connections, threads
    )


def run_wrk_script(
    url: str,
    lua: str,
    duration: float,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
) -> RunResult:
    """One wrk run of a script from `wrk_script` against the server of `url`."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="ascii") as script:
        script.write(lua)
        script.flush()
        completed = subprocess.run(  # noqa: S603 - wrk from PATH with our own arguments
            [
                wrk,
                f"--threads={threads}",
                f"--connections={connections}",
                f"--duration={max(1, round(duration))}s",
                "--timeout=10s",
                f"--script={script.name}",
                origin,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr}")
    return parse_result(completed.stdout)


def process_group_cpu_seconds(group: int) -> float:
    """User + system CPU time of every live process in a process group (Linux /proc).

    The server's CPU per request does not depend on what else the machine runs, unlike its
    latency: on a shared machine it is the figure that compares two servers fairly.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, ..., utime (14th field) and stime (15th).
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def measure(
    plan: LoadPlan,
    scenarios: Sequence[str],
    duration: float,
    runs: int,
    warmup: float,
    connections: int = CONNECTIONS,
    server_group: int | None = None,
) -> list[ScenarioResult]:
    """Warm up and time every scenario `runs` times; progress goes to stderr.

    With `server_group` (the server's process group), each run also records the server's CPU
    milliseconds per request.
    """
    results = []
    for scenario in scenarios:
        if warmup > 0:
            run_wrk(plan, scenario, warmup, f"warm-{uuid.uuid4().hex}", connections)
        result = ScenarioResult(scenario)
        for number in range(runs):
            run_id = f"{scenario}-{uuid.uuid4().hex}"
            cpu_before = process_group_cpu_seconds(server_group) if server_group else 0.0
            run = run_wrk(plan, scenario, duration, run_id, connections)
            if server_group and run.requests:
                cpu = process_group_cpu_seconds(server_group) - cpu_before
                run.cpu_ms_per_request = 1000 * cpu / run.requests
            result.runs.append(run)
            cpu_text = (
                f", CPU {run.cpu_ms_per_request:.1f} ms/req" if run.cpu_ms_per_request else ""
            )
            print(
                f"{scenario} run {number + 1}: {run.rps:.0f} req/s, p50 {run.p50_ms:.1f} ms, "
                f"p95 {run.p95_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, statuses {run.statuses}"
                f"{cpu_text}, load average {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
            )
        results.append(result)
    return results


def format_table(results: Sequence[ScenarioResult]) -> str:
    """A Markdown table: medians over the runs, the target and whether it was met."""
    lines = [
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | runs' p99 | server CPU ms/req "
        "| failures | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        target = TARGETS[result.name]
        target_text = f"p99 < {target['p99_ms']:.0f} ms"
        if "rps" in target:
            target_text += f", ≥ {target['rps']:.0f} req/s"
        runs_p99 = " ".join(f"{run.p99_ms:.1f}" for run in result.runs)
        cpu = [run.cpu_ms_per_request for run in result.runs if run.cpu_ms_per_request]
        cpu_text = f"{statistics.median(cpu):.1f}" if cpu else "–"
        lines.append(
            f"| {result.name} | {result.median('rps'):.0f} | {result.median('p50_ms'):.1f} "
            f"| {result.median('p95_ms'):.1f} | {result.median('p99_ms'):.1f} | {runs_p99} "
            f"| {cpu_text} | {result.failures} | {target_text} "
            f"| {'yes' if result.meets_target() else 'NO'} |"
        )
    return "\n".join(lines)


def results_as_json(results: Sequence[ScenarioResult]) -> list[dict[str, object]]:
    return [
        {
            "scenario": result.name,
            "rps": result.median("rps"),
            "p50_ms": result.median("p50_ms"),
            "p95_ms": result.median("p95_ms"),
            "p99_ms": result.median("p99_ms"),
            "failures": result.failures,
            "met": result.meets_target(),
            "runs": [run.__dict__ for run in result.runs],
        }
        for result in results
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000/open311/v2/")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--ids-file", type=Path, required=True, help="request ids, one a line")
    parser.add_argument("--service-codes", required=True, help="comma-separated service codes")
    parser.add_argument(
        "--window-end",
        type=datetime.fromisoformat,
        required=True,
        help="newest requested_datetime in the data (ISO 8601 with offset)",
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    ids = [line.strip() for line in args.ids_file.read_text().splitlines() if line.strip()]
    plan = LoadPlan(
        base_url=args.base_url,
        api_key=args.api_key,
        ids=ids,
        service_codes=args.service_codes.split(","),
        window_end=args.window_end,
        seed=args.seed,
    )
    results = measure(
        plan, args.scenarios.split(","), args.duration, args.runs, args.warmup, args.connections
    )
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results_as_json(results), indent=2))
    return 0 if all(result.meets_target() for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
