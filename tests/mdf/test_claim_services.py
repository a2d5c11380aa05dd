"""Claims, payments and releases on the test database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from tcma.audit import timeline
from tcma.mdf import claim_services, ledger, payment_services
from tcma.mdf.rules import (
    ClaimWindowClosed,
    LimitExceeded,
    MdfError,
    ProofMissing,
    TransitionError,
    UploadRefused,
)
from tests.mdf.support import PDF_BYTES, TODAY, png_bytes

D = Decimal


def test_the_whole_loop_moves_money_from_committed_to_paid(funds):
    allocation = funds.allocation("10000")
    request = funds.approved(allocation, "2000")
    claim = funds.paid_claim(request, "1500")
    assert claim.status == "paid" and claim.payment.amount == D("1500.00")
    balance = ledger.balance(funds.session, allocation.id)
    assert (balance.allocated, balance.committed, balance.claimed, balance.paid) == (
        D("10000.00"),
        D("500.00"),
        D("1500.00"),
        D("1500.00"),
    )
    assert balance.available == D("8000.00")
    actions = [e.action for e in timeline(funds.session, "claim", claim.id)]
    assert actions == [
        "mdf.claim_created",
        "mdf.claim_proof_added",
        "mdf.claim_submitted",
        "mdf.claim_approved",
        "mdf.claim_paid",
    ]
    paid = timeline(funds.session, "claim", claim.id)[-1]
    assert (paid.from_state, paid.to_state, paid.amount, paid.currency) == (
        "approved",
        "paid",
        D("1500.00"),
        "EUR",
    )
    assert paid.actor_id == funds.user("finance").id


def test_claims_only_on_approved_requests(funds):
    request = funds.submitted(funds.allocation())
    with pytest.raises(TransitionError):
        funds.claim(request)


def test_claim_is_capped_by_what_is_unclaimed_and_by_the_co_op_share(funds):
    request = funds.approved(funds.allocation(), "2000")
    funds.submitted_claim(request, "1500")
    with pytest.raises(LimitExceeded) as unclaimed:
        funds.claim(request, claimed="500.01", actual="5000")
    assert "€500.00" in unclaimed.value.message
    with pytest.raises(LimitExceeded) as share:
        funds.claim(request, claimed="500", actual="999.98")
    assert "actual cost" in share.value.message
    assert funds.claim(request, claimed="500", actual="1000").claimed_amount == D("500.00")


def test_a_rejected_claim_frees_its_amount_for_a_new_claim(funds):
    request = funds.approved(funds.allocation(), "2000")
    claim = funds.submitted_claim(request, "2000")
    claim_services.reject_claim(
        funds.session, funds.user("finance"), claim.id, "Invoice unreadable."
    )
    assert claim_services.unclaimed(funds.session, request) == D("2000.00")


def test_approving_less_leaves_the_rest_claimable(funds):
    request = funds.approved(funds.allocation(), "2000")
    claim = funds.approved_claim(request, "2000", amount="1200")
    assert claim.approved_amount == D("1200.00")
    assert claim_services.unclaimed(funds.session, request) == D("800.00")


def test_a_claim_needs_an_invoice(funds):
    request = funds.approved(funds.allocation())
    claim = funds.claim(request, invoice=False)
    claim_services.add_proof(
        funds.session,
        funds.storage,
        funds.user("a_user"),
        claim.id,
        "screenshot",
        "ad.png",
        png_bytes(),
    )
    with pytest.raises(ProofMissing):
        claim_services.submit_claim(funds.session, funds.user("a_user"), claim.id, TODAY)
    assert claim.status == "draft"


def test_late_claims_are_refused_with_the_due_date(funds):
    request = funds.approved(funds.allocation())
    due = request.claim_due_on
    claim = funds.claim(request)
    with pytest.raises(ClaimWindowClosed) as late:
        claim_services.submit_claim(
            funds.session, funds.user("a_user"), claim.id, due + dt.timedelta(days=1)
        )
    assert f"{due:%d %B %Y}" in late.value.message
    with pytest.raises(ClaimWindowClosed):
        claim_services.create_claim(
            funds.session,
            funds.user("a_user"),
            request.id,
            actual_cost=D("100"),
            claimed_amount=D("50"),
            today=due + dt.timedelta(days=1),
        )
    claim_services.submit_claim(funds.session, funds.user("a_user"), claim.id, due)


def test_a_claim_sent_back_may_be_fixed_after_the_due_date(funds):
    request = funds.approved(funds.allocation())
    claim = funds.submitted_claim(request, "1000")
    claim_services.send_back_claim(
        funds.session, funds.user("finance"), claim.id, "Attach the attendee list."
    )
    claim_services.update_claim(
        funds.session,
        funds.user("a_user"),
        claim.id,
        actual_cost=D("3000"),
        claimed_amount=D("900"),
    )
    later = request.claim_due_on + dt.timedelta(days=10)
    claim_services.submit_claim(funds.session, funds.user("a_user"), claim.id, later)
    assert claim.status == "submitted"


def test_an_unapproved_claim_cannot_be_paid(funds):
    claim = funds.submitted_claim(funds.approved(funds.allocation()))
    with pytest.raises(TransitionError):
        payment_services.record_payment(
            funds.session,
            funds.user("finance"),
            claim.id,
            paid_on=TODAY,
            method="cheque",
            reference="CH-1",
        )
    assert ledger.balance(funds.session, claim.fund_request.allocation_id).paid == D("0.00")


def test_a_claim_is_paid_once(funds):
    claim = funds.paid_claim(funds.approved(funds.allocation()))
    with pytest.raises(TransitionError):
        payment_services.record_payment(
            funds.session,
            funds.user("finance"),
            claim.id,
            paid_on=TODAY,
            method="cheque",
            reference="CH-2",
        )


def test_payment_needs_a_method_and_reference(funds):
    claim = funds.approved_claim(funds.approved(funds.allocation()))
    with pytest.raises(MdfError) as refused:
        payment_services.record_payment(
            funds.session,
            funds.user("finance"),
            claim.id,
            paid_on=TODAY,
            method="cash",
            reference="x",
        )
    assert refused.value.field == "method"
    with pytest.raises(MdfError):
        payment_services.record_payment(
            funds.session,
            funds.user("finance"),
            claim.id,
            paid_on=TODAY,
            method="cheque",
            reference=" ",
        )


def test_claim_approval_cannot_exceed_the_claim(funds):
    claim = funds.submitted_claim(funds.approved(funds.allocation()), "1000")
    with pytest.raises(LimitExceeded):
        claim_services.approve_claim(funds.session, funds.user("finance"), claim.id, D("1000.01"))


def test_uploads_are_checked_by_content_and_stored(funds):
    claim = funds.claim(funds.approved(funds.allocation()), invoice=False)
    with pytest.raises(UploadRefused) as refused:
        claim_services.add_proof(
            funds.session,
            funds.storage,
            funds.user("a_user"),
            claim.id,
            "invoice",
            "invoice.pdf",
            png_bytes(),
        )
    assert "not a valid PDF" in refused.value.message
    proof = claim_services.add_proof(
        funds.session,
        funds.storage,
        funds.user("a_user"),
        claim.id,
        "invoice",
        "Facture été.pdf",
        PDF_BYTES,
    )
    assert proof.storage_key.startswith(f"mdf/claims/{claim.id}/")
    assert proof.storage_key.endswith("-Facture-ete.pdf")
    assert proof.filename == "Facture été.pdf"
    assert funds.storage.read(proof.storage_key) == PDF_BYTES
    assert len(proof.sha256) == 64 and proof.size == len(PDF_BYTES)
    claim_services.remove_proof(funds.session, funds.storage, funds.user("a_user"), proof.id)
    assert funds.storage.exists(proof.storage_key), "the file stays until the removal commits"
    funds.session.commit()
    assert not funds.storage.exists(proof.storage_key)


def test_proof_cannot_change_once_submitted(funds):
    claim = funds.submitted_claim(funds.approved(funds.allocation()))
    with pytest.raises(TransitionError):
        claim_services.add_proof(
            funds.session,
            funds.storage,
            funds.user("a_user"),
            claim.id,
            "photo",
            "p.png",
            png_bytes(),
        )


def test_expired_windows_release_what_no_claim_holds(funds):
    allocation = funds.allocation("10000")
    request = funds.approved(allocation, "2000")
    funds.paid_claim(request, "700")
    pending = funds.submitted_claim(request, "300")
    assert payment_services.release_expired(funds.session, request.claim_due_on) == []
    after = request.claim_due_on + dt.timedelta(days=1)
    released = payment_services.release_expired(funds.session, after)
    assert [(r.fund_request_id, r.amount) for r in released] == [(request.id, D("1000.00"))]
    assert payment_services.release_expired(funds.session, after) == []
    claim_services.reject_claim(funds.session, funds.user("finance"), pending.id, "Duplicate.")
    assert [r.amount for r in payment_services.release_expired(funds.session, after)] == [
        D("300.00")
    ]
    balance = ledger.balance(funds.session, allocation.id)
    assert (balance.committed, balance.paid, balance.available) == (
        D("0.00"),
        D("700.00"),
        D("9300.00"),
    )
    assert claim_services.unclaimed(funds.session, request) == D("0.00")


def test_payment_export_is_csv_for_accounts_payable(funds):
    request = funds.approved(funds.allocation())
    request.title = "=HYPERLINK(evil)"
    claim = funds.paid_claim(request, "1234.50")
    text = payment_services.payments_csv(funds.session, TODAY, TODAY)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["claim_id"], row["amount"], row["currency"], row["method"]) == (
        str(claim.id),
        "1234.50",
        "EUR",
        "bank_transfer",
    )
    assert row["partner"] == "Brightpath IT"
    assert row["activity"] == "'=HYPERLINK(evil)"
    assert (
        payment_services.payments_csv(funds.session, TODAY + dt.timedelta(days=1)).count("\n") == 1
    )


def test_a_claim_under_review_keeps_its_money_when_the_window_closes(funds):
    allocation = funds.allocation("1000")
    request = funds.approved(allocation, "1000")
    claim = funds.submitted_claim(request, "1000")
    payment_services.release_expired(funds.session, request.claim_due_on + dt.timedelta(days=1))
    claim_services.approve_claim(funds.session, funds.user("finance"), claim.id)
    balance = ledger.balance(funds.session, allocation.id)
    assert (balance.committed, balance.payable) == (D("1000.00"), D("1000.00"))
    assert balance.problems() == []
