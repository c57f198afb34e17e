"""Nightly topics: clusters of first customer turns; a jump on the tested day flagged with its expected count."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from qa_service.config import Settings
from qa_service.db.models import Channel, Interaction, Tenant, Turn
from qa_service.db.session import transaction
from qa_service.services.search.topics import latest_topics, refresh_all_topics

NOW = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
STEADY = ["Хочу вернуть деньги за билет", "Верните деньги за отменённый рейс", "Когда вернут деньги за билет"]
SURGE = ["Можно ли перевезти собаку в салоне", "Хочу лететь с собакой, какие правила", "Перевозка собаки в салоне"]


def test_a_new_topic_is_flagged_on_its_day(settings: Settings) -> None:
    rng = random.Random(5)
    with transaction(settings.sqlalchemy_url) as session:
        tenant = Tenant(slug="sv", name="Северный Ветер")
        session.add(tenant)
        session.flush()
        tested = NOW.replace(hour=12) - timedelta(days=1)
        plan = [(tested - timedelta(days=d), rng.choice(STEADY)) for d in range(1, 29) for _ in range(2)]
        plan += [(tested, rng.choice(STEADY)) for _ in range(2)]
        plan += [(tested - timedelta(days=d), rng.choice(SURGE)) for d in (5, 17)]
        plan += [(tested + timedelta(minutes=m), rng.choice(SURGE)) for m in range(12)]
        for n, (started, text) in enumerate(plan):
            row = Interaction(tenant_id=tenant.id, source="t", external_id=f"c{n}", channel=Channel.CHAT,
                              started_at=started)
            session.add(row)
            session.flush()
            session.add_all([Turn(interaction_id=row.id, position=0, speaker="agent", text="Здравствуйте!"),
                             Turn(interaction_id=row.id, position=1, speaker="customer", text=text)])
        tenant_id = tenant.id
    assert refresh_all_topics(settings, NOW) >= 1
    with transaction(settings.sqlalchemy_url) as session:
        topics = latest_topics(session, tenant_id)
        emerging = [t for t in topics if t.emerging]
        # The surge may come out as one cluster or one per phrasing; every one of them is about dogs.
        assert emerging and all("собака" in t.label for t in emerging)
        assert sum(t.observed for t in emerging) == 12
        assert all(t.expected is not None and t.expected < 1 and t.examples for t in emerging)
        assert not any(t.emerging for t in topics if "деньга" in t.label)
