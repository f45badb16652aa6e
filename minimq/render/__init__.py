"""Pictures and words for a trace: the only package that imports rich.

``describe`` turns one event into one sentence; ``timeline`` lays a trace out in lanes
(producer | broker | each consumer | each effect ledger) with duplicates marked;
``state`` draws the broker's queues and offsets as tables.
"""
