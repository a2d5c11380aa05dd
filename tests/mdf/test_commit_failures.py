"""When the commit fails, proof files stay exactly as the rows say: nothing is half-done."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tcma.mdf.models import ProofFile
from tests.faults import commit_fails
from tests.mdf.support import PDF_BYTES, Funds


def _proof_rows(funds: Funds, claim_id: int) -> list[ProofFile]:
    funds.session.expire_all()
    return list(funds.session.scalars(select(ProofFile).where(ProofFile.claim_id == claim_id)))


def test_a_removal_whose_commit_fails_keeps_the_row_and_the_file(
    app: Flask, funds: Funds, as_a_user: FlaskClient
) -> None:
    claim = funds.claim(funds.approved(funds.allocation()))
    funds.session.commit()
    [proof] = _proof_rows(funds, claim.id)
    key, filename = proof.storage_key, proof.filename

    with commit_fails(app):
        response = as_a_user.post(f"/mdf/proofs/{proof.id}/delete")

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Nothing was changed" in page and f"{filename} was removed" not in page
    assert [p.storage_key for p in _proof_rows(funds, claim.id)] == [key]
    assert funds.storage.read(key) == PDF_BYTES
    # The next page does not claim the removal happened either.
    claim_page = as_a_user.get(f"/mdf/claims/{claim.id}").get_data(as_text=True)
    assert "was removed" not in claim_page and filename in claim_page

    # With the database back, the same click removes row and file.
    assert as_a_user.post(f"/mdf/proofs/{proof.id}/delete").status_code == 302
    assert _proof_rows(funds, claim.id) == []
    assert not funds.storage.exists(key)


def test_an_upload_whose_commit_fails_leaves_no_orphan_file(
    app: Flask, funds: Funds, as_a_user: FlaskClient
) -> None:
    claim = funds.claim(funds.approved(funds.allocation()))
    funds.session.commit()
    before = funds.storage.list_keys(f"mdf/claims/{claim.id}/")
    assert len(before) == 1

    with commit_fails(app):
        response = as_a_user.post(
            f"/mdf/claims/{claim.id}/proofs",
            data={"kind": "invoice", "file": (io.BytesIO(PDF_BYTES), "second-invoice.pdf")},
            content_type="multipart/form-data",
        )

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Nothing was changed" in page and "second-invoice.pdf was added" not in page
    assert len(_proof_rows(funds, claim.id)) == 1
    assert funds.storage.list_keys(f"mdf/claims/{claim.id}/") == before
