"""A proof upload while file storage hangs: a clear 503 page in seconds, nothing saved."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tcma.mdf.models import ProofFile
from tests.conftest import make_test_app
from tests.faults import dummy_aws_credentials, hanging_listener
from tests.mdf.support import PDF_BYTES, Funds


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on an S3 endpoint that accepts connections and never answers."""
    with dummy_aws_credentials(), hanging_listener() as endpoint:
        application = make_test_app(
            database_url,
            tmp_path,
            STORAGE_URL="s3://tcma-test-bucket/tcma",
            S3_ENDPOINT_URL=endpoint,
            S3_CONNECT_TIMEOUT=0.5,
            S3_READ_TIMEOUT=0.5,
            S3_MAX_ATTEMPTS=2,
        )
        yield application
        application.extensions["tcma.engine"].dispose()


def test_an_upload_while_storage_hangs_gets_a_clear_503(funds: Funds, as_a_user: FlaskClient):
    claim = funds.claim(funds.approved(funds.allocation()), invoice=False)
    funds.session.commit()

    started = time.monotonic()
    response = as_a_user.post(
        f"/mdf/claims/{claim.id}/proofs",
        data={"kind": "invoice", "file": (io.BytesIO(PDF_BYTES), "invoice.pdf")},
        content_type="multipart/form-data",
    )

    assert time.monotonic() - started < 0.5 * 2 + 3.0
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "File storage is not answering" in page and "nothing was changed" in page
    assert "was added" not in page
    count = select(func.count()).select_from(ProofFile).where(ProofFile.claim_id == claim.id)
    assert funds.session.scalar(count) == 0
    # An API client gets the same answer as JSON.
    api = as_a_user.post(
        f"/mdf/claims/{claim.id}/proofs",
        data={"kind": "invoice", "file": (io.BytesIO(PDF_BYTES), "invoice.pdf")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert api.status_code == 503
    assert api.get_json()["error"] == "File storage is not answering"
