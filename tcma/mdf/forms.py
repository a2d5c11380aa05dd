"""Forms of the MDF area; amounts are read by tcma.amounts (Decimal, two decimals, no negatives)."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tcma.fields import AmountField, IdChoiceField, optional_id
from tcma.forms import Form
from tcma.mdf import money, rules, uploads


def amount_field(label: str, required: bool = True, **kwargs) -> AmountField:
    """An amount input that is required (or optional) with a friendly message."""
    check = InputRequired("Enter an amount.") if required else Optional()
    return AmountField(label, validators=[check], **kwargs)


class BudgetForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    period_start = DateField("Period starts", validators=[InputRequired("Enter a date.")])
    period_end = DateField("Period ends", validators=[InputRequired("Enter a date.")])
    amount = amount_field("Amount", description="The whole budget, e.g. 250000.00")
    currency = SelectField(
        "Currency",
        choices=[(c, f"{c} ({money.CURRENCY_SYMBOLS[c].strip()})") for c in money.CURRENCIES],
    )
    submit = SubmitField("Save budget")

    def validate(self, extra_validators: Any = None) -> bool:
        """A currency sign typed with the amount must be the budget's currency's."""
        if self.currency.data in money.CURRENCIES:
            self.amount.currency = self.currency.data
        return super().validate(extra_validators)


class AllocateForm(Form):
    partner_id = IdChoiceField("Partner", validators=[InputRequired()])
    amount = amount_field("Amount to allocate")
    comment = StringField("Note (optional)", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Allocate")


class AdjustForm(Form):
    amount = amount_field("New allocation", allow_zero=True)
    comment = StringField("Reason (optional)", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Change allocation")


class MoveForm(Form):
    to_partner_id = IdChoiceField("Move to partner", validators=[InputRequired()])
    amount = amount_field("Amount to move")
    comment = StringField("Reason (optional)", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Move money")


def bulk_form(tiers: list[tuple[int, str]]) -> type[Form]:
    """A bulk-allocation form with one amount (or share) field per tier."""

    class BulkAllocateForm(Form):
        mode = RadioField(
            "How to allocate",
            choices=[
                ("fixed", "A fixed amount for each partner of the tier"),
                ("share", "A share (%) of the budget for the tier, split evenly"),
            ],
            default="fixed",
            validators=[InputRequired()],
        )
        submit = SubmitField("Allocate to tiers")

    for tier_id, name in tiers:
        field = AmountField(f"{name.capitalize()}", validators=[Optional()], allow_zero=True)
        setattr(BulkAllocateForm, f"tier_{tier_id}", field)
    return BulkAllocateForm


def settings_form(tiers: list[tuple[int, str]]) -> type[Form]:
    """The program settings form with a co-op share field per tier."""

    class SettingsForm(Form):
        four_eyes_threshold = amount_field(
            "Four-eyes threshold",
            required=False,
            description="Approvals above this amount need a second approver. Empty: off.",
        )
        claim_window_days = IntegerField(
            "Claim window (days after the activity ends)",
            validators=[InputRequired(), NumberRange(min=0, max=3650)],
        )
        default_share_percent = IntegerField(
            "Default co-op share (%)", validators=[InputRequired(), NumberRange(min=0, max=100)]
        )
        submit = SubmitField("Save settings")

    for tier_id, name in tiers:
        field = IntegerField(
            f"Co-op share for {name} (%)", validators=[Optional(), NumberRange(min=0, max=100)]
        )
        setattr(SettingsForm, f"tier_{tier_id}", field)
    return SettingsForm


class FundRequestForm(Form):
    allocation_id = IdChoiceField("Allocation", validators=[InputRequired()])
    activity_type = SelectField("Activity type", choices=list(rules.ACTIVITY_TYPES.items()))
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=5000)],
        description="What you will do, for whom, and how you will measure it.",
    )
    start_date = DateField("Start date", validators=[InputRequired("Enter a date.")])
    end_date = DateField("End date", validators=[InputRequired("Enter a date.")])
    total_cost = amount_field("Total activity cost")
    requested_amount = amount_field("Requested amount")
    expected_leads = IntegerField(
        "Expected leads", default=0, validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    expected_pipeline = amount_field("Expected pipeline", required=False, allow_zero=True)
    campaign_id = IdChoiceField(
        "Campaign (optional)",
        coerce=optional_id,
        choices=[("", "No campaign")],
        description="The campaign this activity promotes; its report will show the MDF.",
    )
    submit = SubmitField("Save draft")

    # The currency of each allocation on offer, filled by the view with the choices.
    currencies: dict[int, str] = {}

    def validate(self, extra_validators: Any = None) -> bool:
        """Amounts typed with a currency sign must carry the chosen allocation's currency's."""
        currency = self.currencies.get(self.allocation_id.data)
        for field in (self.total_cost, self.requested_amount, self.expected_pipeline):
            field.currency = currency
        return super().validate(extra_validators)


class ApproveForm(Form):
    amount = amount_field("Amount to approve")
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Approve")


class ReasonForm(Form):
    comment = TextAreaField(
        "Reason", validators=[DataRequired("Tell the partner why."), Length(max=2000)]
    )
    submit = SubmitField("Send")


class CommentForm(Form):
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Confirm")


class ClaimForm(Form):
    actual_cost = amount_field("Actual cost of the activity")
    claimed_amount = amount_field("Amount claimed")
    notes = TextAreaField("Notes for finance (optional)", validators=[Optional(), Length(max=5000)])
    invoice = FileField(
        "Invoice (PDF, PNG or JPEG)",
        render_kw={"accept": uploads.ACCEPT_ATTRIBUTE},
        description="Required before you submit. Up to 20 MB.",
    )
    submit = SubmitField("Save claim")


class ProofForm(Form):
    kind = SelectField("What the file shows", choices=list(uploads.PROOF_KINDS.items()))
    file = FileField(
        "File",
        render_kw={"accept": uploads.ACCEPT_ATTRIBUTE},
        description="PDF, PNG, JPEG, CSV or XLSX, up to 20 MB.",
    )
    submit = SubmitField("Upload")


class PaymentForm(Form):
    paid_on = DateField("Payment date", validators=[InputRequired("Enter a date.")])
    method = SelectField("Method", choices=list(rules.PAYMENT_METHODS.items()))
    reference = StringField(
        "Reference",
        validators=[DataRequired(), Length(max=120)],
        description="The bank transfer id, cheque number or credit note number.",
    )
    submit = SubmitField("Record payment")


class PaymentExportForm(Form):
    class Meta:
        csrf = False

    date_from = DateField("Paid from", validators=[Optional()])
    date_to = DateField("Paid until", validators=[Optional()])
