"""The connectors route: load the demo partnership the way partners load theirs.

The generator writes every partner's export files (``hub.demo.exports``) and each file goes
through ``connectors.pipeline.ingest_file`` for the partner that would send it, in the order a
partnership's data arrives:

1. the home LA is registered; it submits ``providers.csv`` (every other partner registers from
   it), then the partnership's configuration is set up (``hub.demo.setup``);
2. the LA's ``provision.csv`` and ``allocations.csv``;
3. NCCIS, one file per LA of residence, from that LA: 16-19 learners are first known here,
   with their LA of residence (the returning LA, cohort status P);
4. ILR, one per college and work-based learning provider: their 16-19 learners' courses;
5. census, one per school: key stage 4 pupils and their off-site courses at a host;
6. attendance, one per host: weeks attached to those off-site courses;
7. funding flows, one file per payer (a school names its learners by UPN);
8. Year 11 applications and offers, written directly (``hub.demo.applications``).

Schools send their spring census rather than CTFs: the census is a school's termly snapshot of
its whole roll and carries the off-site placements the hosts' attendance attaches to, while a
CTF describes pupils moving between schools, which this March snapshot has none of. The CTFs
are still written (``--export-dir``) and read cleanly. Every file is ingested by one admin
principal, ``hub demo``, on each partner's behalf.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.errors import PartnerNotRegisteredError
from connectors.pipeline import IngestSummary, ingest_file
from hub.demo.applications import write_applications
from hub.demo.bulk import SUBMITTER
from hub.demo.exports import write_exports
from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel
from hub.demo.setup import PartnerRefs, la_ref, register_home_la, write_configuration
from hub.principal import ADMIN_ROLE, Principal

DEMO_PRINCIPAL = Principal(subject=SUBMITTER, role=ADMIN_ROLE)
# Load order of the kinds ``write_exports`` returns (reference files are split around setup).
_ORDER = ("providers", "provision", "allocations", "nccis", "ilr", "census", "attendance",
          "flows")
_SENDER_IN_NAME = {  # file name -> the reference of the partner that sends it
    "nccis": re.compile(r"nccis-(\d{3})-"),
    "ilr": re.compile(r"ILR-(\d{8})-"),
    "census": re.compile(r"census-(\d{7})-"),
    "attendance": re.compile(r"attendance-(\d{7,8})-"),
    "flows": re.compile(r"flows-(\d{6,8})\.csv"),
}


@dataclass(frozen=True, slots=True)
class Submission:
    """One file, its format, and the reference of the partner that submits it."""

    format: str
    path: Path
    submitter: str


@dataclass(slots=True)
class FileResult:
    """What became of one submitted file."""

    submission: Submission
    partner_name: str
    summary: IngestSummary
    seconds: float


@dataclass(slots=True)
class RouteResult:
    """Every file's result, the rows written directly, and the elapsed time."""

    files: list[FileResult] = field(default_factory=list)
    direct_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        """Files not loaded (rejected, failed) or with rejected records."""
        return [f for f in self.files
                if f.summary.status != "loaded" or f.summary.records_rejected]


class Listener:
    """Hooks for a progress display; the default does nothing."""

    def planned(self, submissions: list[Submission]) -> None:
        """The files about to be loaded, in order."""

    def started(self, submission: Submission, partner_name: str) -> None:
        """A file's ingest begins."""

    def progress(self, stage: str, records: int) -> None:
        """The current file's stage and records read so far."""

    def finished(self, result: FileResult) -> None:
        """A file's ingest ended."""

    def step(self, description: str) -> None:
        """A step that is not a file (set-up, applications)."""


def plan(written: dict[str, list[Path]], home_la: str) -> list[Submission]:
    """The submissions in load order; CTFs are not loaded (see the module docstring)."""
    by_format: dict[str, list[Path]] = {kind: list(paths) for kind, paths in written.items()}
    for path in by_format.pop("reference", []):
        by_format.setdefault(path.stem.split("-")[0], []).append(path)
    submissions = []
    for kind in _ORDER:
        for path in by_format.get(kind, []):
            pattern = _SENDER_IN_NAME.get(kind)
            if pattern is None:
                ref = home_la
            elif (found := pattern.match(path.name)) is None:
                raise ValueError(f"{path.name}: no submitter in the file name")
            else:
                ref = la_ref(found.group(1)) if kind == "nccis" else found.group(1)
            submissions.append(Submission(kind, path, ref))
    return submissions


async def load_through_connectors(
    engine: AsyncEngine,
    model: DemoModel,
    *,
    export_dir: Path | None = None,
    listener: Listener | None = None,
) -> RouteResult:
    """Write ``model``'s files (into ``export_dir``, else a temporary folder) and ingest them."""
    if export_dir is not None:
        return await _load(engine, model, export_dir, listener or Listener())
    with tempfile.TemporaryDirectory(prefix="hub-demo-") as folder:
        return await _load(engine, model, Path(folder), listener or Listener())


async def _load(engine: AsyncEngine, model: DemoModel, folder: Path,
                listener: Listener) -> RouteResult:
    started = time.perf_counter()
    result = RouteResult()
    listener.step("writing the partners' export files")
    index = DemoIndex.build(model)
    structure = model.structure
    submissions = plan(write_exports(index, folder), str(structure.by_key("la").ukprn))
    listener.planned(submissions)
    await register_home_la(engine, structure)
    refs = PartnerRefs()
    for submission in submissions:
        if submission.submitter not in refs.ids:  # the providers file registered more
            async with engine.connect() as conn:
                refs = await PartnerRefs.load(conn)
        result.files.append(await _ingest(engine, submission, refs, listener))
        if submission.format == "providers":
            listener.step("setting up partnerships, memberships and funding streams")
            result.direct_rows.update(await write_configuration(engine, structure))
    listener.step("writing Year 11 applications and offers (no connector yet)")
    result.direct_rows.update(await write_applications(engine, index))
    result.seconds = time.perf_counter() - started
    return result


async def _ingest(engine: AsyncEngine, submission: Submission, refs: PartnerRefs,
                  listener: Listener) -> FileResult:
    partner_id = refs.ids.get(submission.submitter)
    if partner_id is None:
        raise PartnerNotRegisteredError(
            f"{submission.path.name}: partner {submission.submitter} is not registered (was "
            "providers.csv loaded?)")
    name = refs.names[partner_id]
    listener.started(submission, name)
    began = time.perf_counter()
    summary = await ingest_file(engine, submission.format, submission.path,
                                partner_id=partner_id, principal=DEMO_PRINCIPAL,
                                progress=listener.progress)
    done = FileResult(submission, name, summary, time.perf_counter() - began)
    listener.finished(done)
    return done

