"""A rescue round: one request's failure never stalls the other rescues."""
import logging

from bot.roadside import _one_by_one


async def test_a_failing_request_is_logged_and_the_next_one_still_runs(caplog):
    done = []

    async def work(item):
        if item[0] == 2:
            raise RuntimeError("UNIQUE constraint failed")
        done.append(item[0])

    with caplog.at_level(logging.ERROR, logger="bot.roadside"):
        await _one_by_one([(1, "a"), (2, "b"), (3, "c")], work, "dispatch")
    assert done == [1, 3]
    assert "roadside request 2: dispatch failed" in caplog.text
