"""Upstream simulators: ConeCRM, CRM.COM and Akixi over real HTTP, for tests and demos.

Each implements its seed's contract (paths, parameters, bodies, envelopes, error codes) on a Starlette
app with switchable faults (``faults.Faults``). Tests serve them with uvicorn on 127.0.0.1; the CLI
``crm-gateway simulate <vendor>`` serves one for a demo.
"""
