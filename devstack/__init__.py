"""Starts the whole assistant on one machine: Rasa, the action server, the bot, the simulator.

Used by `make run` (local chat) and by the end-to-end tests, so both run the same processes.
"""
