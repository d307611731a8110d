"""Authentication: the hub's own OAuth2 tokens, external OIDC tokens, and the Principal they map to.

Import from the defining modules (``hub.auth.tokens``, ``hub.auth.clients``...): this package
re-exports only the request-time entry point.
"""

from hub.auth.authenticator import Authenticator

__all__ = ["Authenticator"]
