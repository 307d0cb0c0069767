"""Wording of the agents' console, in AGENTS_LANGUAGE (what customers are told is in bot/texts.py)."""
from __future__ import annotations

from bot.texts import pick

AGENT_TEXTS: dict[str, dict[str, str]] = {
    "reason_user_request": {"en": "asked for a person", "zh": "客户要求转人工"},
    "reason_complaint": {"en": "complaint", "zh": "投诉"},
    "reason_injury": {"en": "🚑 injuries in an accident", "zh": "🚑 事故有人受伤"},
    "reason_disputed_assessment": {"en": "disputes the assessment", "zh": "对定损/赔款有异议"},
    "reason_nlu_failure": {"en": "the bot did not understand twice", "zh": "机器人两次没听懂"},
    "reason_form_failure": {"en": "stuck in the accident report", "zh": "报案填写卡住"},
    "reason_nps_detractor": {"en": "📞 callback: unhappy NPS answer", "zh": "📞 回访：NPS 低分客户"},
    "reason_roadside": {"en": "🛠 roadside help needs a person", "zh": "🛠 道路救援需人工处理"},
    "card_title": {"en": "Case #{id}: {name}", "zh": "案件 #{id}：{name}"},
    "card_why": {"en": "Why: {reason}", "zh": "原因：{reason}"},
    "card_said": {"en": "They said: “{text}”", "zh": "客户原话：“{text}”"},
    "card_verified": {"en": "✅ Identity verified · phone {phone} · writes in {language}",
                      "zh": "✅ 已核实身份 · 电话 {phone} · 使用{language}"},
    "card_unverified": {"en": "⚠️ Not verified (Telegram name only) · writes in {language}",
                        "zh": "⚠️ 未核实身份（仅 Telegram 昵称）· 使用{language}"},
    "card_policy": {"en": "Policy {number} ({product}, {status}): {vehicles}", "zh": "保单 {number}（{product}，{status}）：{vehicles}"},
    "card_no_policy": {"en": "No policy on file for this chat.", "zh": "该会话没有关联保单。"},
    "card_claim": {"en": "Claim {number} · {plate} · stage: {stage}{fast_track}{late}",
                   "zh": "案件 {number} · {plate} · 环节：{stage}{fast_track}{late}"},
    "card_rescue": {"en": "🛠 Rescue {reference} · {service} · {status} · at: {place}",
                    "zh": "🛠 救援 {reference} · {service} · {status} · 位置：{place}"},
    "card_rescue_truck": {"en": "  truck {plate}, driver {driver} · ETA {eta} min · {distance} km away",
                          "zh": "  救援车 {plate}，司机 {driver} · 预计 {eta} 分钟 · 距离 {distance} 公里"},
    "card_rescue_error": {"en": "  ⚠️ dispatch problem: {error}", "zh": "  ⚠️ 派车异常：{error}"},
    "card_fast_track": {"en": " · fast-track", "zh": " · 快赔"},
    "card_late": {"en": " · ⏰ behind target", "zh": " · ⏰ 已超时效"},
    "card_missing": {"en": "Missing: {items}", "zh": "待补材料：{items}"},
    "card_nothing_missing": {"en": "Nothing missing from the customer.", "zh": "客户材料已齐。"},
    "card_handler": {"en": "Handler: {name}", "zh": "经办人：{name}"},
    "card_no_handler": {"en": "Handler: not assigned yet", "zh": "经办人：尚未分配"},
    "card_payout": {"en": "Payout:\n{lines}", "zh": "赔款明细：\n{lines}"},
    "card_other_claims": {"en": "Other open claims: {numbers}", "zh": "其他未结案件：{numbers}"},
    "card_no_claim": {"en": "No open claim.", "zh": "没有未结案件。"},
    "card_waiting": {"en": "⏳ Waiting since {time} · #{position} in the queue", "zh": "⏳ {time} 起等待 · 排队第 {position} 位"},
    "card_taken": {"en": "🙋 Taken by {agent}", "zh": "🙋 {agent} 已接手"},
    "card_closed": {"en": "✅ Handed back to the bot", "zh": "✅ 已交回机器人"},
    "card_withdrawn": {"en": "↩️ The customer left the queue", "zh": "↩️ 客户已取消排队"},
    "card_transferred": {"en": "↩️ Transferred {count}×", "zh": "↩️ 已转交 {count} 次"},
    "card_breached": {"en": "⏰ Missed the first-response target", "zh": "⏰ 超过首次响应时限"},
    "card_history": {"en": "Last {count} messages:", "zh": "最近 {count} 条消息："},
    "card_no_history": {"en": "No messages yet.", "zh": "暂无消息。"},
    "card_commands": {
        "en": "Reply here to write to the customer. /note TEXT (internal) · /reply (canned) · /claim · /history · /transfer · /done",
        "zh": "在此话题回复即发送给客户。/note 内容（内部备注）· /reply（快捷回复）· /claim · /history · /transfer · /done",
    },
    "who_customer": {"en": "💬", "zh": "💬"},
    "who_bot": {"en": "🤖", "zh": "🤖"},
    "who_agent": {"en": "🧑‍💼", "zh": "🧑‍💼"},
    "button_take": {"en": "🙋 Take this case", "zh": "🙋 接手此案"},
    "taken_notice": {"en": "🙋 {agent} took the case. The bot is paused for this customer.",
                     "zh": "🙋 {agent} 已接手，机器人对该客户暂停应答。"},
    "already_taken": {"en": "{agent} already has this case.", "zh": "此案已由 {agent} 接手。"},
    "case_closed": {"en": "This case is closed.", "zh": "此案已结束。"},
    "take_first": {"en": "Not sent: take the case first.", "zh": "未发送：请先接手此案。"},
    "not_yours": {"en": "Not sent: {agent} has this case. Use /note for colleagues, or ask them to /transfer.",
                  "zh": "未发送：此案由 {agent} 负责。可用 /note 给同事留言，或请对方 /transfer。"},
    "not_an_agent": {"en": "⛔ Only listed agents can act on cases. Nothing was sent to the customer.",
                     "zh": "⛔ 只有登记的客服可以处理案件，消息没有发送给客户。"},
    "not_an_agent_alert": {"en": "Only listed agents can take cases.", "zh": "只有登记的客服可以接手案件。"},
    "no_case_here": {"en": "This topic has no case. Use case commands inside a case topic.",
                     "zh": "此话题没有关联案件，请在案件话题中使用该指令。"},
    "note_saved": {"en": "📝 Internal note saved (the customer does not see it).", "zh": "📝 内部备注已保存（客户看不到）。"},
    "note_empty": {"en": "Write the note after the command: /note called the garage, quote is 6,800.",
                   "zh": "请在指令后写备注内容，例如：/note 已联系修理厂，报价 6800。"},
    "transferred": {"en": "↩️ {agent} put the case back in the queue. Anyone may take it.",
                    "zh": "↩️ {agent} 已把此案放回队列，任何同事都可以接手。"},
    "handed_back": {"en": "✅ {agent} handed the conversation back to the bot.", "zh": "✅ {agent} 已把对话交回机器人。"},
    "canned_list": {"en": "Canned replies (sent in the customer's language):", "zh": "快捷回复（按客户语言发送）："},
    "canned_unknown": {"en": "No canned reply called “{key}”. Known: {keys}.", "zh": "没有名为“{key}”的快捷回复。可用：{keys}。"},
    "relay_failed": {"en": "⚠️ Could not deliver that to the customer: {error}", "zh": "⚠️ 未能发送给客户：{error}"},
    "customer_left_queue": {"en": "The customer is no longer waiting.", "zh": "客户已不在等待。"},
    "reminder": {"en": "⏰ Nobody has taken this case within the first-response target ({target}); it is now marked as breaching. Please take it.",
                 "zh": "⏰ 此案超过首次响应时限（{target}）仍无人接手，已记为超时。请尽快接手。"},
    "queue_title": {"en": "Queue ({count} waiting, {owned} with agents):", "zh": "队列（{count} 个等待中，{owned} 个处理中）："},
    "queue_waiting": {"en": "#{position} · case {id} · {name} · {reason} · waiting {minutes} min{late}",
                      "zh": "第 {position} 位 · 案件 {id} · {name} · {reason} · 已等 {minutes} 分钟{late}"},
    "queue_owned": {"en": "🙋 case {id} · {name} · {agent} · since {time}", "zh": "🙋 案件 {id} · {name} · {agent} · {time} 起"},
    "queue_empty": {"en": "Nobody is waiting. 🎉", "zh": "目前没有客户在等待。🎉"},
    "stats": {
        "en": ("Today ({date}):\n"
               "Handoffs: {handoffs} (taken {taken}, waiting {waiting}, missed target {breached})\n"
               "Median first response: {first_response}\n"
               "Median time to hand back: {resolution}\n"
               "Conversations: {conversations}, finished by the bot alone: {contained} ({containment})"),
        "zh": ("今日（{date}）：\n"
               "转人工：{handoffs} 次（已接手 {taken}，等待中 {waiting}，超时 {breached}）\n"
               "首次响应中位数：{first_response}\n"
               "交回机器人用时中位数：{resolution}\n"
               "会话数：{conversations}，机器人独立完成：{contained}（{containment}）"),
    },
    "desk_status_open": {"en": "🟢 The desk is open{until}.", "zh": "🟢 服务台营业中{until}。"},
    "desk_status_closed": {"en": "🔴 The desk is closed{until}.", "zh": "🔴 服务台已关闭{until}。"},
    "desk_until": {"en": " until {time}", "zh": "，至 {time}"},
    "desk_hours": {"en": "Hours: {hours}", "zh": "营业时间：{hours}"},
    "desk_usage": {"en": "/desk · /desk open [2h] · /desk close [30m]", "zh": "/desk · /desk open [2h] · /desk close [30m]"},
    "not_available": {"en": "—", "zh": "—"},
}

def agent_text(key: str, language: str) -> str:
    """Console wording for a key, English when the language is unknown."""
    return pick(AGENT_TEXTS[key], language)
