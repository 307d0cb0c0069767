"""Rasa custom actions: one module per capability, each thin over the `claims` package."""
import logging

from claims.privacy import PersonalDataFilter


def _mask_personal_data_in_logs() -> None:
    """The action server configures logging before it imports this package; mask what it writes
    (a database error's parameters could carry a phone number), as the bot does."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())


_mask_personal_data_in_logs()
