"""The asyncio side: the broker service and the clients that talk to it."""
