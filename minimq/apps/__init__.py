"""The applications around the broker: the shop of the coupon incident.

Owns: the payment, order, coupon and red-packet systems, their real SQLite databases
(``db``), and the coupon consumer designs, naive and idempotent (``designs``). Lessons
and property tests build on these; nothing here is RocketMQ itself.
"""
