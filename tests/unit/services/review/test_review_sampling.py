"""Filling the review queue from the tenant's rule, and reading it back per reviewer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import World, build_world
from sqlalchemy import func, select

from qa_service.config import Settings
from qa_service.db.models import ReviewAssignment, User
from qa_service.db.session import transaction
from qa_service.services.access import viewer_for
from qa_service.services.review.sampling import active_rule, review_queue, run_sampling, save_rule

STARTED = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # a Tuesday
WEEK = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False, started=STARTED)


def test_sampling_assigns_the_weeks_picks_once(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        admin = viewer_for(session, session.get_one(User, world.users["admin"]))
        save_rule(session, world.tenant_id, per_agent=2, random_share=0.5, channels=["call", "chat", "email"],
                  due_days=2)
        result = run_sampling(session, admin, WEEK, seed=1, now=STARTED)
        # Анна has 3 interactions (quota 2), Пётр 1.
        assert (result.considered, result.assigned) == (4, 3)
        again = run_sampling(session, admin, WEEK, seed=1, now=STARTED)
        assert again.assigned == 0  # quotas are filled; nothing is assigned twice
        assignments = list(session.scalars(select(ReviewAssignment)))
        assert {a.reviewer_id for a in assignments} == {world.users["qa"]}
        assert all(a.due_at == STARTED + timedelta(days=2) for a in assignments)
        other_tenant = session.scalar(select(func.count()).where(ReviewAssignment.tenant_id == world.other_tenant_id))
        assert other_tenant == 0


def test_queue_shows_what_is_due_to_reviewers_only(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        qa = viewer_for(session, session.get_one(User, world.users["qa"]))
        run_sampling(session, qa, WEEK, seed=1, now=STARTED)
        items = review_queue(session, qa)
        assert items and all(item.overdue for item in items)  # due in 3 days from March 2026: long past
        trainer = viewer_for(session, session.get_one(User, world.users["trainer"]))
        assert review_queue(session, trainer) == []
        other = viewer_for(session, session.get_one(User, world.users["other_admin"]))
        assert review_queue(session, other) == []


def test_default_rule_when_none_is_set(settings: Settings, world: World) -> None:
    with transaction(settings.sqlalchemy_url) as session:
        rule = active_rule(session, world.tenant_id)
        assert (rule.per_agent_per_week, rule.random_share, rule.due_days) == (5, 0.3, 3)
        with pytest.raises(ValueError):
            save_rule(session, world.tenant_id, per_agent=1, random_share=2.0, channels=["call"], due_days=1)
