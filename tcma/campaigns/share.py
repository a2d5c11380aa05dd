"""Social share buttons: the networks' public share links carrying a campaign's tracked link.

A button leads to tcma first (``/campaigns/<id>/share/<network>/<asset>``), which counts the
click per network and forwards to the network's share URL. The share URL is built here from a
fixed base per network and the campaign's own landing link, so the redirect can lead nowhere
else (no open redirect).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from tcma.db import Base

#: network key → (name shown on the button, share URL base, its parameter for the link).
NETWORKS: dict[str, tuple[str, str, str]] = {
    "linkedin": ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", "url"),
    "x": ("X", "https://twitter.com/intent/tweet", "url"),
    "facebook": ("Facebook", "https://www.facebook.com/sharer/sharer.php", "u"),
}
#: The landing link's query parameter that says which network a visitor came from.
NETWORK_MARKER = "s"


class ShareClicks(Base):
    """How often a campaign's share button for one network was used."""

    __tablename__ = "campaign_share_clicks"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    network: Mapped[str] = mapped_column(String(20), primary_key=True)
    clicks: Mapped[int] = mapped_column(default=0)


def shared_link(tracking_link: str, network: str) -> str:
    """The asset's tracked landing link with the network marker added (``?s=linkedin``)."""
    parts = urlsplit(tracking_link)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != NETWORK_MARKER]
    query.append((NETWORK_MARKER, network))
    return urlunsplit(parts._replace(query=urlencode(query)))


def share_url(network: str, link: str, text: str) -> str:
    """The network's public share URL for ``link`` (X also gets the post text)."""
    _, base, param = NETWORKS[network]
    query: dict[str, str] = {param: link}
    if network == "x" and text:
        query["text"] = text[:200]
    return f"{base}?{urlencode(query)}"


def count_click(session: Session, campaign_id: int, network: str) -> None:
    """Add one click to the campaign's count for the network (one upsert; concurrent-safe)."""
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(ShareClicks).values(campaign_id=campaign_id, network=network, clicks=1)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ShareClicks.campaign_id, ShareClicks.network],
            set_={"clicks": ShareClicks.clicks + 1},
        )
    )


def clicks_by_network(session: Session, campaign_id: int) -> list[tuple[str, int]]:
    """(network name, clicks) for every network, in the buttons' order (0 when unused)."""
    rows = session.execute(
        select(ShareClicks.network, ShareClicks.clicks).where(
            ShareClicks.campaign_id == campaign_id
        )
    )
    stored = {network: clicks for network, clicks in rows}
    return [(name, stored.get(key, 0)) for key, (name, _, _) in NETWORKS.items()]
