"""Pure pipeline rules: lead and opportunity state machines, funnel, cost per lead, ROI."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tcma.pipeline import rules
from tcma.pipeline.rules import PipelineError, PipelineNumbers

D = Decimal


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "working"),
        ("new", "qualified"),
        ("new", "disqualified"),
        ("working", "new"),
        ("working", "qualified"),
        ("qualified", "working"),
        ("qualified", "disqualified"),
        ("disqualified", "working"),
        ("disqualified", "qualified"),
        ("qualified", "qualified"),
    ],
)
def test_lead_status_changes_that_are_allowed(current, target):
    rules.check_lead_status(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "converted"),
        ("qualified", "converted"),
        ("converted", "new"),
        ("converted", "qualified"),
        ("disqualified", "new"),
        ("new", "lost"),
    ],
)
def test_lead_status_changes_that_are_refused(current, target):
    with pytest.raises(PipelineError):
        rules.check_lead_status(current, target)


def test_only_open_leads_convert():
    for status in ("new", "working", "qualified"):
        rules.check_convertible(status)
    for status in ("disqualified", "converted"):
        with pytest.raises(PipelineError):
            rules.check_convertible(status)


def test_open_stages_move_freely_and_closed_ones_reopen_before_closing_otherwise():
    rules.check_stage_change("prospecting", "negotiation")
    rules.check_stage_change("negotiation", "qualification")
    rules.check_stage_change("proposal", "closed_won")
    rules.check_stage_change("closed_lost", "proposal")
    with pytest.raises(PipelineError, match="reopen"):
        rules.check_stage_change("closed_won", "closed_lost")
    with pytest.raises(PipelineError):
        rules.check_stage_change("prospecting", "won")


def test_amounts_are_checked():
    assert rules.check_amount(D("12.5"), "EUR") == D("12.50")
    for amount, currency in ((D("-1"), "USD"), (D("1.005"), "USD"), (D("1"), "XXX")):
        with pytest.raises(PipelineError):
            rules.check_amount(amount, currency)


def test_email_is_validated_and_normalised():
    assert rules.clean_email("  Ada@Example.COM ") == "Ada@example.com"
    for bad in ("", "ada", "ada@", "a b@example.com", "x" * 250 + "@example.com"):
        with pytest.raises(PipelineError):
            rules.clean_email(bad)


def test_rates_are_percentages_with_one_decimal_and_none_without_a_base():
    assert rules.rate(1, 3) == D("33.3")
    assert rules.rate(2, 3) == D("66.7")
    assert rules.rate(5, 0) is None


def test_roi_is_won_revenue_over_mdf_paid():
    assert rules.roi({"USD": D("50000.00")}, {"USD": D("4000.00")}) == D("12.50")
    assert rules.roi({}, {"USD": D("4000.00")}) == D("0.00")


def test_roi_is_none_with_zero_mdf_and_across_currencies():
    assert rules.roi({"USD": D("50000.00")}, {}) is None
    assert rules.roi({"USD": D("50000.00")}, {"USD": D("0.00")}) is None
    assert rules.roi({"EUR": D("9000.00")}, {"USD": D("1000.00")}) is None
    assert rules.roi({"USD": D("1.00")}, {"USD": D("1.00"), "EUR": D("1.00")}) is None


def test_cost_per_lead_needs_mdf_paid_and_leads():
    assert rules.cost_per_lead({"EUR": D("1000.00")}, 3) == ("EUR", D("333.33"))
    assert rules.cost_per_lead({"EUR": D("1000.00")}, 0) is None
    assert rules.cost_per_lead({}, 10) is None


def test_money_in_different_currencies_is_never_added_together():
    total = rules.add_amounts({"USD": D("1.10")}, {"USD": D("2.20"), "EUR": D("3.00")})
    assert total == {"EUR": D("3.00"), "USD": D("3.30")}


def test_funnel_steps_convert_from_the_step_before():
    numbers = PipelineNumbers(views=200, leads=10, qualified=4, opportunities=2, won=1)
    steps = [(s.label, s.count, s.rate) for s in numbers.funnel]
    assert steps == [
        ("Page views", 200, None),
        ("Leads", 10, D("5.0")),
        ("Qualified leads", 4, D("40.0")),
        ("Opportunities", 2, D("50.0")),
        ("Won", 1, D("50.0")),
    ]


def test_numbers_add_up_per_currency():
    a = PipelineNumbers(leads=1, won_revenue={"USD": D("5.00")}, mdf_paid={"USD": D("1.00")})
    b = PipelineNumbers(leads=2, won_revenue={"USD": D("5.00")}, mdf_paid={"USD": D("1.00")})
    total = a + b
    assert total.leads == 3
    assert total.roi == D("5.00")
