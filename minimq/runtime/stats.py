"""What a broker and a consumer hold right now, as plain values: their statistics.

Owns: ``BrokerStats``, ``ConsumerStats`` and ``QueueStats``. Each is a frozen record
read at one moment (``Broker.stats()``, ``PushConsumer.stats()``): it costs no virtual
time and goes through no fault, like looking at a dashboard. Code that wants to know
whether anything is left to happen (``World.quiet``), a test, or a picture reads these
instead of reaching into a broker's or a session's tables.
"""

from __future__ import annotations

from minimq.records import record


@record
class BrokerStats:
    """One broker: how many copies it stores, and what it still has to do by itself."""

    name: str
    stored: int  # copies in every queue's log: business, %RETRY%, %DLQ% and transaction topics
    scheduled_retries: int  # retry copies waiting for their delay (a send-back's ladder)
    held_pulls: int  # pulls held until a message arrives or the hold times out
    unresolved_halves: int = 0  # half messages the check-back will reach, op records not written yet
    pop_checkpoints: int = 0  # POP: popped messages neither acked nor revived yet
    held_receives: int = 0  # POP: receives held until a message arrives or the wait ends
    down: bool = False  # crashed and not restarted yet: unreachable, it does nothing


@record
class QueueStats:
    """One queue a consumer owns: how far it has consumed, and what it still holds."""

    topic: str
    queue_id: int
    max_offset: int  # the broker's next offset in this queue
    local_offset: int | None  # the consumer's offset table (None: nothing yet)
    in_flight: int  # messages cached in the process queue or being consumed
    reset_pending: bool = False  # an operator reset it; the next pull will move the offset back

    @property
    def done(self) -> bool:
        """Everything stored in the queue has been consumed, nothing is in flight, and no
        reset waits for the next pull; nor a correction: a local offset past the max offset
        (the commit log lost its tail) is moved back at the next pull."""
        return self.in_flight == 0 and (self.local_offset or 0) == self.max_offset and not self.reset_pending


@record
class ConsumerStats:
    """One push consumer (a process name), in its current process if it runs."""

    client: str  # the process name (``PushConsumer.name``)
    client_id: str | None  # what the broker knows its current or last process by; None: never started
    group: str
    running: bool
    incarnations: int  # processes started so far (the first start and each restart)
    queues: tuple[QueueStats, ...]  # the queues its process owns, sorted
    rebalance_due: bool = False  # woken (a member joined or left, its start) and not rebalanced yet

    @property
    def in_flight(self) -> int:
        return sum(q.in_flight for q in self.queues)

    @property
    def done(self) -> bool:
        """Running, no rebalance due, and every queue it owns is consumed (``QueueStats.done``)."""
        return self.running and not self.rebalance_due and all(q.done for q in self.queues)
