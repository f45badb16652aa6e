"""Name, size and body rules checked before anything is stored.

Mirrors RocketMQ ``TopicValidator`` (common module) and the client's ``Validators``.
Rules:
- A topic name matches ``^[%|a-zA-Z0-9_-]+$`` and has at most 127 characters, or 255
  for ``%RETRY%``/``%DLQ%`` topics (``TOPIC_MAX_LENGTH``, ``RETRY_OR_DLQ_TOPIC_MAX_LENGTH``).
- The system topics (``TBW102``, ``SCHEDULE_TOPIC_XXXX``, ...: ``SYSTEM_TOPICS``) and
  every name with the ``rmq_sys_`` prefix may not be created by an application
  (``Validators.isSystemTopic``, called by ``createTopic``; the broker's
  ``updateAndCreateTopic`` refuses them too): ``check_new_topic``.
- Only six of them may not be sent to (``TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET``,
  checked by ``Validators.checkMessage`` and again by the broker):
  ``SCHEDULE_TOPIC_XXXX``, the three transaction topics, ``SELF_TEST_TOPIC`` and
  ``OFFSET_MOVED_EVENT``: ``check_send_topic``. A send to another system topic is
  checked like any other: it fails only if the topic does not exist.
- A subscription is checked by name only (``check_topic``): RocketMQ checks none.
- A consumer group name follows the same characters and has at most 120 characters
  (``GROUP_MAX_LENGTH``).
- A message body is ``bytes`` of 1 byte up to 4 MiB (``maxMessageSize``, body only).
Each check raises ``ValidationError`` naming the rule and the value; nothing is stored.
"""

from __future__ import annotations

import re

from minimq.errors import ValidationError

VALID_NAME = re.compile(r"^[%|a-zA-Z0-9_-]+$")
TOPIC_MAX_LENGTH = 127
RETRY_OR_DLQ_TOPIC_MAX_LENGTH = 255
GROUP_MAX_LENGTH = 120
MAX_MESSAGE_SIZE = 4 * 1024 * 1024
RETRY_GROUP_TOPIC_PREFIX = "%RETRY%"
DLQ_GROUP_TOPIC_PREFIX = "%DLQ%"
SYSTEM_TOPIC_PREFIX = "rmq_sys_"
SYSTEM_TOPICS = frozenset(  # TopicValidator.SYSTEM_TOPIC_SET
    {
        "TBW102",
        "SCHEDULE_TOPIC_XXXX",
        "RMQ_SYS_TRANS_HALF_TOPIC",
        "RMQ_SYS_TRANS_OP_HALF_TOPIC",
        "TRANS_CHECK_MAX_TIME_TOPIC",
        "RMQ_SYS_TRACE_TOPIC",
        "SELF_TEST_TOPIC",
        "OFFSET_MOVED_EVENT",
        "BenchmarkTest",
        "CHECKPOINT_TOPIC",  # 5.2.0 and later
    }
)
NOT_ALLOWED_SEND_TOPICS = frozenset(  # TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET
    {
        "SCHEDULE_TOPIC_XXXX",
        "RMQ_SYS_TRANS_HALF_TOPIC",
        "RMQ_SYS_TRANS_OP_HALF_TOPIC",
        "TRANS_CHECK_MAX_TIME_TOPIC",
        "SELF_TEST_TOPIC",
        "OFFSET_MOVED_EVENT",
    }
)


def is_retry_or_dlq(topic: str) -> bool:
    return topic.startswith((RETRY_GROUP_TOPIC_PREFIX, DLQ_GROUP_TOPIC_PREFIX))


def is_system_topic(topic: str) -> bool:
    """``TopicValidator.isSystemTopic``: a system topic's name, or the ``rmq_sys_`` prefix."""
    return topic in SYSTEM_TOPICS or topic.startswith(SYSTEM_TOPIC_PREFIX)


def check_topic(topic: object, *, system: bool = False) -> str:
    """Return ``topic`` if it is a valid topic name; ``system`` allows retry/DLQ topics
    (which an application may not name: only the broker makes them)."""
    if not isinstance(topic, str):
        raise ValidationError("topic name must be a string", topic)
    if not topic:
        raise ValidationError("topic name must not be empty", topic)
    if not VALID_NAME.fullmatch(topic):
        raise ValidationError("topic name must match ^[%|a-zA-Z0-9_-]+$", topic)
    limit = RETRY_OR_DLQ_TOPIC_MAX_LENGTH if is_retry_or_dlq(topic) else TOPIC_MAX_LENGTH
    if len(topic) > limit:
        raise ValidationError(f"topic name must have at most {limit} characters", topic)
    if not system and is_retry_or_dlq(topic):
        raise ValidationError("retry and DLQ topics are created by the broker", topic)
    return topic


def check_new_topic(topic: object) -> str:
    """Return ``topic`` if an application may create it: a valid name, not a system topic."""
    name = check_topic(topic)
    if is_system_topic(name):
        raise ValidationError("topic name conflicts with a system topic, which only the broker creates", name)
    return name


def check_send_topic(topic: object) -> str:
    """Return ``topic`` if a producer may send to it: a valid name, not one of the system
    topics RocketMQ refuses sends to (the others are checked like any topic)."""
    name = check_topic(topic)
    if name in NOT_ALLOWED_SEND_TOPICS:
        raise ValidationError("sending to this system topic is forbidden", name)
    return name


def check_group(group: object) -> str:
    """Return ``group`` if it is a valid consumer or producer group name."""
    if not isinstance(group, str) or not group:
        raise ValidationError("group name must be a non-empty string", group)
    if not VALID_NAME.fullmatch(group):
        raise ValidationError("group name must match ^[%|a-zA-Z0-9_-]+$", group)
    if len(group) > GROUP_MAX_LENGTH:
        raise ValidationError(f"group name must have at most {GROUP_MAX_LENGTH} characters", group)
    return group


def check_body(body: object) -> bytes:
    """Return ``body`` if it is a non-empty ``bytes`` of at most 4 MiB."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise ValidationError(
            f"message body must be bytes (encode text first), not {type(body).__name__}",
            body,
        )
    data = bytes(body)
    if not data:
        raise ValidationError("message body must not be empty", data)
    if len(data) > MAX_MESSAGE_SIZE:
        raise ValidationError(f"message body must be at most {MAX_MESSAGE_SIZE} bytes (4 MiB)", f"{len(data)} bytes")
    return data


def retry_topic(group: str) -> str:
    """The retry topic of a consumer group (RocketMQ ``MixAll.getRetryTopic``)."""
    return RETRY_GROUP_TOPIC_PREFIX + group


def dlq_topic(group: str) -> str:
    """The dead-letter topic of a consumer group (RocketMQ ``MixAll.getDLQTopic``)."""
    return DLQ_GROUP_TOPIC_PREFIX + group
