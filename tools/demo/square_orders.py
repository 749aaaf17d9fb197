"""Square orders for the demo: in-store and online orders, and the POS copies of delivery orders."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tools.demo.business import (
    MENU,
    MODIFIER_LISTS,
    PLATFORMS,
    REFUND_REASONS,
)
from tools.demo.catalog import (
    CARD_BRANDS,
    FIRST_NAMES,
    ITEM_COUNT_WEIGHTS,
    DemoCatalog,
)
from tools.demo.incidents import USUAL_REFUND_RATE, Incident
from tools.demo.payload_format import (
    Ids,
    apportion,
    line_gross,
    marked_up,
    money,
    percent_of,
    ppm_percent,
    square_time,
    tax_on,
)
from tools.sources.platforms import channel_for_platform


class SquareOrders(DemoCatalog):
    """Builds Square Order payloads."""

    def _pick_items(self, li: int, local: datetime, markup: int = 0) -> list[dict]:
        lines = self._draw_items(local, markup)
        stopped = self.incidents.stopped_item(li, local.date())
        if stopped is not None:
            lines = [
                self._substitute(line, local, markup, self.incidents.rng(stopped))
                if line["item"].name == stopped.item
                else line
                for line in lines
            ]
        return lines

    def _substitute(self, line: dict, local: datetime, markup: int, rng: random.Random) -> dict:
        """Another item of the same category for ``line`` (a stopped item), drawn from ``rng``."""
        weights = self._item_weights["lunch" if local.hour < 16 else "dinner"]
        stopped = line["item"]
        choices = [i for i, item in enumerate(MENU) if item.category == stopped.category and item != stopped]
        index = rng.choices(choices, [weights[i] for i in choices])[0]
        item = MENU[index]
        v = 0 if len(item.variations) == 1 else rng.choices(range(len(item.variations)), (60, 40))[0]
        return {
            "item": item,
            "variation": item.variations[v],
            "variation_id": self.variation_ids[index][v],
            "price": marked_up(item.variations[v].price, markup),
            "quantity": line["quantity"],
            "modifiers": line["modifiers"] if item.modifier_list == stopped.modifier_list else [],
        }

    def _draw_items(self, local: datetime, markup: int) -> list[dict]:
        rng = self.rng
        count = rng.choices([c for c, _ in ITEM_COUNT_WEIGHTS], [w for _, w in ITEM_COUNT_WEIGHTS])[0]
        weights = self._item_weights["lunch" if local.hour < 16 else "dinner"]
        lines = []
        for index in rng.choices(range(len(MENU)), weights, k=count):
            item = MENU[index]
            v = 0 if len(item.variations) == 1 else rng.choices(range(len(item.variations)), (60, 40))[0]
            variation = item.variations[v]
            quantity = rng.choices((1, 2, 3), (85, 12, 3))[0]
            modifiers = []
            if item.modifier_list and rng.random() < 0.3:
                mods = MODIFIER_LISTS[item.modifier_list][1]
                for m in sorted(rng.sample(range(len(mods)), rng.choice((1, 1, 2)))):
                    name, price, sku = mods[m]
                    modifiers.append(
                        {
                            "index": m,
                            "name": name,
                            "price": marked_up(price, markup),
                            "sku": sku,
                            "id": self.modifier_ids[item.modifier_list][1][m],
                        }
                    )
            lines.append(
                {
                    "item": item,
                    "variation": variation,
                    "variation_id": self.variation_ids[index][v],
                    "price": marked_up(variation.price, markup),
                    "quantity": quantity,
                    "modifiers": modifiers,
                }
            )
        return lines

    def _square_order(self, li: int, local: datetime, ticket: int, online: bool) -> dict:
        rng, loc = self.rng, self.locations[li]
        created = local.astimezone(UTC)
        lines = self._pick_items(li, local)
        order_id = self.ids.square()
        discount = None
        gross_total = sum(line_gross(line) for line in lines)
        roll = rng.random()
        if 15 <= local.hour < 17 and roll < 0.4:
            discount = ("Happy Hour 10%", "FIXED_PERCENTAGE", 10, None)
        elif roll < 0.03 and gross_total >= 2500:
            discount = ("Loyalty $5 Off", "FIXED_AMOUNT", None, 500)
        elif roll > 0.99:
            discount = ("Staff Meal 50%", "FIXED_PERCENTAGE", 50, None)
        line_discounts = apportion(lines, discount)
        order: dict = {"id": order_id, "location_id": self.square_location_ids[li]}
        if online:
            order["source"] = {"name": "Square Online"}
        square_lines, tax_total, discount_total = [], 0, 0
        for line, line_discount in zip(lines, line_discounts, strict=True):
            gross = line_gross(line)
            tax = tax_on(gross - line_discount, loc.tax_rate_ppm)
            tax_total += tax
            discount_total += line_discount
            square_lines.append(
                self._square_line(
                    f"{order_id[:12]}L{len(square_lines) + 1}",
                    line,
                    gross,
                    line_discount,
                    tax,
                    discount,
                )
            )
        order["line_items"] = square_lines
        order["taxes"] = [
            {
                "uid": "sales-tax",
                "name": "Sales Tax",
                "percentage": ppm_percent(loc.tax_rate_ppm),
                "type": "ADDITIVE",
                "scope": "ORDER",
                "applied_money": money(tax_total),
            }
        ]
        if discount:
            name, kind, pct, amount = discount
            entry = {
                "uid": "discount-1",
                "name": name,
                "type": kind,
                "scope": "ORDER",
                "applied_money": money(discount_total),
            }
            if pct is not None:
                entry["percentage"] = str(pct)
            else:
                entry["amount_money"] = money(amount)
            order["discounts"] = [entry]
        if online:
            pickup_at = created + timedelta(minutes=rng.randrange(15, 35))
            order["fulfillments"] = [
                {
                    "uid": "fulfillment-1",
                    "type": "PICKUP",
                    "state": "COMPLETED",
                    "pickup_details": {
                        "recipient": {"display_name": rng.choice(FIRST_NAMES)},
                        "pickup_at": square_time(pickup_at),
                        "placed_at": square_time(created),
                    },
                }
            ]
        net = gross_total - discount_total
        canceled = rng.random() < 0.006
        version, updated = 2, created + timedelta(seconds=rng.randrange(30, 900))
        tip = 0
        tenders = []
        if not canceled:
            method = rng.choices(("CARD", "CASH"), (85, 15) if not online else (1, 0))[0]
            if method == "CARD" and rng.random() < 0.65:
                tip = percent_of(net, rng.choice((15, 18, 20, 20, 22, 25)))
            amount = net + tax_total + tip
            tenders.append(self._tender(li, order_id, created, method, amount, tip, online))
            version = 4
        order.update(
            {
                "created_at": square_time(created),
                "updated_at": square_time(updated),
                "state": "CANCELED" if canceled else "COMPLETED",
                "version": version,
                "ticket_name": f"#{ticket}",
                "total_money": money(net + tax_total + tip),
                "total_tax_money": money(tax_total),
                "total_discount_money": money(discount_total),
                "total_tip_money": money(tip),
                "total_service_charge_money": money(0),
                "net_amount_due_money": money(0),
            }
        )
        if not canceled:
            order["closed_at"] = square_time(updated)
            order["tenders"] = tenders
            total = net + tax_total + tip
            if tenders[0]["type"] == "CARD":
                if rng.random() < USUAL_REFUND_RATE:
                    self._refund(order, li, square_lines, total, created)
                elif spike := self.incidents.extra_refund(li, local.date()):
                    self._refund(order, li, square_lines, total, created, self.incidents.rng(spike), spike)
        return order

    def _square_line(self, uid: str, line: dict, gross: int, discount: int, tax: int, order_discount) -> dict:
        variation = line["variation"]
        result = {
            "uid": uid,
            "catalog_object_id": line["variation_id"],
            "catalog_version": 1,
            "quantity": str(line["quantity"]),
            "name": line["item"].name,
            "variation_name": variation.name,
            "item_type": "ITEM",
            "base_price_money": money(line["price"]),
            "variation_total_price_money": money(line["price"] * line["quantity"]),
            "gross_sales_money": money(gross),
            "total_discount_money": money(discount),
            "total_tax_money": money(tax),
            "total_money": money(gross - discount + tax),
            "total_service_charge_money": money(0),
            "applied_taxes": [{"uid": uid + "T", "tax_uid": "sales-tax", "applied_money": money(tax)}],
        }
        if line["modifiers"]:
            result["modifiers"] = [
                {
                    "uid": f"{uid}M{n}",
                    "catalog_object_id": m["id"],
                    "name": m["name"],
                    "quantity": "1",
                    "base_price_money": money(m["price"]),
                    "total_price_money": money(m["price"] * line["quantity"]),
                }
                for n, m in enumerate(line["modifiers"], 1)
            ]
        if order_discount and discount:
            result["applied_discounts"] = [
                {"uid": uid + "D", "discount_uid": "discount-1", "applied_money": money(discount)}
            ]
        return result

    def _tender(self, li, order_id, created, method, amount, tip, online) -> dict:
        tender_id = self.ids.square()
        tender = {
            "id": tender_id,
            "location_id": self.square_location_ids[li],
            "transaction_id": order_id,
            "created_at": square_time(created + timedelta(minutes=self.rng.randrange(1, 10))),
            "amount_money": money(amount),
            "tip_money": money(tip),
            "type": method,
            "payment_id": tender_id,
        }
        if method == "CARD":
            fee = percent_of(amount * 10, 29 if online else 26) // 10 + (30 if online else 15)
            tender["processing_fee_money"] = money(fee)
            brand = self.rng.choices([b for b, _ in CARD_BRANDS], [w for _, w in CARD_BRANDS])[0]
            tender["card_details"] = {
                "status": "CAPTURED",
                "card": {"card_brand": brand, "last_4": f"{self.rng.randrange(10000):04d}"},
                "entry_method": "KEYED"
                if online
                else self.rng.choice(("CONTACTLESS", "CONTACTLESS", "EMV", "SWIPED")),
            }
        else:
            tendered = -(-amount // 500) * 500
            tender["cash_details"] = {
                "buyer_tendered_money": money(tendered),
                "change_back_money": money(tendered - amount),
            }
        return tender

    def _refund(
        self,
        order: dict,
        li: int,
        lines: list[dict],
        total: int,
        created: datetime,
        rng: random.Random | None = None,
        spike: Incident | None = None,
    ) -> None:
        """Refund the whole order or one line, drawn from ``rng`` (default the business's stream).

        A refund of a refund spike (``spike``) is issued the same local day, with the spike's reason.
        """
        rng = rng or self.rng
        ids = self.ids if rng is self.rng else Ids(rng)
        if rng.random() < 0.4 or len(lines) == 1:
            amount = total
        else:
            line = rng.choice(lines)
            amount = line["total_money"]["amount"]
        if spike is None:
            refunded_at = created + timedelta(minutes=rng.randrange(10, 60 * 48))
        else:
            tz = ZoneInfo(self.locations[li].timezone)
            local = created.astimezone(tz)
            last_minute = datetime.combine(local.date(), time(23, 59), tz)
            refunded_at = min(created + timedelta(minutes=rng.randrange(10, 120)), last_minute)
        refund_id = ids.square()
        reason = rng.choice(REFUND_REASONS)
        if spike is not None and spike.refund_reason:
            reason = spike.refund_reason
        tender = order["tenders"][0]
        order["refunds"] = [
            {
                "id": refund_id,
                "location_id": self.square_location_ids[li],
                "transaction_id": order["id"],
                "tender_id": tender["id"],
                "created_at": square_time(refunded_at),
                "reason": reason,
                "amount_money": money(amount),
                "status": "APPROVED",
            }
        ]
        order["updated_at"] = square_time(refunded_at)
        order["version"] += 1

    def _pos_copy(self, li, body, lines, discount_total, tax, canceled) -> dict:
        """The Square order Deliverect injects into the POS for a platform order."""
        created = datetime.fromisoformat(body["_created"].replace("Z", "+00:00")) + timedelta(seconds=2)
        order_id = self.ids.square()
        platform_name = {"uber_eats": "Uber Eats", "doordash": "DoorDash"}.get(
            next(p for p, _ in PLATFORMS if channel_for_platform(p) == body["channel"]), "Delivery"
        )
        line_discounts = apportion(
            lines,
            ("Platform promotion", "FIXED_AMOUNT", None, discount_total) if discount_total else None,
        )
        square_lines = []
        remaining_tax = tax
        for index, (line, line_discount) in enumerate(zip(lines, line_discounts, strict=True)):
            gross = line_gross(line)
            line_tax = (
                remaining_tax
                if index == len(lines) - 1
                else tax_on(gross - line_discount, self.locations[li].tax_rate_ppm)
            )
            remaining_tax -= line_tax
            square_lines.append(
                self._square_line(
                    f"{order_id[:12]}L{index + 1}",
                    line,
                    gross,
                    line_discount,
                    line_tax,
                    discount_total or None,
                )
            )
        total = body["payment"]["amount"]
        order = {
            "id": order_id,
            "location_id": self.square_location_ids[li],
            "source": {"name": "Deliverect"},
            "reference_id": body["channelOrderDisplayId"],
            "ticket_name": f"{platform_name} {body['channelOrderDisplayId']}",
            "line_items": square_lines,
            "taxes": [
                {
                    "uid": "sales-tax",
                    "name": "Sales Tax",
                    "type": "ADDITIVE",
                    "scope": "ORDER",
                    "percentage": ppm_percent(self.locations[li].tax_rate_ppm),
                    "applied_money": money(tax),
                }
            ],
            "fulfillments": [
                {
                    "uid": "fulfillment-1",
                    "type": "DELIVERY" if body["orderType"] == 2 else "PICKUP",
                    "state": "CANCELED" if canceled else "COMPLETED",
                }
            ],
            "created_at": square_time(created),
            "updated_at": square_time(created + timedelta(minutes=25)),
            "state": "CANCELED" if canceled else "COMPLETED",
            "version": 3,
            "total_money": money(total),
            "total_tax_money": money(tax),
            "total_discount_money": money(discount_total),
            "total_tip_money": money(body["tip"] + body["driverTip"]),
            "total_service_charge_money": money(body["deliveryCost"]),
            "net_amount_due_money": money(0),
        }
        if discount_total:
            order["discounts"] = [
                {
                    "uid": "discount-1",
                    "name": "Platform promotion",
                    "type": "FIXED_AMOUNT",
                    "scope": "ORDER",
                    "amount_money": money(discount_total),
                    "applied_money": money(discount_total),
                }
            ]
        if not canceled:
            order["closed_at"] = order["updated_at"]
            tender_id = self.ids.square()
            order["tenders"] = [
                {
                    "id": tender_id,
                    "location_id": self.square_location_ids[li],
                    "transaction_id": order_id,
                    "created_at": square_time(created),
                    "amount_money": money(total),
                    "tip_money": money(body["tip"] + body["driverTip"]),
                    "type": "OTHER",
                    "payment_id": tender_id,
                }
            ]
        return order
