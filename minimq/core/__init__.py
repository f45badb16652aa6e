"""Sans-I/O state machines: synchronous, time passed in as an argument.

Nothing in ``minimq.core`` imports asyncio, time, random or rich; it imports only the
standard library, the values (``minimq.records``, ``model``, ``errors``, ``events``) and
itself. A rule returns its decision and the events it decides on; ``minimq.runtime``
performs the decision and records the events.
"""
