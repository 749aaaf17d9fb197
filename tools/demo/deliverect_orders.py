"""Deliverect order webhook bodies for the demo's platform orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tools.demo.business import (
    PLATFORM_MARKUP_PERCENT,
    PLATFORMS,
)
from tools.demo.catalog import FIRST_NAMES
from tools.demo.incidents import Incident
from tools.demo.payload_format import (
    deliverect_time,
    line_gross,
    percent_of,
    tax_on,
)
from tools.demo.square_orders import SquareOrders
from tools.sources.platforms import channel_for_platform


class DeliverectOrders(SquareOrders):
    """Builds Deliverect order bodies."""

    def _deliverect_order(self, li: int, local: datetime) -> tuple[list[dict], dict | None]:
        """The webhook bodies for one platform order, and its POS copy (a Square order) if injected."""
        rng, loc = self.rng, self.locations[li]
        created = local.astimezone(UTC)
        platform = rng.choices([p for p, _ in PLATFORMS], [w for _, w in PLATFORMS])[0]
        delivery = rng.random() < 0.85
        lines = self._pick_items(li, local, PLATFORM_MARKUP_PERCENT)
        items, subtotal = [], 0
        for line in lines:
            items.append(
                {
                    "plu": line["variation"].sku,
                    "name": line["item"].name
                    if line["variation"].name == "Regular"
                    else f"{line['item'].name} ({line['variation'].name})",
                    "price": line["price"],
                    "quantity": line["quantity"],
                    "productType": 1,
                    "subItems": [
                        {
                            "plu": m["sku"],
                            "name": m["name"],
                            "price": m["price"],
                            "quantity": 1,
                            "productType": 2,
                            "subItems": [],
                        }
                        for m in line["modifiers"]
                    ],
                }
            )
            subtotal += line_gross(line)
        discounts, discount_total = [], 0
        if rng.random() < 0.12:
            if subtotal >= 2500 and rng.random() < 0.5:
                discount_total = 500
                discounts.append(
                    {
                        "type": "order_flat_off",
                        "provider": "restaurant",
                        "name": "Spend $25, save $5",
                        "channelDiscountCode": "SAVE5",
                        "referenceId": "1",
                        "value": 500,
                        "amount": 500,
                    }
                )
            else:
                discount_total = min(percent_of(subtotal, 20), 800)
                discounts.append(
                    {
                        "type": "order_percent_off",
                        "provider": "channel",
                        "name": "20% off (max $8)",
                        "channelDiscountCode": "TWENTY",
                        "referenceId": "1",
                        "value": 20,
                        "amount": discount_total,
                    }
                )
        tax = tax_on(subtotal - discount_total, loc.tax_rate_ppm)
        delivery_cost = rng.choice((199, 299, 399)) if delivery else 0
        driver_tip = rng.choice((0, 200, 300, 400, 500)) if delivery and rng.random() < 0.65 else 0
        tip = rng.choice((100, 200)) if not delivery and rng.random() < 0.2 else 0
        total = subtotal - discount_total + tax + delivery_cost + tip + driver_tip
        order_id = self.ids.object_id(created)
        code = channel_for_platform(platform)
        if platform == "uber_eats":
            channel_order_id = self.ids.uuid()
            display_id = channel_order_id[:5].upper()
        else:
            channel_order_id = f"{self.rng.getrandbits(48):012x}"
            display_id = channel_order_id[-6:].upper()
        prep = timedelta(minutes=rng.randrange(10, 26))
        pickup_time = created + prep
        pos_copy = None
        square_location = self.square_location_ids[li]
        body = {
            "_id": order_id,
            "_created": deliverect_time(created),
            "_updated": deliverect_time(created),
            "account": self.deliverect_account,
            "location": self.deliverect_location_ids[li],
            "channelLink": self.channel_links[(li, platform)],
            "channel": code,
            "channelOrderId": channel_order_id,
            "channelOrderDisplayId": display_id,
            "posId": "",
            "posReceiptId": "",
            "posLocationId": square_location if loc.pos_integrated else "",
            "status": 1,
            "orderType": 2 if delivery else 1,
            "by": "",
            "pickupTime": deliverect_time(pickup_time),
            "deliveryTime": deliverect_time(pickup_time + timedelta(minutes=rng.randrange(12, 36)))
            if delivery
            else deliverect_time(pickup_time),
            "deliveryIsAsap": True,
            "courier": {
                "deliveryBy": platform if delivery else "",
                "firstName": "",
                "lastName": "",
                "phoneNumber": "",
            },
            "customer": {
                "name": rng.choice(FIRST_NAMES),
                "companyName": "",
                "phoneNumber": "",
                "email": "",
                "note": "",
            },
            "orderIsAlreadyPaid": True,
            "decimalDigits": 2,
            "numberOfCustomers": 1,
            "payment": {"amount": total, "type": 0, "due": 0, "rebate": 0, "commissionType": ""},
            "taxes": [{"taxClassId": 0, "name": "Sales Tax", "total": tax}],
            "taxRemitted": tax,
            "items": items,
            "deliveryCost": delivery_cost,
            "deliveryCostTax": 0,
            "serviceCharge": 0,
            "serviceChargeTax": 0,
            "tip": tip,
            "driverTip": driver_tip,
            "bagFee": 0,
            "discountTotal": -discount_total,
            "discounts": discounts,
            "note": "",
            "packaging": {"includeCutlery": rng.random() < 0.3},
        }
        if delivery:
            body["deliveryAddress"] = {
                "street": rng.choice(("Elm St", "Oak Ave", "Maple Dr", "Cedar Ln")),
                "streetNumber": str(rng.randrange(1, 400)),
                "postalCode": loc.postal_code,
                "city": loc.locality,
                "country": "US",
                "extraAddressInfo": "",
            }
        canceled = rng.random() < 0.03
        if loc.pos_integrated:
            pos_copy = self._pos_copy(li, body, lines, discount_total, tax, canceled)
            body["posId"] = pos_copy["id"]
            body["posReceiptId"] = pos_copy["ticket_name"]
        events = [body]
        if canceled:
            cancel = dict(body)
            cancel["status"] = rng.choice((100, 100, 110))
            cancel["_updated"] = deliverect_time(created + timedelta(minutes=rng.randrange(3, 20)))
            events.append(cancel)
        return events, pos_copy

    def _cancel_by_platform(self, events: list[dict], pos_copy: dict | None, incident: Incident) -> None:
        """Cancel a placed platform order for an outage: the body re-sent with the incident's status a few
        minutes later, and its POS copy cancelled (no tender). An order already cancelled stays as it is."""
        if len(events) > 1:
            return
        body = events[0]
        created = datetime.fromisoformat(body["_created"].replace("Z", "+00:00"))
        cancel = dict(body)
        cancel["status"] = incident.cancel_status
        minutes = self.incidents.rng(incident).randrange(3, 20)
        cancel["_updated"] = deliverect_time(created + timedelta(minutes=minutes))
        events.append(cancel)
        if pos_copy is not None:
            pos_copy["state"] = "CANCELED"
            pos_copy["fulfillments"][0]["state"] = "CANCELED"
            pos_copy.pop("closed_at", None)
            pos_copy.pop("tenders", None)
