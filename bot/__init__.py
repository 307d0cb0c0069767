"""Telegram front end: owns everything Telegram (text, buttons, media, agents, scheduling)."""
