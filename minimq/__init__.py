"""minimq: a deterministic, virtual-time, RocketMQ-faithful teaching broker.

See README.md for the tour and docs/semantics.md for every rule modelled.
"""

from minimq.check import Report, check
from minimq.effects import EffectLedger
from minimq.errors import (
    MinimqError,
    SendFailedError,
    SendTimeoutError,
    UnknownTopic,
    ValidationError,
)
from minimq.model import (
    ConsumeConcurrentlyContext,
    ConsumeOrderlyContext,
    ConsumeStatus,
    LocalTransactionState,
    Message,
    MessageExt,
    MessageModel,
    MessageQueue,
    OrderlyStatus,
    SendResult,
    SendStatus,
    TransactionSendResult,
)
from minimq.runtime.producer import select_by_hash
from minimq.sim.faults import CrashPoint
from minimq.trace import Trace
from minimq.world import World

__version__ = "0.1.0"

__all__ = [
    "ConsumeConcurrentlyContext",
    "ConsumeOrderlyContext",
    "ConsumeStatus",
    "CrashPoint",
    "EffectLedger",
    "LocalTransactionState",
    "Message",
    "MessageExt",
    "MessageModel",
    "MessageQueue",
    "MinimqError",
    "OrderlyStatus",
    "Report",
    "SendFailedError",
    "SendResult",
    "SendStatus",
    "SendTimeoutError",
    "Trace",
    "TransactionSendResult",
    "UnknownTopic",
    "ValidationError",
    "World",
    "check",
    "select_by_hash",
]
