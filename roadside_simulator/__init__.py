"""Local roadside-assistance provider simulator: our dispatch client talks to it instead of the provider."""

from roadside_simulator.server import RoadsideSimulator, SimConfig

__all__ = ["RoadsideSimulator", "SimConfig"]
