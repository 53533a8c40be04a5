#!/usr/bin/env bash
# The production shape on one machine (`make run-prod`): DEBUG off, PostgreSQL, Redis, gunicorn
# with several uvicorn workers serving HTTP and WebSockets (luukku.asgi), a Celery worker and
# Celery beat. All three run in the foreground with their output prefixed; Ctrl-C or SIGTERM
# stops every one of them (and their children) before this script exits.
#
# Everything has a local default and can be given in the environment:
#   DATABASE_URL       postgres://postgres@127.0.0.1:5432/luukku_prod (created when missing)
#   REDIS_URL          redis://127.0.0.1:6379/0 (cache; CELERY_BROKER_URL and CHANNEL_LAYER_URL
#                      default to it)
#   DJANGO_SECRET_KEY  generated once into var/run-prod-secret-key (mode 600), so that a restart
#                      keeps everyone's session
#   HOST, PORT         127.0.0.1, 8000;  GUNICORN_WORKERS 4;  CELERY_CONCURRENCY 2
#   RUN_PROD_VAR       var/ (the key, beat's schedule file)
# Plain HTTP on this machine only: the HTTPS redirect is off here; a real deploy terminates TLS
# in a proxy in front (docs/operations.md). The app serves /static/ itself in this shape only
# (LUUKKU_SERVE_STATIC=1); a real deploy lets the web server serve STATIC_ROOT.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${RUN_PROD_BIN:-$ROOT/.venv/bin}"
PY="$BIN/python"
VAR="${RUN_PROD_VAR:-$ROOT/var}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
STOP_TIMEOUT="${RUN_PROD_STOP_TIMEOUT:-40}"

say() { printf '[run-prod] %s\n' "$*"; }
die() { printf '[run-prod] ERROR: %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || die "no virtualenv at $BIN: run \`make run\` or \`make test\` once to create it"
mkdir -p "$VAR"
chmod 700 "$VAR"

export DJANGO_SETTINGS_MODULE=luukku.settings
export DJANGO_DEBUG=0
export DJANGO_SECURE_SSL_REDIRECT=0
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/luukku_prod}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-$REDIS_URL}"
export CHANNEL_LAYER_URL="${CHANNEL_LAYER_URL:-$REDIS_URL}"
# (The channel layer's 15 s socket timeout against idle WebSockets dying is in settings.)
export GUNICORN_BIND="$HOST:$PORT"
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-4}"
export INTAKE_PUBLIC_BASE_URL="${INTAKE_PUBLIC_BASE_URL:-http://$HOST:$PORT}"
export INSIGHTS_EXTRACT_PATH="${INSIGHTS_EXTRACT_PATH:-$VAR/insights.duckdb}"
export LUUKKU_SERVE_STATIC=1
export PYTHONUNBUFFERED=1

if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    KEY_FILE="$VAR/run-prod-secret-key"
    if [ ! -s "$KEY_FILE" ]; then
        (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$KEY_FILE")
        say "generated a secret key into $KEY_FILE"
    fi
    chmod 600 "$KEY_FILE"
    DJANGO_SECRET_KEY="$(cat "$KEY_FILE")"
    export DJANGO_SECRET_KEY
fi

# PostgreSQL reachable, and the database there (created when missing); Redis answering.
"$PY" - <<'PYTHON' || exit 1
import os
import sys

import dj_database_url
import psycopg
import redis
from psycopg import sql


def fail(message: str) -> None:
    print(f"[run-prod] ERROR: {message}", file=sys.stderr)
    sys.exit(1)


db = dj_database_url.parse(os.environ["DATABASE_URL"])
if db["ENGINE"] != "django.db.backends.postgresql":
    fail("DATABASE_URL must name a PostgreSQL database (postgres://...)")
where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
params = {
    "host": db["HOST"] or None,
    "port": db["PORT"] or None,
    "user": db["USER"] or None,
    "password": db["PASSWORD"] or None,
    "connect_timeout": 5,
}
try:
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"[run-prod] created database {db['NAME']} on {where}")
except psycopg.OperationalError as error:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    fail(
        f"PostgreSQL is not reachable at {where} ({first_line}). Start it, or set "
        "DATABASE_URL=postgres://user:password@host:port/name."
    )

print(f"[run-prod] database {db['NAME']} on {where}")

for name in ("REDIS_URL", "CELERY_BROKER_URL", "CHANNEL_LAYER_URL"):
    url = os.environ[name]
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        safe = url.split("@")[-1]
        fail(
            f"Redis is not answering at {safe} ({name}; {type(error).__name__}). Start "
            "redis-server, or set REDIS_URL=redis://host:port/db."
        )
PYTHON

say "migrating"
"$PY" manage.py migrate --no-input
say "collecting static files"
"$PY" manage.py collectstatic --no-input --verbosity 0

EXISTS='from luukku.organisations.models import Organisation as O; print(int(O.objects.exists()))'
if [ "$("$PY" manage.py shell --no-imports -c "$EXISTS" | tail -n 1)" = "0" ]; then
    say "empty database: loading the demo region (a minute or two)"
    # The demo users' password is public: they exist only because this binds to $HOST.
    "$PY" manage.py load_demo_region --with-demo-users
    "$PY" manage.py train_router --if-stale --no-cv
    "$PY" manage.py refresh_insights
fi

# --- the three processes ---------------------------------------------------------------------
# Each starts as its own job (set -m: its own process group), so Ctrl-C in the terminal reaches
# this script, not them, and the shutdown below stops each with its children; their output goes
# through a prefixing filter that ignores SIGINT, so the last lines of a shutdown are not lost.
PIDS=()

prefix() {
    trap '' INT
    exec sed -u "s/^/[$1] /"
}

start() {
    local name="$1"
    shift
    set -m
    "$@" > >(prefix "$name") 2>&1 &
    PIDS+=("$!")
    set +m
    say "started $name (pid $!)"
}

STOPPING=0
stop_all() {
    [ "$STOPPING" = 1 ] && return
    STOPPING=1
    trap '' INT TERM
    say "stopping: ${PIDS[*]}"
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        local alive=0
        for pid in "${PIDS[@]}"; do
            # Each job's process group: the leader and everything it started.
            if kill -0 -- "-$pid" 2>/dev/null; then alive=1; fi
        done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    for pid in "${PIDS[@]}"; do
        if kill -0 -- "-$pid" 2>/dev/null; then
            say "process group $pid did not stop in ${STOP_TIMEOUT} s: killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    say "stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# The control socket goes into var/: gunicorn's default ($HOME/.gunicorn) is shared by every
# gunicorn this user runs.
start web "$BIN/gunicorn" -c deploy/gunicorn.conf.py --control-socket "$VAR/gunicorn.ctl" \
    luukku.asgi:application
start worker "$BIN/celery" -A luukku worker --loglevel INFO \
    --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "luukku-run-prod@%h"
start beat "$BIN/celery" -A luukku beat --loglevel INFO \
    --schedule "$VAR/celerybeat-schedule"

# Wait for the app server before printing where it is.
for _ in $(seq 1 120); do
    if "$PY" -c "import sys, urllib.request; urllib.request.urlopen('http://$HOST:$PORT/healthz/', timeout=2); sys.exit(0)" 2>/dev/null; then
        break
    fi
    sleep 1
done
"$PY" manage.py demo_logins | sed "s#http://127.0.0.1:8000#http://$HOST:$PORT#g"
say "Luukku (production shape) is at http://$HOST:$PORT/  -  health: http://$HOST:$PORT/healthz/"
say "Ctrl-C stops the app server, the Celery worker and beat."

# Until Ctrl-C/SIGTERM, or until one of the three stops by itself (then the others go too).
set +e
wait -n "${PIDS[@]}"
status=$?
if [ "$STOPPING" = 0 ]; then
    say "a process exited (status $status): stopping the others"
    stop_all
    exit 1
fi
