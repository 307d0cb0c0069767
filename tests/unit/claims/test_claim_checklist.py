"""Which documents a claim needs, and which are still missing."""
import pytest

from claims.checklist import checklist_for, missing_checklist_items, missing_from, required_checklist
from claims.enums import ChecklistItem as I, ThirdParty
from tests.factories import make_claim, make_document

FAST = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
        I.driving_licence, I.bank_card]
STANDARD = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
            I.driving_licence, I.vehicle_licence, I.id_card, I.bank_card]


def test_fast_track_needs_the_short_list_even_with_a_third_party_flag():
    assert checklist_for(fast_track=True, third_party=ThirdParty.none, injuries=False) == FAST
    # Fast track excludes third parties and injuries by triage; the list stays short regardless.
    assert checklist_for(fast_track=True, third_party="other_vehicle", injuries=True) == FAST


def test_standard_claim_adds_the_registration_and_id():
    assert checklist_for(fast_track=False, third_party=ThirdParty.none, injuries=False) == STANDARD


@pytest.mark.parametrize("third_party,injuries", [
    (ThirdParty.other_vehicle, False), (ThirdParty.property, False), (ThirdParty.pedestrian, False),
    (ThirdParty.none, True), ("other_vehicle", True),
])
def test_police_report_when_someone_else_is_involved_or_hurt(third_party, injuries):
    items = checklist_for(fast_track=False, third_party=third_party, injuries=injuries)
    assert items == STANDARD[:-1] + [I.police_report, I.bank_card]


def test_unknown_third_party_value_is_refused():
    with pytest.raises(ValueError):
        checklist_for(fast_track=False, third_party="aliens", injuries=False)


def test_missing_items_are_the_checklist_minus_what_arrived(session, now):
    claim = make_claim(session, fast_track=True, now=now)
    assert required_checklist(claim) == FAST
    make_document(session, claim=claim, item=I.front_left)
    make_document(session, claim=claim, item=I.front_left)  # twice is still one item
    make_document(session, claim=claim, item=I.bank_card)
    make_document(session, claim=claim, item=I.other)  # not on the list: changes nothing
    make_document(session, claim=claim, item=I.police_report)  # not needed on the fast track
    assert missing_checklist_items(claim) == [i for i in FAST if i not in (I.front_left, I.bank_card)]


def test_nothing_missing_once_everything_arrived(session, now):
    claim = make_claim(session, third_party=ThirdParty.property, now=now)
    for item in required_checklist(claim):
        make_document(session, claim=claim, item=item)
    assert I.police_report in required_checklist(claim)
    assert missing_checklist_items(claim) == []


def test_missing_from_keeps_the_order_given():
    assert missing_from([I.bank_card, I.id_card, I.front_left], [I.id_card]) == [I.bank_card, I.front_left]
