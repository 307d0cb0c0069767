"""The action server's log lines are masked like the bot's."""
from __future__ import annotations

import logging

import actions
from claims.privacy import PersonalDataFilter


def test_root_handlers_mask_phone_numbers(capsys):
    handler = logging.StreamHandler()
    logging.getLogger().addHandler(handler)
    try:
        actions._mask_personal_data_in_logs()
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)
        logging.getLogger("actions.test").warning("lookup failed for +8613816204578")
        assert "13816204578" not in capsys.readouterr().err
    finally:
        logging.getLogger().removeHandler(handler)
