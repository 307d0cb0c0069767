"""Shared motor-claims domain: settings, models, migrations, rules and services."""
