"""Amount fields on the pages: one strict parser, its message next to the field, nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tcma.mdf import ledger
from tcma.mdf.models import FundRequest
from tcma.pipeline.models import Opportunity
from tests.mdf.test_views import _request_form

D = Decimal
OPPORTUNITY = {
    "name": "Vault for Initech",
    "account": "Initech",
    "currency": "USD",
    "stage": "prospecting",
}


def _requests(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(FundRequest.id)))


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("requested_amount", "2,50", "a point before the cents"),
        ("total_cost", "1.000,00", "a point before the cents"),
        ("total_cost", "1,00,0", "a point before the cents"),
        ("requested_amount", "1e3", "such as"),
        ("requested_amount", "$2,000", "in EUR"),  # the allocation's budget is in euros
    ],
)
def test_an_ambiguous_amount_in_a_fund_request_is_refused_at_its_field(
    funds, as_a_user, field, typed, message
):
    allocation = funds.allocation("10000")
    funds.session.commit()
    response = as_a_user.post(
        "/mdf/requests/new", data=_request_form(allocation.id, **{field: typed})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert _requests(funds.session) == 0


def test_grouped_amounts_with_the_budgets_sign_are_read_exactly(funds, as_a_user, as_marketer):
    allocation = funds.allocation("10000")
    funds.session.commit()
    form = _request_form(allocation.id, total_cost="€6,000.00", requested_amount=" 3,000 ")
    assert as_a_user.post("/mdf/requests/new", data=form).status_code == 302
    request = funds.session.scalar(select(FundRequest))
    assert (request.total_cost, request.requested_amount) == (D("6000.00"), D("3000.00"))
    as_a_user.post(f"/mdf/requests/{request.id}/submit")
    refused = as_marketer.post(f"/mdf/requests/{request.id}/approve", data={"amount": "2,50"})
    assert refused.status_code == 200 and "a point before the cents" in refused.get_data(
        as_text=True
    )
    funds.session.expire_all()
    assert ledger.balance(funds.session, allocation.id).committed == D("0.00")
    approved = as_marketer.post(f"/mdf/requests/{request.id}/approve", data={"amount": "€2,500"})
    assert approved.status_code == 302
    funds.session.expire_all()
    assert ledger.balance(funds.session, allocation.id).committed == D("2500.00")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("$12,500.00", "12500.00"), ("12500", "12500.00"), ("1.000,00", None), ("€900", None)],
)
def test_the_opportunity_amount_uses_the_same_parser(as_a_user, db_session, typed, expected):
    response = as_a_user.post("/pipeline/opportunities/new", data={**OPPORTUNITY, "amount": typed})
    opportunity = db_session.scalar(select(Opportunity))
    if expected is None:
        assert response.status_code == 200
        assert opportunity is None
    else:
        assert response.status_code == 302
        assert opportunity.amount == D(expected)
