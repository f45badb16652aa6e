"""The names of the coupon incident (docs/story.md), written once.

Owns: the topic, the groups, the clients and the effect ledgers every telling of the
incident uses (the lessons' shop, the demo, the lab of ``minimq check``), and the
"order paid" message the order system sends.
"""

from __future__ import annotations

import json

from minimq.model import Message

TOPIC = "order-paid"
ORDER_GROUP = "order-system"  # the order system's producer group
COUPON_GROUP = "coupon-system"
RED_PACKET_GROUP = "red-packet-system"
COUPON_CLIENT = "coupon-1"
RED_PACKET_CLIENT = "red-packet-1"
COUPON_LEDGER = "coupon DB"  # the coupon database, as the trace names it
RED_PACKET_LEDGER = "red-packet DB"
SMS_GATEWAY = "SMS gateway"  # the notification service the coupon system sends its SMS through (lesson 6)
SMS_LEDGER = "SMS"  # every SMS it hands to the carrier, keyed by order


def order_paid(order: str, user: str) -> Message:
    """A new "order paid" message: JSON ``{"order", "user", "status"}``, keyed by the
    order id (so ``queryMessageByKey`` and the business-key checkers find it)."""
    body = json.dumps({"order": order, "user": user, "status": "PAID"}).encode()
    return Message(TOPIC, body, keys=(order,))
