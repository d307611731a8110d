"""Verified token claims -> Principal, and the ``Hub-Purpose`` choice among allowed purposes.

Hub tokens and external OIDC tokens carry the same three authorization claims:

- ``role``: one of ``hub.store.models.access.ROLES``;
- ``partner_id``: the partner the caller acts for (required for every role except ``admin``);
- ``purposes``: the purposes the caller may declare (a JSON list, or one space-separated string).

Anything else in a token is ignored. A claim with the wrong shape refuses the token: deny is the
default, so a half-understood token never becomes a half-authorized principal.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from hub.errors import (
    AuthenticationError,
    BadRequestError,
    PurposeForbiddenError,
    PurposeRequiredError,
)
from hub.principal import ADMIN_ROLE, Principal
from hub.store.models.access import ROLES

PURPOSE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")


def check_role(role: object) -> str:
    """``role`` if it is one of the hub's roles.

    Raises:
        BadRequestError: for any other value.
    """
    if not isinstance(role, str) or role not in ROLES:
        raise BadRequestError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def check_purposes(purposes: Iterable[object]) -> tuple[str, ...]:
    """The purposes, de-duplicated in order, if each is a lower-case word of 1-60 characters.

    Raises:
        BadRequestError: naming every malformed purpose.
    """
    found: list[str] = []
    bad: list[str] = []
    for purpose in purposes:
        if isinstance(purpose, str) and PURPOSE_PATTERN.match(purpose):
            if purpose not in found:
                found.append(purpose)
        else:
            bad.append(repr(purpose))
    if bad:
        raise BadRequestError(
            f"malformed purpose(s) {', '.join(bad)}: use lower-case letters, digits, _ and -"
        )
    return tuple(found)


def check_partner(role: str, partner_id: object) -> int | None:
    """The partner id, required for every role but admin (a data-sharing party is a partner).

    Raises:
        BadRequestError: when a required partner id is missing or not a positive integer.
    """
    if partner_id is None:
        if role != ADMIN_ROLE:
            raise BadRequestError(f"role {role!r} needs a partner id")
        return None
    if isinstance(partner_id, str) and partner_id.isdecimal():
        partner_id = int(partner_id)
    if isinstance(partner_id, bool) or not isinstance(partner_id, int) or partner_id <= 0:
        raise BadRequestError(f"partner id {partner_id!r} is not a positive integer")
    return partner_id


def principal_from_claims(claims: Mapping[str, Any], *, is_client: bool) -> Principal:
    """The principal a verified token describes; its purpose is chosen later, per request.

    Args:
        claims: the claims of a token whose signature, issuer, audience and times are verified.
        is_client: True for a hub token issued to a machine client, False for a user token
            from the external OIDC issuer.

    Raises:
        AuthenticationError: when the authorization claims are missing or malformed.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AuthenticationError("token has no subject")
    raw_purposes = claims.get("purposes", ())
    if isinstance(raw_purposes, str):
        raw_purposes = raw_purposes.split()
    try:
        role = check_role(claims.get("role"))
        partner_id = check_partner(role, claims.get("partner_id"))
        if not isinstance(raw_purposes, list | tuple):
            raise BadRequestError("purposes must be a list")
        purposes = check_purposes(raw_purposes)
    except BadRequestError as error:
        raise AuthenticationError(f"token claims are not usable: {error.message}") from error
    if is_client:
        return Principal(
            subject=f"client:{subject}",
            role=role,
            partner_id=partner_id,
            client_id=subject,
            purposes=purposes,
        )
    return Principal(
        subject=f"user:{subject}",
        role=role,
        partner_id=partner_id,
        user_id=subject,
        purposes=purposes,
    )


def with_purpose(principal: Principal, requested: str | None) -> Principal:
    """``principal`` with its declared purpose for this request.

    The ``Hub-Purpose`` header (``requested``) picks one of the allowed purposes; without it, the
    only allowed purpose is taken. A principal with no purposes at all (e.g. an admin) may send
    no header and gets ``purpose=None``.

    Raises:
        PurposeForbiddenError: the requested purpose is not one the token allows.
        PurposeRequiredError: several purposes are allowed and none was named.
    """
    if requested is not None:
        requested = requested.strip()
        if requested not in principal.purposes:
            allowed = ", ".join(principal.purposes) or "none"
            raise PurposeForbiddenError(
                f"purpose {requested[:60]!r} is not allowed for this token (allowed: {allowed})"
            )
        return dataclasses.replace(principal, purpose=requested)
    if len(principal.purposes) == 1:
        return dataclasses.replace(principal, purpose=principal.purposes[0])
    if not principal.purposes:
        return principal
    raise PurposeRequiredError(
        "this token allows several purposes; name one in the Hub-Purpose header "
        f"(one of: {', '.join(principal.purposes)})"
    )
