"""Magento 2 REST integration: client, auth, searchCriteria builder, adapters and mappers."""

from .adapters import Magento
from .auth import BearerCredentials, OAuthCredentials
from .client import MagentoClient, MagentoSettings
from .criteria import SearchCriteria

__all__ = [
    "BearerCredentials",
    "Magento",
    "MagentoClient",
    "MagentoSettings",
    "OAuthCredentials",
    "SearchCriteria",
]
