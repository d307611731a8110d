"""Why a whole ILR file is refused (nothing from it loads); learner-level findings are issues."""

from __future__ import annotations

from hub.errors import FileRejectedError


class IlrWrongRootError(FileRejectedError):
    """The XML is not an ILR: its root element is not an ILR ``Message``."""

    code = "ILR_WRONG_ROOT"


class IlrUnknownNamespaceError(FileRejectedError):
    """The root namespace names an ILR year the connector does not read."""

    code = "ILR_UNKNOWN_NAMESPACE"


class IlrNamespaceMismatchError(FileRejectedError):
    """Elements below the root use another namespace than the root (ESFA "Namespace Mismatch")."""

    code = "ILR_NAMESPACE_MISMATCH"


class IlrHeaderInvalidError(FileRejectedError):
    """Header or LearningProvider is missing or breaks the schema, so the sender is unknown."""

    code = "ILR_HEADER_INVALID"


class IlrNoLearnersError(FileRejectedError):
    """The file holds no Learner record (ESFA rule Entity_1)."""

    code = "ILR_NO_LEARNERS"
