"""The life of a roadside request: forward moves only, final ends, the customer's cancellation cut-off."""
import itertools

import pytest

from claims.enums import RoadsideStatus as S
from claims.roadside.lifecycle import FINAL, IllegalTransition, can_move, customer_may_cancel, require_move

LEGAL = {
    (S.requested, S.booked), (S.requested, S.en_route), (S.requested, S.approaching), (S.requested, S.arrived),
    (S.requested, S.completed), (S.requested, S.cancelled), (S.requested, S.declined),
    (S.booked, S.en_route), (S.booked, S.approaching), (S.booked, S.arrived), (S.booked, S.completed),
    (S.booked, S.cancelled), (S.booked, S.gone_on_arrival),
    (S.en_route, S.approaching), (S.en_route, S.arrived), (S.en_route, S.completed), (S.en_route, S.cancelled),
    (S.en_route, S.gone_on_arrival),
    (S.approaching, S.arrived), (S.approaching, S.completed), (S.approaching, S.cancelled),
    (S.approaching, S.gone_on_arrival),
    (S.arrived, S.completed), (S.arrived, S.gone_on_arrival),
}


@pytest.mark.parametrize("current, target", list(itertools.product(S, S)))
def test_every_pair_of_statuses_is_legal_exactly_when_listed(current, target):
    assert can_move(current, target) is ((current, target) in LEGAL)
    if (current, target) in LEGAL:
        require_move(current, target)
    else:
        with pytest.raises(IllegalTransition):
            require_move(current, target)


@pytest.mark.parametrize("final", sorted(FINAL, key=lambda s: s.value))
def test_nothing_leaves_a_final_status(final):
    assert not any(can_move(final, target) for target in S)


@pytest.mark.parametrize("current, cutoff, allowed", [
    (S.requested, S.approaching, True), (S.booked, S.approaching, True), (S.en_route, S.approaching, True),
    (S.approaching, S.approaching, False), (S.arrived, S.approaching, False), (S.completed, S.approaching, False),
    (S.cancelled, S.approaching, False), (S.en_route, S.en_route, False), (S.booked, S.en_route, True),
    (S.approaching, S.arrived, True), (S.arrived, S.arrived, False), (S.declined, S.approaching, False),
])
def test_the_customer_may_cancel_only_before_the_cutoff(current, cutoff, allowed):
    assert customer_may_cancel(current, cutoff=cutoff) is allowed
