"""A consumer's client id: ``clientIP@instanceName``, and when the instance name changes.

Reference: docs/semantics.md section 6; RocketMQ ``ClientConfig.buildMQClientId`` and
``changeInstanceNameToPID`` (``pid#nanoTime`` since 4.9.0), called by
``DefaultMQPushConsumerImpl.start`` in clustering only.
"""

from __future__ import annotations

import pytest

from minimq.core.client_id import (
    DEFAULT_INSTANCE_NAME,
    build_client_id,
    host_ip,
    instance_name_at_start,
    nano_time,
    process_pid,
)


def test_the_client_id_is_the_ip_and_the_instance_name() -> None:
    assert build_client_id("172.17.0.1", "coupon") == "172.17.0.1@coupon"
    assert DEFAULT_INSTANCE_NAME == "DEFAULT"


def test_a_clustering_consumer_left_at_default_takes_pid_and_nano_time() -> None:
    assert instance_name_at_start(None, clustering=True, pid=4321, nano_time=98765) == "4321#98765"
    assert instance_name_at_start("DEFAULT", clustering=True, pid=4321, nano_time=98765) == "4321#98765"


def test_a_set_instance_name_is_kept_and_broadcasting_keeps_default() -> None:
    assert instance_name_at_start("coupon", clustering=True, pid=4321, nano_time=98765) == "coupon"
    assert instance_name_at_start(None, clustering=False, pid=4321, nano_time=98765) == "DEFAULT"


def test_pid_and_nano_time_are_fixed_by_the_seed_and_new_for_each_incarnation() -> None:
    assert process_pid(7, "coupon-1", 1) == process_pid(7, "coupon-1", 1)
    assert process_pid(7, "coupon-1", 1) != process_pid(7, "coupon-1", 2)
    assert process_pid(7, "coupon-1", 1) != process_pid(8, "coupon-1", 1)
    assert 1000 <= process_pid(7, "coupon-1", 1) < 32_000
    first, later = nano_time(7, "coupon-1", 1, 0), nano_time(7, "coupon-1", 1, 1500)
    assert later - first == 1_500_000_000, "nanoTime moves with the virtual clock"
    assert first >= 86_400 * 10**9, "a host up for at least a day"


def test_hosts_sort_in_the_order_they_were_made() -> None:
    ips = [host_ip(n) for n in range(1, 200)]
    assert ips[:3] == ["10.0.0.11", "10.0.0.12", "10.0.0.13"]
    assert ips == sorted(ips) and len(set(ips)) == len(ips)
    with pytest.raises(ValueError):
        host_ip(0)
