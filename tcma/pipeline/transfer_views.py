"""CSV import (check every row, show every problem, then write all or nothing) and CSV export."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Iterator

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import Session

from tcma import db
from tcma.mdf.money import CURRENCIES
from tcma.pagination import capped_count
from tcma.permissions import lead_readers, partner_users
from tcma.pipeline import csvmap, export, listing, services, tasks, web
from tcma.pipeline.csvmap import LEADS, OPPORTUNITIES, ParsedFile
from tcma.pipeline.forms import ImportConfirmForm, ImportForm
from tcma.pipeline.listing import ListFilter
from tcma.pipeline.rules import PipelineError

PREVIEW_ROWS = 20


def _import_form() -> ImportForm:
    form = ImportForm()
    form.campaign_id.choices = [("", "No campaign"), *web.campaign_choices(current_user.partner_id)]
    return form


def _preview(
    form: ImportForm | None,
    parsed: ParsedFile,
    payload: bytes,
    campaign_id: int | None,
    currency: str,
) -> tuple[str, int]:
    confirm = ImportConfirmForm(
        formdata=None,
        data={
            "kind": parsed.kind,
            "campaign_id": campaign_id or "",
            "currency": currency,
            "payload": base64.b64encode(payload).decode(),
        },
    )
    confirm.submit.label.text = f"Import {len(parsed.rows)} {parsed.kind}"
    campaigns = dict(web.campaign_choices(current_user.partner_id))
    return render_template(
        "pipeline/import_preview.html",
        parsed=parsed,
        confirm=confirm,
        form=form,
        sample=parsed.rows[:PREVIEW_ROWS],
        campaign=campaigns.get(campaign_id) if campaign_id is not None else None,
    ), 200 if parsed.ok else 422


@partner_users
def import_csv() -> str | tuple[str, int]:
    """Upload a CSV and see every problem before anything is written."""
    form = _import_form()
    if form.validate_on_submit():
        data = form.file.data.read(csvmap.MAX_IMPORT_BYTES + 1)
        parsed = csvmap.parse_csv(data, form.kind.data, form.currency.data)
        return _preview(
            _import_form(),
            parsed,
            data if parsed.ok else b"",
            form.campaign_id.data,
            form.currency.data,
        )
    return render_template("pipeline/import.html", form=form, max_rows=csvmap.MAX_IMPORT_ROWS)


@partner_users
def confirm_import() -> ResponseReturnValue:
    """Write a checked file: checked once more, then every row or none."""
    form = ImportConfirmForm()
    kind, currency = form.kind.data, form.currency.data
    raw_campaign = (form.campaign_id.data or "").strip()
    campaign_id = int(raw_campaign) if raw_campaign.isascii() and raw_campaign.isdigit() else None
    if (
        not form.validate_on_submit()
        or kind not in (LEADS, OPPORTUNITIES)
        or currency not in CURRENCIES
        or (raw_campaign and campaign_id is None)  # a campaign id that is no id: refused
    ):
        flash("The import form was incomplete; upload the file again.", "error")
        return redirect(url_for("pipeline.import_csv"))
    try:
        data = base64.b64decode(form.payload.data or "", validate=True)
    except (binascii.Error, ValueError):
        data = b""
    parsed = csvmap.parse_csv(data, kind, currency)
    if not parsed.ok:
        return _preview(_import_form(), parsed, b"", campaign_id, currency)
    try:
        count = services.import_rows(
            db.session(), current_user.id, current_user.partner_id, kind, parsed.rows, campaign_id
        )
    except PipelineError as exc:
        flash(exc.message, "error")
        return redirect(url_for("pipeline.import_csv"))
    flash(f"Imported {count} {kind} from the {parsed.crm} file.", "success")
    target = "pipeline.leads" if kind == LEADS else "pipeline.opportunities"
    return redirect(url_for(target, campaign=campaign_id or None))


def _crm() -> str:
    crm = request.args.get("format", export.SALESFORCE)
    return crm if crm in export.CRMS else export.SALESFORCE


def _download(name: str, chunks: Iterator[bytes]) -> Response:
    # No Content-Length: the body goes out with chunked transfer encoding (HTTP/1.1), so a
    # download cut short (a worker killed, a failed query) ends without the final chunk and
    # every client reports it as failed rather than as a shorter file.
    response = Response(chunks, mimetype="text/csv")
    stamp = dt.date.today().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _streamed(make_chunks: Callable[[Session], Iterator[str]]) -> Iterator[bytes]:
    """Chunks made while the body is sent, by a read-only session of their own
    (the request's session is committed and closed before the first byte goes out)."""
    factory = current_app.extensions["tcma.reader_sessionmaker"]

    def body() -> Iterator[bytes]:
        with factory() as session:
            for chunk in make_chunks(session):
                yield chunk.encode("utf-8")

    return body()


def _too_big_to_stream(rows: Select) -> bool:
    """Whether the list has more rows than a web request should stream (counted up to there)."""
    limit = current_app.config["EXPORT_STREAM_MAX_ROWS"]
    return capped_count(db.session(), rows, cap=limit)[1]


def _in_background(kind: str, crm: str, flt: ListFilter) -> ResponseReturnValue:
    """Hand a large export to a worker and show its progress page (then its download)."""
    record = tasks.start_export(db.session(), current_user, kind, crm, flt)
    limit = current_app.config["EXPORT_STREAM_MAX_ROWS"]
    flash(
        f"This export has more than {limit:,} rows, so it is being written in the background. "
        "The download appears here when it is ready, and stays under Your exports.",
        "info",
    )
    return redirect(url_for("jobs.show", record_id=record.id), 303)


@lead_readers
def export_leads() -> ResponseReturnValue:
    """The filtered leads as CSV (Salesforce headers, or HubSpot's with ?format=hubspot);
    a list above EXPORT_STREAM_MAX_ROWS becomes a background export instead."""
    flt, crm = web.list_filter(request.args), _crm()
    if _too_big_to_stream(listing.leads_statement(flt)):
        return _in_background(tasks.LEADS, crm, flt)
    return _download("leads", _streamed(lambda s: export.leads_csv_chunks(s, flt, crm)))


@lead_readers
def export_opportunities() -> ResponseReturnValue:
    """The filtered opportunities as CSV, stages named as the chosen CRM names them; a list
    above EXPORT_STREAM_MAX_ROWS becomes a background export instead."""
    flt, crm = web.list_filter(request.args), _crm()
    if _too_big_to_stream(listing.opportunities_statement(flt)):
        return _in_background(tasks.OPPORTUNITIES, crm, flt)
    return _download(
        "opportunities", _streamed(lambda s: export.opportunities_csv_chunks(s, flt, crm))
    )
