"""Sans-I/O state machines: synchronous, stdlib only, time passed in as an argument.

Nothing in ``minimq.core`` imports asyncio, time, random or rich.
"""
