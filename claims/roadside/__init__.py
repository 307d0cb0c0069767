"""Roadside assistance: reading the request, eligibility, the request's life, dispatch to a provider."""
