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

The parent is lean: ``crm-gateway serve`` prepares (settings, migrations, the demo) and then replaces
itself (``exec``, same pid) with ``python -P -m gateway.workers``, which holds the sockets, the run's
metrics directory and the workers, each ``python -P -m gateway.workers worker FD ...`` (``subprocess``).
With ``multiprocessing``'s spawn, as before, the run held three processes besides the workers' own
memory: the CLI (~100 MiB, everything ``gateway.cli`` imports), a resource tracker (~12 MiB) and, in
each worker, the CLI again (a spawn child runs its parent's main module). ``-P``: the working directory
is not searched first, so a ``gateway`` folder there cannot stand in for the package.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from gateway.observability.multiprocess import metrics_directory, worker_exited

log = logging.getLogger("gateway.workers")
STARTUP_FAILURE = 3  # uvicorn.config.STARTUP_FAILURE: what a worker exits with when the app cannot start
APP = "gateway.app:worker_app"
MODULE = [sys.executable, "-P", "-m", "gateway.workers"]


class PortInUse(OSError):
    pass


def serve_workers(count: int, host: str, port: int, shutdown_seconds: float) -> NoReturn:
    """Binds the port and becomes the supervisor of ``count`` workers (never returns).

    On SIGTERM each worker shuts down gracefully (``gateway.shutdown``) within ``shutdown_seconds``
    for its requests and as long again for its background jobs; one that takes longer is killed.
    ``PortInUse`` when the port is taken, before anything starts."""
    sockets = bind_sockets(host, port, count)
    fds = [str(sock.detach()) for sock in sockets]  # inherited through exec (bind_sockets: inheritable)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [*MODULE, "supervise", str(shutdown_seconds), host, str(port), *fds])


def supervise(sockets: Sequence[socket.socket], host: str, port: int, shutdown_seconds: float) -> int:
    """Runs a worker per socket until a signal stops them; the exit status for ``serve``."""
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())

    def start(sock: socket.socket) -> subprocess.Popen[bytes]:
        fd = sock.fileno()
        return subprocess.Popen([*MODULE, "worker", str(fd), host, str(port)], pass_fds=(fd,))

    workers = [start(sock) for sock in sockets]
    status = 0
    while not stop.wait(0.5):
        for index, process in enumerate(workers):
            if process.poll() is None:
                continue
            if process.returncode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping the others", process.pid)
                stop.set()
                status = 1
                break
            log.warning("worker %s exited (code %s); starting another", process.pid, process.returncode)
            worker_exited(process.pid)
            workers[index] = start(sockets[index])
    for process in workers:
        if process.poll() is None:
            process.terminate()
    for process in workers:
        try:
            process.wait(timeout=2 * shutdown_seconds + 5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
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


def _worker(sock: socket.socket, host: str, port: int) -> int:  # pragma: no cover
    """One worker process: uvicorn serving the app on its own socket (the app reads its settings
    from the environment that ``serve`` exported)."""
    import uvicorn

    from gateway.settings import load_settings
    from gateway.shutdown import exit_zero_after_sigterm, server_options

    options = server_options(load_settings())
    config = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
    exit_zero_after_sigterm()
    uvicorn.Server(config).run(sockets=[sock])  # exits with STARTUP_FAILURE when the app cannot start
    return 0


def main(argv: Sequence[str]) -> int:  # pragma: no cover (a process of its own; tests/test_workers.py)
    """``supervise SHUTDOWN HOST PORT FD...`` (what ``serve_workers`` becomes) or ``worker FD HOST PORT``."""
    command, *rest = argv
    if command == "worker":
        fd, host, port = rest
        return _worker(socket.socket(fileno=int(fd)), host, int(port))
    shutdown, host, port, *fds = rest
    sockets = [socket.socket(fileno=int(fd)) for fd in fds]
    with metrics_directory():  # the workers' metrics files, for this run only
        return supervise(sockets, host, int(port), float(shutdown))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
