"""What transactional messages did: half messages, the producer's end of a transaction,
the broker's check-back scan, commits, rollbacks and discards (path P16).

A half message lives in ``RMQ_SYS_TRANS_HALF_TOPIC`` (queue 0), where no consumer looks:
storing one, writing it back for a check, or moving it to ``TRANS_CHECK_MAX_TIME_TOPIC``
is told by the events below, not by ``MessageStored``. ``MessageStored`` is told when a
COMMIT copies a half into its real topic, where consumers get it. ``half_offset`` is an
entry's queue offset in the half queue; ``group`` is the producer group.
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class ProducerRegistered(Event):
    """A transactional producer came up: the broker can check back with it
    (``ProducerManager.registerProducer``, by its heartbeat)."""

    group: str
    producer: str


@record
class ProducerUnregistered(Event):
    """A transactional producer shut down: the broker no longer checks back with it."""

    group: str
    producer: str


@record
class HalfMessageStored(Event):
    """A producer's half message was stored at ``half_offset``: prepared, invisible to
    consumers until a COMMIT copies it into ``real_topic`` (queue ``real_queue_id``)."""

    group: str
    msg_id: str
    offset_msg_id: str
    half_offset: int
    real_topic: str
    real_queue_id: int
    keys: tuple[str, ...]


@record
class TransactionEnded(Event):
    """A producer decided a transaction and sent ``END_TRANSACTION`` (oneway) for the half
    entry ``half_offset``: ``state`` is ``COMMIT_MESSAGE``, ``ROLLBACK_MESSAGE`` or
    ``UNKNOW``, from its local transaction, or from its check listener when
    ``from_check``. ``note`` is what the callback raised, if it raised."""

    producer: str
    group: str
    msg_id: str
    half_offset: int
    state: str
    from_check: bool
    note: str


@record
class TransactionChecked(Event):
    """The check-back scan found the half entry ``half_offset`` unresolved and older than
    ``transactionTimeOut``: it wrote it back to the half queue as ``copy_offset``, its
    ``check_times``-th check, and asked ``producer`` about it (``CHECK_TRANSACTION_STATE``);
    ``producer`` is empty when no producer of the group was online."""

    group: str
    msg_id: str
    half_offset: int
    copy_offset: int
    check_times: int
    producer: str


@record
class HalfMessageCommitted(Event):
    """A COMMIT copied the half entry ``half_offset`` into ``topic`` (queue ``queue_id``,
    offset ``queue_offset``, new ``offset_msg_id``) with the same msg id. ``commits``
    counts the COMMITs applied to this msg id so far: from 2 on, a duplicate (#5574)."""

    group: str
    msg_id: str
    half_offset: int
    topic: str
    queue_id: int
    queue_offset: int
    offset_msg_id: str
    from_check: bool
    commits: int


@record
class HalfMessageRolledBack(Event):
    """A ROLLBACK marked the half entry ``half_offset`` done: nothing is delivered."""

    group: str
    msg_id: str
    half_offset: int
    from_check: bool


@record
class HalfMessageDiscarded(Event):
    """The half entry ``half_offset`` had been checked ``check_times`` times
    (``transactionCheckMax``): moved to ``TRANS_CHECK_MAX_TIME_TOPIC``, never delivered."""

    group: str
    msg_id: str
    half_offset: int
    check_times: int


@record
class OpMessageWritten(Event):
    """The op batch service wrote one op message to ``RMQ_SYS_TRANS_OP_HALF_TOPIC``: the
    half entries at ``half_offsets`` are done, and the scan skips them from now on."""

    half_offsets: tuple[int, ...]


@record
class OpRecordsLost(Event):
    """The broker process died with op records queued in memory, not written yet: the
    half entries at ``half_offsets`` have no op record, and after the restart the scan
    checks them again, though each was committed or rolled back (``TransactionalOpBatchService``
    writes every 3 s)."""

    half_offsets: tuple[int, ...]
