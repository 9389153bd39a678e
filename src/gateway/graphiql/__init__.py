"""GraphiQL, bundled: its pinned npm files and its page, served by the gateway (no CDN at runtime)."""

from gateway.graphiql.assets import asset_routes
from gateway.graphiql.page import graphiql_page, offer_demo_token

__all__ = ["asset_routes", "graphiql_page", "offer_demo_token"]
