"""First notice of loss: a claim is opened from the customer's accident report, triaged on the way in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.checklist import checklist_for
from claims.clock import require_aware
from claims.enums import ChecklistItem, PolicyStatus, ThirdParty
from claims.models import Claim, ClaimStageEvent, Policyholder, Vehicle
from claims.numbering import next_claim_number
from claims.settings import ClaimsSettings
from claims.stages import ClaimStage
from claims.triage import EstimateBand, TriageReason, triage_reasons
from claims.vehicles import normalise_plate

NUMBER_ATTEMPTS = 5  # two reports at the same moment can draw the same number; the loser takes the next


class VehicleNotCovered(LookupError):
    """The plate is not on an active policy of this policyholder."""


@dataclass(frozen=True)
class AccidentFacts:
    """What the customer told us about the accident."""

    plate_number: str
    incident_at: datetime
    description: str
    third_party: ThirdParty
    estimate_band: EstimateBand
    drivable: bool | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    police_report_number: str | None = None
    injuries: bool = False


@dataclass(frozen=True)
class FiledClaim:
    claim: Claim
    triage_reasons: list[TriageReason]  # empty: fast-track
    checklist: list[ChecklistItem]


def covered_vehicles(policyholder: Policyholder) -> list[Vehicle]:
    """The policyholder's cars on active policies, in policy order: what they can report an accident for."""
    return [vehicle for policy in policyholder.policies if policy.status is PolicyStatus.active
            for vehicle in policy.vehicles]


def covered_vehicle(policyholder: Policyholder, plate_number: str) -> Vehicle:
    """The covered car with this plate, however it was typed."""
    plate = normalise_plate(plate_number)
    for vehicle in covered_vehicles(policyholder):
        if vehicle.plate_number == plate:
            return vehicle
    raise VehicleNotCovered(plate_number)


def file_claim(
    session: Session, *, policyholder: Policyholder, facts: AccidentFacts, now: datetime, settings: ClaimsSettings,
) -> FiledClaim:
    """Open the claim with its first stage event, fast-track when the triage rule allows, and commit."""
    require_aware(now)
    require_aware(facts.incident_at)
    vehicle = covered_vehicle(policyholder, facts.plate_number)
    reasons = triage_reasons(injuries=facts.injuries, third_party=facts.third_party,
                             estimate=facts.estimate_band, limit=settings.fast_track_limit)
    year = now.astimezone(settings.timezone).year
    for attempt in range(NUMBER_ATTEMPTS):
        claim = Claim(
            claim_number=next_claim_number(session, year=year), policy=vehicle.policy, vehicle=vehicle,
            stage=ClaimStage.reported, fast_track=not reasons, injuries=facts.injuries,
            third_party=facts.third_party, incident_at=facts.incident_at, reported_at=now,
            location_text=facts.location_text, latitude=facts.latitude, longitude=facts.longitude,
            description=facts.description, police_report_number=facts.police_report_number,
            drivable=facts.drivable, estimate_band=facts.estimate_band, stage_changed_at=now,
        )
        session.add(claim)
        session.add(ClaimStageEvent(claim=claim, from_stage=None, to_stage=ClaimStage.reported, occurred_at=now,
                                    actor="policyholder", note="reported in chat"))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
            continue
        checklist = checklist_for(fast_track=claim.fast_track, third_party=claim.third_party,
                                  injuries=claim.injuries)
        return FiledClaim(claim=claim, triage_reasons=reasons, checklist=checklist)
    raise AssertionError("unreachable")


def open_injury_claim(
    session: Session, *, policyholder: Policyholder, now: datetime, settings: ClaimsSettings,
) -> Claim | None:
    """Someone is hurt: open the claim at once (standard process, details to follow with an agent) on the
    policyholder's only covered car, or their first one; None when they have none."""
    vehicles = covered_vehicles(policyholder)
    if not vehicles:
        return None
    facts = AccidentFacts(
        plate_number=vehicles[0].plate_number, incident_at=now, injuries=True, third_party=ThirdParty.none,
        estimate_band=EstimateBand.unknown,
        description="Injury reported in chat; details to be taken by an agent."
        + ("" if len(vehicles) == 1 else " The policyholder has several cars: confirm which one."),
    )
    return file_claim(session, policyholder=policyholder, facts=facts, now=now, settings=settings).claim
