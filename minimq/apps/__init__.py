"""The applications around the broker: the systems of the coupon incident.

Owns: the incident's names (``incident``), the order system's send-with-retry loop
(``orders``) and its transactional send (``order_tx``, lesson 13), the coupon system that
runs a design (``coupons``) and the design contract (``design``, ``design_db``), the shop
that puts payment, order, coupon and red-packet systems together for the lessons
(``shop``), and their real SQLite databases (``db``, ``session``), and a stuck batch job's
lock that holds a coupon call (``wallet_lock``, lesson 7). The designs themselves are
files in ``minimq/designs/``. Lessons and ``minimq check`` both build on these; nothing
here is RocketMQ itself.
"""
