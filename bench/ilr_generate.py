"""Write a synthetic ILR 2025-26 file of any size, valid against ESFA's XSD and the hub's rules.

Every person is invented (names from short fixed lists, check-digit-valid ULNs drawn from a
seeded generator), so the files are safe to share. Used by bench/ilr_parse.py and by tests
that need large files.
"""

from __future__ import annotations

import random
from pathlib import Path

FAMILY_NAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Sméth")
GIVEN_NAMES = ("Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Zoë")
OUTWARD = ("BR1", "LS6", "M14", "B15", "NE1", "SW1A", "EC1V", "CB2")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ETHNICITIES = ("31", "32", "34", "39", "40", "42", "44", "45", "98", "99")
AIMS = ("60149735", "60146242", "50022246", "60068802", "60145353")

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<Message xmlns="ESFA/ILR/2025-26">
  <Header>
    <CollectionDetails>
      <Collection>ILR</Collection>
      <Year>2526</Year>
      <FilePreparationDate>2025-10-15</FilePreparationDate>
    </CollectionDetails>
    <Source>
      <ProtectiveMarking>OFFICIAL-SENSITIVE-Personal</ProtectiveMarking>
      <UKPRN>{ukprn}</UKPRN>
      <SoftwareSupplier>Partnership Hub bench</SoftwareSupplier>
      <SerialNo>01</SerialNo>
      <DateTime>2025-10-15T09:00:00</DateTime>
    </Source>
  </Header>
  <LearningProvider>
    <UKPRN>{ukprn}</UKPRN>
  </LearningProvider>
"""

_LEARNER = """  <Learner>
    <LearnRefNumber>{ref}</LearnRefNumber>
    <ULN>{uln}</ULN>
    <FamilyName>{family}</FamilyName>
    <GivenNames>{given}</GivenNames>
    <DateOfBirth>{dob}</DateOfBirth>
    <Ethnicity>{ethnicity}</Ethnicity>
    <Sex>{sex}</Sex>
    <LLDDHealthProb>2</LLDDHealthProb>
    <PlanLearnHours>540</PlanLearnHours>
    <PostcodePrior>{postcode}</PostcodePrior>
    <Postcode>{postcode}</Postcode>
{fam}    <LearningDelivery>
      <LearnAimRef>ZPROG001</LearnAimRef>
      <AimType>5</AimType>
      <AimSeqNumber>1</AimSeqNumber>
      <LearnStartDate>{start}</LearnStartDate>
      <LearnPlanEndDate>2026-07-03</LearnPlanEndDate>
      <FundModel>25</FundModel>
      <DelLocPostCode>{postcode}</DelLocPostCode>
      <CompStatus>1</CompStatus>
      <LearningDeliveryFAM>
        <LearnDelFAMType>SOF</LearnDelFAMType>
        <LearnDelFAMCode>107</LearnDelFAMCode>
      </LearningDeliveryFAM>
    </LearningDelivery>
    <LearningDelivery>
      <LearnAimRef>{aim}</LearnAimRef>
      <AimType>4</AimType>
      <AimSeqNumber>2</AimSeqNumber>
      <LearnStartDate>{start}</LearnStartDate>
      <LearnPlanEndDate>2026-06-26</LearnPlanEndDate>
      <FundModel>25</FundModel>
      <DelLocPostCode>{postcode}</DelLocPostCode>
      <CompStatus>1</CompStatus>
    </LearningDelivery>
  </Learner>
"""

_FME = """    <LearnerFAM>
      <LearnFAMType>FME</LearnFAMType>
      <LearnFAMCode>2</LearnFAMCode>
    </LearnerFAM>
"""


def synthetic_uln(rng: random.Random) -> str:
    """A ten-digit ULN with a valid check digit (never the temporary 9999999999)."""
    while True:
        body = str(rng.randint(100_000_000, 899_999_999))
        remainder = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        if remainder != 0:  # remainder 0 has no valid check digit
            return body + str(10 - remainder)


def write_ilr_file(path: Path, learners: int, seed: int = 1, ukprn: str = "10000001") -> None:
    """Write an ILR 2025-26 file of ``learners`` 16-19 learners to ``path``, streaming."""
    rng = random.Random(seed)
    used: set[str] = set()
    with path.open("w", encoding="utf-8") as out:
        out.write(_HEADER.format(ukprn=ukprn))
        for number in range(1, learners + 1):
            uln = synthetic_uln(rng)
            while uln in used:
                uln = synthetic_uln(rng)
            used.add(uln)
            inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
            out.write(
                _LEARNER.format(
                    ref=f"L{number:07d}",
                    uln=uln,
                    family=rng.choice(FAMILY_NAMES),
                    given=rng.choice(GIVEN_NAMES),
                    dob=f"2009-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    ethnicity=rng.choice(ETHNICITIES),
                    sex=rng.choice("FM"),
                    postcode=f"{rng.choice(OUTWARD)} {inward}",
                    fam=_FME if rng.random() < 0.2 else "",
                    start=f"2025-09-{rng.randint(1, 12):02d}",
                    aim=rng.choice(AIMS),
                )
            )
        out.write("</Message>\n")
