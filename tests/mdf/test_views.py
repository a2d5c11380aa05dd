"""MDF pages as people use them: forms, errors next to fields, tenants, emails, exports."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tcma.mdf import budget_services, ledger
from tcma.mdf.models import Budget, Claim, FundRequest, LedgerEntry, ProofFile
from tests.mdf.support import PDF_BYTES, TODAY, png_bytes

D = Decimal


def _request_form(allocation_id: int, **changes) -> dict:
    form = {
        "allocation_id": str(allocation_id),
        "activity_type": "event",
        "title": "Cloud security breakfast, Lyon",
        "description": "Breakfast seminar for 30 IT leaders.",
        "start_date": (TODAY - dt.timedelta(days=5)).isoformat(),
        "end_date": (TODAY - dt.timedelta(days=4)).isoformat(),
        "total_cost": "6000.00",
        "requested_amount": "3000",
        "expected_leads": "25",
        "expected_pipeline": "90000",
        "campaign_id": "",
    }
    form.update(changes)
    return form


def test_finance_creates_a_budget_and_sees_it_listed(as_finance, db_session):
    response = as_finance.post(
        "/mdf/budgets/new",
        data={
            "name": "FY26 H1 EMEA",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "amount": "250000.00",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    page = as_finance.get("/mdf/budgets").get_data(as_text=True)
    assert "FY26 H1 EMEA" in page and "€250,000.00" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-10", "cannot be negative"),
        ("10.001", "two decimals"),
        ("ten", "such as"),
        ("", "Enter an amount"),
    ],
)
def test_bad_amounts_are_shown_next_to_the_field(as_finance, db_session, amount, message):
    response = as_finance.post(
        "/mdf/budgets/new",
        data={
            "name": "B",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "amount": amount,
            "currency": "USD",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="amount-error"' in page and message in page
    assert db_session.scalar(select(func.count(Budget.id))) == 0


def test_partner_writes_submits_and_the_marketers_are_emailed(funds, as_a_user, outbox):
    allocation = funds.allocation("10000")
    funds.session.commit()
    response = as_a_user.post("/mdf/requests/new", data=_request_form(allocation.id))
    assert response.status_code == 302
    request_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = as_a_user.get(f"/mdf/requests/{request_id}").get_data(as_text=True)
    assert "Cloud security breakfast, Lyon" in page and "Submit for approval" in page
    assert as_a_user.post(f"/mdf/requests/{request_id}/submit").status_code == 302
    mails = [p.read_text() for p in outbox.glob("*.eml")]
    assert any("marketer@vendor.example" in m and "Fund request to review" in m for m in mails)


def test_a_request_above_the_co_op_share_is_refused_next_to_the_amount(funds, as_a_user):
    allocation = funds.allocation("10000")
    funds.session.commit()
    response = as_a_user.post(
        "/mdf/requests/new", data=_request_form(allocation.id, requested_amount="3000.01")
    )
    page = response.get_data(as_text=True)
    assert 'id="requested_amount-error"' in page and "co-op share is 50 %" in page
    funds.session.expire_all()
    assert funds.session.scalar(select(func.count(FundRequest.id))) == 0


def test_marketer_approves_a_lower_amount_and_the_partner_is_told(funds, as_marketer, outbox):
    allocation = funds.allocation("10000")
    request = funds.submitted(allocation, "2000")
    funds.session.commit()
    response = as_marketer.post(
        f"/mdf/requests/{request.id}/approve", data={"amount": "1500", "comment": "Half the booth."}
    )
    assert response.status_code == 302
    funds.session.expire_all()
    assert ledger.balance(funds.session, allocation.id).committed == D("1500.00")
    mails = [p.read_text() for p in outbox.glob("*.eml")]
    assert any("ben@brightpath.example" in m and "was approved" in m for m in mails)


def test_approving_more_than_is_left_changes_nothing_and_says_why(funds, as_marketer):
    allocation = funds.allocation("1000")
    request = funds.submitted(allocation, "2000", cost="4000")
    funds.session.commit()
    response = as_marketer.post(f"/mdf/requests/{request.id}/approve", data={"amount": "1200"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Only €1,000.00 is available" in page
    funds.session.expire_all()
    assert funds.session.get(FundRequest, request.id).status == "submitted"
    assert (
        funds.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "commit"))
        == 0
    )


def test_four_eyes_state_is_shown(funds, as_marketer, login_as):
    budget_services.update_settings(
        funds.session,
        funds.user("admin"),
        four_eyes_threshold=D("1000"),
        claim_window_days=60,
        default_share_percent=50,
        shares={},
    )
    request = funds.submitted(funds.allocation("10000"), "2000")
    funds.session.commit()
    as_marketer.post(f"/mdf/requests/{request.id}/approve", data={"amount": "2000"})
    page = as_marketer.get(f"/mdf/requests/{request.id}").get_data(as_text=True)
    assert "Awaiting second approval" in page or "awaiting second approval" in page
    assert "Four-eyes rule" in page
    same = as_marketer.post(f"/mdf/requests/{request.id}/approve", data={"amount": "2000"})
    assert "different approver" in same.get_data(as_text=True)
    second = login_as("marketer2")
    assert (
        second.post(f"/mdf/requests/{request.id}/approve", data={"amount": "2000"}).status_code
        == 302
    )
    funds.session.expire_all()
    assert funds.session.get(FundRequest, request.id).status == "approved"


def test_rejecting_needs_a_reason(funds, as_marketer):
    request = funds.submitted(funds.allocation())
    funds.session.commit()
    response = as_marketer.post(
        f"/mdf/requests/{request.id}/reject", data={"comment": ""}, follow_redirects=True
    )
    assert "Tell the partner why" in response.get_data(as_text=True)
    as_marketer.post(f"/mdf/requests/{request.id}/reject", data={"comment": "Outside the program."})
    page = as_marketer.get(f"/mdf/requests/{request.id}").get_data(as_text=True)
    assert "Outside the program." in page and "Submitted → Rejected" in page


def test_partner_files_a_claim_with_an_invoice_and_finance_pays(
    funds, as_a_user, as_finance, outbox
):
    allocation = funds.allocation("10000")
    request = funds.approved(allocation, "2000")
    funds.session.commit()
    response = as_a_user.post(
        f"/mdf/requests/{request.id}/claims/new",
        data={
            "actual_cost": "3800",
            "claimed_amount": "1900",
            "notes": "",
            "invoice": (io.BytesIO(PDF_BYTES), "INV-7781.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    claim_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert as_a_user.post(f"/mdf/claims/{claim_id}/submit").status_code == 302
    assert any("finance@vendor.example" in p.read_text() for p in outbox.glob("*.eml"))
    review = as_finance.get(f"/mdf/claims/{claim_id}").get_data(as_text=True)
    assert "INV-7781.pdf" in review
    proof = funds.session.scalar(select(ProofFile).where(ProofFile.claim_id == claim_id))
    opened = as_finance.get(f"/mdf/proofs/{proof.id}")
    assert opened.status_code == 302
    download = as_finance.get(opened.headers["Location"])
    assert download.data == PDF_BYTES
    assert download.headers["Content-Disposition"].startswith("inline")
    assert (
        as_finance.post(f"/mdf/claims/{claim_id}/approve", data={"amount": "1900"}).status_code
        == 302
    )
    paid = as_finance.post(
        f"/mdf/claims/{claim_id}/pay",
        data={"paid_on": TODAY.isoformat(), "method": "bank_transfer", "reference": "BT-99812"},
    )
    assert paid.status_code == 302
    page = as_a_user.get("/mdf/").get_data(as_text=True)
    assert "€1,900.00" in page
    csv_text = as_finance.get("/mdf/payments.csv").get_data(as_text=True)
    assert "BT-99812" in csv_text and "1900.00" in csv_text
    funds.session.expire_all()
    assert funds.session.get(Claim, claim_id).status == "paid"


def test_a_pdf_that_is_really_a_png_is_refused_next_to_the_invoice(funds, as_a_user):
    request = funds.approved(funds.allocation(), "2000")
    funds.session.commit()
    response = as_a_user.post(
        f"/mdf/requests/{request.id}/claims/new",
        data={
            "actual_cost": "3800",
            "claimed_amount": "1900",
            "invoice": (io.BytesIO(png_bytes()), "invoice.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert 'id="invoice-error"' in page and "not a valid PDF" in page
    funds.session.expire_all()
    assert funds.session.scalar(select(func.count(Claim.id))) == 0


def test_an_oversized_proof_is_refused(funds, as_a_user):
    claim = funds.claim(funds.approved(funds.allocation()), invoice=False)
    funds.session.commit()
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)
    response = as_a_user.post(
        f"/mdf/claims/{claim.id}/proofs",
        data={"kind": "photo", "file": (io.BytesIO(big), "photos.pdf")},
        content_type="multipart/form-data",
    )
    assert "larger than 20 MB" in response.get_data(as_text=True)
    funds.session.expire_all()
    assert funds.session.scalar(select(func.count(ProofFile.id))) == 0


def test_submitting_a_claim_without_an_invoice_says_so(funds, as_a_user):
    claim = funds.claim(funds.approved(funds.allocation()), invoice=False)
    funds.session.commit()
    page = as_a_user.post(f"/mdf/claims/{claim.id}/submit", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Attach at least one invoice" in page


def test_partner_b_gets_404_on_every_partner_a_object(funds, as_b_user):
    allocation = funds.allocation()
    request = funds.approved(allocation)
    claim = funds.submitted_claim(request)
    funds.session.commit()
    proof_id = claim.proof_files[0].id
    for url in (
        f"/mdf/allocations/{allocation.id}",
        f"/mdf/requests/{request.id}",
        f"/mdf/requests/{request.id}/edit",
        f"/mdf/requests/{request.id}/claims/new",
        f"/mdf/claims/{claim.id}",
        f"/mdf/claims/{claim.id}/edit",
        f"/mdf/proofs/{proof_id}",
    ):
        assert as_b_user.get(url).status_code == 404, url
    for url in (f"/mdf/requests/{request.id}/cancel", f"/mdf/claims/{claim.id}/withdraw"):
        assert as_b_user.post(url).status_code == 404, url
    lists = as_b_user.get("/mdf/requests").get_data(as_text=True)
    assert request.title not in lists
    assert "Brightpath" not in as_b_user.get(
        f"/mdf/claims?partner={funds.world.partner_a.id}"
    ).get_data(as_text=True)


def test_vendor_overview_shows_balances_by_budget_tier_and_partner(funds, as_admin):
    funds.approved(funds.allocation("8000"), "2000")
    funds.session.commit()
    for group, label in (("budget", "FY budget"), ("tier", "gold"), ("partner", "Brightpath IT")):
        page = as_admin.get(f"/mdf/?by={group}").get_data(as_text=True)
        assert label in page and "€8,000.00" in page and "€6,000.00" in page
        assert 'class="mdf-bar"' in page


def test_bulk_allocation_by_tier_form(funds, world, as_finance):
    budget = funds.budget("10000")
    funds.session.commit()
    response = as_finance.post(
        f"/mdf/budgets/{budget.id}/bulk",
        data={
            "mode": "share",
            f"tier_{world.tiers['gold'].id}": "30",
            f"tier_{world.tiers['platinum'].id}": "50",
        },
    )
    assert response.status_code == 302
    page = as_finance.get(f"/mdf/budgets/{budget.id}").get_data(as_text=True)
    assert "€3,000.00" in page and "€5,000.00" in page


def test_lowering_below_committed_is_refused_with_the_reason(funds, as_finance):
    allocation = funds.allocation("5000")
    funds.approved(allocation, "2000")
    funds.session.commit()
    response = as_finance.post(f"/mdf/allocations/{allocation.id}/adjust", data={"amount": "1000"})
    page = response.get_data(as_text=True)
    assert 'id="amount-error"' in page and "cannot be lowered below" in page


def test_settings_page_saves_tier_shares(world, as_finance, db_session):
    gold = world.tiers["gold"].id
    response = as_finance.post(
        "/mdf/settings",
        data={
            "four_eyes_threshold": "5000",
            "claim_window_days": "45",
            "default_share_percent": "50",
            f"tier_{gold}": "70",
        },
    )
    assert response.status_code == 302
    page = as_finance.get("/mdf/settings").get_data(as_text=True)
    assert 'value="70"' in page and 'value="5000.00"' in page


def test_release_expired_command(funds, app):
    request = funds.approved(funds.allocation("5000"), "2000")
    funds.session.commit()
    day = request.claim_due_on + dt.timedelta(days=1)
    result = app.test_cli_runner().invoke(
        args=["mdf", "release-expired", "--today", day.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "released €2,000.00" in result.output
    funds.session.expire_all()
    assert ledger.balance(funds.session, request.allocation_id).available == D("5000.00")


def test_budget_edit_cannot_go_below_what_is_allocated(funds, as_finance):
    budget = funds.budget("10000")
    funds.allocation("6000", budget=budget)
    funds.session.commit()
    form = {
        "name": "FY budget",
        "period_start": budget.period_start.isoformat(),
        "period_end": budget.period_end.isoformat(),
        "amount": "5999.99",
    }
    page = as_finance.post(f"/mdf/budgets/{budget.id}/edit", data=form).get_data(as_text=True)
    assert 'id="amount-error"' in page and "€6,000.00 is already allocated" in page
    form["amount"] = "12000"
    assert as_finance.post(f"/mdf/budgets/{budget.id}/edit", data=form).status_code == 302
    funds.session.expire_all()
    assert funds.session.get(Budget, budget.id).amount == D("12000.00")


def test_spreadsheets_are_downloaded_not_shown_inline(funds, as_a_user):
    claim = funds.claim(funds.approved(funds.allocation()))
    funds.session.commit()
    response = as_a_user.post(
        f"/mdf/claims/{claim.id}/proofs",
        data={
            "kind": "attendee_list",
            "file": (io.BytesIO(b"name,email\nAna,ana@example.com\n"), "attendees.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    proof = funds.session.scalar(select(ProofFile).where(ProofFile.filename == "attendees.csv"))
    download = as_a_user.get(as_a_user.get(f"/mdf/proofs/{proof.id}").headers["Location"])
    assert download.headers["Content-Disposition"].startswith("attachment")
    proof_id = proof.id
    assert as_a_user.post(f"/mdf/proofs/{proof_id}/delete").status_code == 302
    funds.session.expire_all()
    assert funds.session.scalar(select(func.count()).where(ProofFile.id == proof_id)) == 0


def test_partner_without_funds_sees_what_to_expect(as_b_user, world):
    page = as_b_user.get("/mdf/").get_data(as_text=True)
    assert "No funds allocated to your company yet." in page
    form_page = as_b_user.get("/mdf/requests/new").get_data(as_text=True)
    assert "Your company has no open allocation." in form_page


def test_inline_proofs_are_served_sandboxed_and_active_pdfs_refused(funds, as_a_user):
    claim = funds.claim(funds.approved(funds.allocation()))
    funds.session.commit()
    proofs = select(func.count()).where(ProofFile.claim_id == claim.id)
    before = funds.session.scalar(proofs)
    scripted = PDF_BYTES.replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    )
    refused = as_a_user.post(
        f"/mdf/claims/{claim.id}/proofs",
        data={"kind": "invoice", "file": (io.BytesIO(scripted), "INV-1.pdf")},
        content_type="multipart/form-data",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "INV-1.pdf contains active content" in page
    assert funds.session.scalar(proofs) == before
    accepted = as_a_user.post(
        f"/mdf/claims/{claim.id}/proofs",
        data={"kind": "invoice", "file": (io.BytesIO(PDF_BYTES), "INV-2.pdf")},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 302
    proof = funds.session.scalar(select(ProofFile).where(ProofFile.filename == "INV-2.pdf"))
    opened = as_a_user.get(as_a_user.get(f"/mdf/proofs/{proof.id}").headers["Location"])
    assert opened.data == PDF_BYTES
    assert opened.headers["Content-Disposition"].startswith("inline")
    policy = opened.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert opened.headers["X-Content-Type-Options"] == "nosniff"


def test_allocation_page_forms_have_their_own_ids_and_the_move_form_works(
    funds, as_finance, world
) -> None:
    allocation = funds.allocation("5000")
    funds.session.commit()
    page = as_finance.get(f"/mdf/allocations/{allocation.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)

    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert 'for="move-amount"' in page and 'for="amount"' in page
    other = re.search(r'<option value="(\d+)"', page[page.index('id="move-to_partner_id"') :])
    response = as_finance.post(
        f"/mdf/allocations/{allocation.id}/move",
        data={"move-to_partner_id": other.group(1), "move-amount": "1000", "move-comment": "x"},
    )
    assert response.status_code == 302
