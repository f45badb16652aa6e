"""The trace vocabulary: every state change in a simulation is one of these events.

Owns: the event types, one module per part of the system (``world``, ``producer``,
``broker``, ``restart``, ``consumer``, ``consume``, ``pop``, ``effects``, ``transaction``,
``replication``), all importable from here. Each is a frozen record (``minimq.records``:
keyword arguments only), named in the past tense, stamped with the virtual time ``at_ms``
at which it happened. Fields are plain strings, ints, ``None`` and tuples, so a trace can
be written as JSON lines and read back unchanged (``minimq.trace``). Lessons, pictures,
checkers and tests all read these and nothing else.

Who is who in the fields: ``producer`` names a producer; a consumer's ``client`` is the
name of its process (its lane), kept across restarts, while ``client_id`` is what the
broker knows a running process by (``clientIP@instanceName``, new at each start unless an
instance name is set: ``ConsumerStarted``, ``ConsumerRegistered``); an orderly lock is
held by client id. ``group`` is a consumer group; ``queue_id`` belongs to ``topic``
unless a field says otherwise.
"""

from minimq.events.base import EVENT_TYPES, Event
from minimq.events.broker import (
    ConsumerRegistered,
    ConsumerUnregistered,
    MessageDeadLettered,
    MessageSentBack,
    MessageStored,
    OffsetPersisted,
    OffsetReset,
    QueueLocked,
    QueueUnlocked,
)
from minimq.events.consume import (
    BatchConsumed,
    ConsumeFailureDropped,
    ConsumeResultDiscarded,
    ConsumeTimedOut,
    MessageConsumed,
    MessageDelivered,
    OffsetCommittedLocally,
    RetriedLocally,
    SendBackFailed,
)
from minimq.events.consumer import (
    ConsumerCrashed,
    ConsumerShutdown,
    ConsumerStarted,
    MessagesPulled,
    PullFailed,
    PullFlowControlled,
    PullOffsetMoved,
    Rebalanced,
)
from minimq.events.effects import (
    AppEvent,
    EffectApplied,
    EffectExpected,
)
from minimq.events.pop import (
    AckRejected,
    InvisibleTimeChanged,
    MessageAcked,
    MessagePopped,
    MessageRevived,
)
from minimq.events.producer import (
    SendAttempted,
    SendFailed,
    SendGaveUp,
    SendSucceeded,
)
from minimq.events.replication import (
    MessagesReplicated,
    OffsetSyncedFromMaster,
    ReplicationLagged,
    RouteChanged,
    RouteRefreshed,
)
from minimq.events.restart import (
    BrokerCrashed,
    BrokerRestarted,
    CommitLogTruncated,
    OffsetCorrected,
    OffsetRestored,
    ScheduleProgressRestored,
)
from minimq.events.transaction import (
    HalfMessageCommitted,
    HalfMessageDiscarded,
    HalfMessageRolledBack,
    HalfMessageStored,
    OpMessageWritten,
    OpRecordsLost,
    ProducerRegistered,
    ProducerUnregistered,
    TransactionChecked,
    TransactionEnded,
)
from minimq.events.world import (
    FaultInjected,
    TopicCreated,
    WorldStarted,
)

__all__ = [
    "EVENT_TYPES",
    "AckRejected",
    "AppEvent",
    "BatchConsumed",
    "BrokerCrashed",
    "BrokerRestarted",
    "CommitLogTruncated",
    "ConsumeFailureDropped",
    "ConsumeResultDiscarded",
    "ConsumeTimedOut",
    "ConsumerCrashed",
    "ConsumerRegistered",
    "ConsumerShutdown",
    "ConsumerStarted",
    "ConsumerUnregistered",
    "EffectApplied",
    "EffectExpected",
    "Event",
    "FaultInjected",
    "HalfMessageCommitted",
    "HalfMessageDiscarded",
    "HalfMessageRolledBack",
    "HalfMessageStored",
    "InvisibleTimeChanged",
    "MessageAcked",
    "MessageConsumed",
    "MessageDeadLettered",
    "MessageDelivered",
    "MessagePopped",
    "MessageRevived",
    "MessageSentBack",
    "MessageStored",
    "MessagesPulled",
    "MessagesReplicated",
    "OffsetCommittedLocally",
    "OffsetCorrected",
    "OffsetPersisted",
    "OffsetReset",
    "OffsetRestored",
    "OffsetSyncedFromMaster",
    "OpMessageWritten",
    "OpRecordsLost",
    "ProducerRegistered",
    "ProducerUnregistered",
    "PullFailed",
    "PullFlowControlled",
    "PullOffsetMoved",
    "QueueLocked",
    "QueueUnlocked",
    "Rebalanced",
    "ReplicationLagged",
    "RetriedLocally",
    "RouteChanged",
    "RouteRefreshed",
    "ScheduleProgressRestored",
    "SendAttempted",
    "SendBackFailed",
    "SendFailed",
    "SendGaveUp",
    "SendSucceeded",
    "TopicCreated",
    "TransactionChecked",
    "TransactionEnded",
    "WorldStarted",
]
