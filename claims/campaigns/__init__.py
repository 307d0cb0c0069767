"""Broadcast campaigns: an operator's message to many policyholders (a typhoon warning for one city), each in
their language, sent once each through the delivery outbox at a pace Telegram accepts (bot/outbox.py).

`audience` picks the recipients, `templates` words the weather warnings, `service` creates, starts, pauses,
resumes, cancels and reports on campaigns.
"""

# What a campaign's button may start: things a customer can ask for themselves (Rasa intents).
BUTTON_INTENTS = ("report_accident", "request_roadside_assistance", "request_human", "track_claim")
