"""Realistic rows for UI and service tests, inserted directly (the ingestion pipeline is not needed).

`build_world(settings)` makes two tenants.  The airline «Северный Ветер» has a user of every
role, two teams (the supervisor runs team «Альфа»), two agents (Анна Смирнова, linked to
the agent sign-in, in «Альфа»; Пётр Иванов in «Бета»), and
  - a call with timed turns, silences/hold/overtalk metrics and a real redacted recording
    (espeak-ng Russian speech, one utterance per turn, joined with sox),
  - a chat with timestamps (one slow reply, to show an SLA marker),
  - an e-mail thread,
  - a call of Пётр's (outside the supervisor's team, not the agent's own),
each with a machine evaluation whose answers carry evidence and confidence.  The second
tenant has its own admin and call, to prove isolation.  No card number appears anywhere:
redacted text carries the marker the redactor writes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qa_service.config import Settings
from qa_service.db.blobs import BlobStore
from qa_service.db.models import (
    Agent,
    CalibrationItem,
    CalibrationSession,
    Channel,
    CriterionAnswer,
    Dispute,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Interaction,
    ProcessingState,
    Recording,
    Role,
    Rubric,
    RubricVersion,
    Team,
    Tenant,
    Turn,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import hash_password

PASSWORD = "correct-horse-1"
REDACTED = "[номер карты скрыт]"

CALL_TURNS = [
    ("agent", "Авиакомпания Северный Ветер, здравствуйте, меня зовут Анна."),
    ("customer", "Добрый день. Я хочу поменять дату вылета."),
    ("agent", "Назовите, пожалуйста, код бронирования."),
    ("customer", "Код бронирования КЛМ сто двадцать три."),
    ("agent", "Оставайтесь, пожалуйста, на линии, я уточню."),
    ("agent", "Спасибо за ожидание. Обмен возможен, сбор две тысячи рублей."),
    ("customer", "Хорошо, спасибо."),
    ("agent", "Спасибо за обращение в авиакомпанию Северный Ветер, всего доброго."),
]
GAP_SECONDS = 0.6
HOLD_SECONDS = 2.5  # an audible pause after the «stay on the line» turn


@dataclass
class World:
    tenant_id: int
    other_tenant_id: int
    users: dict[str, int] = field(default_factory=dict)  # role -> user id (first tenant)
    emails: dict[str, str] = field(default_factory=dict)  # role -> e-mail (first tenant)
    other_admin_email: str = ""
    agents: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    call_id: int = 0
    chat_id: int = 0
    email_id: int = 0
    other_agent_call_id: int = 0
    other_tenant_call_id: int = 0
    evaluations: dict[str, int] = field(default_factory=dict)  # interaction name -> auto evaluation id
    call_turn_times: list[tuple[float, float]] = field(default_factory=list)
    dispute_id: int = 0


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def make_call_audio(turns: list[tuple[str, str]] = CALL_TURNS) -> tuple[Path, list[tuple[float, float]], float]:
    """A mono WAV of the turns spoken by espeak-ng (Russian), with gaps; cached across tests.

    espeak-ng, not Festival: no test reads these words back (the turns' text is given), only the
    player and its timings are exercised, and espeak-ng is fast.  `sox -D -R`: no random dither,
    so every run gives the same samples.

    Returns the file, each turn's (start, end) in seconds, and the total duration.
    """
    key = hashlib.sha256(repr(("espeak-ng", "no-dither", turns)).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"qa-factory-audio-{key}"
    target = folder / "call.wav"
    times_file = folder / "times.txt"
    if not (target.exists() and times_file.exists()):
        work = Path(tempfile.mkdtemp(prefix="qa-audio-"))
        pieces: list[str] = []
        times: list[tuple[float, float]] = []
        clock = 0.3
        _run("sox", "-D", "-R", "-n", "-r", "16000", "-c", "1", str(work / "lead.wav"), "trim", "0", "0.3")
        pieces.append(str(work / "lead.wav"))
        for i, (speaker, text) in enumerate(turns):
            raw, piece = work / f"raw{i}.wav", work / f"turn{i}.wav"
            voice = "ru" if speaker == "agent" else "ru+m3"
            _run("espeak-ng", "-v", voice, "-s", "165", "-w", str(raw), text)
            pause = HOLD_SECONDS if "на линии" in text else GAP_SECONDS
            _run("sox", "-D", "-R", str(raw), "-r", "16000", "-c", "1", str(piece), "pad", "0", str(pause))
            length = float(subprocess.run(["soxi", "-D", str(raw)], check=True, capture_output=True, text=True).stdout)
            times.append((round(clock, 2), round(clock + length, 2)))
            clock += length + pause
            pieces.append(str(piece))
        _run("sox", "-D", "-R", *pieces, str(work / "call.wav"))
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "call.wav", target)
        times_file.write_text("\n".join(f"{s} {e}" for s, e in times))
        shutil.rmtree(work, ignore_errors=True)
    times = [tuple(map(float, line.split())) for line in times_file.read_text().splitlines()]
    duration = float(subprocess.run(["soxi", "-D", str(target)], check=True, capture_output=True, text=True).stdout)
    return target, times, duration  # type: ignore[return-value]


def _rubric_version(session: Any, tenant_id: int, channel: str) -> RubricVersion:
    rubric = Rubric(tenant_id=tenant_id, slug=f"airline-{channel}", channel=channel, title=f"airline-{channel}")
    session.add(rubric)
    session.flush()
    content = f"id: airline-{channel}\nversion: test\n"
    version = RubricVersion(rubric_id=rubric.id, content=content, content_hash="sha256:" + hashlib.sha256(
        content.encode()).hexdigest(), published_at=datetime.now(UTC))
    session.add(version)
    session.flush()
    return version


def _answer(position: int, criterion: str, answer: str | None, max_points: float, *, critical: bool = False,
            confidence: float | None = 0.9, reason: str = "", evidence: list[dict[str, Any]] | None = None
            ) -> CriterionAnswer:
    points = None if answer in (None, "na") else (max_points if answer == "yes" else 0.0)
    return CriterionAnswer(
        position=position, criterion_id=criterion, answer=answer, points=points, max_points=max_points,
        critical=critical, confidence=confidence, reason=reason or None, evidence=evidence or [],
        machine_answer=answer, machine_confidence=confidence,
    )


def _auto_evaluation(session: Any, interaction: Interaction, version: RubricVersion,
                     answers: list[CriterionAnswer], *, needs_review: bool = False) -> Evaluation:
    from qa_service.services.review.evaluations import score_answers

    evaluation = Evaluation(
        tenant_id=interaction.tenant_id, interaction_id=interaction.id, rubric_version_id=version.id,
        kind=EvaluationKind.AUTO, status=EvaluationStatus.SUBMITTED, needs_review=needs_review,
        review_reasons=["low_confidence"] if needs_review else [],
    )
    evaluation.answers.extend(answers)
    evaluation.score, evaluation.failed_critical = score_answers(answers)
    session.add(evaluation)
    interaction.score, interaction.failed_critical = evaluation.score, evaluation.failed_critical
    interaction.needs_review = needs_review
    interaction.state = ProcessingState.SCORED
    session.flush()
    return evaluation


def _user(session: Any, tenant_id: int, role: Role, email: str, name: str, password_hash: str) -> User:
    user = User(tenant_id=tenant_id, email=email, name=name, role=role, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def build_world(
    settings: Settings, *, with_audio: bool = True, started: datetime | None = None, with_dispute: bool = False
) -> World:
    """Insert the two tenants described in the module docstring; return their ids.

    `with_dispute` adds a released review of the e-mail and Анна's open dispute of its `signature`.
    """
    started = started or datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    password_hash = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
    if with_audio:
        audio, times, duration = make_call_audio()
    else:
        audio, times, duration = None, [(i * 4.0 + 0.3, i * 4.0 + 3.5) for i in range(len(CALL_TURNS))], 32.0
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="severny-veter", name="Авиакомпания «Северный Ветер»")
        other = Tenant(slug="yuzhny-bereg", name="Авиакомпания «Южный Берег»")
        session.add_all([tenant, other])
        session.flush()
        world = World(tenant_id=tenant.id, other_tenant_id=other.id, call_turn_times=list(times))
        names = {
            Role.ADMIN: "Администратор", Role.QA: "Ольга Контролёр", Role.TRAINER: "Игорь Тренер",
            Role.SUPERVISOR: "Марина Руководитель", Role.AGENT: "Анна Смирнова",
            Role.CUSTOMER: "Представитель авиакомпании",
        }
        for role, name in names.items():
            email = f"{role.value}@severny.test"
            world.users[role.value] = _user(session, tenant.id, role, email, name, password_hash).id
            world.emails[role.value] = email
        petr_user = _user(session, tenant.id, Role.AGENT, "petr@severny.test", "Пётр Иванов", password_hash)
        world.users["agent2"], world.emails["agent2"] = petr_user.id, petr_user.email
        other_admin = _user(session, other.id, Role.ADMIN, "admin@yuzhny.test", "Админ Юга", password_hash)
        world.other_admin_email = other_admin.email
        world.users["other_admin"] = other_admin.id

        alpha = Team(tenant_id=tenant.id, name="Альфа", supervisor_id=world.users["supervisor"])
        beta = Team(tenant_id=tenant.id, name="Бета")
        session.add_all([alpha, beta])
        session.flush()
        world.teams = {"alpha": alpha.id, "beta": beta.id}
        anna = Agent(tenant_id=tenant.id, external_id="agent-anna", name="Анна Смирнова", team_id=alpha.id,
                     user_id=world.users["agent"])
        petr = Agent(tenant_id=tenant.id, external_id="agent-petr", name="Пётр Иванов", team_id=beta.id,
                     user_id=petr_user.id)
        south = Agent(tenant_id=other.id, external_id="agent-anna", name="Анна Южная")
        session.add_all([anna, petr, south])
        session.flush()
        world.agents = {"anna": anna.id, "petr": petr.id, "south": south.id}
        call_version = _rubric_version(session, tenant.id, "call")
        chat_version = _rubric_version(session, tenant.id, "chat")
        email_version = _rubric_version(session, tenant.id, "email")

        # The call.
        call = Interaction(
            tenant_id=tenant.id, source="test", external_id="CALL-0001", channel=Channel.CALL, agent_id=anna.id,
            queue="exchange", topic="exchange", started_at=started, ended_at=started + timedelta(seconds=duration),
            metrics={
                "silences": [[times[4][1], times[5][0]]],
                "holds": [[times[4][1], times[5][0]]],
                "overtalk": [[times[6][0], times[6][0] + 0.4]],
                "talk_ratio": {"agent": 0.62, "customer": 0.38},
            },
            transcript_quality={"score": 0.91, "flags": []},
        )
        session.add(call)
        session.flush()
        for position, ((speaker, text), (start, end)) in enumerate(zip(CALL_TURNS, times, strict=True)):
            session.add(Turn(interaction_id=call.id, position=position, speaker=speaker, text=text,
                             start=start, end=end))
        blob_key = None
        if audio is not None:
            blob_key = f"tenant-{tenant.id}/recordings/{call.id}.wav"
            BlobStore.from_url(settings.blob_url).put_file(blob_key, audio)
        session.add(Recording(interaction_id=call.id, blob_key=blob_key, duration=duration, sample_rate=16000,
                              redacted=True))

        def ev(turn: int, quote: str) -> dict[str, Any]:
            start, end = times[turn]
            return {"turn": turn, "start": start, "end": end, "quote": quote}

        call_eval = _auto_evaluation(session, call, call_version, [
            _answer(0, "greeting", "yes", 10, confidence=0.95, reason="приветствие и название компании",
                    evidence=[ev(0, "здравствуйте")]),
            _answer(1, "agent_name", "yes", 5, confidence=0.93, evidence=[ev(0, "меня зовут Анна")]),
            _answer(2, "identify_booking", "yes", 10, confidence=0.55, reason="запрошен код бронирования",
                    evidence=[ev(2, "код бронирования")]),
            _answer(3, "fare_rules", "no", 15, confidence=0.7, reason="не назван штраф",
                    evidence=[ev(5, "сбор две тысячи рублей")]),
            _answer(4, "hold_etiquette", "yes", 10, confidence=0.88,
                    evidence=[ev(4, "Оставайтесь, пожалуйста, на линии"),
                                                                                ev(5, "Спасибо за ожидание")]),
            _answer(5, "no_card_by_voice", "yes", 0, critical=True, confidence=0.97),
            _answer(6, "farewell", "yes", 5, confidence=0.9, evidence=[ev(7, "всего доброго")]),
            _answer(7, "accuracy", None, 10, confidence=None, reason="проверяется вручную"),
        ], needs_review=True)

        # The chat (one reply after 3 minutes: an SLA marker).
        chat = Interaction(tenant_id=tenant.id, source="test", external_id="CHAT-0001", channel=Channel.CHAT,
                           agent_id=anna.id, queue="web-chat", topic="baggage", started_at=started + timedelta(hours=1))
        session.add(chat)
        session.flush()
        chat_turns = [
            ("customer", "Здравствуйте, сколько можно провезти багажа?", 0),
            ("agent", "Здравствуйте! Меня зовут Анна. По тарифу Стандарт — 23 кг.", 40),
            ("customer", f"Могу оплатить картой {REDACTED}?", 100),
            ("agent", "Пожалуйста, не пишите данные карты в чат: оплата только по ссылке.", 290),
        ]
        for position, (speaker, text, offset) in enumerate(chat_turns):
            redactions = None
            if REDACTED in text:
                at = text.index(REDACTED)
                redactions = [{"start": at, "end": at + len(REDACTED), "kind": "card"}]
            session.add(Turn(interaction_id=chat.id, position=position, speaker=speaker, text=text,
                             at=chat.started_at + timedelta(seconds=offset), redactions=redactions))
        chat_eval = _auto_evaluation(session, chat, chat_version, [
            _answer(0, "first_response", "yes", 15, confidence=0.99, evidence=[{"turn": 1, "quote": "Здравствуйте!"}]),
            _answer(1, "response_time", "no", 10, confidence=0.99, reason="ответ через 190 с"),
            _answer(2, "no_card_by_voice", "yes", 0, critical=True, confidence=0.8,
                    evidence=[{"turn": 3, "quote": "не пишите данные карты"}]),
            _answer(3, "politeness", "yes", 10, confidence=0.85),
        ])

        # The e-mail.
        mail = Interaction(tenant_id=tenant.id, source="test", external_id="MAIL-0001", channel=Channel.EMAIL,
                           agent_id=anna.id, queue="mail", topic="refund", started_at=started + timedelta(hours=2))
        session.add(mail)
        session.flush()
        session.add_all([
            Turn(interaction_id=mail.id, position=0, speaker="customer", subject="Возврат билета",
                 text="Здравствуйте! Прошу оформить возврат билета.", at=mail.started_at),
            Turn(interaction_id=mail.id, position=1, speaker="agent", subject="Re: Возврат билета",
                 text="Уважаемая Мария, возврат оформлен, удержание 1500 рублей.\n"
                      "Анна, контактный центр авиакомпании Северный Ветер",
                 at=mail.started_at + timedelta(hours=5)),
        ])
        mail_eval = _auto_evaluation(session, mail, email_version, [
            _answer(0, "reply_sla", "yes", 20, confidence=0.99),
            _answer(1, "greeting", "yes", 10, confidence=0.9, evidence=[{"turn": 1, "quote": "Уважаемая Мария"}]),
            _answer(2, "fare_rules", "yes", 15, confidence=0.8,
                    evidence=[{"turn": 1, "quote": "удержание 1500 рублей"}]),
            _answer(3, "signature", "no", 10, confidence=0.65, reason="нет телефона"),
        ])

        # Пётр's call: another team, another agent.
        petr_call = Interaction(tenant_id=tenant.id, source="test", external_id="CALL-0002", channel=Channel.CALL,
                                agent_id=petr.id, queue="sales", topic="booking",
                                started_at=started + timedelta(hours=3))
        session.add(petr_call)
        session.flush()
        session.add(Turn(interaction_id=petr_call.id, position=0, speaker="agent", text="Слушаю.", start=0.2, end=1.0))
        petr_eval = _auto_evaluation(session, petr_call, call_version, [
            _answer(0, "greeting", "no", 10, confidence=0.9, evidence=[{"turn": 0, "start": 0.2, "end": 1.0,
                                                                        "quote": "Слушаю"}]),
            _answer(1, "no_card_by_voice", "yes", 0, critical=True, confidence=0.95),
        ])

        # The other airline.
        south_version = _rubric_version(session, other.id, "call")
        south_call = Interaction(tenant_id=other.id, source="test", external_id="CALL-0001", channel=Channel.CALL,
                                 agent_id=south.id, started_at=started)
        session.add(south_call)
        session.flush()
        session.add(Turn(interaction_id=south_call.id, position=0, speaker="agent",
                         text="Южный Берег, секретный разговор.", start=0.0, end=2.0))
        south_eval = _auto_evaluation(session, south_call, south_version, [_answer(0, "greeting", "yes", 10)])

        # Calibration: the customer's reviewer sees the chat only.
        calibration = CalibrationSession(tenant_id=tenant.id, title="Калибровка недели")
        session.add(calibration)
        session.flush()
        session.add(CalibrationItem(session_id=calibration.id, interaction_id=chat.id))

        if with_dispute:
            review = Evaluation(
                tenant_id=tenant.id, interaction_id=mail.id, rubric_version_id=email_version.id,
                kind=EvaluationKind.REVIEW, status=EvaluationStatus.RELEASED, evaluator_id=world.users["qa"],
                score=mail_eval.score, submitted_at=datetime.now(UTC), released_at=datetime.now(UTC),
            )
            review.answers.extend(
                CriterionAnswer(position=a.position, criterion_id=a.criterion_id, answer=a.answer, points=a.points,
                                max_points=a.max_points, critical=a.critical, confidence=a.confidence,
                                evidence=list(a.evidence), machine_answer=a.machine_answer,
                                machine_confidence=a.machine_confidence)
                for a in mail_eval.answers
            )
            session.add(review)
            session.flush()
            dispute = Dispute(tenant_id=tenant.id, evaluation_id=review.id, criterion_id="signature",
                              raised_by_id=world.users["agent"], comment="Телефон есть в подписи", answer_before="no")
            session.add(dispute)
            session.flush()
            world.evaluations["email_review"], world.dispute_id = review.id, dispute.id

        world.call_id, world.chat_id, world.email_id = call.id, chat.id, mail.id
        world.other_agent_call_id, world.other_tenant_call_id = petr_call.id, south_call.id
        world.evaluations |= {"call": call_eval.id, "chat": chat_eval.id, "email": mail_eval.id, "petr": petr_eval.id,
                             "south": south_eval.id}
    return world


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> str:
    """Sign `client` in through the real form; return a CSRF token valid for the new session."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"sign-in of {email} failed: {response.status_code}"
    return csrf_from(client.get("/account/password").get_data(as_text=True))
