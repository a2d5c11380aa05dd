"""A CSV holding control characters is refused row by row in the preview, never a 500.

A NUL byte in a cell answered 500 on PostgreSQL at the import; run with
TCMA_TEST_DATABASE_URL to check it there as well as on SQLite.
"""

from __future__ import annotations

import base64

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcma import thumbs
from tcma.pipeline.csvmap import LEADS, OPPORTUNITIES, parse_csv
from tcma.pipeline.models import Lead, Opportunity
from tests.pipeline.test_import_export import upload

LEADS_WITH_NUL = (
    "First Name,Last Name,Email,Company\r\n"
    "Ada,Lovelace,ada@analytical.example,Analytical\x00 Engines\r\n"
    "Al\x00an,Turing,alan@bletchley.example,Bletchley\r\n"
    "Grace,Hopper,grace@navy.example,US Navy\r\n"
)
DEALS_WITH_ESCAPE = (
    "Opportunity Name,Account Name,Amount,Stage\nVault\x1b[2J renewal,Acme,100,Closed Won\n"
)


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_each_row_with_a_control_character_is_named_with_its_column() -> None:
    parsed = parse_csv(LEADS_WITH_NUL.encode(), LEADS)
    assert not parsed.ok and len(parsed.rows) == 1
    problems = {problem.row: problem.errors for problem in parsed.problems}
    assert set(problems) == {2, 3}
    assert any("company" in error and "control characters" in error for error in problems[2])
    assert any("first name" in error and "control characters" in error for error in problems[3])
    deals = parse_csv(DEALS_WITH_ESCAPE.encode(), OPPORTUNITIES)
    assert [p.row for p in deals.problems] == [2] and "name" in deals.problems[0].errors[0]


def test_the_preview_lists_the_bad_rows_and_offers_no_import(
    as_a_user, db_session: Session, live_a
) -> None:
    response = upload(as_a_user, LEADS_WITH_NUL.encode(), campaign=live_a.id)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "control characters" in html and "\x00" not in html
    assert 'name="payload"' not in html  # nothing to confirm
    assert _count(db_session, Lead) == 0


def test_a_confirm_posted_without_the_preview_stores_nothing(
    as_a_user, db_session: Session, live_a
) -> None:
    for kind, text, model in (
        ("leads", LEADS_WITH_NUL, Lead),
        ("opportunities", DEALS_WITH_ESCAPE, Opportunity),
    ):
        response = as_a_user.post(
            "/pipeline/import/confirm",
            data={
                "kind": kind,
                "campaign_id": str(live_a.id),
                "currency": "USD",
                "payload": base64.b64encode(text.encode()).decode(),
            },
        )
        assert response.status_code in (200, 400, 422), kind
        assert "control characters" in response.get_data(as_text=True)
        assert _count(db_session, model) == 0


def test_a_superscript_digit_as_the_campaign_of_an_import_is_refused_not_a_500(
    as_a_user, db_session: Session
) -> None:
    # "²".isdigit() is true, but int("²") fails: ids must be ASCII digits.
    response = as_a_user.post(
        "/pipeline/import/confirm",
        data={
            "kind": "leads",
            "campaign_id": "²",
            "currency": "USD",
            "payload": base64.b64encode(b"Email\nx@y.example\n").decode(),
        },
    )
    assert response.status_code == 302  # back to the upload, "the import form was incomplete"
    assert _count(db_session, Lead) == 0


def test_a_thumbnail_width_in_superscript_digits_means_no_width() -> None:
    assert thumbs.parse_width("²") is None and thumbs.parse_width("240") == 240
