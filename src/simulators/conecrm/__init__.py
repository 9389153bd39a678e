"""ConeCRM simulator (seed 004) over the gateway's own SQL tables: ``create_app(database_url, secret)``."""

from simulators.conecrm.app import create_app

__all__ = ["create_app"]
