"""Reminders the assistant sends on its own: missing documents, renewal, inspection, service, birthday.

`rules` says when each is due (pure, with the clock passed in), `planner` queues the due ones in the delivery
outbox, `messages` words them at the moment they are sent (and drops those no longer due).
"""
