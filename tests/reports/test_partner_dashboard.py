"""Each partner's dashboard: its own numbers only, what to do next, and no way to see another's."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.reports.support import PERIOD, figure, link_of, page_text


def _page(client: FlaskClient, **args: object) -> str:
    response = client.get("/reports/", query_string={**PERIOD, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_partner_sees_its_own_numbers(program, as_a_user) -> None:
    html = _page(as_a_user)
    expected = {
        "fig-allocated": "$20,000.00",
        "fig-committed": "$3,000.00",
        "fig-paid": "$5,000.00",
        "fig-utilisation": "40.0 %",
        "fig-leads": "7",
        "fig-qualified": "3",
        "fig-opportunities": "4",
        "fig-open-pipeline": "$5,000.00",
        "fig-won-revenue": "$17,000.00",
        "fig-cost-per-lead": "$714.29",
        "fig-roi": "3.4×",
    }
    assert {key: figure(html, key) for key in expected} == expected
    assert "first lead came 5 days later" in page_text(html)
    # The partner's own lists: no partner parameter, the lists scope themselves.
    assert "partner=" not in (link_of(html, "fig-leads") or "")


def test_partner_without_leads_or_paid_mdf_sees_dashes(program, as_b_user) -> None:
    html = _page(as_b_user)
    assert figure(html, "fig-leads") == "0"
    assert figure(html, "fig-paid") == "$0.00"
    assert figure(html, "fig-cost-per-lead") == "—"
    assert figure(html, "fig-roi") == "—"
    assert figure(html, "fig-open-pipeline") == "$8,000.00"
    assert "no lead has come yet" in page_text(html)


def test_partner_b_never_sees_partner_a_numbers(program, as_b_user) -> None:
    html = _page(as_b_user)
    for of_a in (
        "Brightpath",
        "$17,000.00",
        "$20,000.00",
        "Security Webinar Kit",
        "Dunmore",
        "$714.29",
    ):
        assert of_a not in html
    every_time = _page(as_b_user, period="all")
    assert "Brightpath" not in every_time and figure(every_time, "fig-leads") == "0"


def test_partner_b_cannot_filter_to_partner_a(program, as_b_user, as_b_admin) -> None:
    for client in (as_b_user, as_b_admin):
        assert (
            client.get("/reports/", query_string={**PERIOD, "partner": program.a}).status_code
            == 404
        )
        for table in ("summary", "trend", "kits", "first-leads"):
            response = client.get(
                f"/reports/export/{table}.csv", query_string={**PERIOD, "partner": program.a}
            )
            assert response.status_code == 404
    # Asking for its own partner is just the normal page; tier and region are ignored.
    own = _page(as_b_user, partner=program.b, region="EMEA")
    assert figure(own, "fig-allocated") == "$10,000.00"


def test_partner_sees_what_to_do_next(program, as_a_admin) -> None:
    text = page_text(_page(as_a_admin))
    assert "Webinar 2000 : claim $2,000.00 by" in text or "Webinar 2000: claim $2,000.00 by" in text
    assert "$1,000.00 left in Running budget" in text
    html = _page(as_a_admin)
    assert figure(html, "fig-unworked").startswith("4 leads still new or being worked")
    assert f'href="/mdf/requests/{program.fr_a2}"' in html
    assert "/mdf/requests/new?allocation=" in html


def test_next_steps_are_empty_for_a_partner_with_nothing_due(program, as_b_user) -> None:
    text = page_text(_page(as_b_user))
    assert "No claim falls due in the next two weeks." in text
    assert "No unused allocation in running budgets." in text
    assert "Every lead was worked in the last week." in text


def test_partner_only_tables_and_vendor_only_tables(program, as_admin, as_a_user) -> None:
    assert as_admin.get("/reports/export/claims-due.csv").status_code == 404
    assert as_a_user.get("/reports/export/partners.csv").status_code == 404
    assert as_a_user.get("/reports/export/idle-partners.csv").status_code == 404
    assert as_a_user.get("/reports/dashboard.pdf").status_code == 403
    assert as_a_user.get("/reports/kits").status_code == 403
    due = as_a_user.get("/reports/export/claims-due.csv").get_data(as_text=True)
    assert due.splitlines()[1].startswith("Webinar 2000,")
