"""The world the access matrix runs against: `factories.build_world` plus every object a route names.

Both airlines get a user of every role, so each role is checked from its own tenant and from the
other one; our tenant also gets a platform operator (a QA user listed in `platform_operators`), a
connector, a calibration session, a training need with a coaching task and its material, a stored
report run and an API token.  `ids` fills the `{...}` placeholders of the matrix's paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from factories import PASSWORD, World, build_world
from sqlalchemy import select

from qa_service.config import Settings
from qa_service.db.blobs import BlobStore
from qa_service.db.models import (
    Agent,
    CalibrationItem,
    Case,
    CaseContact,
    CoachingMaterial,
    CoachingTask,
    ConnectorConfig,
    Evaluation,
    Interaction,
    ReportRun,
    Role,
    Rubric,
    Team,
    Tenant,
    TrainingNeed,
    User,
)
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.accounts.tenants import hash_password
from qa_service.services.accounts.tokens import issue_token
from qa_service.services.calibration.sessions import create_session

ROLES = ("admin", "qa", "trainer", "supervisor", "agent", "customer")
OPERATOR_EMAIL = "operator@severny.test"
OPERATOR = ("severny-veter", OPERATOR_EMAIL)
METRICS_TOKEN = "metrics-scraper-token"
# Text only our airline's rows contain: a page shown to the other airline must carry none of it.
OUR_MARKERS = ("severny.test", "Анна Смирнова", "Пётр Иванов", "Калибровка недели", "Альфа", "КЛМ", "agent-petr",
               "Калибровка матрицы")


@dataclass
class MatrixWorld:
    world: World
    emails: dict[str, str] = field(default_factory=dict)  # principal ("qa", "qa@other", "operator") -> e-mail
    ids: dict[str, int | str] = field(default_factory=dict)
    api_token: str = ""


def principal_role(principal: str) -> str:
    """The role a principal has: "qa@other" -> "qa"; the operator is a QA specialist."""
    return "qa" if principal == "operator" else principal.split("@")[0]


def is_other_tenant(principal: str) -> bool:
    return principal.endswith("@other")


def build_matrix_world(settings: Settings) -> MatrixWorld:
    world = build_world(settings, with_audio=True, with_dispute=True)
    result = MatrixWorld(world=world)
    result.emails = {role: world.emails[role] for role in ROLES}
    result.emails["admin@other"] = world.other_admin_email
    password_hash = hash_password(PASSWORD)
    with transaction(settings.sqlalchemy_url) as session:
        other_team = Team(tenant_id=world.other_tenant_id, name="Юг-1")
        session.add(other_team)
        session.flush()
        for role in ROLES[1:]:
            user = User(tenant_id=world.other_tenant_id, email=f"{role}@yuzhny.test", name=f"Южный {role}",
                        role=Role(role), password_hash=password_hash)
            session.add(user)
            session.flush()
            result.emails[f"{role}@other"] = user.email
            if role == "supervisor":
                other_team.supervisor_id = user.id
            if role == "agent":
                south = session.get_one(Agent, world.agents["south"])
                south.user_id, south.team_id = user.id, other_team.id
        operator = User(tenant_id=world.tenant_id, email=OPERATOR_EMAIL, name="Оператор платформы", role=Role.QA,
                        password_hash=password_hash)
        session.add(operator)
        session.flush()
        result.emails["operator"] = OPERATOR_EMAIL

        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        calibration = create_session(session, admin, title="Калибровка матрицы", due_at=None,
                                     interaction_ids=[world.call_id, world.chat_id],
                                     participant_ids=[world.users["qa"], world.users["customer"]])
        item = session.scalars(select(CalibrationItem.id).where(CalibrationItem.session_id == calibration.id)).first()
        connector = ConnectorConfig(tenant_id=world.tenant_id, name="Платформа", kind="http",
                                    config={"base_url": "http://127.0.0.1:9/"}, enabled=False)
        need = TrainingNeed(tenant_id=world.tenant_id, agent_id=world.agents["anna"], module="T-OPEN",
                            criterion_ids="greeting", reason="приветствие пропущено")
        session.add_all([connector, need])
        session.flush()
        task = CoachingTask(tenant_id=world.tenant_id, training_need_id=need.id, agent_id=world.agents["anna"],
                            trainer_id=world.users["trainer"], module="T-OPEN",
                            due_at=datetime.now(UTC) + timedelta(days=7))
        session.add(task)
        session.flush()
        material = CoachingMaterial(tenant_id=world.tenant_id, task_id=task.id, title="Памятка",
                                    blob_key=f"tenant-{world.tenant_id}/coaching/memo.txt", mime_type="text/plain",
                                    size_bytes=6)
        day = date.today() - timedelta(days=2)
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        run = ReportRun(tenant_id=world.tenant_id, kind="daily-operations", day=day, period_start=start,
                        period_end=start + timedelta(days=1), status="done",
                        blob_key=f"tenant-{world.tenant_id}/reports/ops.pdf")
        session.add_all([material, run])
        session.flush()
        # Анна's call in a case of its own (the supervisor's team: the supervisor sees the case too).
        case = Case(tenant_id=world.tenant_id, display="A****Q")
        session.add(case)
        session.flush()
        call_row = session.get_one(Interaction, world.call_id)
        session.add(CaseContact(tenant_id=world.tenant_id, interaction_id=world.call_id, case_id=case.id,
                                channel="call", started_at=call_row.started_at, reason="refund", outcome="resolved"))
        session.flush()
        rubric = session.scalars(select(Rubric).where(Rubric.tenant_id == world.tenant_id,
                                                      Rubric.slug == "airline-call")).one()
        version_id = session.scalar(select(Evaluation.rubric_version_id).where(
            Evaluation.id == world.evaluations["call"]))
        result.api_token = issue_token(session, session.get_one(Tenant, world.tenant_id))
        result.ids = {
            "call": world.call_id, "chat": world.chat_id, "email": world.email_id,
            "eval_call": world.evaluations["call"], "eval_email": world.evaluations["email"],
            "eval_review": world.evaluations["email_review"], "dispute": world.dispute_id,
            "user_qa": world.users["qa"], "agent_anna": world.agents["anna"], "team_beta": world.teams["beta"],
            "connector": connector.id, "rubric": rubric.id, "version": int(version_id or 0),
            "calibration": calibration.id, "item": int(item or 0), "need": need.id, "task": task.id,
            "material": material.id, "run": run.id, "report_day": day.isoformat(), "case": case.id,
        }
    blobs = BlobStore.from_url(settings.blob_url)
    blobs.put_bytes(f"tenant-{world.tenant_id}/coaching/memo.txt", b"memo.\n")
    blobs.put_bytes(f"tenant-{world.tenant_id}/reports/ops.pdf", b"%PDF-1.4\n%%EOF\n")
    return result
