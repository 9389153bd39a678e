"""The CRM.COM simulator (seeds 001 and 003); ``create_app`` builds it."""

from simulators.crmcom.app import CrmcomSimulator, create_app
from simulators.crmcom.store import CrmcomStore

__all__ = ["CrmcomSimulator", "CrmcomStore", "create_app"]
