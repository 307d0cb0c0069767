"""Names the action server and the bot share about roadside requests (one home for both sides)."""

# Sent by the roadside actions with the request's id: the bot's dispatcher looks at it at once
# (a new request is sent to the provider, a cancelled one is withdrawn there) instead of at its next round.
ROADSIDE_REQUESTED = "roadside_requested"
# The button under the truck's assignment message: the same cancellation as typing "cancel" (confirmed first).
CANCEL_ROADSIDE_PAYLOAD = "/cancel"
