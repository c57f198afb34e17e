"""Account use cases of the UI: sign-in check, password change, user and team admin, agent links."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_service.config import Settings
from qa_service.db.models import Agent, Role, Team, Tenant, User
from qa_service.db.session import transaction
from qa_service.services.accounts.tenants import AccountError, create_user, hash_password, verify_password
from qa_service.services.input_limits import check_id, check_text


# Verifying against a fixed hash when the e-mail is unknown keeps the timing of both failures alike.
class AccountNotFound(AccountError):
    """The user or agent named is not of this tenant (or does not exist): the UI answers 404."""


_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$hCS7J6Lstgo+x+57AjrEgg$3RoZ5mi8E8Rww8XG5M84M8VxOmGzF8G9nJv2pEsDPvU"


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password (in any tenant), or None."""
    email = email.strip().lower()
    candidates = list(session.scalars(select(User).where(User.email == email, User.active.is_(True)).order_by(User.id)))
    if not candidates:
        verify_password(_DUMMY_HASH, password)
        return None
    for user in candidates:
        if verify_password(user.password_hash, password):
            user.last_login_at = datetime.now(UTC)
            return user
    return None


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one (raises AccountError)."""
    if not verify_password(user.password_hash, current):
        raise AccountError("текущий пароль неверен", "the current password is wrong")
    user.password_hash = hash_password(new)


def tenant_users(session: Session, tenant_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.tenant_id == tenant_id).order_by(User.name)))


def tenant_teams(session: Session, tenant_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.tenant_id == tenant_id).order_by(Team.name)))


def tenant_agents(session: Session, tenant_id: int) -> list[Agent]:
    return list(session.scalars(select(Agent).where(Agent.tenant_id == tenant_id).order_by(Agent.name)))


def add_user(session: Session, tenant_id: int, *, email: str, name: str, role: str, password: str) -> User:
    tenant = session.get_one(Tenant, tenant_id)
    return create_user(session, tenant, email=email, name=name, role=role, password=password)


def update_user(session: Session, tenant_id: int, user_id: int, *, role: str, active: bool) -> User:
    """Change a user's role or switch them off, inside the admin's tenant only."""
    user = session.scalar(select(User).where(User.id == user_id, User.tenant_id == tenant_id))
    if user is None:
        raise AccountNotFound("пользователь не найден", "user not found")
    try:
        user.role = Role(role)
    except ValueError:
        raise AccountError(f"неизвестная роль {role!r}", f"unknown role {role!r}") from None
    if user.active != active:
        # Switching someone off or back on ends every session they had: a cookie kept from before
        # the deactivation must not become valid again when the account is reactivated.
        user.session_epoch = (user.session_epoch or 0) + 1
    user.active = active
    return user


def add_team(session: Session, tenant_id: int, name: str, supervisor_id: int | None) -> Team:
    name = check_text(name.strip(), Team.name, "название команды", "team name")
    check_id(supervisor_id, "руководитель", "supervisor")
    if not name:
        raise AccountError("укажите название команды", "the team needs a name")
    if session.scalar(select(Team).where(Team.tenant_id == tenant_id, Team.name == name)):
        raise AccountError(f"команда «{name}» уже есть", f"team {name!r} already exists")
    if supervisor_id is not None and not session.scalar(
        select(User.id).where(User.id == supervisor_id, User.tenant_id == tenant_id)
    ):
        raise AccountError("руководитель не найден", "supervisor not found")
    team = Team(tenant_id=tenant_id, name=name, supervisor_id=supervisor_id)
    session.add(team)
    session.flush()
    return team


def assign_agent_team(session: Session, tenant_id: int, agent_id: int, team_id: int | None) -> Agent:
    check_id(team_id, "команда", "team")
    agent = session.scalar(select(Agent).where(Agent.id == agent_id, Agent.tenant_id == tenant_id))
    if agent is None:
        raise AccountNotFound("оператор не найден", "agent not found")
    team_exists = select(Team.id).where(Team.id == team_id, Team.tenant_id == tenant_id)
    if team_id is not None and not session.scalar(team_exists):
        raise AccountError("команда не найдена", "team not found")
    agent.team_id = team_id
    return agent


def link_agent_cli(settings: Settings, tenant_slug: str, user_email: str, agent_external_id: str) -> bool:
    """`qa-service link-agent`: whether the sign-in is now tied to the platform's agent id."""
    from qa_service.services.accounts.tenants import tenant_by_slug

    with transaction(settings.sqlalchemy_url) as session:
        tenant = tenant_by_slug(session, tenant_slug)
        return link_user_to_agent(session, tenant.id, user_email, agent_external_id) is not None


def link_user_to_agent(session: Session, tenant_id: int, user_email: str, agent_external_id: str) -> Agent | None:
    """Tie a sign-in to the platform's agent id so the agent view shows their evaluations.

    Returns None when that agent has not been ingested yet (call it again after ingestion).
    """
    user = session.scalar(select(User).where(User.tenant_id == tenant_id, User.email == user_email.strip().lower()))
    if user is None:
        raise AccountError(f"пользователь {user_email} не найден", f"user {user_email} not found")
    agent = session.scalar(select(Agent).where(Agent.tenant_id == tenant_id, Agent.external_id == agent_external_id))
    if agent is not None:
        agent.user_id = user.id
    return agent
