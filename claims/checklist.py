"""The documents and photos a claim needs: fewer on the fast track, a police report when others are involved."""
from __future__ import annotations

from collections.abc import Iterable

from claims.enums import ChecklistItem, ThirdParty
from claims.models import Claim

_I = ChecklistItem
CAR_PHOTOS: tuple[ChecklistItem, ...] = (_I.front_left, _I.front_right, _I.rear_left, _I.rear_right)
FAST_TRACK_CHECKLIST: tuple[ChecklistItem, ...] = CAR_PHOTOS + (
    _I.damage_closeup, _I.vin_or_plate, _I.driving_licence, _I.bank_card,
)
# Display order: the car, then the papers, then where the money goes.
_ORDER = {item: position for position, item in enumerate(CAR_PHOTOS + (
    _I.damage_closeup, _I.vin_or_plate, _I.driving_licence, _I.vehicle_licence, _I.id_card, _I.police_report,
    _I.bank_card, _I.repair_invoice, _I.other,
))}


def checklist_for(*, fast_track: bool, third_party: ThirdParty | str, injuries: bool) -> list[ChecklistItem]:
    """What a claim with these facts needs, in the order to ask for it (also usable before the claim exists)."""
    items = set(FAST_TRACK_CHECKLIST)
    if not fast_track:
        items |= {_I.vehicle_licence, _I.id_card}
        if injuries or ThirdParty(third_party) is not ThirdParty.none:
            items.add(_I.police_report)
    return sorted(items, key=_ORDER.__getitem__)


def required_checklist(claim: Claim) -> list[ChecklistItem]:
    """The documents and photos this claim needs, in display order."""
    return checklist_for(fast_track=bool(claim.fast_track), third_party=claim.third_party,
                         injuries=bool(claim.injuries))


def missing_from(required: Iterable[ChecklistItem], received: Iterable[ChecklistItem]) -> list[ChecklistItem]:
    """The required items not yet received, in the order given."""
    have = set(received)
    return [item for item in required if item not in have]


def missing_checklist_items(claim: Claim) -> list[ChecklistItem]:
    """What the claim still needs: its checklist minus the documents received."""
    return missing_from(required_checklist(claim), (document.checklist_item for document in claim.documents))
