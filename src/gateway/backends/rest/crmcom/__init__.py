"""CRM.COM (seeds 001 and 003) as a backend for communications and the communication queue.

``api`` speaks the wire protocol (token, envelope, errors), ``plans`` turns list queries into its
methods, ``backend`` reads, ``writer`` writes, ``poller`` turns queue changes into subscription events.
Importing the package registers the ``crmcom`` connector.
"""

from gateway.backends.rest.crmcom import connector as connector

__all__ = ["connector"]
