"""Builds and runs the Telegram application: polling by default, webhook when WEBHOOK_URL is set."""
from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import roadside
from bot.agent_desk import console, customer_relay, topics
from bot.agent_desk.canned import CannedReplies
from bot.handlers import commands, conversation, errors, identity, media, reminders
from bot.ordering import PerChatUpdateProcessor
from bot.rasa_client import RasaClient
from bot.scheduler import Leadership
from bot.settings import BotSettings, get_bot_settings
from bot.store import ChatStore
from claims.db import make_engine, make_session_factory
from claims.privacy import PersonalDataFilter

logger = logging.getLogger(__name__)

COMMANDS = {
    "en": [
        BotCommand("start", "Main menu"),
        BotCommand("language", "English / 中文"),
        BotCommand("cancel", "Stop what we're doing"),
        BotCommand("agent", "Talk to a person"),
        BotCommand("mute", "Stop claim updates"),
        BotCommand("unmute", "Resume claim updates"),
        BotCommand("surveys", "Satisfaction surveys on / off"),
        BotCommand("reminders", "Choose your reminders"),
        BotCommand("logout", "Unlink this account from your policy"),
    ],
    "zh": [
        BotCommand("start", "主菜单"),
        BotCommand("language", "切换语言 English / 中文"),
        BotCommand("cancel", "取消当前操作"),
        BotCommand("agent", "转人工客服"),
        BotCommand("mute", "关闭理赔进度推送"),
        BotCommand("unmute", "开启理赔进度推送"),
        BotCommand("surveys", "开启 / 关闭满意度问卷"),
        BotCommand("reminders", "设置提醒"),
        BotCommand("logout", "解除账号与保单的关联"),
    ],
}

UNSUPPORTED_MEDIA = (
    filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.POLL
    | filters.Dice.ALL
    | filters.GAME
    | filters.VENUE
)


async def post_init(application: Application) -> None:
    """Open the store and the Rasa client; publish the command menu."""
    settings: BotSettings = application.bot_data["settings"]
    engine = make_engine(settings.database_url)
    application.bot_data["engine"] = engine
    application.bot_data["store"] = ChatStore(make_session_factory(engine))
    application.bot_data["rasa"] = RasaClient(
        settings.rasa_url, timeout=settings.rasa_timeout_seconds,
        auth_token=settings.rasa_auth_token.get_secret_value() if settings.rasa_auth_token else None)
    application.bot_data["long_payloads"] = {}
    # text handlers pass waiting album photos on first; handed over here because media imports them
    application.bot_data["flush_album"] = media.flush_album
    application.bot_data["on_desk_notice"] = topics.on_desk_notice
    application.bot_data["canned_replies"] = CannedReplies.load(settings.canned_replies_file)
    if settings.scheduler_enabled:  # stage updates, reminders, campaigns and surveys: by the lease holder only
        leadership = Leadership(application, settings, engine, application.bot_data["store"].sessions)
        application.bot_data["leadership"] = leadership
        leadership.start()
    else:
        logger.info("SCHEDULER_ENABLED is false: this process only converses")
    if settings.roadside_provider_url:
        roadside.start_following(application, settings)
    else:
        logger.warning("ROADSIDE_PROVIDER_URL is not set: roadside requests are stored but nobody dispatches them")
    if topics.desk_enabled(settings):
        topics.start_sweeping(application, settings)
    else:
        logger.warning("AGENTS_CHAT_ID is not set: handed-over conversations only queue, no agent sees them")
    await application.bot.set_my_commands(COMMANDS["en"])
    await application.bot.set_my_commands(COMMANDS["zh"], language_code="zh")
    logger.info("bot started as @%s", application.bot.username)


async def post_shutdown(application: Application) -> None:
    """Stop scheduling (the lease is given up), close the Rasa and provider clients and the database engine."""
    if leadership := application.bot_data.get("leadership"):
        await leadership.close()
    await roadside.stop_following(application)
    if rasa := application.bot_data.get("rasa"):
        await rasa.close()
    if engine := application.bot_data.get("engine"):
        engine.dispose()


def build_application(settings: BotSettings) -> Application:
    """The application with every handler registered; nothing is connected until it starts."""
    if settings.telegram_bot_token is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    add_handlers(application)
    return application


# Customers write to the bot in private chats; the agents' group has handlers of its own.
PRIVATE = filters.ChatType.PRIVATE
# While an agent owns a case, the customer's updates go to the agent first (customer_relay stops them).
RELAY_GROUP = -1


def add_handlers(application: Application) -> None:
    """Register the handlers, most specific first."""
    settings: BotSettings = application.bot_data["settings"]
    if topics.desk_enabled(settings):
        add_agent_desk_handlers(application, settings.agents_chat_id)
    private_updates = filters.UpdateType.MESSAGE & PRIVATE
    application.add_handler(MessageHandler(private_updates, customer_relay.on_customer_update), group=RELAY_GROUP)
    application.add_handler(CallbackQueryHandler(customer_relay.on_customer_update), group=RELAY_GROUP)
    application.add_handler(CommandHandler(["start", "help", "menu"], commands.start, filters=PRIVATE))
    application.add_handler(CommandHandler("cancel", commands.cancel, filters=PRIVATE))
    application.add_handler(CommandHandler(["agent", "human"], commands.agent, filters=PRIVATE))
    application.add_handler(CommandHandler("language", commands.language, filters=PRIVATE))
    application.add_handler(CommandHandler("logout", identity.logout, filters=PRIVATE))
    application.add_handler(CommandHandler(["mute", "mute_updates"], identity.mute_updates, filters=PRIVATE))
    application.add_handler(CommandHandler(["unmute", "unmute_updates"], identity.unmute_updates, filters=PRIVATE))
    application.add_handler(CommandHandler("surveys", identity.surveys, filters=PRIVATE))
    application.add_handler(CommandHandler("reminders", reminders.show_reminders, filters=PRIVATE))
    application.add_handler(MessageHandler(filters.COMMAND & PRIVATE, commands.unknown_command))
    application.add_handler(CallbackQueryHandler(commands.language_button, pattern=f"^{commands.LANGUAGE_CALLBACK_PREFIX}"))
    application.add_handler(CallbackQueryHandler(reminders.on_reminder_button, pattern=f"^{reminders.CALLBACK_PREFIX}"))
    application.add_handler(CallbackQueryHandler(conversation.on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & PRIVATE, conversation.on_text))
    application.add_handler(MessageHandler(filters.PHOTO & PRIVATE, media.on_photo))
    application.add_handler(MessageHandler(filters.Document.ALL & PRIVATE, media.on_document))
    application.add_handler(MessageHandler(filters.LOCATION & PRIVATE, media.on_location))
    application.add_handler(MessageHandler(filters.CONTACT & PRIVATE, identity.on_contact))
    application.add_handler(MessageHandler(UNSUPPORTED_MEDIA & PRIVATE, media.on_unsupported))
    application.add_error_handler(errors.on_error)


def add_agent_desk_handlers(application: Application, agents_chat_id: int) -> None:
    """The agents' group: case buttons, commands and replies in case topics."""
    agents = filters.Chat(agents_chat_id)
    application.add_handler(CallbackQueryHandler(console.on_take, pattern=f"^{topics.TAKE_CALLBACK_PREFIX}"))
    application.add_handler(CallbackQueryHandler(console.on_canned_button, pattern=f"^{console.CANNED_CALLBACK_PREFIX}"))
    for names, callback in (
        ("note", console.note), ("claim", console.claim_card), ("history", console.history),
        ("reply", console.reply), ("transfer", console.transfer), ("done", console.done),
        ("queue", console.queue), ("stats", console.stats), ("desk", console.desk),
        ("nps", console.nps),
    ):
        application.add_handler(CommandHandler(names, callback, filters=agents))
    application.add_handler(MessageHandler(agents & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                                           console.on_agent_message))


def configure_logging() -> None:
    """INFO logs without personal data; httpx would log the token-bearing URL, so quieten it."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    for handler in logging.getLogger().handlers:
        handler.addFilter(PersonalDataFilter())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The job queue logs every run of every repeating job at INFO: the rescue round alone is one a second.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main() -> None:
    """Run until interrupted."""
    configure_logging()
    settings = get_bot_settings()
    application = build_application(settings)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=settings.poll_timeout_seconds)
