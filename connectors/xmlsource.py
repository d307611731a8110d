"""Hardened streaming XML reading shared by the XML connectors.

Partner files are untrusted: a DOCTYPE can expand entities (billion laughs), fetch local files
or URLs (XXE) or make the parser allocate without bound. ``iter_events`` therefore refuses any
DOCTYPE before the first element is handed out, never resolves entities, never touches the
network, keeps libxml2's size limits on (``huge_tree=False``: text nodes over 10 MB are refused)
and drops comments and processing instructions so a streamed tree does not grow with them.
Callers clear or detach each element once read so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path

from lxml import etree

from hub.errors import FileRejectedError

_HARDENING = {
    "resolve_entities": False,
    "load_dtd": False,
    "dtd_validation": False,
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class NotXmlError(FileRejectedError):
    """The file is not XML at all (another format, empty, or binary)."""

    code = "XML_NOT_XML"


class XmlNotWellFormedError(FileRejectedError):
    """The file starts as XML but breaks later: truncated, badly encoded or over a size limit."""

    code = "XML_NOT_WELL_FORMED"


class XmlDtdForbiddenError(FileRejectedError):
    """The file carries a DOCTYPE, which could expand entities or read local files."""

    code = "XML_DTD_FORBIDDEN"


def local_name(element: etree._Element) -> str:
    """The tag of ``element`` without its namespace (comments are removed while parsing)."""
    return str(element.tag).rpartition("}")[2]


def namespace_of(element: etree._Element) -> str | None:
    """The namespace URI of ``element``, or None when it has none."""
    tag = str(element.tag)
    if not tag.startswith("{"):
        return None
    return tag[1:].partition("}")[0]


def iter_events(
    path: Path,
    events: tuple[str, ...] = ("start", "end"),
    tags: Sequence[str] | None = None,
) -> Generator[tuple[str, etree._Element], None, None]:
    """Yield (event, element) for ``path`` under the hardening described above.

    ``tags`` (Clark notation, ``{ns}Learner``) limits the events to those elements, which keeps
    the per-element work in C; the DOCTYPE check still runs on the first event.

    Raises NotXmlError, XmlNotWellFormedError or XmlDtdForbiddenError (all FileRejectedError);
    the latter two can arrive after earlier events were yielded, so a consumer must treat the
    whole file as failed when one is raised.
    """
    seen_root = False
    with path.open("rb") as handle:  # closed however the caller stops iterating
        context = etree.iterparse(
            handle, events=events, tag=list(tags) if tags else None, **_HARDENING
        )
        try:
            for event, element in context:
                if not seen_root:
                    seen_root = True
                    _refuse_doctype(path, element)
                yield event, element
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(path, exc, seen_root=seen_root) from None


def _refuse_doctype(path: Path, root: etree._Element) -> None:
    """Reject a document that declares a DOCTYPE (internal subset or external DTD)."""
    docinfo = root.getroottree().docinfo  # filled in before the first element is reported
    declared = (getattr(docinfo, name, None) for name in ("doctype", "internalDTD", "system_url"))
    if any(declared):
        raise XmlDtdForbiddenError(
            f"{path.name}: a DOCTYPE declaration is not allowed in partner files "
            "(entities and external DTDs are never expanded or fetched); export the file again "
            "without a DOCTYPE"
        )


def _syntax_error(path: Path, exc: etree.XMLSyntaxError, *, seen_root: bool) -> FileRejectedError:
    """Translate a libxml2 syntax error into the file-level error the caller reports."""
    detail = str(exc.msg or exc).strip()
    lowered = detail.lower()
    if "entity" in lowered and ("loop" in lowered or "amplification" in lowered):
        return XmlDtdForbiddenError(f"{path.name}: entity expansion refused ({detail})")
    if "encoding" in lowered or "utf-8" in lowered:
        return XmlNotWellFormedError(
            f"{path.name}: bytes do not match the declared character encoding ({detail}); "
            "save the file as UTF-8 or declare its real encoding"
        )
    if "huge" in lowered or "too long" in lowered or "limit" in lowered:
        return XmlNotWellFormedError(
            f"{path.name}: a value exceeds the parser's size limit ({detail})"
        )
    if not seen_root:
        return NotXmlError(f"{path.name}: not an XML document ({detail})")
    return XmlNotWellFormedError(
        f"{path.name}: XML is not well formed ({detail}); the file may be truncated or "
        "damaged: export it again"
    )
