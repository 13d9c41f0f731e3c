"""gunicorn settings for the portal (``gunicorn -c deploy/gunicorn.conf.py loaportal.wsgi``).

Sizing, from the CPU count (override with WEB_CONCURRENCY and GUNICORN_THREADS):

- **workers = 2 × cores.** Sign-in is CPU-bound (Argon2id: about 26 ms and 19 MiB per password
  check) and so is rendering a page; one process per core keeps the cores busy, and a second
  one per core keeps them busy while the first waits on PostgreSQL, Redis or the object store.
- **threads = 4 per worker** (``gthread``). The waits that are long are I/O: streaming a
  document from the object store, a slow client uploading a letter. Threads cover them without
  a process each. Every thread may hold a database connection: plan PostgreSQL's
  ``max_connections`` for instances × workers × threads (+ the workers and the scheduler).
- Memory: a worker is about 80 MB, plus 19 MiB per sign-in in progress; 2 cores give 4 workers
  × 4 threads = 16 requests at once in about 0.6 GB.
- Workers are recycled after about 1,000 requests (jittered) so that slow leaks cannot grow.
"""

import multiprocessing
import os

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
cores = _cores or multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cores))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
# Only the load balancer may say a request came over HTTPS (X-Forwarded-Proto) or from which
# address (X-Forwarded-For, read by the portal with TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The portal logs each request itself, in JSON with its request id (loaportal.core.logging).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# TLS in gunicorn itself when no load balancer terminates it (make prod on one machine).
certfile = os.environ.get("GUNICORN_CERTFILE") or None
keyfile = os.environ.get("GUNICORN_KEYFILE") or None
control_socket_disable = True  # several instances may share a machine
