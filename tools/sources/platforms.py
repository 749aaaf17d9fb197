"""Delivery platforms: Deliverect channel codes mapped to the platform names the store uses.

Unknown codes are kept as ``channel_<n>`` so no order is ever dropped for an unmapped channel.
"""

from __future__ import annotations

# Deliverect's numeric ``channel`` attribute → our platform key.
DELIVERECT_CHANNEL_PLATFORMS: dict[int, str] = {
    2: "deliveroo",
    7: "uber_eats",
    9: "just_eat",
    12: "doordash",
    25: "rappi",
    39: "ifood",
    101: "yelp",
    102: "thuisbezorgd",
}

PLATFORM_DISPLAY_NAMES: dict[str, str] = {
    "deliveroo": "Deliveroo",
    "uber_eats": "Uber Eats",
    "just_eat": "Just Eat",
    "doordash": "DoorDash",
    "rappi": "Rappi",
    "ifood": "iFood",
    "yelp": "Yelp",
    "thuisbezorgd": "Thuisbezorgd",
}


def platform_for_channel(code: int) -> str:
    """The platform key for a Deliverect channel code; unknown codes become ``channel_<n>``."""
    return DELIVERECT_CHANNEL_PLATFORMS.get(code, f"channel_{code}")


def channel_for_platform(platform: str) -> int:
    """The Deliverect channel code for a platform key (the inverse of platform_for_channel)."""
    for code, name in DELIVERECT_CHANNEL_PLATFORMS.items():
        if name == platform:
            return code
    if platform.startswith("channel_") and platform[8:].isdigit():
        return int(platform[8:])
    raise KeyError(f"unknown platform {platform!r} — known: {', '.join(PLATFORM_DISPLAY_NAMES)}")


def platform_display_name(platform: str) -> str:
    """A human name for a platform key (``uber_eats`` → ``Uber Eats``)."""
    return PLATFORM_DISPLAY_NAMES.get(platform, platform.replace("_", " ").title())
