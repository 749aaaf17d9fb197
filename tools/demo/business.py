"""The fictional demo business: Copperline Kitchen, a four-location casual restaurant chain.

Everything here is invented. The generator turns this definition into Square- and Deliverect-shaped
payloads; nothing else reads it, so the store only ever learns about the business through those payloads.
"""

from __future__ import annotations

from dataclasses import dataclass

BUSINESS_NAME = "Copperline Kitchen"


@dataclass(frozen=True)
class DemoLocation:
    name: str
    timezone: str
    tax_rate_ppm: int  # sales tax in parts per million (8.875% = 88_750)
    volume: float  # relative order volume
    pos_integrated: bool  # Deliverect injects its orders into this location's POS
    address: str
    locality: str
    region: str
    postal_code: str
    late_night: bool = False  # open until midnight on Fridays and Saturdays


LOCATIONS: tuple[DemoLocation, ...] = (
    DemoLocation(
        "Downtown",
        "America/New_York",
        88_750,
        1.2,
        True,
        "114 Foundry St",
        "New York",
        "NY",
        "10013",
        late_night=True,
    ),
    DemoLocation("Harbor", "America/New_York", 88_750, 1.0, True, "9 Pier Lane", "Brooklyn", "NY", "11201"),
    DemoLocation(
        "Uptown",
        "America/New_York",
        88_750,
        0.8,
        False,
        "2280 Linden Ave",
        "New York",
        "NY",
        "10027",
    ),
    DemoLocation(
        "Sunset",
        "America/Los_Angeles",
        95_000,
        0.95,
        False,
        "7710 Vista Blvd",
        "Los Angeles",
        "CA",
        "90046",
    ),
)

# Extra locations for benchmark-sized businesses (names only; they reuse the patterns above).
EXTRA_LOCATION_NAMES = (
    "Midtown",
    "Lakeside",
    "Airport",
    "Riverside",
    "Old Town",
    "Parkview",
    "Eastgate",
    "Westfield",
    "Northpoint",
    "Southbank",
    "Hillcrest",
    "Bayview",
)


@dataclass(frozen=True)
class DemoVariation:
    name: str | None
    price: int  # cents
    sku: str


@dataclass(frozen=True)
class DemoItem:
    name: str
    category: str
    variations: tuple[DemoVariation, ...]
    popularity: float
    modifier_list: str | None = None
    daypart: str = "all"  # "lunch", "dinner" or "all": when it sells best


def _one(price: int, sku: str) -> tuple[DemoVariation, ...]:
    return (DemoVariation("Regular", price, sku),)


MENU: tuple[DemoItem, ...] = (
    DemoItem(
        "Classic Burger",
        "Burgers",
        (DemoVariation("Single", 1195, "BRG-CLS-1"), DemoVariation("Double", 1595, "BRG-CLS-2")),
        9.0,
        "burger_addons",
    ),
    DemoItem(
        "Smash Burger",
        "Burgers",
        (DemoVariation("Single", 1295, "BRG-SMS-1"), DemoVariation("Double", 1695, "BRG-SMS-2")),
        7.5,
        "burger_addons",
    ),
    DemoItem("Veggie Burger", "Burgers", _one(1295, "BRG-VEG"), 3.0, "burger_addons"),
    DemoItem(
        "Chicken Sandwich",
        "Burgers",
        (DemoVariation("Grilled", 1295, "SND-CHK-G"), DemoVariation("Crispy", 1345, "SND-CHK-C")),
        6.0,
        "sauces",
    ),
    DemoItem("Harvest Bowl", "Bowls", _one(1395, "BWL-HRV"), 4.5, "bowl_proteins", "lunch"),
    DemoItem("Poke Bowl", "Bowls", _one(1595, "BWL-POK"), 4.0, "bowl_proteins", "lunch"),
    DemoItem("Chicken Rice Bowl", "Bowls", _one(1395, "BWL-CHR"), 5.0, "bowl_proteins", "lunch"),
    DemoItem("Falafel Bowl", "Bowls", _one(1295, "BWL-FAL"), 2.5, "bowl_proteins", "lunch"),
    DemoItem(
        "Caesar Salad",
        "Salads",
        (DemoVariation("Regular", 1095, "SAL-CSR-R"), DemoVariation("Large", 1395, "SAL-CSR-L")),
        4.0,
        "bowl_proteins",
        "lunch",
    ),
    DemoItem("Cobb Salad", "Salads", _one(1395, "SAL-COB"), 2.5, None, "lunch"),
    DemoItem("Greek Salad", "Salads", _one(1195, "SAL-GRK"), 2.0, None, "lunch"),
    DemoItem(
        "Margherita Pizza",
        "Pizza",
        (DemoVariation('10"', 1395, "PZA-MRG-10"), DemoVariation('14"', 1795, "PZA-MRG-14")),
        6.0,
        "pizza_toppings",
        "dinner",
    ),
    DemoItem(
        "Pepperoni Pizza",
        "Pizza",
        (DemoVariation('10"', 1495, "PZA-PEP-10"), DemoVariation('14"', 1895, "PZA-PEP-14")),
        6.5,
        "pizza_toppings",
        "dinner",
    ),
    DemoItem(
        "Veggie Supreme Pizza",
        "Pizza",
        (DemoVariation('10"', 1595, "PZA-VEG-10"), DemoVariation('14"', 1995, "PZA-VEG-14")),
        2.5,
        "pizza_toppings",
        "dinner",
    ),
    DemoItem(
        "Fries",
        "Sides",
        (DemoVariation("Regular", 495, "SID-FRY-R"), DemoVariation("Large", 695, "SID-FRY-L")),
        10.0,
        "sauces",
    ),
    DemoItem("Sweet Potato Fries", "Sides", _one(595, "SID-SWF"), 4.0, "sauces"),
    DemoItem("Onion Rings", "Sides", _one(595, "SID-ONR"), 3.0, "sauces"),
    DemoItem("Side Salad", "Sides", _one(495, "SID-SAL"), 2.0),
    DemoItem("Mac & Cheese", "Sides", _one(695, "SID-MAC"), 3.5),
    DemoItem(
        "Fountain Soda",
        "Drinks",
        (DemoVariation("Small", 295, "DRK-SOD-S"), DemoVariation("Large", 395, "DRK-SOD-L")),
        9.0,
    ),
    DemoItem("Iced Tea", "Drinks", _one(350, "DRK-TEA"), 4.0),
    DemoItem("Lemonade", "Drinks", _one(395, "DRK-LEM"), 4.0),
    DemoItem("Cold Brew", "Drinks", _one(450, "DRK-CBR"), 3.0, None, "lunch"),
    DemoItem("Craft Beer", "Drinks", _one(795, "DRK-BER"), 3.5, None, "dinner"),
    DemoItem("House Wine", "Drinks", _one(995, "DRK-WIN"), 2.5, None, "dinner"),
    DemoItem("Chocolate Brownie", "Desserts", _one(595, "DES-BRW"), 3.0),
    DemoItem("New York Cheesecake", "Desserts", _one(750, "DES-CHC"), 2.5, None, "dinner"),
    DemoItem("Ice Cream Sundae", "Desserts", _one(650, "DES-SUN"), 2.0),
    DemoItem("Kids Burger", "Kids", _one(795, "KID-BRG"), 2.0),
    DemoItem("Kids Chicken Tenders", "Kids", _one(795, "KID-TND"), 2.0),
)

MODIFIER_LISTS: dict[str, tuple[str, tuple[tuple[str, int, str], ...]]] = {
    "burger_addons": (
        "Burger Add-ons",
        (
            ("Bacon", 200, "MOD-BACON"),
            ("Extra Cheese", 150, "MOD-CHEESE"),
            ("Avocado", 250, "MOD-AVO"),
            ("Fried Egg", 150, "MOD-EGG"),
        ),
    ),
    "bowl_proteins": (
        "Add Protein",
        (
            ("Add Chicken", 400, "MOD-CHICKEN"),
            ("Add Salmon", 600, "MOD-SALMON"),
            ("Add Tofu", 300, "MOD-TOFU"),
        ),
    ),
    "pizza_toppings": (
        "Extra Toppings",
        (
            ("Extra Mozzarella", 200, "MOD-MOZZ"),
            ("Mushrooms", 150, "MOD-MUSH"),
            ("Jalapeños", 100, "MOD-JAL"),
            ("Hot Honey", 125, "MOD-HONEY"),
        ),
    ),
    "sauces": (
        "Dipping Sauce",
        (
            ("Ranch", 75, "MOD-RANCH"),
            ("BBQ Sauce", 75, "MOD-BBQ"),
            ("Chipotle Mayo", 75, "MOD-CHIPOTLE"),
        ),
    ),
}

# Delivery platforms used by the demo business, with their share of platform orders and menu markup.
PLATFORMS: tuple[tuple[str, float], ...] = (("uber_eats", 0.55), ("doordash", 0.45))
PLATFORM_MARKUP_PERCENT = 10

# Commission the platforms charge (estimates; Deliverect payloads carry no commission amount).
COMMISSION_RATES = (
    {"platform": "uber_eats", "rate_percent": "30", "valid_from": "2020-01-01"},
    {"platform": "doordash", "rate_percent": "25", "valid_from": "2020-01-01"},
    {"platform": "deliveroo", "rate_percent": "30", "valid_from": "2020-01-01"},
    {"platform": "just_eat", "rate_percent": "14", "valid_from": "2020-01-01"},
    # The Sunset location negotiated a lower Uber Eats rate.
    {
        "platform": "uber_eats",
        "rate_percent": "25",
        "valid_from": "2020-01-01",
        "location": "Sunset",
    },
)

REFUND_REASONS = (
    "Wrong item",
    "Food quality",
    "Long wait",
    "Customer complaint",
    "Order not received",
)
