"""Akixi CRM configurations (seed 002): add, change, delete, list and info, per telephone system,
partition and device. Importing the package registers the ``akixi`` connector."""

from gateway.backends.integrations import (
    CrmCommonSettings,
    CrmConfig,
    CrmConfigChange,
    CrmConfigPage,
    CrmSettings,
    DeviceScope,
)
from gateway.backends.rest.akixi.api import AkixiApi
from gateway.backends.rest.akixi.connector import AkixiConnector
from gateway.backends.rest.akixi.errors import AkixiRejected
from gateway.backends.rest.errors import UpstreamNotConfigured

__all__ = [
    "AkixiApi",
    "AkixiConnector",
    "AkixiRejected",
    "CrmCommonSettings",
    "CrmConfig",
    "CrmConfigChange",
    "CrmConfigPage",
    "CrmSettings",
    "DeviceScope",
    "UpstreamNotConfigured",
]
