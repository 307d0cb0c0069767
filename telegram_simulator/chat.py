"""Chat with the bot through the simulator from a terminal.

    python -m telegram_simulator.chat --url http://127.0.0.1:8081 [--language zh] [--user-id N]

Type text to send it. A number picks a shown choice: [n] inline buttons of the latest message
that has them, then the reply keyboard (contact/location buttons share yours). Simulator commands:
  /photo PATH [caption]   /document PATH   /location [LAT LON]   /contact [PHONE]
  /sticker [EMOJI]        /voice [SECONDS] /view (switch between the customer and the agents' group)
  /topic [ID] (agent view: post in a forum topic; no ID lists them)   /sim (this help)   /quit
Any other /command goes to the bot. Start a line with a backslash to send it verbatim: \\2, \\/photo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import mimetypes
import shlex
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from telegram_simulator.client import FakeUser, SimulatorClient, SimulatorError, live_for, media_parts

POLL_SECONDS = 0.4
# What is compared between polls to notice a new, edited or deleted message (index 2: reply_markup).
SIGNATURE_KEYS = ("text", "caption", "reply_markup", "deleted", "edit_date", "live_location")
SIMULATOR_COMMANDS = frozenset({"/quit", "/sim", "/photo", "/document", "/location", "/contact", "/sticker",
                                "/voice", "/view", "/topic"})


@dataclass
class View:
    """One side of the conversation: the customer's private chat or the agents' forum group."""

    label: str
    chat_id: int
    user: FakeUser
    thread_id: int | None = None
    thread_pinned: bool = False  # set by /topic; otherwise follow the bot's latest topic
    seen: dict[int, tuple] = field(default_factory=dict)
    live_seen: dict[int, tuple[int, bool]] = field(default_factory=dict)  # positions shown, was active
    choices: list[tuple[str, dict]] = field(default_factory=list)  # (kind, button)
    inline_message_id: int | None = None
    inline_buttons: list[dict] = field(default_factory=list)
    keyboard: list[dict] = field(default_factory=list)
    one_time: bool = False


class TerminalChat:
    """Reads the human's lines, sends them as user messages, prints what the bot sends."""

    def __init__(self, client: SimulatorClient, customer: View, agents: View | None,
                 phone: str, location: tuple[float, float]) -> None:
        self.client = client
        self.customer = customer
        self.agents = agents
        self.view = customer
        self.phone = phone
        self.location = location
        self.topic_names: dict[int, str] = {}

    def views(self) -> list[View]:
        return [v for v in (self.customer, self.agents) if v is not None]

    def prompt(self) -> str:
        topic = f" topic {self.view.thread_id}" if self.view.thread_id else ""
        return f"[{self.view.label}{topic}]> "

    def say(self, text: str) -> None:
        """Print above the prompt."""
        print(f"\r{text}\n{self.prompt()}", end="", flush=True)

    # --- bot -> terminal ----------------------------------------------------------------

    async def watch(self) -> None:
        """Background poll: print new and changed bot messages of every view."""
        while True:
            try:
                await self.refresh()
            except (SimulatorError, OSError) as exc:
                self.say(f"! simulator unreachable: {exc}")
                await asyncio.sleep(2)
            await asyncio.sleep(POLL_SECONDS)

    async def refresh(self) -> None:
        """Fetch every view's bot messages once and show what is new or changed."""
        if self.agents is not None:
            topics = await self.client.topics(self.agents.chat_id)
            self.topic_names.update({t["message_thread_id"]: t["name"] for t in topics})
        for view in self.views():
            for message in await self.client.messages(view.chat_id):
                self.show(view, message)

    def show(self, view: View, message: dict) -> None:
        signature = tuple(json.dumps(message.get(k), sort_keys=True, ensure_ascii=False)
                          for k in SIGNATURE_KEYS)
        message_id = message["message_id"]
        previous = view.seen.get(message_id)
        if previous == signature:
            return
        view.seen[message_id] = signature
        mark = "▸" if previous is None else ("✖ deleted" if message["deleted"] else "✎ edited")
        where = f"{view.label}" if self.agents else ""
        if message.get("message_thread_id"):
            thread_id = message["message_thread_id"]
            where += f" · {self.topic_names.get(thread_id, f'topic {thread_id}')}"
            if view is self.agents and not view.thread_pinned:
                view.thread_id = thread_id
        where = f" [{where}]" if where else ""
        live, moves = message.get("live_location"), []
        if live is not None and not message["deleted"]:
            if previous is not None:  # one line per position the bot moved it to since the last poll
                moves = live_location_changes(live, *view.live_seen.get(message_id, (0, True)))
            view.live_seen[message_id] = (len(live["positions"]), live["active"])
        if moves:
            lines = [f"bot{where} {line}" for line in moves]
        else:
            lines = [f"bot {mark}{where} {_content(message)}"]
        self._update_choices(view, message)
        markup_changed = previous is None or previous[2] != signature[2]
        if view.choices and (not moves or markup_changed) and (
                view.inline_message_id == message_id or message.get("reply_markup")):
            labels = [_label(button) for _, button in view.choices]
            if all(label.isdigit() for label in labels):  # a scale: typed as the number itself
                lines.append("      " + "  ".join(f"[{label}]" for label in labels))
            else:
                lines.append("      " + "  ".join(f"[{n}] {label}" for n, label in enumerate(labels, 1)))
        self.say("\n".join(lines))

    @staticmethod
    def _update_choices(view: View, message: dict) -> None:
        """Choices: the latest inline keyboard still shown, then the current reply keyboard."""
        markup = message.get("reply_markup") or {}
        if markup.get("inline_keyboard") and not message["deleted"]:
            view.inline_message_id = message["message_id"]
            view.inline_buttons = [b for row in markup["inline_keyboard"] for b in row]
        elif view.inline_message_id == message["message_id"]:
            view.inline_message_id, view.inline_buttons = None, []  # edited away or deleted
        if markup.get("keyboard"):
            view.keyboard = [b if isinstance(b, dict) else {"text": b} for row in markup["keyboard"] for b in row]
            view.one_time = bool(markup.get("one_time_keyboard"))
        elif markup.get("remove_keyboard"):
            view.keyboard = []
        view.choices = [("inline", b) for b in view.inline_buttons] + [("keyboard", b) for b in view.keyboard]

    # --- terminal -> bot ----------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False ends the chat."""
        view = self.view
        if line.startswith("\\"):
            await self.client.send_text(view.chat_id, line[1:], user=view.user, thread_id=view.thread_id)
            return True
        if line.isdigit():
            # A keyboard of numbers (the survey's 0-10) is answered by the number on the button, not by its place.
            by_title = next((c for c in view.choices if _label(c[1]) == line), None)
            if by_title is not None and all(_label(c[1]).isdigit() for c in view.choices):
                await self.choose(view, *by_title)
                return True
            if 1 <= int(line) <= len(view.choices):
                await self.choose(view, *view.choices[int(line) - 1])
                return True
        command, _, rest = line.partition(" ")
        # Only a simulator command's arguments are split like a shell's: "we're fine", or "/reply don't",
        # is just text for the bot.
        args = _arguments(rest) if command in SIMULATOR_COMMANDS else []
        ids = {"user": view.user, "thread_id": view.thread_id}
        if command == "/quit":
            return False
        if command == "/sim":
            self.say(__doc__)
        elif command == "/photo" and args:
            await self.client.send_photo(view.chat_id, Path(args[0]).expanduser().read_bytes(),
                                         caption=" ".join(args[1:]) or None, **ids)
        elif command == "/document" and args:
            path = Path(args[0]).expanduser()
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            await self.client.send_document(view.chat_id, path.read_bytes(), path.name, mime, **ids)
        elif command == "/location":
            lat, lon = (float(args[0]), float(args[1])) if len(args) == 2 else self.location
            await self.client.send_location(view.chat_id, lat, lon, **ids)
        elif command == "/contact":
            await self.client.send_contact(view.chat_id, args[0] if args else self.phone, user=view.user)
        elif command == "/sticker":
            await self.client.send_sticker(view.chat_id, args[0] if args else "👍", **ids)
        elif command == "/voice":
            await self.client.send_voice(view.chat_id, int(args[0]) if args else 2, **ids)
        elif command == "/view":
            self.toggle_view()
        elif command == "/topic":
            await self.pick_topic(args)
        else:
            await self.client.send_text(view.chat_id, line, **ids)
        return True

    async def choose(self, view: View, kind: str, button: dict) -> None:
        if kind == "inline":
            if "callback_data" in button:
                await self.client.press(view.chat_id, view.inline_message_id, button["callback_data"],
                                        user=view.user)
            else:
                self.say(f"(this button opens {button.get('url') or button.get('web_app') or button})")
            return
        if view.one_time:
            view.keyboard, view.choices = [], [c for c in view.choices if c[0] == "inline"]
        if button.get("request_contact"):
            await self.client.send_contact(view.chat_id, self.phone, user=view.user)
        elif button.get("request_location"):
            await self.client.send_location(view.chat_id, *self.location, user=view.user)
        else:
            await self.client.send_text(view.chat_id, button["text"], user=view.user, thread_id=view.thread_id)

    def toggle_view(self) -> None:
        if self.agents is None:
            self.say("(no agents chat: start with --agents-chat-id)")
            return
        self.view = self.agents if self.view is self.customer else self.customer
        self.say(f"(now writing as {self.view.user.first_name} in the {self.view.label} chat)")

    async def pick_topic(self, args: list[str]) -> None:
        view = self.view
        topics = await self.client.topics(view.chat_id)
        if not args:
            listing = ", ".join(f"{t['message_thread_id']}: {t['name']}" for t in topics) or "none"
            self.say(f"(topics: {listing}; /topic 0 for General)")
            return
        view.thread_id = int(args[0]) or None
        view.thread_pinned = view.thread_id is not None

    async def run(self) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read_stdin() -> None:  # a daemon thread, so Ctrl-C never waits on input()
            for raw in sys.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, raw.rstrip("\n"))
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read_stdin, daemon=True).start()
        watcher = asyncio.create_task(self.watch())
        self.say(f"Chatting as {self.view.user.first_name} (id {self.view.user.id}); /sim for help, /quit to leave.")
        try:
            while (line := await lines.get()) is not None:
                if not line.strip():
                    continue
                try:
                    if not await self.handle(line.strip()):
                        break
                except (SimulatorError, OSError, ValueError) as exc:
                    self.say(f"! {exc}")
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def _arguments(rest: str) -> list[str]:
    """A simulator command's arguments, quoted like a shell's ("/photo 'my car.jpg' it's dented")."""
    try:
        return shlex.split(rest)
    except ValueError:  # an unbalanced quote: an apostrophe in a caption
        return rest.split()


def _label(button: dict) -> str:
    """A button's text, saying what a sharing button shares."""
    if button.get("request_contact"):
        return f"{button['text']} (shares your phone)"
    if button.get("request_location"):
        return f"{button['text']} (shares your location)"
    return button["text"]


def live_location_line(live: dict) -> str:
    """A live location as it arrives: 📍 Live location 31.2304, 121.4737 (live for 60 min)."""
    state = live_for(live["live_period"]) if live["active"] else "stopped" if live["stopped"] else "ended"
    return f"📍 Live location {live['latitude']:.4f}, {live['longitude']:.4f} ({state})"


def live_location_changes(live: dict, positions_shown: int, was_active: bool) -> list[str]:
    """One line per position after the first positions_shown, then whether it stopped or ended."""
    lines = [f"📍 ↻ live location moved: {latitude:.4f}, {longitude:.4f}"
             for latitude, longitude in live["positions"][max(positions_shown, 1):]]
    if was_active and not live["active"]:
        lines.append(f"📍 live location {'stopped' if live['stopped'] else 'ended (live period over)'}")
    return lines


def _content(message: dict) -> str:
    """What a chat client would show for a message."""
    if message.get("deleted"):
        return f"(message {message['message_id']})"
    parts = []
    if message.get("live_location"):
        parts.append(live_location_line(message["live_location"]))
    else:
        parts += media_parts(message)
    if "media_group_id" in message:
        parts.append("(album)")
    parts.append(message.get("text") or message.get("caption") or "")
    return " ".join(p for p in parts if p)


def main() -> None:
    """Parse arguments and chat until /quit or end of input."""
    parser = argparse.ArgumentParser(description="Chat with the bot through the simulator.")
    parser.add_argument("--url", default="http://127.0.0.1:8081")
    parser.add_argument("--token", help="bot token, if the simulator serves several bots")
    parser.add_argument("--user-id", type=int, default=100001)
    parser.add_argument("--first-name", default="Alex")
    parser.add_argument("--language", default="en", help="the user's language_code, e.g. zh")
    parser.add_argument("--phone", default="+85291234567", help="phone shared by contact buttons")
    parser.add_argument("--location", nargs=2, type=float, default=(22.2819, 114.1582),
                        metavar=("LAT", "LON"), help="location shared by location buttons")
    parser.add_argument("--agents-chat-id", type=lambda v: int(v) if v else None,
                        help="the agents' forum supergroup; /view switches to it")
    parser.add_argument("--agent-user-id", type=int, default=200001)
    parser.add_argument("--agent-name", default="Agent Lee")
    args = parser.parse_args()
    for stream in (sys.stdin, sys.stdout):
        stream.reconfigure(encoding="utf-8", errors="replace")  # Chinese works whatever the locale
    asyncio.run(_chat(args))


async def _chat(args: argparse.Namespace) -> None:
    async with SimulatorClient(args.url, token=args.token) as client:
        customer = View("customer", args.user_id, FakeUser(args.user_id, args.first_name, args.language))
        agents = None
        if args.agents_chat_id:
            agent = FakeUser(args.agent_user_id, args.agent_name, args.language)
            agents = View("agents", args.agents_chat_id, agent)
            await client.register_chat(args.agents_chat_id, title="Agents", is_forum=True,
                                       administrators=[agent])
        await TerminalChat(client, customer, agents, args.phone, tuple(args.location)).run()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
