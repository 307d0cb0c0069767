"""Rasa custom actions: one module per capability, each thin over the `claims` package."""
