"""Who a campaign goes to: linked policyholders by city, policy status, vehicle age and language.

Never to a chat that blocked the bot or switched broadcasts off (/reminders); one message per chat.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from claims.enums import Language, PolicyStatus, ReminderKind
from claims.models import ChatPreference, Policy, Policyholder, Vehicle
from claims.services.chats import reachable


@dataclass(frozen=True)
class AudienceFilter:
    city: str | None = None  # the policyholder's city, any case: Shanghai
    policy_status: PolicyStatus | None = PolicyStatus.active  # None: any policy
    min_vehicle_age: int | None = None  # years since the model year, inclusive
    max_vehicle_age: int | None = None
    language: Language | None = None

    def __post_init__(self) -> None:
        for age in (self.min_vehicle_age, self.max_vehicle_age):
            if age is not None and age < 0:
                raise ValueError("a vehicle age cannot be negative")
        if None not in (self.min_vehicle_age, self.max_vehicle_age) and self.min_vehicle_age > self.max_vehicle_age:
            raise ValueError("the youngest vehicle age is above the oldest")

    def as_json(self) -> dict:
        return {key: getattr(value, "value", value) for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> AudienceFilter:
        status, language = data.get("policy_status"), data.get("language")
        return cls(city=data.get("city"), policy_status=PolicyStatus(status) if status else None,
                   min_vehicle_age=data.get("min_vehicle_age"), max_vehicle_age=data.get("max_vehicle_age"),
                   language=Language(language) if language else None)

    def describe(self) -> str:
        parts = [f"city {self.city}" if self.city else "every city",
                 f"{self.policy_status.value} policies" if self.policy_status else "any policy"]
        if self.min_vehicle_age is not None or self.max_vehicle_age is not None:
            parts.append(f"vehicles {self.min_vehicle_age or 0}-{'' if self.max_vehicle_age is None else self.max_vehicle_age} years old")
        if self.language:
            parts.append(f"language {self.language.value}")
        return ", ".join(parts)


def chat_language_column():
    """The language each recipient reads: the chat's, else the policyholder's."""
    return func.coalesce(
        select(ChatPreference.language).where(ChatPreference.chat_id == Policyholder.telegram_user_id)
        .correlate(Policyholder).scalar_subquery(),
        Policyholder.preferred_language,
    )


def audience_query(audience: AudienceFilter, *, today: date) -> Select:
    """SELECT (policyholder id, chat id, language) of every recipient, ordered by policyholder."""
    language = chat_language_column()
    policy_conditions = [Policy.policyholder_id == Policyholder.id]
    if audience.policy_status is not None:
        policy_conditions.append(Policy.status == audience.policy_status)
    if audience.min_vehicle_age is not None or audience.max_vehicle_age is not None:
        vehicle_conditions = [Vehicle.policy_id == Policy.id]
        if audience.min_vehicle_age is not None:
            vehicle_conditions.append(Vehicle.year <= today.year - audience.min_vehicle_age)
        if audience.max_vehicle_age is not None:
            vehicle_conditions.append(Vehicle.year >= today.year - audience.max_vehicle_age)
        policy_conditions.append(exists().where(*vehicle_conditions))
    chat = Policyholder.telegram_user_id
    query = (
        select(Policyholder.id, chat, language.label("language"))
        .where(
            reachable(ReminderKind.broadcasts),
            exists().where(and_(*policy_conditions)),
        )
        .order_by(Policyholder.id)
    )
    if audience.city:
        query = query.where(func.lower(Policyholder.city) == audience.city.strip().lower())
    if audience.language:
        query = query.where(language == audience.language)
    return query


def audience_rows(session: Session, audience: AudienceFilter, *, today: date, limit: int | None = None
                  ) -> list[tuple[int, int, Language]]:
    query = audience_query(audience, today=today)
    if limit is not None:
        query = query.limit(limit)
    return [(holder_id, chat_id, Language(language)) for holder_id, chat_id, language in session.execute(query)]
