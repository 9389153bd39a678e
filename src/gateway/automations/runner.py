"""The automation runner: runs recorded trigger events after their write committed, exactly once.

Every gateway process has one. After a mutation commits, the request runs the events its transaction
recorded (``run_recorded``: the client then reads what the automations did); a background loop in each
process (``run_forever``) picks up whatever is left: events of a process that died, or whose claim
lapsed. Both claim before they run (``gateway.backends.sql.automation_dispatch``), so an event runs in
exactly one process, once, whatever the number of processes.

One event is one transaction: for each enabled automation listening to the trigger, its workflow runs
(conditions judged on the triggering record, actions in a savepoint each) and its run is logged. An
action's writes record trigger events one step deeper in the event's causal chain; at
``automation_max_chain_depth`` steps the runs are logged SKIPPED with CHAIN_LIMIT instead.

The background loop also prunes events that ran longer than ``automation_event_retention_seconds``
ago, for the tenants whose events the process ran (``prune``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.automations import conditions
from gateway.automations.actions import ACTIONS, ActionContext, ActionFailed
from gateway.automations.definitions import DefinitionProblem, Workflow, uses_custom_fields, workflow
from gateway.backends.access import RowAccess
from gateway.backends.automations import AutomationEvent, AutomationRun, Cause
from gateway.backends.customization import Automation
from gateway.backends.errors import InvalidValue
from gateway.backends.records import Entity
from gateway.backends.sql.automation_dispatch import Claim, DispatchSteps, claim_events
from gateway.backends.sql.store import SqlBackend
from gateway.backends.sql.writer import SqlWriter
from gateway.cost import Cost
from gateway.ids import utcnow, uuid7
from gateway.pubsub import PubSub, queue_event_message, tenant_channel
from gateway.settings import Settings
from gateway.shutdown import in_rounds

log = logging.getLogger(__name__)
RUNNER = "automation-runner"
BATCH = 20
PRUNE_BATCH = 1_000
PRUNE_EVERY_SECONDS = 600.0  # or a tenth of the retention, when that is shorter
MAX_ATTEMPTS = 5  # an event whose run failed this often (not its actions: the run itself) is given up
RECORD_ENTITIES = {"lead": Entity.LEAD, "event": Entity.EVENT, "communication": Entity.COMMUNICATION}


class AutomationRunner:
    def __init__(self, engine: AsyncEngine, settings: Settings, pubsub: PubSub | None = None) -> None:
        self.engine, self.pubsub = engine, pubsub
        self.claimant = f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        self.lease = settings.automation_lease_seconds
        self.poll = settings.automation_poll_seconds
        self.max_depth = settings.automation_max_chain_depth
        self.retention = settings.automation_event_retention_seconds
        self.tenants: set[str] = set()  # whose events this process ran: the ones it prunes
        self._pruned_at = time.monotonic()

    async def run_recorded(self, tenant: str, event_ids: list[UUID], cost: Cost | None = None) -> None:
        """Run these events (recorded by a committed transaction) and the events their actions record;
        their SQL statements count in ``cost`` (the request's, when a request runs them)."""
        cost = cost or Cost()
        pending = list(event_ids)
        while pending:
            cost.sql_statements += 1  # the claim
            claims = await claim_events(self.engine, self.claimant, len(pending), self.lease, tenant, pending)
            pending = [follow for claim in claims for follow in await self.run_claim(claim, cost)]

    async def sweep(self) -> int:
        """Claim and run a batch of due events of any tenant; how many were claimed."""
        claims = await claim_events(self.engine, self.claimant, BATCH, self.lease)
        for claim in claims:
            await self.run_recorded(claim.tenant, await self.run_claim(claim))
        return len(claims)

    async def run_forever(self) -> None:
        """The background loop: sweep until nothing is due, then wait ``automation_poll_seconds``.

        Cancelled during a sweep (a shutdown), it finishes the sweep first, as the queue poller does
        its round; a second cancel (the shutdown's deadline) stops it, and its claims lapse.
        """
        await in_rounds(self._sweep_until_idle, self.poll)

    async def _sweep_until_idle(self) -> None:
        try:
            while await self.sweep():
                pass
            if time.monotonic() - self._pruned_at >= min(self.retention / 10, PRUNE_EVERY_SECONDS):
                await self.prune()
        except Exception as error:  # a failed sweep (e.g. the database is away) is tried again
            log.warning("automation sweep failed: %s", type(error).__name__)

    async def prune(self) -> int:
        """Delete the events that ran longer than the retention ago, of each tenant whose events this
        process ran (row-level security: one tenant per transaction); how many went. Any number of
        processes may prune at once: a row another one deleted first is simply not deleted again."""
        self._pruned_at = time.monotonic()
        cutoff = utcnow() - timedelta(seconds=self.retention)
        pruned = 0
        for tenant in sorted(self.tenants):
            sql = SqlBackend(self.engine, tenant, RowAccess.unrestricted(RUNNER), Cost())
            removed = PRUNE_BATCH
            while removed == PRUNE_BATCH:  # in batches: no long lock on a large backlog
                async with sql.transaction() as writer:
                    removed = await DispatchSteps(writer).prune(cutoff, PRUNE_BATCH)
                pruned += removed
        return pruned

    async def run_claim(self, claim: Claim, cost: Cost | None = None) -> list[UUID]:
        """Run one claimed event in one transaction; the events its actions recorded."""
        self.tenants.add(claim.tenant)
        sql = SqlBackend(self.engine, claim.tenant, RowAccess.unrestricted(RUNNER), cost or Cost())
        try:
            async with sql.transaction() as writer:
                steps = DispatchSteps(writer)
                if not await steps.take(claim):
                    return []  # another process took the event over once our claim lapsed
                event = await steps.event(claim.event_id)
                if event is None:
                    return []
                writer.automation_cause = Cause(event.chain_id, event.depth + 1)
                automations = await steps.listening(event.trigger)
                messages: list[dict[str, Any]] = []  # what the actions announce, once committed
                runs = [
                    await self._run(steps, event, automation, claim.attempts, messages)
                    for automation in automations
                ]
                await steps.finish(event.id, runs)
                messages += [queue_event_message(queued) for queued in writer.recorded_queue_events]
                follow = list(writer.recorded_automation_events)
        except Exception:
            log.exception(
                "automation event %s of tenant %s: the run failed; retried once its claim lapses",
                claim.event_id,
                claim.tenant,
            )
            return []
        await self._publish(claim.tenant, messages)
        return follow

    async def _run(
        self,
        steps: DispatchSteps,
        event: AutomationEvent,
        automation: Automation,
        attempts: int,
        messages: list[dict[str, Any]],
    ) -> AutomationRun:
        run = RunLog(automation, event)
        if attempts > MAX_ATTEMPTS:
            return run.ended("FAILED", "GAVE_UP", f"The event's run failed {attempts - 1} times.")
        if event.depth >= self.max_depth:
            message = f"{event.depth} automation steps deep in one causal chain (limit {self.max_depth})."
            return run.ended("SKIPPED", "CHAIN_LIMIT", message)
        writer: SqlWriter = steps.writer
        custom = await steps.custom_types(event.entity) if uses_custom_fields(automation.nodes) else {}
        try:
            flow = workflow(automation.trigger or "", automation.nodes, automation.edges, custom)
        except DefinitionProblem as problem:
            return run.ended("FAILED", "INVALID_DEFINITION", str(problem))
        record = (await writer.get_many(RECORD_ENTITIES[event.entity], [event.record_id])).get(
            event.record_id
        )
        if record is None:
            return run.ended("SKIPPED", "RECORD_GONE", f"The {event.entity} is gone.")
        lead_id = record.id if event.entity == "lead" else getattr(record, "lead_id", None)
        contact_id, account_id = getattr(record, "contact_id", None), getattr(record, "account_id", None)
        actor = f"automation:{automation.id}"
        context = ActionContext(
            writer, automation, event, actor, lead_id, contact_id, account_id, messages=messages
        )
        return await _walk(flow, conditions.record_fields(event.entity, record, custom), context, run)

    async def _publish(self, tenant: str, messages: list[dict[str, Any]]) -> None:
        """Tell subscribers of the committed run: new communications and queue events."""
        if self.pubsub is None or not messages:
            return
        try:
            for message in messages:
                await self.pubsub.publish(tenant_channel(tenant), message)
        except Exception:
            log.exception("publishing the events of an automation run failed")


class RunLog:
    """One automation's run of one event, as the run log keeps it."""

    def __init__(self, automation: Automation, event: AutomationEvent) -> None:
        self.automation, self.event, self.started = automation, event, utcnow()

    def ended(
        self,
        status: str,
        reason: str | None,
        message: str | None,
        actions: list[dict[str, str | None]] | None = None,
    ) -> AutomationRun:
        event = self.event
        return AutomationRun(
            id=uuid7(),
            automation_id=UUID(self.automation.id),
            automation_name=self.automation.name or "",
            event_id=event.id,
            trigger=event.trigger,
            entity=event.entity,
            record_id=event.record_id,
            depth=event.depth,
            status=status,
            reason=reason,
            message=message,
            actions=actions or [],
            started_at=self.started,
            finished_at=utcnow(),
        )


async def _walk(
    flow: Workflow, fields: conditions.Fields, context: ActionContext, run: RunLog
) -> AutomationRun:
    """Judge the conditions and take the actions of the active nodes, sources first."""
    active: set[str] = set()
    outcomes: dict[str, bool] = {}
    unmet = False
    for node in flow.nodes:
        incoming = [edge for edge in flow.edges if edge.target == node.id]
        if incoming and not any(
            edge.source in active
            and (edge.branch is None or outcomes[edge.source] == (edge.branch == "true"))
            for edge in incoming
        ):
            continue
        active.add(node.id)
        if node.type == "condition":
            outcomes[node.id] = conditions.matches(node.data["query"], fields)
            unmet = unmet or not outcomes[node.id]
        elif node.type in ACTIONS:
            failure = await _act(context, node.id, node.type, node.data)
            if failure is not None:
                return run.ended("FAILED", failure.code, str(failure), context.done)
    if context.done:
        return run.ended("SUCCEEDED", None, None, context.done)
    if unmet:
        return run.ended("SKIPPED", "CONDITION_NOT_MET", "The conditions did not hold for the record.")
    return run.ended("SKIPPED", "NO_ACTIONS", "No action to take.")


async def _act(
    context: ActionContext, node_id: str, action: str, data: dict[str, Any]
) -> ActionFailed | None:
    """One action in a savepoint: a failure undoes its writes (and forgets the events they recorded)."""
    writer: Any = context.writer
    queued, recorded = len(writer.recorded_queue_events), len(writer.recorded_automation_events)
    announced = len(context.messages)
    try:
        async with writer._connection.begin_nested():
            written = await ACTIONS[action].run(context, data)
    except Exception as error:
        del writer.recorded_queue_events[queued:]
        del writer.recorded_automation_events[recorded:]
        del context.messages[announced:]
        if isinstance(error, ActionFailed):
            return error
        if isinstance(error, InvalidValue):
            return ActionFailed("INVALID", f"{error.field} {error}")
        log.exception("automation %s, node %s (%s) failed", context.automation.id, node_id, action)
        return ActionFailed("ACTION_ERROR", f"The {action} action failed unexpectedly.")
    done = {"node": node_id, "action": action, "recordId": None if written is None else str(written)}
    record_type = ACTIONS[action].record_type
    if record_type is not None:
        done["recordType"] = record_type(data)
    context.done.append(done)
    return None
