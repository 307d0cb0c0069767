"""Services: each takes a session, does one piece of work and commits it; queries never commit."""
