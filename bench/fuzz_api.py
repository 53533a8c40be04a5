"""schemathesis over every operation of both OpenAPI documents against the production server.

    python bench/fuzz_api.py [--examples 500] [--workers 2] [--port 0] [--database-url URL]

The test suite's luukku/core/tests/test_openapi_fuzz.py runs the same cases through the WSGI
app with 25 examples per operation; this runs many more against the real thing:

1. Drops and creates the PostgreSQL database (default ``luukku_c`` on 127.0.0.1), migrates it
   and seeds it: a small catalogue, a trained router, an Open311 request, a survey with a
   touchpoint, an organisation's API key and a staff session that may route messages.
2. Starts ``gunicorn -c deploy/gunicorn.conf.py luukku.asgi:application`` (uvicorn workers)
   on a free loopback port with ``DJANGO_DEBUG=0`` and Redis, rate limits raised so that the
   fuzz reaches the code rather than the limiter.
3. For each operation of /open311/v2/openapi.json and /api/schema/, generates ``--examples``
   valid and as many invalid cases (hypothesis, derandomised by ``--seed``); a third of the
   cases go without credentials, a third with the API key, a third with the staff session.
   Every response is checked: no server error, documented status code, content type, headers
   and body, invalid input refused with a 4xx.
4. Prints per operation the cases run and the failures by check, with one reproduction per
   kind of failure. Exit status 0 only when no check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_open311 import (  # noqa: E402
    _admin_url,
    _manage,
    _server_env,
    stop_server,
    wait_until_answering,
)
from luukku.core.tests.fuzzing import prepare_case  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/luukku_c"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
KEY = "fuzz-bench-key-0123456789abcdef0123"
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)

# Run inside `manage.py shell`: the test suite's seed, the session printed as JSON.
SEED_SCRIPT = (
    "import json; from luukku.core.tests.fuzzing import seed_fuzz_data; "
    f"print(json.dumps({{'session': seed_fuzz_data(key={KEY!r}, with_router=True)}}))"
)


@dataclass
class OperationResult:
    label: str
    cases: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    unsatisfiable: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_database(database_url: str, env: dict[str, str]) -> str:
    """A new migrated, seeded database; returns the staff session key."""
    admin_url, name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        database = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(database))
    _manage("migrate", "--no-input", "-v0", env=env)
    output = _manage("shell", "-c", SEED_SCRIPT, env=env)
    return str(json.loads(output.strip().splitlines()[-1])["session"])


def serve(env: dict[str, str], port: int, workers: int, log: Path) -> Any:
    """gunicorn with the production configuration; returns once the Open311 API answers."""
    import subprocess  # noqa: PLC0415

    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn
            [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "luukku.asgi:application"],
            env=server_env, cwd=ROOT, start_new_session=True,
            stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_until_answering(process, f"http://127.0.0.1:{port}/open311/v2/services.json", 90, log)
    return process


def fuzz(base_url: str, *, examples: int, seed: int, session: str) -> list[OperationResult]:
    """Every operation of both documents, `examples` valid and `examples` invalid cases each."""
    import requests  # noqa: PLC0415
    import schemathesis  # noqa: PLC0415
    from hypothesis import seed as hypothesis_seed  # noqa: PLC0415
    from hypothesis.errors import Unsatisfiable  # noqa: PLC0415
    from schemathesis.core.result import Err  # noqa: PLC0415
    from schemathesis.generation.modes import GenerationMode  # noqa: PLC0415

    documents = [
        (f"{base_url}/open311/v2/openapi.json", f"{base_url}/open311/v2"),
        (f"{base_url}/api/schema/?format=json", base_url),
    ]
    results: list[OperationResult] = []
    http = requests.Session()
    for document_url, operations_base in documents:
        schema = schemathesis.openapi.from_url(document_url)
        for loaded in schema.get_all_operations():
            if isinstance(loaded, Err):
                # An operation the document describes wrongly is itself a failure to report.
                raise loaded.err()
            operation = loaded.ok()
            result = OperationResult(operation.label)
            results.append(result)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run = _fuzz_operation(
                    operation.as_strategy(generation_mode=mode),
                    result,
                    base_url=operations_base,
                    http=http,
                    session=session,
                    examples=examples,
                    derandomize=not seed,
                )
                if seed:
                    run = hypothesis_seed(seed)(run)
                try:
                    run()
                except Unsatisfiable:
                    # Every value the document allows is valid (e.g. only free-text query
                    # parameters): there is no invalid input to generate.
                    result.unsatisfiable.append(str(mode))
    return results


def _fuzz_operation(
    strategy: Any,
    result: OperationResult,
    *,
    base_url: str,
    http: Any,
    session: str,
    examples: int,
    derandomize: bool,
) -> Any:
    """A hypothesis test that calls one operation and counts failed checks instead of stopping
    at the first, so that every example runs."""
    from hypothesis import HealthCheck, given, settings  # noqa: PLC0415
    from schemathesis import checks  # noqa: PLC0415
    from schemathesis.core.failures import FailureGroup  # noqa: PLC0415

    check_functions = [getattr(checks, name) for name in CHECK_NAMES]

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=derandomize,
        database=None,
        print_blob=False,
    )
    def run(case: Any) -> None:
        kwargs = prepare_case(case, key=KEY, session=session)
        result.cases += 1
        response = case.call(base_url=base_url, session=http, **kwargs)
        try:
            case.validate_response(response, checks=check_functions)
        except FailureGroup as group:
            for failure in group.exceptions:
                name = type(failure).__name__
                result.failures[name] += 1
                if name not in result.examples:
                    curl = case.as_curl_command(headers=dict(case.headers or {}))
                    result.examples[name] = f"{failure}"[:2000] + f"\n{curl[:2000]}"

    return run


def report(results: list[OperationResult], examples: int, elapsed: float) -> int:
    total = sum(result.cases for result in results)
    failed = sum(sum(result.failures.values()) for result in results)
    width = max(len(result.label) for result in results)
    print(f"{'operation':<{width}}  cases  failures by check")
    for result in results:
        by_check = ", ".join(f"{name} {count}" for name, count in sorted(result.failures.items()))
        note = f" (no {', '.join(result.unsatisfiable)} input possible)" * bool(
            result.unsatisfiable
        )
        print(f"{result.label:<{width}}  {result.cases:>5}  {by_check or '0'}{note}")
    print(
        f"\n{len(results)} operations, {examples} examples per operation and mode, "
        f"{total} cases in {elapsed:.0f} s: {failed} failed checks"
    )
    for result in results:
        for name, text in result.examples.items():
            print(f"\n--- {result.label}: {name}\n{text}")
    return 0 if failed == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--examples", type=int, default=500, help="per operation and mode")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seed", type=int, default=0, help="0: derandomised (repeatable)")
    args = parser.parse_args(argv)

    env = _server_env(args.database_url, args.redis_url)
    # Loopback HTTP: the production settings' redirect to HTTPS would answer every call 301.
    env["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    env["SURVEYS_SUBMIT_RATE"] = "10000000/minute"
    env["INTAKE_FORM_RATE"] = "10000000/3600"
    started = time.monotonic()
    session = prepare_database(args.database_url, env)
    print(f"database ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    port = args.port or free_port()
    log = Path(tempfile.gettempdir()) / f"fuzz_api_gunicorn_{os.getpid()}.log"
    process = serve(env, port, args.workers, log)
    try:
        started = time.monotonic()
        results = fuzz(
            f"http://127.0.0.1:{port}", examples=args.examples, seed=args.seed, session=session
        )
        elapsed = time.monotonic() - started
    finally:
        stop_server(process)
    print(f"server log: {log}", file=sys.stderr)
    return report(results, args.examples, elapsed)


if __name__ == "__main__":
    sys.exit(main())
