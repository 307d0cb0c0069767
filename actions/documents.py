"""Where the photo and document checklist of the customer's open claim stands (the files themselves
arrive through the Telegram front end, which files them with claims.services.documents)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import ClaimsAction, DomainDict, telegram_user_id
from actions.tracking import language
from claims import wording
from claims.services import documents, identity


class ActionDocumentChecklist(ClaimsAction):
    """Say what the open claim still needs, and which photo to send next."""

    def name(self) -> str:
        return "action_document_checklist"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
        if policyholder is None:
            return [SlotSet("checklist_outcome", "needs_verification")]
        claim = documents.claim_for_uploads(session, policyholder_id=policyholder.id)
        if claim is None:
            return [SlotSet("checklist_outcome", "no_open_claim")]
        progress = documents.checklist_progress(claim)
        lang = language(tracker)
        return [
            SlotSet("checklist_outcome", "complete" if progress.complete else "missing"),
            SlotSet("checklist_claim_number", claim.claim_number),
            SlotSet("documents_total", len(progress.required)),
            SlotSet("documents_received", len(progress.received)),
            SlotSet("documents_missing_text", wording.checklist_text(progress.missing, lang)),
            SlotSet("next_document_label",
                    wording.checklist_label(progress.next_item, lang) if progress.next_item else None),
        ]
