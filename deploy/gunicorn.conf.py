"""The production app server: gunicorn managing uvicorn workers that serve the ASGI app (HTTP
and Channels WebSockets). `make run-prod` and the reliability run use this file; a deploy sets
the environment variables below. Values are read at start-up, so `-w`/`-b` on the command line
still win."""

import gc
import multiprocessing
import os

# Read before the app loads: uvicorn workers run Django's sync views on threads, where persistent
# connections pile up, so each worker process takes its connections from a small psycopg pool
# (luukku/settings.py, DATABASE_POOL_MAX_SIZE). Workers × this must stay under PostgreSQL's
# max_connections, with room for Celery and maintenance.
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "4")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core plus one is gunicorn's rule of thumb for I/O-bound Django.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "uvicorn_worker.UvicornWorker"
# A worker that stops answering (or is killed) is replaced by the master; requests in flight on
# it fail, and clients retry with their idempotency key.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = 1000
# Load the app (and the lemmatiser's dictionaries) once in the master; workers share the pages.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


def when_ready(server: object) -> None:
    """Before the workers fork: move everything loaded so far (the dictionaries) out of the
    garbage collector's reach, so that collections in the workers do not touch, and so copy,
    the shared pages (docs/operations.md, "The lemmatiser's memory")."""
    gc.freeze()
