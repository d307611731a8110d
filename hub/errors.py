"""The hub's errors, grouped by what the caller must do.

Every error has a stable ``code`` (used as GraphQL ``extensions.code`` and in CLI output) and a
documentation page ``docs/errors/<code>.md``. Subclasses are grouped by the caller's next step:
fix configuration, fix the file, retry, or stop asking.
"""

from __future__ import annotations

from typing import ClassVar


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    code: ClassVar[str] = "HUB_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def doc_path(self) -> str:
        """The documentation page for this error's code."""
        return f"docs/errors/{self.code}.md"

    def __str__(self) -> str:
        return f"{self.message} (see {self.doc_path})"


class ConfigError(HubError):
    """The hub cannot start with these settings: fix them and start again."""

    code = "CONFIG_INVALID"


class FileRejectedError(HubError):
    """Nothing from this file is loaded: fix the file and submit it again."""

    code = "FILE_REJECTED"


class RecordRejectedError(HubError):
    """One record is reported and left out; the rest of its file loads."""

    code = "RECORD_REJECTED"


class BadRequestError(HubError):
    """The request is malformed (bad cursor, page size out of range, unknown value)."""

    code = "BAD_REQUEST"


class NotVisibleError(HubError):
    """Answered exactly as for a missing row, so existence is not disclosed."""

    code = "NOT_FOUND"


class ForbiddenError(HubError):
    """The principal is known but its agreements do not grant this."""

    code = "FORBIDDEN"


class ForbiddenFieldError(ForbiddenError):
    """A field, filter or ordering the principal's agreements do not grant everywhere."""

    code = "FORBIDDEN_FIELD"


class PurposeForbiddenError(ForbiddenError):
    """The ``Hub-Purpose`` named a purpose the token does not allow: use a token that allows it."""

    code = "FORBIDDEN_PURPOSE"


class PurposeRequiredError(BadRequestError):
    """The token allows several purposes and the request named none: send ``Hub-Purpose``."""

    code = "PURPOSE_REQUIRED"


class AuthenticationError(HubError):
    """No valid credentials: obtain a token and try again."""

    code = "UNAUTHENTICATED"


class OAuthClientNotFoundError(HubError):
    """No OAuth client has this client id: check the id with ``hub clients list``."""

    code = "OAUTH_CLIENT_NOT_FOUND"


class UnavailableError(HubError):
    """A dependency (the database) did not answer: retry later."""

    code = "UNAVAILABLE"


def all_error_classes() -> list[type[HubError]]:
    """Every HubError subclass, the base included, for documentation checks."""
    found: list[type[HubError]] = [HubError]
    index = 0
    while index < len(found):
        found.extend(found[index].__subclasses__())
        index += 1
    return found
