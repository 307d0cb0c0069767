"""Wording the front end says itself, when Rasa is not involved (media it can't read, outages).

Everything the assistant says in conversation lives in the Rasa domain (config/domain/).
"""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "unsupported_media": {
        "en": "I can't open stickers, voice or video messages yet. Please type your message, or send a photo, a document, your location or your contact.",
        "zh": "抱歉，我暂时还听不了语音，也看不了贴纸和视频。请直接打字，或者发送照片、文件、位置或联系人。",
    },
    "too_long": {
        "en": "That's a long message, thank you; I've kept it for your case file. To help you quickly, could you tell me in a sentence or two what you need? For example \"I had an accident\" or \"where is my claim\".",
        "zh": "谢谢，这段内容我已经保存到您的案件记录里了。为了尽快帮您，能用一两句话告诉我您需要什么吗？比如“我要报案”或“查理赔进度”。",
    },
    "unknown_command": {
        "en": "I don't know that command. You can use /start (main menu), /language (English/中文), /cancel (stop what we're doing), /agent (talk to a person), /mute or /unmute (claim updates), /reminders, /surveys and /logout. Or just write to me.",
        "zh": "我不认识这个指令。可用的指令有：/start（主菜单）、/language（切换语言）、/cancel（取消当前操作）、/agent（转人工）、/mute 和 /unmute（理赔进度推送）、/reminders（提醒设置）、/surveys（满意度问卷）、/logout（解除关联）。也可以直接给我发消息。",
    },
    "unavailable": {
        "en": "Sorry, I'm having trouble answering right now; your message is saved. Please try again in a minute, or call our hotline 95500 if it's urgent.",
        "zh": "抱歉，系统暂时无法回复，您的消息已保存。请一分钟后再试；如有紧急情况请拨打客服热线 95500。",
    },
    "error": {
        "en": "Sorry, something went wrong on our side. Please try again; if it keeps happening, send /agent to reach a person.",
        "zh": "抱歉，系统出了点问题。请再试一次；如果一直这样，请发送 /agent 联系人工客服。",
    },
    "choose_language": {
        "en": "Which language would you like?",
        "zh": "请选择语言：",
    },
    "language_set": {
        "en": "Done, I'll speak English from now on.",
        "zh": "好的，之后我会用中文和您交流。",
    },
    "button_expired": {
        "en": "That button has expired. Please tell me again what you need.",
        "zh": "这个按钮已经失效了，请再告诉我一次您需要什么。",
    },
    "logged_out": {
        "en": "Done: this Telegram account is no longer linked to your policy. I'll ask who you are before showing claim details again.",
        "zh": "已解除：这个 Telegram 账号不再关联您的保单。下次查看案件前会重新核实身份。",
    },
    "not_logged_in": {
        "en": "This Telegram account isn't linked to a policy, so there's nothing to log out of.",
        "zh": "这个 Telegram 账号没有关联保单，无需退出。",
    },
    "updates_muted": {
        "en": "OK, I won't send claim updates here any more. Send /unmute to turn them back on.",
        "zh": "好的，之后不再主动推送理赔进度。发送 /unmute 可以重新开启。",
    },
    "updates_unmuted": {
        "en": "Claim updates are on: I'll tell you here whenever your claim moves on.",
        "zh": "已开启理赔进度推送：案件有新进展时我会第一时间告诉您。",
    },
    "surveys_off": {
        "en": "OK, no more satisfaction surveys here. Send /surveys on if you change your mind.",
        "zh": "好的，之后不再发送满意度问卷。如改变主意，发送 /surveys on 即可。",
    },
    "surveys_on": {
        "en": "Surveys are on: after a claim is paid I may ask you one short question about it.",
        "zh": "已开启问卷：理赔赔付后，我可能会请您回答一个简短的问题。",
    },
    "surveys_usage": {
        "en": "Send /surveys off to stop satisfaction surveys, or /surveys on to allow them. Now: {state}.",
        "zh": "发送 /surveys off 停止满意度问卷，发送 /surveys on 重新开启。当前：{state}。",
    },
    "reminders_intro": {
        "en": "Your reminders. Tap one to switch it on or off:",
        "zh": "您的提醒设置，点击可开启或关闭：",
    },
    "reminders_all_off": {
        "en": "OK, every reminder is off. Send /reminders to switch any of them back on.",
        "zh": "好的，已关闭全部提醒。发送 /reminders 可以重新开启。",
    },
    "reminders_all_on": {
        "en": "Every reminder is on. Send /reminders to choose.",
        "zh": "已开启全部提醒。发送 /reminders 可以逐项设置。",
    },
    "reminder_kind_documents": {"en": "Missing claim documents", "zh": "理赔材料补交"},
    "reminder_kind_renewal": {"en": "Policy renewal", "zh": "保单续保"},
    "reminder_kind_inspection": {"en": "Annual inspection", "zh": "车辆年检"},
    "reminder_kind_maintenance": {"en": "Car service", "zh": "车辆保养"},
    "reminder_kind_birthday": {"en": "Birthday greeting", "zh": "生日祝福"},
    "reminder_kind_broadcasts": {"en": "Weather warnings and news", "zh": "天气预警与通知"},
    "surveys_state_on": {"en": "on", "zh": "开启"},
    "surveys_state_off": {"en": "off", "zh": "关闭"},
    "upload_received": {
        "en": "Got it: {items}.",
        "zh": "收到：{items}。",
    },
    "upload_progress": {
        "en": "Claim {claim_number}: {received} of {total} received. Next, please send: {next_item}.",
        "zh": "案件 {claim_number}：已收到 {received}/{total} 项。下一项请发：{next_item}。",
    },
    "upload_complete": {
        "en": "That's everything for claim {claim_number}, thank you!",
        "zh": "案件 {claim_number} 的材料已经收齐，谢谢！",
    },
    "upload_moved_fast_track": {
        "en": "Your claim now goes to loss assessment: we assess the damage from your photos, usually within 1 working day, and I'll tell you here when it moves on.",
        "zh": "案件已进入定损环节：我们会根据您的照片线上定损，一般 1 个工作日内完成，有进展我会在这里告诉您。",
    },
    "upload_moved": {
        "en": "Your claim moves on to: {stage}. I'll tell you here when it moves on again.",
        "zh": "案件已进入下一步：{stage}。有新进展我会在这里告诉您。",
    },
    "upload_not_image_or_pdf": {
        "en": "File {position} isn't a real photo or PDF (I check the content, not the name), so I haven't kept it.",
        "zh": "第 {position} 个文件不是真正的照片或 PDF（我检查的是文件内容，不是文件名），没有保存。",
    },
    "upload_too_large": {
        "en": "File {position} is over {max_mb} MB; please send a smaller photo or compress the PDF.",
        "zh": "第 {position} 个文件超过 {max_mb} MB，请发送小一些的照片或压缩后的 PDF。",
    },
    "upload_empty": {
        "en": "File {position} is empty.",
        "zh": "第 {position} 个文件是空的。",
    },
    "upload_too_small": {
        "en": "Photo {position} is too small to see the details; please send it at full size.",
        "zh": "第 {position} 张照片太小，看不清细节，请发送原图。",
    },
    "upload_unreadable": {
        "en": "File {position} is damaged and can't be opened; please send it again.",
        "zh": "第 {position} 个文件已损坏，打不开，请重新发送。",
    },
    "upload_duplicate": {
        "en": "File {position} is one I already have for this claim, so I haven't counted it twice.",
        "zh": "第 {position} 个文件之前已经收到过了，不重复计算。",
    },
    "upload_failed": {
        "en": "Sorry, I couldn't download your file from Telegram. Please send it again.",
        "zh": "抱歉，文件没能从 Telegram 下载下来，请重新发送。",
    },
    # The agents' desk: a person has the conversation.
    "agent_joined": {
        "en": "{agent} from our claims team has joined and can see our conversation so far. You can write here as usual.",
        "zh": "理赔服务的{agent}已接入，之前的对话都能看到。您可以直接在这里继续留言。",
    },
    "agent_transferred": {
        "en": "{agent} has passed your case to a colleague, who will reply here; you keep your place in the queue. Meanwhile I can still help with anything else.",
        "zh": "{agent}已把您的问题转交给其他同事，同事会在这里回复您，您的排队顺序不变。这期间有其他问题也可以继续问我。",
    },
    "wait_longer": {
        "en": "Sorry, it's taking longer than usual to reach a colleague. You keep your place and they'll reply right here; nothing you've told me is lost. If it's urgent, call 95500.",
        "zh": "抱歉，人工客服比平时忙，需要多等一会儿。您的排队顺序不变，客服会直接在这里回复您，之前说的内容都已保存。如有紧急情况请拨打 95500。",
    },
    "agent_line": {"en": "🧑‍💼 {agent}: {text}", "zh": "🧑‍💼 {agent}：{text}"},
    # The rescue's progress (bot/roadside.py), each told once; the live location follows the assignment.
    "roadside_assigned": {
        "en": "🚛 {reference}: a truck is on its way.\nDriver: {driver}, {phone}\nTruck: {plate}\nArriving in about {eta} min ({distance} km away). You can follow it on the map below.",
        "zh": "🚛 {reference}：救援车已出发。\n司机：{driver}，电话 {phone}\n车牌：{plate}\n预计约 {eta} 分钟到达（距您 {distance} 公里）。下方地图可以看到救援车的实时位置。",
    },
    "roadside_cancel_button": {"en": "✖️ Cancel the truck", "zh": "✖️ 取消救援"},
    "roadside_eta_changed": {
        "en": "⏱ {reference}: the truck now expects to reach you in about {eta} min ({distance} km away).",
        "zh": "⏱ {reference}：救援车预计到达时间有变化，现在约 {eta} 分钟（距您 {distance} 公里）。",
    },
    "roadside_approaching": {
        "en": "📍 {reference}: truck {plate} is less than a minute or two away. Stay off the road; the driver will find you.",
        "zh": "📍 {reference}：救援车 {plate} 马上就到。请留在安全的地方，司机会找到您。",
    },
    "roadside_arrived": {
        "en": "✅ {reference}: truck {plate} has arrived. The driver is {driver} ({phone}).",
        "zh": "✅ {reference}：救援车 {plate} 已到达。司机{driver}，电话 {phone}。",
    },
    "roadside_completed": {
        "en": "🏁 {reference} is completed. This was free call {used} of {allowance} this policy year. I hope you're safely on your way; if you need anything else, just write.",
        "zh": "🏁 救援 {reference} 已完成。这是本保单年度第 {used} 次免费救援（共 {allowance} 次）。祝您一路平安，有其他需要随时找我。",
    },
    "roadside_dispatch_delayed": {
        "en": "⏳ {reference}: the rescue company isn't answering straight away. I keep trying automatically; you don't need to do anything. If you feel unsafe, call 122 (expressway rescue 12122).",
        "zh": "⏳ {reference}：救援公司暂时没有响应，我会自动继续联系，您不用重复提交。如果感觉不安全，请拨打 122（高速救援 12122）。",
    },
    "roadside_declined": {
        "en": "⚠️ {reference}: no truck could be booked automatically, so I've passed your request to our dispatch desk with everything you told me. A colleague will arrange the rescue and write to you here. If you are in danger, call 122 (expressway rescue 12122).",
        "zh": "⚠️ {reference}：暂时没能自动派到救援车，我已把您的请求和所有信息转给调度中心的同事，他们会为您安排并在这里联系您。如有危险请拨打 122（高速救援 12122）。",
    },
    "roadside_cancelled_by_provider": {
        "en": "⚠️ {reference}: the rescue company cancelled this job. I've passed it to our dispatch desk; a colleague will arrange another truck and write to you here.",
        "zh": "⚠️ {reference}：救援公司取消了这次派车。我已转给调度中心的同事，他们会重新为您安排并在这里联系您。",
    },
    "roadside_gone_on_arrival": {
        "en": "⚠️ {reference}: the driver reached the location but couldn't find you or the car. I've asked our dispatch desk to call you; you can also call the driver on {phone}.",
        "zh": "⚠️ {reference}：司机到了位置但没找到您或车辆。我已请调度中心的同事联系您；您也可以直接拨打司机电话 {phone}。",
    },
}


def pick(variants: dict[str, str], language: str) -> str:
    """The variant in `language`, English when there is none."""
    return variants.get(language) or variants["en"]


def text(key: str, language: str) -> str:
    """The wording for a key in the user's language, English when unknown."""
    return pick(TEXTS[key], language)
