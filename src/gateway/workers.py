"""``crm-gateway serve --workers N``: N uvicorn processes, each accepting on a socket of its own.

uvicorn's own ``--workers`` shares one listening socket between its processes, and an event loop
accepts every connection waiting when it wakes: a client that opens its keep-alive connections at
once (the benchmark's load generator, a reverse proxy's pool) found all eight of them on one worker
while the other sat idle (``ss`` showed 8/0; Q1 at concurrency 8 did not gain from a second worker).
Here each worker gets its own socket, bound to the same port with ``SO_REUSEPORT``, and the kernel
spreads new connections over the sockets by their addresses (6/2 for those eight; Q1 50 -> 79
requests/s), as nginx's ``reuseport`` and gunicorn's ``--reuse-port`` do.

The parent binds the sockets before it starts the workers, after checking that nothing else holds
the port (``SO_REUSEPORT`` would otherwise let a second gateway share it silently). It restarts a
worker that dies, stops all of them when one cannot start (uvicorn's exit code 3: the app failed at
start-up, and would fail again), and stops them on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from typing import Any

from gateway.observability.multiprocess import worker_exited

log = logging.getLogger("gateway.workers")
STARTUP_FAILURE = 3  # uvicorn.config.STARTUP_FAILURE: what a worker exits with when the app cannot start
APP = "gateway.app:worker_app"


class PortInUse(OSError):
    pass


def serve_workers(count: int, host: str, port: int, shutdown_seconds: float) -> int:
    """Runs ``count`` workers until a signal stops them; the exit status for ``serve``.

    On SIGTERM each worker shuts down gracefully (``gateway.shutdown``) within ``shutdown_seconds``
    for its requests and as long again for its background jobs; one that takes longer is killed."""
    sockets = bind_sockets(host, port, count)
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())

    def start(sock: socket.socket) -> BaseProcess:
        process = context.Process(target=_worker, args=(sock, host, port), daemon=False)
        process.start()
        return process

    workers = [start(sock) for sock in sockets]
    status = 0
    while not stop.wait(0.5):
        for index, process in enumerate(workers):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping the others", process.pid)
                stop.set()
                status = 1
                break
            log.warning("worker %s exited (code %s); starting another", process.pid, process.exitcode)
            worker_exited(process.pid)
            workers[index] = start(sockets[index])
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(timeout=2 * shutdown_seconds + 5)
        if process.is_alive():
            process.kill()
            process.join()
    for sock in sockets:
        sock.close()
    return status


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on ``host:port`` that share it through ``SO_REUSEPORT``."""
    check_port_free(host, port)
    family = _family(host)
    sockets = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


def check_port_free(host: str, port: int) -> None:
    """``PortInUse`` when something listens on ``host:port`` (a bind that uvicorn's would meet)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(f"cannot listen on {host}:{port}: {error.strerror}") from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _worker(sock: socket.socket, host: str, port: int) -> None:  # pragma: no cover
    """One worker process: uvicorn serving the app on its own socket (the app reads its settings
    from the environment that ``serve`` exported)."""
    import uvicorn

    from gateway.settings import load_settings
    from gateway.shutdown import exit_zero_after_sigterm, server_options

    options = server_options(load_settings())
    config: Any = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
    exit_zero_after_sigterm()
    uvicorn.Server(config).run(sockets=[sock])
