"""A consumer's client id: the name the broker knows a process by, and when it changes.

Mirrors RocketMQ's ``ClientConfig`` (``buildMQClientId``, ``changeInstanceNameToPID``,
``…/client/ClientConfig.java``) and the call in ``DefaultMQPushConsumerImpl.start``;
``minimq.runtime.push_consumer`` gives each incarnation its id, ``tests/test_rebalance.py``
shows the rules end to end. Rules:
- The client id is ``clientIP@instanceName`` (``buildMQClientId``; no unit name, no
  stream request type, as by default).
- The instance name is ``DEFAULT`` unless it is set (``setInstanceName``, or the system
  property ``rocketmq.client.name``). A clustering push consumer whose instance name is
  ``DEFAULT`` replaces it, when it starts, with ``pid#nanoTime``
  (``changeInstanceNameToPID``): every start of a process, a restart included, gets a
  new client id. A set instance name is kept, so the id survives restarts, and two
  processes with one IP and one instance name share one id (path P19).
- A broadcasting consumer keeps ``DEFAULT`` (the call is made in clustering only), so its
  id is ``clientIP@DEFAULT`` on every start.

Version note: clients before 4.9.0 replaced ``DEFAULT`` with the pid alone, so two
containers on one IP whose JVMs are both pid 1 got one client id without setting
anything (apache/rocketmq #667, #2760); 4.9.0 added ``#nanoTime``.

The pid and ``System.nanoTime()`` of a process are drawn from the world's seed and the
process's name and incarnation (``process_pid``, ``nano_time``), never from a clock, so
one seed gives the same ids.
"""

from __future__ import annotations

import hashlib

DEFAULT_INSTANCE_NAME = "DEFAULT"  # System.getProperty("rocketmq.client.name", "DEFAULT")


def build_client_id(client_ip: str, instance_name: str) -> str:
    """``ClientConfig.buildMQClientId``: ``clientIP@instanceName``."""
    return f"{client_ip}@{instance_name}"


def grpc_client_id(client_ip: str, seed: int, process: str, now_ms: int) -> str:
    """A RocketMQ 5.x (gRPC) client's id, ``ClientIdProvider``: ``hostname@pid@index@nanoTime``
    (hex), the first client of its process (index 0) at its first start."""
    return f"{client_ip}@{process_pid(seed, process, 1)}@0@{nano_time(seed, process, 1, now_ms):x}"


def instance_name_at_start(configured: str | None, *, clustering: bool, pid: int, nano_time: int) -> str:
    """The instance name a push consumer starts with: ``configured`` if set; else, in
    clustering, ``pid#nanoTime`` (``changeInstanceNameToPID``); else ``DEFAULT``."""
    name = configured if configured is not None else DEFAULT_INSTANCE_NAME
    if clustering and name == DEFAULT_INSTANCE_NAME:
        return f"{pid}#{nano_time}"
    return name


def _draw(seed: int, *parts: object) -> int:
    """A number fixed by ``seed`` and ``parts`` (no random module, no clock)."""
    text = "/".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def process_pid(seed: int, process: str, incarnation: int) -> int:
    """The pid of ``process``'s ``incarnation``-th start (a new process, a new pid)."""
    return 1000 + _draw(seed, "pid", process, incarnation) % 31_000


def nano_time(seed: int, process: str, incarnation: int, now_ms: int) -> int:
    """``System.nanoTime()`` in that process at ``now_ms``: the host's uptime (1 to 30
    days, fixed per process) plus the virtual time, in ns."""
    uptime_ns = 86_400 * 10**9 + _draw(seed, "uptime", process, incarnation) % (29 * 86_400 * 10**9)
    return uptime_ns + now_ms * 1_000_000


def host_ip(n: int) -> str:
    """The address of the ``n``-th client host (1, 2, ...): 10.0.0.11, 10.0.0.12, ...;
    the last octet has two digits, so hosts sort as they were made (a client id sorts as
    a string)."""
    if n < 1:
        raise ValueError(f"host numbers start at 1, got {n}")
    return f"10.0.{(n - 1) // 89}.{11 + (n - 1) % 89}"
