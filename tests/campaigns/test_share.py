"""Share buttons of a launched campaign's social posts: fixed share URLs, counted per network."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tcma.campaigns.models import Campaign
from tests.campaigns.support import import_kit, start_campaign
from tests.conftest import World
from tests.pipeline.support import live_campaign


def _share(client: FlaskClient, campaign: Campaign, network: str, asset: str = "social-posts"):
    return client.get(f"/campaigns/{campaign.id}/share/{network}/{asset}")


def test_share_buttons_lead_to_the_networks_with_the_tracked_link_and_are_counted(
    app: Flask,
    db_session: Session,
    world: World,
    as_a_user: FlaskClient,
    as_marketer: FlaskClient,
    as_b_user: FlaskClient,
) -> None:
    campaign = live_campaign(app, db_session, world.partner_a)
    page = as_a_user.get(f"/campaigns/{campaign.id}/launch").get_data(as_text=True)
    for name in ("LinkedIn", "X", "Facebook"):
        assert f"Share on {name}" in page
    assert "Share on" not in as_marketer.get(f"/campaigns/{campaign.id}/launch").get_data(
        as_text=True
    )

    linkedin = _share(as_a_user, campaign, "linkedin")
    assert linkedin.status_code == 302
    target = urlsplit(linkedin.headers["Location"])
    assert (target.scheme, target.netloc, target.path) == (
        "https",
        "www.linkedin.com",
        "/sharing/share-offsite/",
    )
    shared = urlsplit(parse_qs(target.query)["url"][0])
    assert (
        f"{shared.scheme}://{shared.netloc}{shared.path}" == f"http://tcma.test/l/{campaign.code}"
    )
    query = parse_qs(shared.query)
    assert query["s"] == ["linkedin"] and query["utm_medium"] == ["social"]
    assert query["utm_content"] == ["social-posts"]

    x = urlsplit(_share(as_a_user, campaign, "x").headers["Location"])
    assert x.netloc == "twitter.com" and x.path == "/intent/tweet"
    assert "text" in parse_qs(x.query) and "s=x" in parse_qs(x.query)["url"][0]
    facebook = urlsplit(_share(as_a_user, campaign, "facebook").headers["Location"])
    assert (
        facebook.netloc == "www.facebook.com" and "s=facebook" in parse_qs(facebook.query)["u"][0]
    )
    _share(as_a_user, campaign, "linkedin")

    # Nothing else can be shared through it: other networks, other assets, other partners.
    assert _share(as_a_user, campaign, "evil.example").status_code == 404
    assert _share(as_a_user, campaign, "linkedin", "invite-email").status_code == 404
    assert _share(as_b_user, campaign, "linkedin").status_code == 404

    pipeline = as_a_user.get(f"/pipeline/campaigns/{campaign.id}").get_data(as_text=True)
    social = pipeline[pipeline.index('id="social-heading"') :]
    assert '<th scope="row">LinkedIn</th><td class="num">2</td>' in social
    assert '<th scope="row">X</th><td class="num">1</td>' in social
    assert '<th scope="row">Facebook</th><td class="num">1</td>' in social


def test_a_draft_campaign_has_no_share_buttons(
    app: Flask, db_session: Session, world: World, as_a_user: FlaskClient
) -> None:
    partner = db_session.get(type(world.partner_a), world.partner_a.id)
    draft = start_campaign(app, db_session, partner, import_kit(app, db_session))
    assert "Share on" not in as_a_user.get(f"/campaigns/{draft.id}/launch").get_data(as_text=True)
    assert _share(as_a_user, draft, "linkedin").status_code == 404
