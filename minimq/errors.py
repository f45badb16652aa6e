"""Errors: each one names the rule that refused and the value that broke it.

Owns: every exception minimq raises on purpose. The names follow RocketMQ's where one
exists (``MQClientException``, ``RemotingTimeoutException``, ...), with the RocketMQ
name in the docstring so a learner can find the Java side. Bad input (an argument, a
trace file) is refused with one of these, never with a bare traceback from deeper down;
the command line prints the message and exits with 2.
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
        super().__init__(f"{rule}: got {shown(value)}")


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters: an error names the value it refused
    without pasting a megabyte of it."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


class InvalidReceiptHandle(MinimqError):
    """The proxy refused an ack or a change of invisible time: the receipt handle expired
    (gRPC ``Code.INVALID_RECEIPT_HANDLE``, "receipt handle is expired"). The message has
    been, or will be, delivered again."""

    def __init__(self, request: str, msg_id: str, visible_ms: int) -> None:
        self.request = request
        self.msg_id = msg_id
        self.visible_ms = visible_ms
        super().__init__(
            f"INVALID_RECEIPT_HANDLE: receipt handle is expired ({request} of msg {msg_id}, "
            f"visible again since t={visible_ms} ms)"
        )


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


class ClockOverflow(MinimqError, OverflowError):
    """A timer was set past the latest virtual time a world can reach
    (``minimq.model.MAX_VIRTUAL_MS``): the loop refuses to jump there rather than spin."""

    def __init__(self, now_ms: int, due_ms: int, limit_ms: int) -> None:
        self.now_ms = now_ms
        self.due_ms = due_ms
        super().__init__(
            f"at t={now_ms} ms the next timer is due at t={due_ms} ms, past the virtual clock's "
            f"limit of {limit_ms} ms (about 3 years); asyncio.sleep() and loop.call_later() "
            "take seconds, not milliseconds: is a delay in the wrong unit?"
        )


class WorldClosedError(ClientStateError):
    """A world (or a client of it) was asked to act after ``World.close()``.

    Reading what it recorded (``world.trace``, ``world.now_ms``, ``world.seed``) is still
    allowed; running, spawning, scheduling, emitting or starting a client is not."""

    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(
            f"this world is closed: it cannot {action} any more (its trace, now_ms and seed can "
            "still be read); build a new World to run again"
        )


class ThreadInSimulationError(MinimqError, RuntimeError):
    """A thread was about to start inside a simulation (``loop.run_in_executor``,
    ``asyncio.to_thread``, ``threading.Thread.start``).

    A thread runs on the wall clock, outside the virtual-time loop, so the same seed would
    no longer give the same run."""

    def __init__(self, what: str, where: str) -> None:
        self.what = what
        self.where = where
        super().__init__(
            f"{where}: {what} would start a thread inside a simulation; a thread runs on the "
            "wall clock, outside the virtual-time loop, so two runs with the same seed would "
            "differ. Call the function directly (it then takes no virtual time), or make it "
            "a coroutine and await it (await asyncio.sleep(seconds) for time it should take)"
        )


class SleepInSimulationError(MinimqError, RuntimeError):
    """``time.sleep`` was called inside a simulation where nothing can sleep in virtual
    time for it: it would block the whole loop in wall time and take no virtual time, so
    the program would behave as if the pause did not exist."""

    def __init__(self, seconds: object, where: str) -> None:
        self.seconds = seconds
        self.where = where
        super().__init__(
            f"{where}: time.sleep({seconds!r}) inside a simulation blocks in wall time and takes no "
            f"virtual time; await asyncio.sleep({seconds!r}) instead (a plain def handler under "
            "minimq check may call time.sleep: it sleeps in virtual time there)"
        )


class TraceFormatError(MinimqError, ValueError):
    """A JSON-lines trace could not be read back: ``line`` (1-based) and what is wrong there."""

    def __init__(self, line: int, problem: str, *, source: str | None = None) -> None:
        self.line = line
        self.problem = problem
        self.source = source
        where = f"line {line}" if source is None else f"{source}: line {line}"
        super().__init__(f"{where}: {problem}")

    def in_file(self, source: str) -> TraceFormatError:
        """The same error, naming the file it came from."""
        return TraceFormatError(self.line, self.problem, source=source)
