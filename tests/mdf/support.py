"""MDF test data: files, and a factory that walks money through the MDF services."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from PIL import Image
from sqlalchemy.orm import Session

from tcma.accounts.models import Partner, Tier, User
from tcma.mdf import budget_services, claim_services, payment_services, request_services
from tcma.mdf.models import Allocation, Budget, Claim, FundRequest
from tcma.mdf.request_services import RequestFields
from tcma.storage import EXTENSION_KEY
from tcma.storage.base import Storage
from tests.conftest import World

TODAY = dt.datetime.now(dt.UTC).date()
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    """A real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    """A real JPEG photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Funds:
    """Shortcuts through the MDF services, as the people in `world` would use them."""

    session: Session
    world: World
    storage: Storage

    def user(self, key: str):
        return self.world.users[key]

    def budget(self, amount: str = "100000", currency: str = "EUR") -> Budget:
        return budget_services.create_budget(
            self.session,
            self.user("finance"),
            name="FY budget",
            period_start=TODAY - dt.timedelta(days=60),
            period_end=TODAY + dt.timedelta(days=300),
            amount=Decimal(amount),
            currency=currency,
        )

    def allocation(self, amount: str = "10000", partner=None, budget=None) -> Allocation:
        budget = budget or self.budget()
        partner = partner or self.world.partner_a
        return budget_services.allocate(
            self.session, self.user("finance"), budget.id, partner.id, Decimal(amount)
        )

    def draft(
        self,
        allocation: Allocation,
        requested: str = "2000",
        cost: str = "5000",
        user: str = "a_user",
        start: dt.date | None = None,
        end: dt.date | None = None,
        campaign_id: int | None = None,
    ) -> FundRequest:
        fields = RequestFields(
            allocation_id=allocation.id,
            activity_type="webinar",
            title="Zero-trust webinar for Nordic CIOs",
            description="A 45-minute webinar with a customer story.",
            start_date=start or TODAY - dt.timedelta(days=20),
            end_date=end or TODAY - dt.timedelta(days=10),
            total_cost=Decimal(cost),
            requested_amount=Decimal(requested),
            expected_leads=40,
            expected_pipeline=Decimal("120000"),
            campaign_id=campaign_id,
        )
        return request_services.create_request(self.session, self.user(user), fields)

    def submitted(self, allocation: Allocation, requested: str = "2000", **kw) -> FundRequest:
        request = self.draft(allocation, requested, **kw)
        return request_services.submit_request(self.session, self.user("a_user"), request.id)

    def approved(
        self, allocation: Allocation, requested: str = "2000", amount: str | None = None, **kw
    ) -> FundRequest:
        request = self.submitted(allocation, requested, **kw)
        approved_amount = Decimal(amount) if amount else None
        request, _ = request_services.approve_request(
            self.session, self.user("marketer"), request.id, approved_amount
        )
        return request

    def claim(
        self,
        request: FundRequest,
        claimed: str = "1500",
        actual: str = "4000",
        invoice: bool = True,
    ) -> Claim:
        claim = claim_services.create_claim(
            self.session,
            self.user("a_user"),
            request.id,
            actual_cost=Decimal(actual),
            claimed_amount=Decimal(claimed),
            today=TODAY,
        )
        if invoice:
            claim_services.add_proof(
                self.session,
                self.storage,
                self.user("a_user"),
                claim.id,
                "invoice",
                "invoice-2041.pdf",
                PDF_BYTES,
            )
        return claim

    def submitted_claim(self, request: FundRequest, claimed: str = "1500", **kw) -> Claim:
        claim = self.claim(request, claimed, **kw)
        return claim_services.submit_claim(self.session, self.user("a_user"), claim.id, TODAY)

    def approved_claim(
        self, request: FundRequest, claimed: str = "1500", amount: str | None = None
    ) -> Claim:
        claim = self.submitted_claim(request, claimed)
        return claim_services.approve_claim(
            self.session, self.user("finance"), claim.id, Decimal(amount) if amount else None
        )

    def paid_claim(self, request: FundRequest, claimed: str = "1500") -> Claim:
        claim = self.approved_claim(request, claimed)
        payment_services.record_payment(
            self.session,
            self.user("finance"),
            claim.id,
            paid_on=TODAY,
            method="bank_transfer",
            reference=f"BT-{claim.id:05d}",
        )
        return claim


def matrix_objects(ctx: SimpleNamespace) -> SimpleNamespace:
    """Partner A's MDF objects in every state the access matrix needs."""
    if not hasattr(ctx, "mdf_objects"):
        app, world = ctx.app, ctx.world
        session = app.extensions["tcma.sessionmaker"]()
        with app.app_context():
            funds = Funds(session, _reload(session, world), app.extensions[EXTENSION_KEY])
            budget = funds.budget("50000")
            allocation = funds.allocation("20000", budget=budget)
            draft = funds.draft(allocation, "500")
            submitted = funds.submitted(allocation, "800")
            approved = funds.approved(allocation, "2000")
            draft_claim = funds.claim(approved, "300")
            submitted_claim = funds.submitted_claim(approved, "400")
            session.commit()
        ctx.mdf_objects = SimpleNamespace(
            budget_id=budget.id,
            allocation_id=allocation.id,
            draft_id=draft.id,
            submitted_id=submitted.id,
            approved_id=approved.id,
            draft_claim_id=draft_claim.id,
            claim_id=submitted_claim.id,
            proof_id=submitted_claim.proof_files[0].id,
        )
        session.close()
    return ctx.mdf_objects


def _reload(session: Session, world: World) -> World:
    """The same world, with its objects loaded in ``session``."""
    return World(
        tiers={name: session.get(Tier, tier.id) for name, tier in world.tiers.items()},
        partner_a=session.get(Partner, world.partner_a.id),
        partner_b=session.get(Partner, world.partner_b.id),
        users={key: session.get(User, user.id) for key, user in world.users.items()},
    )
