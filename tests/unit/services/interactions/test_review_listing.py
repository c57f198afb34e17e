"""The interaction list: scope, filters, keyset pages, search — on SQLite and the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import World, build_world
from sqlalchemy import text

from qa_service.config import Settings
from qa_service.db.models import Channel, Interaction, Role, User
from qa_service.db.session import transaction
from qa_service.services.access import Viewer, viewer_for
from qa_service.services.interactions.listing import ListFilters, decode_cursor, list_interactions


def _ids(settings: Settings, user_id: int, **filters: object) -> list[str]:
    with transaction(settings.sqlalchemy_url) as session:
        viewer = viewer_for(session, session.get_one(User, user_id))
        page = list_interactions(session, viewer, ListFilters(**filters))  # type: ignore[arg-type]
        return [row.interaction.external_id for row in page.rows]


@pytest.fixture
def world(settings: Settings) -> World:
    return build_world(settings, with_audio=False)


def test_scope_by_role(settings: Settings, world: World) -> None:
    assert set(_ids(settings, world.users["qa"])) == {"CALL-0001", "CHAT-0001", "MAIL-0001", "CALL-0002"}
    assert set(_ids(settings, world.users["supervisor"])) == {"CALL-0001", "CHAT-0001", "MAIL-0001"}
    assert set(_ids(settings, world.users["agent"])) == {"CALL-0001", "CHAT-0001", "MAIL-0001"}
    assert _ids(settings, world.users["customer"]) == ["CHAT-0001"]
    assert _ids(settings, world.users["other_admin"]) == ["CALL-0001"]


def test_filters(settings: Settings, world: World) -> None:
    qa = world.users["qa"]
    assert _ids(settings, qa, channel="chat") == ["CHAT-0001"]
    assert _ids(settings, qa, team_id=world.teams["beta"]) == ["CALL-0002"]
    assert _ids(settings, qa, agent_id=world.agents["petr"]) == ["CALL-0002"]
    assert _ids(settings, qa, queue="mail") == ["MAIL-0001"]
    assert _ids(settings, qa, topic="baggage") == ["CHAT-0001"]
    assert _ids(settings, qa, needs_review=True) == ["CALL-0001"]
    assert _ids(settings, qa, criterion_failed="signature") == ["MAIL-0001"]
    # e-mail 45/55 = 81.82; chat 25/35 = 71.43; Пётр's call 0; Анна's call 72.73
    assert _ids(settings, qa, score_min=80, score_max=100) == ["MAIL-0001"]
    assert _ids(settings, qa, score_max=10) == ["CALL-0002"]
    assert _ids(settings, qa, reviewed=True) == []
    assert _ids(settings, qa, text="бронирования") == ["CALL-0001"]
    assert _ids(settings, qa, text="код бронирования") == ["CALL-0001"]
    later = datetime.now(UTC) + timedelta(days=1)
    assert _ids(settings, qa, date_from=later) == []


def test_sorting(settings: Settings, world: World) -> None:
    qa = world.users["qa"]
    assert _ids(settings, qa) == ["CALL-0002", "MAIL-0001", "CHAT-0001", "CALL-0001"]
    assert _ids(settings, qa, sort="oldest") == ["CALL-0001", "CHAT-0001", "MAIL-0001", "CALL-0002"]
    assert _ids(settings, qa, sort="score_asc")[0] == "CALL-0002"


def _seed_many(settings: Settings, tenant_id: int, n: int) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with transaction(settings.sqlalchemy_url) as session:
        session.add_all(
            Interaction(tenant_id=tenant_id, source="bulk", external_id=f"B{i:04d}", channel=Channel.CALL,
                        started_at=base + timedelta(minutes=i // 2), score=float(i % 100))  # ties on started_at
            for i in range(n)
        )


@pytest.mark.parametrize("sort", ["newest", "oldest", "score_asc", "score_desc"])
def test_keyset_pages_cover_everything_once(settings: Settings, world: World, sort: str) -> None:
    _seed_many(settings, world.tenant_id, 130)
    seen: list[int] = []
    with transaction(settings.sqlalchemy_url) as session:
        viewer = viewer_for(session, session.get_one(User, world.users["qa"]))
        cursor = None
        while True:
            page = list_interactions(session, viewer, ListFilters(sort=sort), cursor=cursor, limit=25)
            seen += [row.interaction.id for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 134


def test_a_forged_cursor_is_ignored() -> None:
    assert decode_cursor("not-base64!") is None
    assert decode_cursor("W10") is None  # "[]"


@pytest.mark.postgres
def test_postgres_full_text_uses_russian_stemming(pg_settings: Settings) -> None:
    from sqlalchemy import delete

    from qa_service.db.models import Tenant

    world = build_world(pg_settings, with_audio=False)
    try:
        qa = world.users["qa"]
        # «бронированию» is another form of «бронирования»: stemming finds it, a substring would not.
        assert _ids(pg_settings, qa, text="бронированию") == ["CALL-0001"]
        assert _ids(pg_settings, qa, text="багажом") == ["CHAT-0001"]
    finally:
        with transaction(pg_settings.sqlalchemy_url) as session:
            session.execute(delete(Tenant))


@pytest.mark.postgres
@pytest.mark.parametrize(("sort", "index"), [("newest", "ix_interactions_tenant_started"),
                                             ("score_asc", "ix_interactions_tenant_score")])
def test_postgres_list_pages_use_their_index(pg_settings: Settings, sort: str, index: str) -> None:
    """The list's own SQL, planned on PostgreSQL: an index scan in page order, no sort of the table.

    The table is small here, so sequential scans are switched off to see which index the planner
    would pick at 1 M rows (benchmarks/web.py measures that for real).
    """
    from sqlalchemy.dialects import postgresql

    from qa_service.services.interactions import listing

    with transaction(pg_settings.sqlalchemy_url) as session:
        # The shared test database's statistics change with what other tests stored (autovacuum
        # analyses it): with a handful of rows the planner prefers a bitmap scan and a sort. Sorts
        # and bitmap scans are switched off too, so the plan shows whether an index can give the
        # page order at all; without one, PostgreSQL still sorts and the test fails.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
        session.execute(text("SET LOCAL enable_sort = off"))
        captured: list[str] = []
        original = session.execute

        def capture(statement, *args, **kwargs):  # type: ignore[no-untyped-def]
            captured.append(str(statement.compile(dialect=postgresql.dialect(),
                                                  compile_kwargs={"literal_binds": True})))
            return original(statement, *args, **kwargs)

        viewer = Viewer(user_id=0, tenant_id=1, role=Role.QA)
        session.execute = capture  # type: ignore[method-assign]
        listing.list_interactions(session, viewer, ListFilters(sort=sort))
        session.execute = original  # type: ignore[method-assign]
        plan = "\n".join(session.execute(text("EXPLAIN " + captured[0])).scalars())
    assert index in plan and "Sort" not in plan, plan
