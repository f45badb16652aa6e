"""Lesson 3 (path C, a consumer restart before its offset is persisted): its narration,
English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.i18n.text_lessons``).
"""

LESSON3: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 3
    "l3.title": (
        "Lesson 3 · Consumer restart: the coupon is issued, the offset is not saved",
        "第 3 课 · 消费者重启：券发出去了，位点没保存",
    ),
    "l3.setting": (
        "A push consumer keeps its consume offsets in memory and persists them to the broker every 5 s, the "
        "first time 10 s after it starts. The red-packet system started at 0 s, so it persists at 10, 15, "
        "20 s; the coupon system started at 3 s, so it persists at 13, 18, 23 s. The user pays at 14 s. "
        "After committing a coupon, the coupon system spends 300 ms notifying the user.",
        "Push 消费者把消费位点放在内存里，每 5 秒持久化到 Broker 一次，启动后第 10 秒是第一次。红包系统 0 秒启动，"
        "所以在第 10、15、20 秒持久化；优惠券系统 3 秒启动，所以在第 13、18、23 秒持久化。用户在第 14 秒付款。"
        "优惠券系统提交了券以后，还要花 300 毫秒给用户发通知。",
    ),
    "l3.run.kill": ("naive; the deploy kills the process", "不做幂等；发布时直接杀进程"),
    "l3.explain.kill": (
        "The coupon system inserts a coupon for every message. The deploy stops it with kill -9 at 16.5 s and "
        "starts the new version 1 s later.",
        "优惠券系统每条消息都插一张券。发布在第 16.5 秒用 kill -9 停掉它，1 秒后启动新版本。",
    ),
    "l3.kill.1": (
        "order-1001 is paid at 14 s. The red-packet system pays within a few ms; the coupon system asks the "
        "marketing service (1.2 s), commits the coupon, notifies the user. Both groups are done with the "
        "message, but look at the offsets: the red-packet offset reached the broker at its 15 s persist; the "
        "coupon offset is only in the process's memory until 18 s.",
        "order-1001 在第 14 秒付款。红包系统几毫秒就发完了；优惠券系统问完营销服务（1.2 秒），提交了券，又通知了用户。"
        "两个组都处理完了这条消息，但看看位点：红包组的位点在第 15 秒那次持久化时到了 Broker；优惠券组的位点还只在"
        "进程内存里，要等到第 18 秒。",
    ),
    "l3.kill.2": (
        "At 16.5 s the deploy kills the coupon system. Its local offset dies with it: the broker still has "
        "nothing for the coupon group on that queue.",
        "第 16.5 秒，发布把优惠券系统杀掉了。本地位点跟着进程一起没了：Broker 上，优惠券组在那个队列的位点还是空的。",
    ),
    "l3.kill.3": (
        "The new process starts at 17.5 s, rebalances and asks the broker where to resume: offset 0. The "
        "broker delivers order-1001 again and the coupon system issues a second coupon. The red-packet group "
        "resumes from its persisted offset 1 and is not affected.",
        "新进程在第 17.5 秒启动，重平衡后问 Broker 从哪儿接着消费：位点 0。Broker 把 order-1001 又投递了一遍，"
        "优惠券系统发了第二张券。红包组从已持久化的位点 1 继续，毫发无损。",
    ),
    "l3.moral.kill": (
        "Same group, same message, second delivery: the offset, not the message, was lost. Up to 5 s of "
        "consumed messages can come back after any crash.",
        "同一个组，同一条消息，投递了第二次：丢的是位点，不是消息。任何一次崩溃，都可能把最多 5 秒内消费过的消息再送回来。",
    ),
    "l3.run.graceful": ("naive; a graceful shutdown instead", "不做幂等；改成优雅停机"),
    "l3.explain.graceful": (
        "The deploy now shuts the consumer down gracefully, which persists its offsets. But it comes at "
        "15.4 s: the coupon is already committed and the handler is still notifying the user.",
        "这次发布改成优雅停机，停机时会持久化位点。可它来在第 15.4 秒：券已经提交了，处理逻辑还在给用户发通知。",
    ),
    "l3.graceful.1": (
        "Shutdown interrupts the running listener and persists the offsets. The message still in flight holds "
        "the coupon group's offset at 0 (the committed offset is the smallest offset in flight), so 0 is what "
        "reaches the broker.",
        "停机打断了正在跑的监听器，然后持久化位点。那条还在处理中的消息把优惠券组的位点卡在 0（提交的位点是处理中"
        "最小的那个），所以到达 Broker 的就是 0。",
    ),
    "l3.graceful.2": (
        "After the restart the broker delivers order-1001 again: a second coupon. Had the deploy come a "
        "second later, nothing would repeat.",
        "重启后 Broker 又投递了 order-1001：第二张券。要是发布晚来一秒，就什么都不会重复。",
    ),
    "l3.moral.graceful": (
        "A graceful shutdown narrows the window to the messages in flight; it does not close it.",
        "优雅停机把窗口缩小到“正在处理中的消息”，但关不上它。",
    ),
    "l3.run.memory": ("coupon side: remember orders in a Python set", "优惠券侧：用 Python 集合记住处理过的订单"),
    "l3.explain.memory": (
        "The coupon system keeps a set of order ids it has processed, in memory, and skips an order it knows.",
        "优惠券系统在内存里维护一个处理过的订单号集合，认识的订单就跳过。",
    ),
    "l3.memory.1": (
        "Same kill -9 at 16.5 s. The new process starts with an empty set, so the redelivered message looks "
        "brand new: a second coupon.",
        "同样在第 16.5 秒 kill -9。新进程的集合是空的，于是重投的消息看起来是全新的：第二张券。",
    ),
    "l3.moral.memory": (
        "Memory dies with the process, exactly when the duplicate arrives. It also knows nothing of the other "
        "consumers in the group.",
        "内存随进程一起消失，而重复消息偏偏就在这时到来。何况它对同组的其他消费者一无所知。",
    ),
    "l3.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一键"),
    "l3.explain.right": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a violation is "
        "acknowledged as success.",
        "coupons(order_id) 上加唯一键，和发券在同一个事务里插入；撞了唯一键就当成功确认。",
    ),
    "l3.right.1": (
        "Same kill -9 at 16.5 s, same redelivery. The second INSERT hits the UNIQUE key; the handler rolls "
        "back and returns CONSUME_SUCCESS, and the offset moves on.",
        "同样在第 16.5 秒 kill -9，同样被重投。第二次 INSERT 撞上唯一键，处理逻辑回滚并返回 CONSUME_SUCCESS，位点继续往前走。",
    ),
    "l3.moral.right": (
        "One coupon. The database remembers what the process forgot.",
        "只有一张券。进程忘掉的，数据库替它记着。",
    ),
    "l3.diagnosis": (
        "The rules at work: persistConsumerOffsetInterval = 5000 ms (the first persist 10 s after start); a "
        "crash persists nothing; a graceful shutdown persists the smallest offset still in flight; a new owner "
        "resumes from the offset the broker holds. RocketMQ delivers at least once, and this is the at-least.",
        "起作用的规则：persistConsumerOffsetInterval = 5000 毫秒（启动后第 10 秒第一次）；崩溃什么都不持久化；优雅停机"
        "持久化的是处理中最小的位点；新的消费者从 Broker 保存的位点接着消费。RocketMQ 保证至少一次，这就是那个“至少”。",
    ),
    "l3.limits": (
        "The same redelivery comes from rebalancing, consume timeouts and RECONSUME_LATER; the UNIQUE key "
        "handles them all, as long as the coupon and the key are written in one transaction.",
        "重平衡、消费超时和 RECONSUME_LATER 也会带来同样的重投；只要券和唯一键写在同一个事务里，唯一键都能兜住。",
    ),
}
