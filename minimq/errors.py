"""Errors: each one names the rule that refused and the value that broke it.

Owns: every exception minimq raises on purpose. The names follow RocketMQ's where one
exists (``MQClientException``, ``RemotingTimeoutException``, ...), with the RocketMQ
name in the docstring so a learner can find the Java side.
"""

from __future__ import annotations


class MinimqError(Exception):
    """Base class of every error minimq raises on purpose."""


class ValidationError(MinimqError, ValueError):
    """Bad input refused before anything was stored (RocketMQ ``Validators``,
    ``TopicValidator``)."""

    def __init__(self, rule: str, value: object) -> None:
        self.rule = rule
        self.value = value
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{rule}: got {shown}")


class UnknownTopic(MinimqError, LookupError):
    """The topic does not exist on the broker (RocketMQ ``TOPIC_NOT_EXIST``, code 17).

    minimq runs with ``autoCreateTopicEnable=false``: topics are created explicitly.
    """

    def __init__(self, topic: str, known: list[str]) -> None:
        self.topic = topic
        listed = ", ".join(known) if known else "none"
        super().__init__(
            f"topic {topic!r} does not exist on the broker (known topics: {listed}); "
            "create it first with broker.create_topic()"
        )


class UnknownGroup(MinimqError, LookupError):
    """The consumer group is not known to the broker (RocketMQ
    ``SUBSCRIPTION_GROUP_NOT_EXIST``, code 26). The broker learns a group when its first
    consumer registers (``autoCreateSubscriptionGroup=true``) and never forgets it.
    """

    def __init__(self, group: str, known: list[str]) -> None:
        self.group = group
        listed = ", ".join(known) if known else "none"
        super().__init__(
            f"consumer group {group!r} does not exist on the broker (known groups: {listed}); "
            "start a consumer of that group first"
        )


class RemotingError(MinimqError):
    """A request failed on the network (RocketMQ ``RemotingException``)."""


class RemotingConnectError(RemotingError):
    """The broker could not be reached (RocketMQ ``RemotingConnectException``)."""


class RemotingSendRequestError(RemotingError):
    """The channel closed before the reply came back (RocketMQ
    ``RemotingSendRequestException``): a *fast* failure, retried by the producer."""


class RemotingTimeoutError(RemotingError):
    """No reply within the request's time budget (RocketMQ ``RemotingTimeoutException``)."""


class SendTimeoutError(MinimqError, TimeoutError):
    """``send()`` used its whole ``sendMsgTimeout`` budget (RocketMQ
    ``RemotingTooMuchRequestException("sendDefaultImpl call timeout")``).

    The broker may have stored the message anyway: the reply may only have been lost.
    """


class SendFailedError(MinimqError):
    """Every attempt of ``send()`` failed fast (RocketMQ ``MQClientException``
    "Send [3] times, still failed")."""


class ClientStateError(MinimqError, RuntimeError):
    """A client was used in a state that does not allow the call (for example ``send``
    on a producer that was never started or is shut down)."""


class SimulationStalled(MinimqError, RuntimeError):
    """Nothing is ready and no timer is pending: the simulated program can never finish."""

    def __init__(self, at_ms: int) -> None:
        self.at_ms = at_ms
        super().__init__(
            f"simulation stalled at t={at_ms} ms: every task waits for something that "
            "no timer or message will ever bring (a deadlock in the simulated program)"
        )


class ThreadInSimulationError(MinimqError, RuntimeError):
    """Code inside a simulation started a thread (or used an executor): its timing would
    depend on the operating system, so two runs with the same seed could differ."""
