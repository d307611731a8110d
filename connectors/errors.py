"""Errors of submitting a file for ingest, grouped by what the submitter must do."""

from __future__ import annotations

from hub.errors import FileRejectedError, ForbiddenError, HubError


class UnknownFormatError(HubError):
    """The format name is not one the hub reads, or its connector is not installed."""

    code = "INGEST_UNKNOWN_FORMAT"


class PartnerNotRegisteredError(HubError):
    """Files are accepted only from registered partners: register it (``hub partners add``)."""

    code = "PARTNER_NOT_REGISTERED"


class PartnerMismatchError(FileRejectedError):
    """The file's header names another institution (UKPRN, LAESTAB or LA) than the submitter."""

    code = "PARTNER_MISMATCH"


class SubmissionForbiddenError(ForbiddenError):
    """Only a partner itself (or an admin on its behalf) may submit that partner's files."""

    code = "SUBMISSION_FORBIDDEN"
