"""Name, size and body rules (RocketMQ ``TopicValidator`` / ``Validators``)."""

from __future__ import annotations

import pytest

from minimq.core import validators as v
from minimq.errors import ValidationError

MIB = 1024 * 1024


# -- topics ----------------------------------------------------------------------------------
@pytest.mark.parametrize("topic", ["order-paid", "a", "A_b-9", "%weird|but%ok", "x" * 127, "0"])
def test_valid_topic_names_pass_unchanged(topic: str) -> None:
    assert v.check_topic(topic) == topic


@pytest.mark.parametrize(
    "topic",
    ["order paid", "order.paid", "订单", "topic/1", "tab\t", "semi;colon", "order-paid\n", "dollar$"],
)
def test_topic_characters_outside_the_regex_are_refused(topic: str) -> None:
    with pytest.raises(ValidationError) as info:
        v.check_topic(topic)
    assert info.value.rule == "topic name must match ^[%|a-zA-Z0-9_-]+$"
    assert info.value.value == topic
    assert "^[%|a-zA-Z0-9_-]+$" in str(info.value)
    assert repr(topic) in str(info.value)


def test_topic_length_limit_is_127() -> None:
    assert v.TOPIC_MAX_LENGTH == 127
    v.check_topic("t" * 127)
    with pytest.raises(ValidationError, match="at most 127 characters"):
        v.check_topic("t" * 128)


def test_retry_and_dlq_topics_may_have_255_characters_but_only_for_the_broker() -> None:
    assert v.RETRY_OR_DLQ_TOPIC_MAX_LENGTH == 255
    for prefix in ("%RETRY%", "%DLQ%"):
        name = prefix + "g" * (255 - len(prefix))
        assert v.check_topic(name, system=True) == name
        with pytest.raises(ValidationError, match="at most 255 characters"):
            v.check_topic(name + "g", system=True)
        for check in (v.check_topic, v.check_new_topic, v.check_send_topic):
            with pytest.raises(ValidationError, match="created by the broker"):
                check(prefix + "coupon-system")


def test_a_long_business_topic_is_not_allowed_the_retry_limit() -> None:
    with pytest.raises(ValidationError, match="at most 127"):
        v.check_topic("t" * 200, system=True)


@pytest.mark.parametrize("topic", sorted(v.SYSTEM_TOPICS))
def test_system_topics_may_not_be_created(topic: str) -> None:
    with pytest.raises(ValidationError) as info:
        v.check_new_topic(topic)
    assert info.value.rule == "topic name conflicts with a system topic, which only the broker creates"
    assert repr(topic) in str(info.value)
    assert v.check_topic(topic, system=True) == topic


def test_the_system_topics_are_rocketmqs() -> None:
    """``TopicValidator.SYSTEM_TOPIC_SET`` (5.3.3, ``TopicValidator.java:50-59``)."""
    assert {
        "TBW102",
        "SCHEDULE_TOPIC_XXXX",
        "RMQ_SYS_TRANS_HALF_TOPIC",
        "RMQ_SYS_TRANS_OP_HALF_TOPIC",
        "TRANS_CHECK_MAX_TIME_TOPIC",
        "RMQ_SYS_TRACE_TOPIC",
        "SELF_TEST_TOPIC",
        "OFFSET_MOVED_EVENT",
        "BenchmarkTest",
        "CHECKPOINT_TOPIC",
    } == v.SYSTEM_TOPICS


def test_only_six_system_topics_refuse_sends() -> None:
    """``TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET`` (5.3.3, ``TopicValidator.java:61-66``)."""
    assert {
        "SCHEDULE_TOPIC_XXXX",
        "RMQ_SYS_TRANS_HALF_TOPIC",
        "RMQ_SYS_TRANS_OP_HALF_TOPIC",
        "TRANS_CHECK_MAX_TIME_TOPIC",
        "SELF_TEST_TOPIC",
        "OFFSET_MOVED_EVENT",
    } == v.NOT_ALLOWED_SEND_TOPICS
    assert v.NOT_ALLOWED_SEND_TOPICS < v.SYSTEM_TOPICS


@pytest.mark.parametrize("topic", sorted(v.NOT_ALLOWED_SEND_TOPICS))
def test_a_send_to_a_forbidden_system_topic_is_refused(topic: str) -> None:
    with pytest.raises(ValidationError) as info:
        v.check_send_topic(topic)
    assert info.value.rule == "sending to this system topic is forbidden"
    assert info.value.value == topic


@pytest.mark.parametrize(
    "topic", [*sorted(v.SYSTEM_TOPICS - v.NOT_ALLOWED_SEND_TOPICS), "rmq_sys_anything", "order-paid"]
)
def test_the_other_system_topics_are_checked_for_sends_like_any_topic(topic: str) -> None:
    assert v.check_send_topic(topic) == topic


@pytest.mark.parametrize("topic", [*sorted(v.SYSTEM_TOPICS), "rmq_sys_anything"])
def test_a_subscription_is_checked_by_name_only(topic: str) -> None:
    assert v.check_topic(topic) == topic


@pytest.mark.parametrize("topic", ["rmq_sys_anything", "rmq_sys_", "rmq_sys_wheel_timer"])
def test_the_rmq_sys_prefix_may_not_be_created(topic: str) -> None:
    with pytest.raises(ValidationError, match="system topic") as info:
        v.check_new_topic(topic)
    assert info.value.value == topic
    assert v.is_system_topic(topic)


def test_the_prefix_rule_is_case_sensitive_and_a_prefix_only() -> None:
    assert v.check_new_topic("RMQ_SYS_mine") == "RMQ_SYS_mine"
    assert v.check_new_topic("my_rmq_sys_topic") == "my_rmq_sys_topic"


@pytest.mark.parametrize(("topic", "rule"), [("", "must not be empty"), (None, "must be a string"), (7, "string")])
def test_empty_or_non_string_topics_are_refused(topic: object, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as info:
        v.check_topic(topic)
    assert info.value.value == topic


# -- groups ------------------------------------------------------------------------------------
def test_group_length_limit_is_120() -> None:
    assert v.GROUP_MAX_LENGTH == 120
    assert v.check_group("g" * 120) == "g" * 120
    with pytest.raises(ValidationError, match="at most 120 characters") as info:
        v.check_group("g" * 121)
    assert info.value.value == "g" * 121


@pytest.mark.parametrize("group", ["coupon system", "coupon.system", "coupon-system\n", "", None, 3])
def test_bad_group_names_are_refused(group: object) -> None:
    with pytest.raises(ValidationError, match="group name") as info:
        v.check_group(group)
    assert info.value.value == group


def test_retry_and_dlq_topic_names_of_a_group() -> None:
    assert v.retry_topic("coupon-system") == "%RETRY%coupon-system"
    assert v.dlq_topic("coupon-system") == "%DLQ%coupon-system"
    assert v.is_retry_or_dlq("%RETRY%g") and v.is_retry_or_dlq("%DLQ%g")
    assert not v.is_retry_or_dlq("order-paid")


# -- bodies ------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [b"x", bytearray(b"abc"), memoryview(b"hello")])
def test_bytes_like_bodies_are_accepted_and_returned_as_bytes(body: bytes | bytearray | memoryview) -> None:
    out = v.check_body(body)
    assert type(out) is bytes
    assert out == bytes(body)


def test_body_size_limit_is_4_mib_inclusive() -> None:
    assert v.MAX_MESSAGE_SIZE == 4 * MIB
    assert len(v.check_body(b"\0" * (4 * MIB))) == 4 * MIB
    with pytest.raises(ValidationError) as info:
        v.check_body(b"\0" * (4 * MIB + 1))
    assert "at most 4194304 bytes (4 MiB)" in str(info.value)
    assert "4194305 bytes" in str(info.value)  # the value is named, not dumped


def test_an_empty_body_is_refused() -> None:
    with pytest.raises(ValidationError, match="must not be empty"):
        v.check_body(b"")


@pytest.mark.parametrize(("body", "type_name"), [("hello", "str"), (None, "NoneType"), (42, "int"), ([1], "list")])
def test_a_non_bytes_body_is_refused_with_a_hint(body: object, type_name: str) -> None:
    with pytest.raises(ValidationError) as info:
        v.check_body(body)
    message = str(info.value)
    assert "must be bytes (encode text first)" in message
    assert f"not {type_name}" in message
    assert info.value.value is body


# -- the error itself ----------------------------------------------------------------------------
def test_validation_error_names_rule_and_value_and_shortens_long_values() -> None:
    err = ValidationError("topic name must have at most 127 characters", "t" * 500)
    text = str(err)
    assert text.startswith("topic name must have at most 127 characters: got 'ttt")
    assert text.endswith("...")
    assert len(text) < 200
    assert err.rule == "topic name must have at most 127 characters"
    assert err.value == "t" * 500
    assert isinstance(err, ValueError)
