"""Fund requests on the test database: drafts, submission, approval, four-eyes, decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tcma.audit import timeline
from tcma.mdf import budget_services, ledger, request_services
from tcma.mdf.rules import (
    FourEyesError,
    InsufficientFunds,
    LimitExceeded,
    MdfError,
    TransitionError,
)
from tests.mdf.support import TODAY
from tests.pipeline.support import live_campaign

D = Decimal


def _four_eyes(funds, threshold="5000"):
    budget_services.update_settings(
        funds.session,
        funds.user("admin"),
        four_eyes_threshold=D(threshold),
        claim_window_days=60,
        default_share_percent=50,
        shares={},
    )


def test_a_draft_is_submitted_and_approved_committing_the_amount(funds):
    allocation = funds.allocation("10000")
    request = funds.submitted(allocation, "2000")
    assert request.status == "submitted" and request.submission == 1
    request, step = request_services.approve_request(
        funds.session, funds.user("marketer"), request.id, D("1800"), "Trimmed the print line."
    )
    assert (step, request.status, request.approved_amount) == ("final", "approved", D("1800.00"))
    assert request.claim_due_on == request.end_date + dt.timedelta(days=60)
    balance = ledger.balance(funds.session, allocation.id)
    assert (balance.committed, balance.available) == (D("1800.00"), D("8200.00"))
    events = [
        (e.action, e.from_state, e.to_state)
        for e in timeline(funds.session, "fund_request", request.id)
    ]
    assert events == [
        ("mdf.request_created", None, "draft"),
        ("mdf.request_submitted", "draft", "submitted"),
        ("mdf.request_approved", "submitted", "approved"),
    ]


def test_request_is_capped_by_the_tier_co_op_share(funds, world):
    allocation = funds.allocation("10000")
    with pytest.raises(LimitExceeded) as refused:
        funds.draft(allocation, requested="2500.01", cost="5000")
    assert refused.value.field == "requested_amount"
    budget_services.update_settings(
        funds.session,
        funds.user("finance"),
        four_eyes_threshold=None,
        claim_window_days=60,
        default_share_percent=50,
        shares={world.tiers["gold"].id: 80},
    )
    assert funds.draft(allocation, requested="4000", cost="5000").share_percent == 80


def test_a_partner_cannot_use_another_partners_allocation(funds, world):
    allocation = funds.allocation("1000", partner=world.partner_b)
    with pytest.raises(MdfError) as refused:
        funds.draft(allocation)
    assert refused.value.field == "allocation_id"


def test_activity_must_start_inside_the_budget_period(funds):
    allocation = funds.allocation()
    with pytest.raises(MdfError) as refused:
        funds.draft(allocation, start=TODAY - dt.timedelta(days=400), end=TODAY)
    assert refused.value.field == "start_date"


def test_approval_fails_clearly_when_too_little_is_left(funds):
    allocation = funds.allocation("3000")
    funds.approved(allocation, "2000")
    request = funds.submitted(allocation, "1500")
    with pytest.raises(InsufficientFunds) as refused:
        request_services.approve_request(funds.session, funds.user("marketer"), request.id)
    assert "Only €1,000.00 is available" in refused.value.message
    request, _ = request_services.approve_request(
        funds.session, funds.user("marketer"), request.id, D("1000")
    )
    assert ledger.balance(funds.session, allocation.id).available == D("0.00")


def test_approval_cannot_exceed_the_request(funds):
    request = funds.submitted(funds.allocation(), "2000")
    with pytest.raises(LimitExceeded):
        request_services.approve_request(
            funds.session, funds.user("marketer"), request.id, D("2000.01")
        )


def test_large_requests_need_two_different_approvers(funds):
    _four_eyes(funds, "1000")
    allocation = funds.allocation("10000")
    request = funds.submitted(allocation, "2000")
    request, step = request_services.approve_request(
        funds.session, funds.user("marketer"), request.id, D("1950")
    )
    assert (step, request.status) == ("first", "awaiting_second_approval")
    assert ledger.balance(funds.session, allocation.id).committed == D("0.00")
    with pytest.raises(FourEyesError):
        request_services.approve_request(funds.session, funds.user("marketer"), request.id)
    with pytest.raises(FourEyesError):
        request_services.approve_request(
            funds.session, funds.user("marketer2"), request.id, D("1950.01")
        )
    request, step = request_services.approve_request(
        funds.session, funds.user("marketer2"), request.id, D("1900")
    )
    assert (step, request.status, request.approved_amount) == ("final", "approved", D("1900.00"))
    assert ledger.balance(funds.session, allocation.id).committed == D("1900.00")
    assert [a.approver_id for a in request.approvals] == [
        funds.user("marketer").id,
        funds.user("marketer2").id,
    ]


def test_first_approver_may_lower_below_the_threshold_and_decide_alone(funds):
    _four_eyes(funds, "1000")
    request = funds.submitted(funds.allocation(), "2000")
    request, step = request_services.approve_request(
        funds.session, funds.user("marketer"), request.id, D("1000")
    )
    assert (step, request.status) == ("final", "approved")


def test_approvals_of_an_earlier_round_do_not_count_after_resubmission(funds):
    _four_eyes(funds, "1000")
    request = funds.submitted(funds.allocation(), "2000")
    request_services.approve_request(funds.session, funds.user("marketer"), request.id)
    request_services.request_changes(
        funds.session, funds.user("marketer2"), request.id, "Add the agenda."
    )
    request_services.submit_request(funds.session, funds.user("a_user"), request.id)
    request, step = request_services.approve_request(
        funds.session, funds.user("marketer2"), request.id
    )
    assert step == "first"


def test_reject_and_request_changes_need_a_reason(funds):
    request = funds.submitted(funds.allocation())
    with pytest.raises(MdfError):
        request_services.reject_request(funds.session, funds.user("marketer"), request.id, "  ")
    request_services.request_changes(
        funds.session, funds.user("marketer"), request.id, "Lower the print run."
    )
    assert request.status == "changes_requested"
    request_services.update_request(
        funds.session,
        funds.user("a_user"),
        request.id,
        request_services.RequestFields(
            allocation_id=request.allocation_id,
            activity_type="print",
            title="Smaller print run",
            description="",
            start_date=request.start_date,
            end_date=request.end_date,
            total_cost=D("3000"),
            requested_amount=D("1500"),
        ),
    )
    request_services.submit_request(funds.session, funds.user("a_user"), request.id)
    request_services.reject_request(
        funds.session, funds.user("marketer"), request.id, "Out of scope."
    )
    assert (request.status, request.decision_comment) == ("rejected", "Out of scope.")
    with pytest.raises(TransitionError):
        request_services.withdraw_request(funds.session, funds.user("a_user"), request.id)


def test_only_drafts_and_sent_back_requests_can_be_edited(funds):
    request = funds.submitted(funds.allocation())
    fields = request_services.RequestFields(
        allocation_id=request.allocation_id,
        activity_type="event",
        title="x",
        description="",
        start_date=request.start_date,
        end_date=request.end_date,
        total_cost=D("100"),
        requested_amount=D("50"),
    )
    with pytest.raises(TransitionError):
        request_services.update_request(funds.session, funds.user("a_user"), request.id, fields)


def test_withdrawing_a_submitted_request_commits_nothing(funds):
    allocation = funds.allocation("5000")
    request = funds.submitted(allocation)
    request_services.withdraw_request(funds.session, funds.user("a_user"), request.id)
    assert request.status == "withdrawn"
    assert ledger.balance(funds.session, allocation.id).available == D("5000.00")


def test_cancelling_an_approved_request_releases_its_commitment(funds):
    allocation = funds.allocation("5000")
    request = funds.approved(allocation, "2000")
    request_services.cancel_request(funds.session, funds.user("a_user"), request.id, "Event moved.")
    assert request.status == "cancelled"
    balance = ledger.balance(funds.session, allocation.id)
    assert (balance.committed, balance.available) == (D("0.00"), D("5000.00"))


def test_a_request_with_a_live_claim_cannot_be_cancelled(funds):
    request = funds.approved(funds.allocation("5000"), "2000")
    funds.submitted_claim(request, "1000")
    with pytest.raises(TransitionError):
        request_services.cancel_request(funds.session, funds.user("marketer"), request.id)


def test_partner_b_cannot_touch_partner_a_requests(funds):
    request = funds.draft(funds.allocation())
    with pytest.raises(MdfError):
        request_services.submit_request(funds.session, funds.user("b_user"), request.id)


def test_a_request_for_another_partners_campaign_or_a_missing_one_is_refused(funds, world, app):
    allocation = funds.allocation("10000")
    funds.session.commit()
    theirs = live_campaign(app, funds.session, world.partner_b)
    for campaign_id in (theirs.id, 987654):
        with pytest.raises(MdfError) as refused:
            funds.draft(allocation, campaign_id=campaign_id)
        assert refused.value.field == "campaign_id"
        funds.session.rollback()
