"""Live locations: sendLocation live_period, editMessageLiveLocation, stopMessageLiveLocation."""
from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from telegram_simulator import FakeUser, SimulatorError, store
from telegram_simulator.chat import TerminalChat, View, live_location_changes, live_location_line
from telegram_simulator.client import describe

ALICE = FakeUser(100001, "Alice", "en")  # the client fixture's default user
FOREVER = 0x7FFFFFFF
ROUTE = [(31.2304, 121.4737), (31.2290, 121.4701), (31.2275, 121.4665), (31.2261, 121.4630)]
CALL_DRIVER = InlineKeyboardMarkup([[InlineKeyboardButton("Call the driver", callback_data="call")]])


async def move(bot, message_id, point, **kwargs):
    """editMessageLiveLocation in Alice's chat to a (latitude, longitude)."""
    return await bot.edit_message_live_location(ALICE.id, message_id, latitude=point[0], longitude=point[1],
                                                **kwargs)


async def live(bot, client, **kwargs):
    """A chat with Alice and a live location from the bot at the first point of ROUTE."""
    await client.send_text(ALICE.id, "hi")
    return await bot.send_location(ALICE.id, *ROUTE[0], **{"live_period": 3600, **kwargs})


async def test_live_location_edited_three_times_keeps_every_position(bot, client):
    sent = await live(bot, client, heading=90, proximity_alert_radius=500, horizontal_accuracy=20)
    assert sent.location.to_dict() == {
        "latitude": 31.2304, "longitude": 121.4737, "live_period": 3600, "heading": 90,
        "proximity_alert_radius": 500, "horizontal_accuracy": 20.0,
    }
    for latitude, longitude in ROUTE[1:]:
        edited = await move(bot, sent.message_id, (latitude, longitude), heading=225,
                            reply_markup=CALL_DRIVER)
        assert (edited.location.latitude, edited.location.longitude) == (latitude, longitude)
        assert edited.location.to_dict()["live_period"] == 3600 and edited.location.heading == 225
        assert edited.location.proximity_alert_radius is None  # not given again: none, as on Telegram
        assert edited.edit_date is not None and edited.reply_markup == CALL_DRIVER

    state = await client.live_location(ALICE.id, sent.message_id)
    assert state["positions"] == ROUTE
    assert (state["latitude"], state["longitude"], state["live_period"]) == (*ROUTE[-1], 3600)
    assert (state["stopped"], state["active"], state["heading"]) == (False, True, 225)
    assert state["expires_at"] == int(sent.date.timestamp()) + 3600

    [view] = await client.messages(ALICE.id)
    assert view["location"]["live_period"] == 3600 and view["live_location"]["active"] is True
    assert [h["location"]["latitude"] for h in view["history"]] == [p[0] for p in ROUTE[:3]]
    assert view == await client.message(ALICE.id, sent.message_id)
    assert describe(view).endswith(
        "[live location 31.2261, 121.463, live for 60 min] inline_keyboard=['Call the driver'] (edited 3x)")


async def test_same_position_is_not_modified(bot, client):
    sent = await live(bot, client)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await move(bot, sent.message_id, ROUTE[0])
    [failed] = await client.calls("editMessageLiveLocation", failed=True)
    assert failed["description"].startswith("Bad Request: message is not modified: specified new message")
    # the same place with a heading is a change
    await move(bot, sent.message_id, ROUTE[0], heading=10)
    assert (await client.live_location(ALICE.id, sent.message_id))["positions"] == [ROUTE[0], ROUTE[0]]


async def test_stop_ends_editing_and_cannot_be_repeated(bot, client):
    sent = await live(bot, client)
    await move(bot, sent.message_id, ROUTE[1])
    stopped = await bot.stop_message_live_location(ALICE.id, sent.message_id, reply_markup=CALL_DRIVER)
    assert stopped.location.to_dict() == {"latitude": ROUTE[1][0], "longitude": ROUTE[1][1]}  # no live_period
    assert stopped.reply_markup == CALL_DRIVER and stopped.edit_date is not None
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await move(bot, sent.message_id, ROUTE[2])
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.stop_message_live_location(ALICE.id, sent.message_id)

    state = await client.live_location(ALICE.id, sent.message_id)
    assert (state["stopped"], state["active"], state["positions"]) == (True, False, ROUTE[:2])
    [view] = await client.messages(ALICE.id)
    assert "live_period" not in view["location"] and view["live_location"]["live_period"] == 3600
    assert "[live location 31.229, 121.4701, stopped]" in describe(view)


@pytest.mark.parametrize("live_period", [1, 59, 86401, -5, FOREVER - 1])
async def test_invalid_live_period_is_refused(bot, client, live_period):
    with pytest.raises(BadRequest, match="Wrong live location period specified"):
        await live(bot, client, live_period=live_period)
    assert await client.messages(ALICE.id) == []


async def test_live_period_limits_heading_and_radius(bot, client):
    forever = await live(bot, client, live_period=FOREVER)
    assert forever.location.to_dict()["live_period"] == FOREVER
    assert (await client.live_location(ALICE.id, forever.message_id))["expires_at"] is None
    plain = await bot.send_location(ALICE.id, *ROUTE[0], live_period=0, heading=90)
    assert plain.location.to_dict() == {"latitude": 31.2304, "longitude": 121.4737}
    for field, value in (("heading", 361), ("heading", -1), ("proximity_alert_radius", 100001)):
        with pytest.raises(BadRequest, match="Wrong live location (heading|proximity alert radius)"):
            await bot.send_location(ALICE.id, *ROUTE[0], live_period=60, **{field: value})
    with pytest.raises(BadRequest, match="Wrong location specified"):
        await bot.send_location(ALICE.id, 91, 0, live_period=60)


async def test_only_a_live_location_of_the_bot_can_be_edited(bot, client):
    said = await client.send_text(ALICE.id, "hi")
    plain = await bot.send_location(ALICE.id, *ROUTE[0])
    text = await bot.send_message(ALICE.id, "On the way")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await move(bot, plain.message_id, ROUTE[1])
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.stop_message_live_location(ALICE.id, plain.message_id)
    with pytest.raises(BadRequest, match="There is no live location in the message to edit"):
        await move(bot, text.message_id, ROUTE[1])
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await move(bot, said["message_id"], ROUTE[1])
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await move(bot, 99, ROUTE[1])
    with pytest.raises(BadRequest, match="Message_id_invalid"):
        await bot.edit_message_live_location(inline_message_id="AgAAAB", latitude=1, longitude=2)
    with pytest.raises(SimulatorError, match="not a live location"):
        await client.live_location(ALICE.id, plain.message_id)
    with pytest.raises(SimulatorError, match="has no message 99"):
        await client.message(ALICE.id, 99)


async def test_edit_after_the_live_period_fails(bot, client, monkeypatch):
    sent = await live(bot, client, live_period=60)
    extended = await move(bot, sent.message_id, ROUTE[1], live_period=120)
    assert extended.location.to_dict()["live_period"] == 120
    with pytest.raises(BadRequest, match="Wrong live location period specified"):  # more than a day longer
        await move(bot, sent.message_id, ROUTE[2], live_period=120 + 86401)

    started = int(sent.date.timestamp())
    monkeypatch.setattr(store, "now", lambda: started + 119)
    await move(bot, sent.message_id, ROUTE[2])
    monkeypatch.setattr(store, "now", lambda: started + 120)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await move(bot, sent.message_id, ROUTE[3])
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.stop_message_live_location(ALICE.id, sent.message_id)
    state = await client.live_location(ALICE.id, sent.message_id)
    assert (state["active"], state["stopped"], state["positions"]) == (False, False, ROUTE[:3])
    assert "live_period" not in (await client.messages(ALICE.id))[0]["location"]


async def test_copied_and_forwarded_live_locations_are_plain(bot, client):
    sent = await live(bot, client)
    copied = await bot.copy_message(ALICE.id, ALICE.id, sent.message_id)
    forwarded = await bot.forward_message(ALICE.id, ALICE.id, sent.message_id)
    copy_view = await client.message(ALICE.id, copied.message_id)
    assert copy_view["location"] == {"latitude": 31.2304, "longitude": 121.4737}
    assert copy_view["live_location"] is None
    assert "live_period" not in forwarded.location.to_dict()
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await move(bot, copied.message_id, ROUTE[1])


async def test_terminal_chat_shows_the_live_location_and_each_move(bot, client, capsys):
    chat = TerminalChat(client, View("customer", ALICE.id, ALICE), None, phone="+85261234567",
                        location=(22.3, 114.2))
    sent = await live(bot, client, reply_markup=CALL_DRIVER)
    await chat.refresh()
    out = capsys.readouterr().out
    assert "bot ▸ 📍 Live location 31.2304, 121.4737 (live for 60 min)" in out
    assert "[1] Call the driver" in out

    for point in ROUTE[1:3]:  # two edits between polls: one line each
        await move(bot, sent.message_id, point, reply_markup=CALL_DRIVER)
    await chat.refresh()
    out = capsys.readouterr().out
    assert "bot 📍 ↻ live location moved: 31.2290, 121.4701" in out
    assert "bot 📍 ↻ live location moved: 31.2275, 121.4665" in out
    assert "Call the driver" not in out  # the unchanged keyboard is not repeated on every move
    await chat.refresh()
    assert capsys.readouterr().out == ""

    await bot.stop_message_live_location(ALICE.id, sent.message_id)
    await chat.refresh()
    out = capsys.readouterr().out
    assert "bot 📍 live location stopped" in out and "moved" not in out


def test_live_location_lines():
    state = {"latitude": 31.2304, "longitude": 121.4737, "live_period": FOREVER, "active": True,
             "stopped": False, "positions": [[31.2304, 121.4737], [31.229, 121.4701]]}
    assert live_location_line(state) == "📍 Live location 31.2304, 121.4737 (live until stopped)"
    assert live_location_line({**state, "live_period": 28800}).endswith("(live for 8 h)")
    assert live_location_changes(state, 1, True) == ["📍 ↻ live location moved: 31.2290, 121.4701"]
    assert live_location_changes({**state, "active": False}, 2, True) == [
        "📍 live location ended (live period over)"]
    assert live_location_changes({**state, "active": False}, 2, False) == []


async def test_terminal_chat_sends_text_with_an_apostrophe_as_it_is(bot, client):
    chat = TerminalChat(client, View("customer", ALICE.id, ALICE), None, phone="+85261234567",
                        location=(22.3, 114.2))
    assert await chat.handle("no we're fine, just shaken")
    sent = await client.messages(ALICE.id, include_all=True)
    assert sent[-1]["text"] == "no we're fine, just shaken"
