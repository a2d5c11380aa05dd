"""Demo brands for the demo partners, each with a logo drawn here (no binary files shipped)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

from tcma.accounts import services as account_services
from tcma.cobrand import services
from tcma.storage import Storage

DEMO_BRANDS = {
    "Brightpath IT": {
        "display_name": "Brightpath IT",
        "primary_color": "#0a6e5c",
        "secondary_color": "#9a3412",
        "website": "https://www.brightpath-it.example",
        "phone": "+44 113 496 0123",
        "email": "hello@brightpath-it.example",
        "address": "4 Wellington Place, Leeds LS1 4AP, United Kingdom",
        "description": "Managed backup and recovery for schools, councils and charities "
        "across the north of England.",
    },
    "Cobalt Systems Group": {
        "display_name": "Cobalt Systems",
        "primary_color": "#1d4ed8",
        "secondary_color": "#0f172a",
        "website": "https://www.cobalt-systems.example",
        "phone": "+1 312 555 0147",
        "email": "events@cobalt-systems.example",
        "address": "222 W Adams St, Suite 1400, Chicago, IL 60606, USA",
        "description": "Infrastructure and data-protection partner to mid-market IT teams "
        "in the Midwest since 2004.",
    },
}


def draw_logo(name: str, colour: str) -> bytes:
    """A wordmark logo: a coloured tile with the initials, then the name, on transparency."""
    image = Image.new("RGBA", (720, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 152, 152), radius=28, fill=colour)
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    draw.text((80, 80), initials, font=ImageFont.load_default(size=68), fill="white", anchor="mm")
    draw.text((176, 80), name, font=ImageFont.load_default(size=62), fill="#14213d", anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def load_demo_brands(session: Session, storage: Storage) -> list[str]:
    """Give each demo partner without a brand its demo brand; return the partners changed."""
    created = []
    for partner_name, values in DEMO_BRANDS.items():
        partner = account_services.find_partner_by_name(session, partner_name)
        if partner is None or services.current_brand(session, partner.id) is not None:
            continue
        logo = draw_logo(values["display_name"], values["primary_color"])
        services.save_brand(session, storage, partner, None, values, logo=logo)
        created.append(partner_name)
    return created
