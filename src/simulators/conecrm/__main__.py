"""``python -m simulators.conecrm [--host H] [--port P]``: serve the ConeCRM simulator for a demo.

It stores in the gateway's database (``CRM_GATEWAY_DATABASE_URL``, the embedded SQLite file by
default) and accepts the tokens the gateway mints (``CRM_GATEWAY_JWT_SECRET``), so a gateway routed to
it with ``forward_caller_token = true`` serves the same tenants. On PostgreSQL give it the owner's URL.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import ASGIApp

from simulators.conecrm import simulate


def demo_app() -> ASGIApp:
    """The simulator over the configured gateway database and secret (as ``crm-gateway simulate``)."""
    return simulate(None)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.conecrm", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    arguments = parser.parse_args()
    uvicorn.run(demo_app(), host=arguments.host, port=arguments.port)


if __name__ == "__main__":
    main()
