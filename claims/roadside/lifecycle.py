"""The life of a roadside request: which status may follow which.

Dispatch APIs report a job as requested -> booked -> en_route -> approaching -> arrived -> completed, or
cancelled, or gone-on-arrival (the truck found nobody). A provider polled every few seconds may skip steps
(booked straight to arrived), so any move forward along that line is legal; nothing moves backward, and the
four ends (completed, cancelled, gone_on_arrival, declined) are final.
"""
from __future__ import annotations

from claims.enums import RoadsideStatus as S

PROGRESS = (S.requested, S.booked, S.en_route, S.approaching, S.arrived, S.completed)
FINAL = frozenset({S.completed, S.cancelled, S.gone_on_arrival, S.declined})
OPEN = frozenset(PROGRESS) - FINAL
# A truck is on the way from booking until it arrives: what the customer can follow on the map.
TRUCK_ASSIGNED = frozenset({S.booked, S.en_route, S.approaching, S.arrived})
# The truck is driving to the customer: its live location moves.
TRUCK_MOVING = TRUCK_ASSIGNED - {S.arrived}
_CANCELLABLE = frozenset({S.requested, S.booked, S.en_route, S.approaching})
_GONE_ON_ARRIVAL_FROM = frozenset({S.booked, S.en_route, S.approaching, S.arrived})


class IllegalTransition(ValueError):
    """A status change the lifecycle does not allow."""


def can_move(current: S, target: S) -> bool:
    """True when a request in `current` may move to `target` (staying put is not a move)."""
    if current in FINAL or current == target:
        return False
    if target == S.cancelled:
        return current in _CANCELLABLE
    if target == S.gone_on_arrival:
        return current in _GONE_ON_ARRIVAL_FROM
    if target == S.declined:
        return current == S.requested  # only before any provider accepted it
    return PROGRESS.index(target) > PROGRESS.index(current)


def require_move(current: S, target: S) -> None:
    """Raise IllegalTransition unless `current` may move to `target`."""
    if not can_move(current, target):
        raise IllegalTransition(f"a roadside request cannot go from {current.value} to {target.value}")


def customer_may_cancel(current: S, *, cutoff: S) -> bool:
    """Whether the customer may still cancel: open, and not yet at the cut-off (providers charge after it)."""
    if current not in _CANCELLABLE:
        return False
    return PROGRESS.index(current) < PROGRESS.index(cutoff)
