"""Akixi CRM configuration API simulator (seed 002): ``create_app()`` serves it for tests and demos."""

from simulators.akixi.app import create_app
from simulators.akixi.state import AkixiSimulator, Credential, Device, StoredConfig

__all__ = ["AkixiSimulator", "Credential", "Device", "StoredConfig", "create_app"]
