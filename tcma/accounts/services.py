"""Account use cases: tiers, partners, invitations, sign-in, passwords."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tcma import audit
from tcma.accounts import rules
from tcma.accounts.models import Partner, Tier, User
from tcma.accounts.rules import AccountError
from tcma.db import utcnow

# A real hash of a random password, checked when the email is unknown so that a wrong email
# costs the same time as a wrong password and timing does not reveal which emails exist.
_DUMMY_HASH = generate_password_hash("tcma-timing-equaliser-7f3a9c")


def hash_password(password: str) -> str:
    """Hash with werkzeug's scrypt."""
    return generate_password_hash(password, method="scrypt")


def check_new_password(password: str, email: str) -> None:
    """Raise AccountError when the password breaks the policy."""
    problem = rules.password_problem(password, email)
    if problem:
        raise AccountError(problem, field="password")


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this email, case-insensitively."""
    return session.scalar(select(User).where(User.email == rules.normalise_email(email)))


def find_partner_by_name(session: Session, name: str) -> Partner | None:
    """The partner with this name, case-insensitively."""
    return session.scalar(select(Partner).where(func.lower(Partner.name) == name.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the user for these credentials or raise one message for every failure."""
    user = find_user_by_email(session, email)
    wrong = AccountError("The email or password is not correct.")
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        raise wrong
    if not check_password_hash(user.password_hash, password):
        raise wrong
    # Only someone who knows the password learns why an account cannot sign in.
    if user.status == "deactivated":
        raise AccountError("This account has been deactivated. Ask your administrator.")
    if user.partner is not None and not user.partner.is_active:
        raise AccountError("Your company's access to the partner program is suspended.")
    if user.status != "active":
        raise wrong
    user.last_login_at = utcnow()
    session.flush()
    return user


def create_tier(
    session: Session, actor: User | None, name: str, rank: int, description: str = ""
) -> Tier:
    """Add a partner tier; names are unique."""
    name = name.strip()
    if session.scalar(select(Tier).where(func.lower(Tier.name) == name.lower())):
        raise AccountError(f"A tier named {name!r} already exists.", field="name")
    tier = Tier(name=name, rank=rank, description=description.strip())
    session.add(tier)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="tier.created",
        object_type="tier",
        object_id=tier.id,
        data={"name": name, "rank": rank},
    )
    return tier


def update_tier(
    session: Session, actor: User, tier: Tier, name: str, rank: int, description: str
) -> Tier:
    """Rename or re-rank a tier."""
    name = name.strip()
    clash = session.scalar(
        select(Tier).where(func.lower(Tier.name) == name.lower(), Tier.id != tier.id)
    )
    if clash:
        raise AccountError(f"A tier named {name!r} already exists.", field="name")
    tier.name, tier.rank, tier.description = name, rank, description.strip()
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="tier.updated",
        object_type="tier",
        object_id=tier.id,
        data={"name": name, "rank": rank},
    )
    return tier


def _check_partner_values(
    session: Session, name: str, tier_id: int, region: str, partner_id: int | None
) -> None:
    clash = select(Partner).where(func.lower(Partner.name) == name.lower())
    if partner_id is not None:
        clash = clash.where(Partner.id != partner_id)
    if session.scalar(clash):
        raise AccountError(f"A partner named {name!r} already exists.", field="name")
    if session.get(Tier, tier_id) is None:
        raise AccountError("Choose a tier.", field="tier_id")
    if region not in rules.REGIONS:
        raise AccountError("Choose a region.", field="region")


def create_partner(
    session: Session, actor: User | None, name: str, tier_id: int, region: str, website: str = ""
) -> Partner:
    """Add a partner company (a tenant)."""
    name = name.strip()
    _check_partner_values(session, name, tier_id, region, None)
    partner = Partner(name=name, tier_id=tier_id, region=region, website=website.strip())
    session.add(partner)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="partner.created",
        object_type="partner",
        object_id=partner.id,
        partner_id=partner.id,
        to_state="active",
        data={"name": name},
    )
    return partner


def update_partner(
    session: Session,
    actor: User,
    partner: Partner,
    name: str,
    tier_id: int,
    region: str,
    website: str,
) -> Partner:
    """Change a partner's name, tier, region or website."""
    name = name.strip()
    _check_partner_values(session, name, tier_id, region, partner.id)
    before = {"name": partner.name, "tier_id": partner.tier_id, "region": partner.region}
    partner.name, partner.tier_id, partner.region, partner.website = (
        name,
        tier_id,
        region,
        website.strip(),
    )
    session.flush()
    session.refresh(partner)
    audit.record(
        session,
        actor_id=actor.id,
        action="partner.updated",
        object_type="partner",
        object_id=partner.id,
        partner_id=partner.id,
        data={"before": before, "after": {"name": name, "tier_id": tier_id, "region": region}},
    )
    return partner


def set_partner_status(
    session: Session, actor: User, partner: Partner, status: str, comment: str = ""
) -> Partner:
    """Suspend or reactivate a partner; a suspended partner's users cannot sign in."""
    if status not in ("active", "suspended"):
        raise AccountError("Unknown partner status.")
    if partner.status == status:
        return partner
    before, partner.status = partner.status, status
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action=f"partner.{'suspended' if status == 'suspended' else 'reactivated'}",
        object_type="partner",
        object_id=partner.id,
        partner_id=partner.id,
        from_state=before,
        to_state=status,
        comment=comment or None,
    )
    return partner


def invite_user(
    session: Session,
    inviter: User | None,
    email: str,
    role: str,
    partner_id: int | None,
    name: str = "",
) -> User:
    """Create an invited user; they set their password through the emailed link."""
    email = rules.normalise_email(email)
    if inviter is not None:
        if role not in rules.roles_a_user_may_invite(inviter.role):
            raise AccountError("You cannot invite someone with that role.", field="role")
        if inviter.role == rules.PARTNER_ADMIN:
            partner_id = inviter.partner_id
    if rules.is_vendor_role(role):
        partner_id = None
    elif partner_id is None or session.get(Partner, partner_id) is None:
        raise AccountError("Choose the partner company this person works for.", field="partner_id")
    if find_user_by_email(session, email):
        raise AccountError("Someone with this email already has an account.", field="email")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        partner_id=partner_id,
        status="invited",
        invited_by_id=inviter.id if inviter else None,
    )
    session.add(user)
    session.flush()
    session.refresh(user)
    audit.record(
        session,
        actor_id=inviter.id if inviter else None,
        action="user.invited",
        object_type="user",
        object_id=user.id,
        partner_id=partner_id,
        to_state="invited",
        data={"email": email, "role": role},
    )
    return user


def invite_or_find_existing(
    session: Session,
    inviter: User,
    email: str,
    role: str,
    partner_id: int | None,
    name: str = "",
) -> tuple[User, bool]:
    """Invite as invite_user, or (the existing user, False) when the email has an account.

    For inviters who must not learn whether an address has an account elsewhere (another
    partner or the vendor): the caller answers the same way in both cases.
    """
    existing = find_user_by_email(session, email)
    if existing is None:
        return invite_user(session, inviter, email, role, partner_id, name), True
    audit.record(
        session,
        actor_id=inviter.id,
        action="user.invite_of_existing_account",
        object_type="user",
        object_id=existing.id,
        partner_id=inviter.partner_id,
        data={"role": role},
    )
    return existing, False


def accept_invitation(session: Session, user: User, password: str, name: str) -> User:
    """Set the password of an invited user and activate the account."""
    if user.status != "invited":
        raise AccountError("This invitation has already been used. Sign in instead.")
    check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    user.name = name.strip() or user.name
    user.status = "active"
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="user.activated",
        object_type="user",
        object_id=user.id,
        partner_id=user.partner_id,
        from_state="invited",
        to_state="active",
    )
    return user


def reset_password(session: Session, user: User, password: str) -> User:
    """Replace a user's password (which also ends their other sessions)."""
    if user.status != "active":
        raise AccountError("This account cannot sign in. Ask your administrator.")
    check_new_password(password, user.email)
    user.password_hash = hash_password(password)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="user.password_reset",
        object_type="user",
        object_id=user.id,
        partner_id=user.partner_id,
    )
    return user


def set_user_status(session: Session, actor: User, user: User, status: str) -> User:
    """Deactivate or reactivate a user; partner admins only within their own company."""
    if status not in ("active", "deactivated"):
        raise AccountError("Unknown user status.")
    if actor.role == rules.PARTNER_ADMIN and user.partner_id != actor.partner_id:
        raise AccountError("You can only manage people of your own company.")
    if actor.role not in (rules.ADMIN, rules.PARTNER_ADMIN):
        raise AccountError("You cannot manage users.")
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account.")
    if status == "active" and user.password_hash is None:
        raise AccountError("This person has not accepted their invitation yet.")
    if user.status == status:
        return user
    before, user.status = user.status, status
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action=f"user.{status}",
        object_type="user",
        object_id=user.id,
        partner_id=user.partner_id,
        from_state=before,
        to_state=status,
    )
    return user


def create_active_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    partner_id: int | None = None,
    name: str = "",
) -> User:
    """Create a signed-up user directly (the `tcma users create` command and demo data)."""
    check_new_password(password, email)
    user = invite_user(session, None, email, role, partner_id, name)
    return accept_invitation(session, user, password, name)
