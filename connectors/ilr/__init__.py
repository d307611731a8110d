"""ESFA Individualised Learner Record (ILR) connector for colleges and training providers."""

from connectors.ilr.parser import IlrConnector
from connectors.ilr.rules import IMPLEMENTED_RULES
from connectors.ilr.years import SUPPORTED_YEARS

__all__ = ["IMPLEMENTED_RULES", "SUPPORTED_YEARS", "IlrConnector"]
