"""ConeCRM (seed 004) as a backend: contacts, accounts, leads, tasks/events and stages.

Routing file::

    [routes]
    Contact = "conecrm"
    [upstreams.conecrm]
    kind = "conecrm"
    base_url = "https://api.conecrm.com"
    system_name = "ConeCRM"
    credentials = { token = "${CONECRM_TOKEN}" }   # a service token, or:
    options = { forward_caller_token = true }        # call ConeCRM with the caller's own bearer token
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from gateway.backends.base import EntityBackend, EntityWriter
from gateway.backends.customization import Customization
from gateway.backends.records import Entity
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.conecrm.api import ConeCrmApi
from gateway.backends.rest.conecrm.catalog import Catalogs
from gateway.backends.rest.conecrm.customization import ConeCrmCustomization
from gateway.backends.rest.conecrm.plain import MAX_COUNT_WINDOWS
from gateway.backends.rest.conecrm.reader import ConeCrmReader
from gateway.backends.rest.conecrm.writer import ConeCrmWriter, transaction
from gateway.backends.rest.connector import RequestScope, register

ENTITIES = frozenset({Entity.CONTACT, Entity.ACCOUNT, Entity.LEAD, Entity.EVENT, Entity.STAGE})


class ConeCrmBackend(ConeCrmReader):
    """One request's view of ConeCRM: the reads, a writer for what its API can write, and
    its customization (custom fields, labels, saved filters, filter metadata, automations), which are
    no graph entities: the request context serves them from here when ConeCRM is configured."""

    def customization(self) -> Customization:
        return ConeCrmCustomization(self.api)

    def transaction(self) -> AbstractAsyncContextManager[EntityWriter]:
        return transaction(ConeCrmWriter(self))


class ConeCrmConnector:
    def __init__(self, client: UpstreamClient) -> None:
        self.client = client
        self.entities = ENTITIES
        # Every read is one query-builder call per level (an `in` rule on ids or parent references).
        self.batches = ENTITIES
        # A contact count has no total in seed 004: it reads the plain list in windows (plain.py).
        self.count_calls = {Entity.CONTACT: MAX_COUNT_WINDOWS}
        named = client.config.options.get("entities") or {}
        self.catalogs = Catalogs({str(k): str(v) for k, v in dict(named).items()})

    def backend(self, scope: RequestScope) -> EntityBackend:
        return ConeCrmBackend(ConeCrmApi(self.client, scope, self.catalogs))

    async def aclose(self) -> None:
        await self.client.aclose()


@register("conecrm")
def connector(client: UpstreamClient) -> ConeCrmConnector:
    return ConeCrmConnector(client)
