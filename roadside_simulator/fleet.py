"""The simulated fleet: tow trucks and their drivers, where they wait, how they drive, and geocoding."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

Point = tuple[float, float]  # (latitude, longitude) in degrees

EARTH_RADIUS_KM = 6371.0088
SHANGHAI_CENTRE: Point = (31.2304, 121.4737)
GEOCODE_RING_KM = (3.0, 15.0)  # an address lands this far from the centre
PARKING_RING_KM = (4.0, 8.0)  # a free truck waits this far from the customer

# (plate, driver, phone): 沪A·D1234 is written without the dot, as our plates are stored.
CREW = (
    ("沪AD1234", "王建国", "+8613816520347"),
    ("沪AD2719", "李志强", "+8613917734108"),
    ("沪AD3086", "张伟", "+8615021986630"),
    ("沪AD4452", "刘海涛", "+8618601743259"),
    ("沪AD5361", "陈立新", "+8613761908825"),
    ("沪AD6907", "赵明", "+8617721346091"),
)


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between two points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def destination(origin: Point, bearing_deg: float, distance_km: float) -> Point:
    """The point distance_km from origin in the given compass direction."""
    lat1, lon1 = map(math.radians, origin)
    bearing, angle = math.radians(bearing_deg), distance_km / EARTH_RADIUS_KM
    lat2 = math.asin(math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(bearing))
    lon2 = lon1 + math.atan2(math.sin(bearing) * math.sin(angle) * math.cos(lat1),
                             math.cos(angle) - math.sin(lat1) * math.sin(lat2))
    return math.degrees(lat2), (math.degrees(lon2) + 540) % 360 - 180


def _fractions(seed: str) -> tuple[float, float]:
    """Two numbers in [0, 1) from a sha256 of the seed: the same seed always gives the same pair."""
    digest = hashlib.sha256(seed.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64, int.from_bytes(digest[8:16], "big") / 2**64


def _in_ring(centre: Point, ring: tuple[float, float], seed: str) -> Point:
    near, far = ring
    f_distance, f_bearing = _fractions(seed)
    return destination(centre, 360 * f_bearing, near + (far - near) * f_distance)


def geocode(address: str) -> Point:
    """A made-up but stable point for an address, 3-15 km from Shanghai's centre."""
    return _in_ring(SHANGHAI_CENTRE, GEOCODE_RING_KM, "address:" + " ".join(address.split()))


def parking_spot(job_number: int, truck_index: int, customer: Point) -> Point:
    """Where a free truck waits when job job_number comes in: 4-8 km from the customer, stable per job."""
    return _in_ring(customer, PARKING_RING_KM, f"truck:{job_number}:{truck_index}")


@dataclass
class Truck:
    """One tow truck with its driver; job_id is the job it serves, None when free."""

    plate: str
    driver_name: str
    driver_phone: str
    latitude: float = SHANGHAI_CENTRE[0]
    longitude: float = SHANGHAI_CENTRE[1]
    job_id: str | None = None

    @property
    def position(self) -> Point:
        return self.latitude, self.longitude

    def move_to(self, point: Point) -> None:
        self.latitude, self.longitude = point


class Fleet:
    """The provider's trucks; dispatch hands out the nearest free one."""

    def __init__(self, size: int = len(CREW)) -> None:
        self.trucks = [Truck(*CREW[i % len(CREW)]) for i in range(size)]

    def dispatch(self, job_id: str, job_number: int, customer: Point) -> Truck | None:
        """Assign the free truck nearest to the customer (None when all are busy)."""
        # Free trucks are (re)parked around each new customer, so every rescue starts 4-8 km away
        # whatever the earlier jobs were, and a given job number always gets the same start.
        spots = {i: parking_spot(job_number, i, customer) for i, t in enumerate(self.trucks) if t.job_id is None}
        if not spots:
            return None
        index = min(spots, key=lambda i: haversine_km(spots[i], customer))
        truck = self.trucks[index]
        truck.move_to(spots[index])
        truck.job_id = job_id
        return truck

    def release(self, truck: Truck | None) -> None:
        """The truck is free again (it stays where it stopped)."""
        if truck is not None:
            truck.job_id = None


class Route:
    """A road from the truck to the customer: straight legs between waypoints, driven front to back."""

    def __init__(self, waypoints: list[Point]) -> None:
        points = [waypoints[0]]
        for point in waypoints[1:]:
            if point != points[-1]:  # a zero-length leg would divide by zero below
                points.append(point)
        self.waypoints = points
        self.legs = [haversine_km(a, b) for a, b in zip(points, points[1:])]
        self._leg = 0
        self._along = 0.0  # km driven on the current leg

    @classmethod
    def l_shaped(cls, start: Point, end: Point) -> Route:
        """First along the meridian to the customer's latitude, then along the parallel: a city block."""
        return cls([start, (end[0], start[1]), end])

    @property
    def length_km(self) -> float:
        return sum(self.legs)

    @property
    def remaining_km(self) -> float:
        return max(0.0, sum(self.legs[self._leg:]) - self._along)

    @property
    def arrived(self) -> bool:
        return self._leg >= len(self.legs)

    @property
    def position(self) -> Point:
        if self.arrived:
            return self.waypoints[-1]
        (lat1, lon1), (lat2, lon2) = self.waypoints[self._leg], self.waypoints[self._leg + 1]
        share = self._along / self.legs[self._leg]
        return lat1 + (lat2 - lat1) * share, lon1 + (lon2 - lon1) * share

    def advance(self, km: float) -> None:
        """Drive km further along the road, stopping at its end."""
        while km > 0 and not self.arrived:
            left_on_leg = self.legs[self._leg] - self._along
            if km < left_on_leg:
                self._along += km
                return
            km -= left_on_leg
            self._leg += 1
            self._along = 0.0
