"""Reference data connectors: providers, provision offered, funding allocations and flows."""

from connectors.reference.funding import AllocationsConnector, FlowsConnector
from connectors.reference.providers import ProvidersConnector
from connectors.reference.provision import ProvisionConnector

__all__ = ["AllocationsConnector", "FlowsConnector", "ProvidersConnector", "ProvisionConnector"]
