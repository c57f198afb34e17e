"""The demo's coaching: flagged needs with evidence, one coaching done with a measured improvement, a task
waiting for the demo agent; seeding and the nightly job are idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.core.coaching_stats import Verdict
from qa_service.db.models import Agent, CoachingStatus, CoachingTask, NeedRule, Role, TrainingNeed, User
from qa_service.db.session import transaction
from qa_service.demo.tenant import prepare_demo_accounts, seed_demo_coaching
from qa_service.jobs import refresh_all_training_needs, using_settings
from qa_service.services.access import Viewer, viewer_for
from qa_service.services.coaching.effects import effects_by_module, measured_coaching
from qa_service.services.coaching.notices import notices_for
from qa_service.services.coaching.tasks import demand_by_module, list_needs


def test_demo_coaching(settings: Settings) -> None:
    accounts = prepare_demo_accounts(settings)
    assert seed_demo_coaching(settings, accounts.tenant_id)
    assert not seed_demo_coaching(settings, accounts.tenant_id)  # once
    now = datetime.now(UTC)
    trainer = Viewer(user_id=0, tenant_id=accounts.tenant_id, role=Role.TRAINER)
    with transaction(settings.sqlalchemy_url) as session:
        needs = list_needs(session, trainer)
        flagged = {(row.agent.name, row.need.rule, row.need.module) for row in needs}
        assert ("Елена Кузнецова", NeedRule.TEAM_GAP, "T-FARES") in flagged
        assert ("Сергей Павлов", NeedRule.CRITICAL, "T-PAY") in flagged
        assert all(row.need.evidence_interaction_ids for row in needs)
        assert not [row for row in needs if row.agent.name == "Виктор Орлов"]  # coached, recovered
        fares = next(d for d in demand_by_module(needs) if d.module == "T-FARES")
        assert fares.agents >= 3 and fares.group_suggested

        [done] = measured_coaching(session, trainer, now)
        assert done.agent.name == "Виктор Орлов" and done.task.module == "T-OPEN"
        assert done.effect.verdict == Verdict.IMPROVED
        assert done.effect.high is not None and done.effect.high < 0
        [module] = effects_by_module([done])
        assert module.pooled.count == 1 and module.title == "Открытие и завершение разговора"

        agent_user = session.scalar(select(User).where(User.email == "agent@demo.local"))
        assert agent_user is not None
        agent = viewer_for(session, agent_user)
        [notice] = notices_for(session, agent, now)
        assert notice.kind == "new" and notice.task.module == "T-HOLD" and notice.task.acknowledged_at is None
        assert session.scalar(select(Agent.name).where(Agent.id == notice.task.agent_id)) == "Анна Смирнова"
        open_before = session.scalar(select(func.count()).select_from(TrainingNeed).where(
            TrainingNeed.resolved_at.is_(None)))

    with using_settings(settings):
        refresh_all_training_needs()  # the nightly job, in-process: the same data gives the same needs
    with transaction(settings.sqlalchemy_url) as session:
        assert session.scalar(select(func.count()).select_from(TrainingNeed).where(
            TrainingNeed.resolved_at.is_(None))) == open_before
        assert session.scalar(select(func.count()).select_from(CoachingTask).where(
            CoachingTask.status == CoachingStatus.DONE)) == 1
