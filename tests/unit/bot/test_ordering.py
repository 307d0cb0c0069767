"""One chat's updates run in order; different chats run side by side."""
from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.ordering import PerChatUpdateProcessor


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, date=None, chat=chat, text="x"))


async def test_same_chat_is_serial_and_other_chats_are_concurrent():
    processor = PerChatUpdateProcessor()
    log: list[tuple[str, int, str]] = []

    async def handle(name: str, delay: float, chat: int) -> None:
        log.append(("start", chat, name))
        await asyncio.sleep(delay)
        log.append(("end", chat, name))

    await asyncio.gather(
        processor.do_process_update(update(1, 10), handle("a", 0.2, 10)),
        processor.do_process_update(update(2, 10), handle("b", 0.0, 10)),
        processor.do_process_update(update(3, 20), handle("c", 0.0, 20)),
    )
    chat10 = [entry for entry in log if entry[1] == 10]
    assert chat10 == [("start", 10, "a"), ("end", 10, "a"), ("start", 10, "b"), ("end", 10, "b")]
    # chat 20 finished while chat 10's first update was still sleeping
    assert log.index(("end", 20, "c")) < log.index(("end", 10, "a"))
    assert processor._locks == {}  # idle chats are forgotten
