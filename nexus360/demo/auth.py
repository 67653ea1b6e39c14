"""Demo users: the staff of `data.STAFF` with their roles, and the four demo accounts' local credentials."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from nexus360.auth.models import LocalCredential, Role, User, UserRole
from nexus360.auth.schemas import LOCAL_AZURE_ID_PREFIX
from nexus360.auth.signin.service import hash_password
from nexus360.db import Database
from nexus360.demo import data
from nexus360.demo.common import Clock, Demo, Member, insert_rows, month_start, plain_ascii, rng_for

DATABASE = Database.AUTH
TABLES = ("users", "user_roles", "local_credentials")  # roles and permissions belong to the migrations
DEMO_PASSWORD = "nexus360-demo"
DEMO_USERNAMES = ("admin", "manager", "rep", "marketer")


def seed(session: Session, demo: Demo) -> str:
    """Users (managers first), their roles and local accounts; the members the other steps need."""
    demo.members = _seed_auth(session, demo.clock, demo.counts)
    return f"auth: {demo.counts['users']} users, {demo.counts['local_credentials']} local accounts"


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def _seed_auth(session: Session, clock: Clock, counts: dict[str, int]) -> list[Member]:
    rng = rng_for("auth")
    role_ids = dict(session.execute(select(Role.name, Role.id)).all())
    members: dict[str, Member] = {}
    stamps: dict[int, object] = {}  # each user's updated_at as generated
    pending = list(data.STAFF)
    while pending:  # managers first: a row's manager_id must already exist
        level = [staff for staff in pending if staff[3] is None or staff[3] in members]
        pending = [staff for staff in pending if staff not in level]
        rows = []
        for first, last, _role, manager, _username, hired, left in level:
            email = f"{plain_ascii(first)}.{plain_ascii(last)}@{data.EMAIL_DOMAIN}"
            created = clock.stamp(month_start(clock.anchor, -hired) + timedelta(days=rng.randint(0, 20)), rng)
            updated = clock.stamp(month_start(clock.anchor, -left), rng) if left else created
            rows.append({
                "azure_id": LOCAL_AZURE_ID_PREFIX + str(uuid.uuid5(uuid.NAMESPACE_DNS, email)),
                "email": email, "first_name": first,
                "last_name": last, "is_active": left is None, "manager_id": members[manager].id if manager else None,
                "created_at": created, "updated_at": updated,
            })
        ids = insert_rows(session, User, rows, counts)
        for user_id, row, (first, last, role, _manager, _username, _hired, left) in zip(ids, rows, level, strict=True):
            stamps[user_id] = row["updated_at"]
            members[first] = Member(
                id=user_id, first_name=first, last_name=last, role=role, manager_id=row["manager_id"],
                hired=row["created_at"].date(), left=row["updated_at"].date() if left else None,
                created_at=row["created_at"],
            )
    staff = [members[entry[0]] for entry in data.STAFF]
    role_rows = [{"user_id": m.id, "role_id": role_ids[m.role], "created_at": m.created_at} for m in staff]
    insert_rows(session, UserRole, role_rows, counts, ids=False)
    credentials = [
        {"user_id": members[entry[0]].id, "username": entry[4], "password_hash": hash_password(DEMO_PASSWORD),
         "failed_attempts": 0, "created_at": members[entry[0]].created_at,
         "updated_at": members[entry[0]].created_at}
        for entry in data.STAFF
        if entry[4]
    ]
    insert_rows(session, LocalCredential, credentials, counts, ids=False)
    _keep_stamps(session, stamps)
    return staff


def _keep_stamps(session: Session, stamps: dict[int, object]) -> None:
    """Granting roles and passwords raises each user's access version, and that update touches updated_at;
    put back the generated stamps (the trigger paused in this transaction) so a reload is identical."""
    session.execute(text("ALTER TABLE users DISABLE TRIGGER trg_users_updated_at"))
    session.execute(update(User), [{"id": user_id, "updated_at": stamp} for user_id, stamp in stamps.items()])
    session.execute(text("ALTER TABLE users ENABLE TRIGGER trg_users_updated_at"))
