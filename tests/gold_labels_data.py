"""Gold labels on real interactions for the retraining tests: calls scored by the real engine with the
shipped call rubric, and `needs_discovery` answered by a calibration consensus (and one reviewer).

The airline decides in calibration that asking for the booking code is identification, not needs
discovery (`no`), which the shipped `clarifying_question` model mostly gets wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from factories import World, build_world
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.models import Channel, Interaction, Rubric, RubricVersion, Turn, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.calibration.results import record_consensus
from qa_service.services.calibration.sessions import create_session, get_session, reveal, session_items
from qa_service.services.ingestion.scoring import content_version, score_stored_interaction, shipped_rubric_text
from qa_service.services.review.evaluations import Decision, submit_review

STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
# Agreed `no`: booking-code requests, which the shipped model mostly takes for clarifying questions.
BOOKING_REQUESTS = [
    "Продиктуйте, пожалуйста, номер бронирования.",
    "Скажите номер вашего бронирования.",
    "Уточните номер бронирования, пожалуйста.",
    "Подскажите шестизначный код брони.",
    "Назовите, пожалуйста, номер заказа и фамилию.",
    "Подскажите номер брони, пожалуйста.",
    "Продиктуйте номер заказа, пожалуйста.",
    "Скажите, пожалуйста, код вашей брони.",
]
# Agreed `yes`: real questions about the request.
QUESTIONS = [
    "На какую дату хотите перенести вылет?",
    "Вам нужен багаж или только ручная кладь?",
    "Из какого аэропорта планируете вылетать?",
    "Сколько пассажиров летит вместе с вами?",
]
REVIEWED = "Назовите номер бронирования, будьте добры."


def published_world(settings: Settings) -> World:
    """The factories' world with the shipped call rubric published (its own rubric rows hold stubs)."""
    world = build_world(settings, with_audio=False)
    with transaction(settings.sqlalchemy_url) as session:
        rubric = session.scalars(select(Rubric).where(Rubric.tenant_id == world.tenant_id,
                                                      Rubric.slug == "airline-call")).one()
        content = shipped_rubric_text("airline-call")
        session.add(RubricVersion(rubric_id=rubric.id, content=content, content_hash=content_version(content),
                                  published_at=datetime.now(UTC) + timedelta(seconds=1)))
    return world


def scored_call(settings: Settings, tenant_id: int, agent_id: int, number: int, agent_line: str) -> int:
    turns = [("agent", "Авиакомпания Северный Ветер, здравствуйте, меня зовут Анна."),
             ("customer", "Добрый день, я хочу поменять билет."),
             ("agent", agent_line),
             ("customer", "Да, сейчас скажу."),
             ("agent", "Спасибо за обращение в авиакомпанию Северный Ветер, всего доброго.")]
    with transaction(settings.sqlalchemy_url) as session:
        call = Interaction(tenant_id=tenant_id, source="test", external_id=f"GOLD-{number:03d}", channel=Channel.CALL,
                           agent_id=agent_id, queue="exchange", topic="exchange",
                           started_at=STARTED + timedelta(minutes=number),
                           ended_at=STARTED + timedelta(minutes=number, seconds=30))
        session.add(call)
        session.flush()
        for position, (speaker, text) in enumerate(turns):
            session.add(Turn(interaction_id=call.id, position=position, speaker=speaker, text=text,
                             start=position * 5.0 + 0.3, end=position * 5.0 + 4.0))
        call_id = call.id
    score_stored_interaction(settings, call_id)
    return call_id


def gold_world(settings: Settings) -> tuple[dict[int, str], int]:
    """Scored calls with consensus answers to `needs_discovery` (gold by interaction), and one reviewed call."""
    world = published_world(settings)
    lines = [(line, "no") for line in BOOKING_REQUESTS] + [(line, "yes") for line in QUESTIONS]
    gold = {scored_call(settings, world.tenant_id, world.agents["anna"], n, line): answer
            for n, (line, answer) in enumerate(lines)}
    reviewed = scored_call(settings, world.tenant_id, world.agents["anna"], len(lines), REVIEWED)
    with transaction(settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        # A reviewer answers one consensus call the other way: the consensus must win there.
        submit_review(session, qa, next(iter(gold)), {"needs_discovery": Decision("yes", "считаю уточнением")})
        submit_review(session, qa, reviewed, {"needs_discovery": Decision("no", "это идентификация")})
        calibration = create_session(session, admin, title="Калибровка: выявление потребности", due_at=None,
                                     interaction_ids=sorted(gold),
                                     participant_ids=[world.users["qa"], world.users["customer"], world.users["admin"]])
        reveal(session, admin, calibration.id)
        for item, interaction in session_items(session, get_session(session, admin, calibration.id)):
            record_consensus(session, admin, calibration.id, item.id,
                             {"needs_discovery": (gold[interaction.id], "решение калибровки")})
    gold[reviewed] = "no"
    return gold, reviewed
