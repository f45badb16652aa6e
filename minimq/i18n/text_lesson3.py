"""Lesson 3 (path C, a consumer restart before its offset is persisted): its narration,
English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.i18n.text_lessons``).
"""

LESSON3: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 3
    "l3.title": (
        "Lesson 3 · Consumer restart: the coupon is issued, the consumer offset is not saved",
        "第 3 课 · 消费者重启：券发出去了，消费位点没保存",
    ),
    "l3.setting": (
        "A push consumer keeps its consumer offsets in memory and persists them to the broker every 5 s, the "
        "first time 10 s after it starts. The red-packet system started at 0 s, so it persists at 10, 15, 20 s; "
        "the coupon system started at 3 s, so it persists at 13, 18, 23 s. The user pays for order-1001 at "
        "14 s. After committing a coupon, the coupon system spends 300 ms notifying the user.",
        "Push 消费者把消费位点放在内存里，每 5 秒持久化到 Broker 一次，启动后第 10 秒是第一次。红包系统 0 秒启动，"
        "所以在第 10、15、20 秒持久化；优惠券系统 3 秒启动，所以在第 13、18、23 秒持久化。用户在第 14 秒为 "
        "order-1001 付款。优惠券系统写完券（事务已提交）以后，还要花 300 毫秒给用户发到账通知。",
    ),
    "l3.history": (
        "Before the story: the coupon system starts at 3 s, and four earlier orders, paid between 4 and 6 s, "
        "go one to each queue. Both groups consume them. At 13 s the coupon system persists its consumer "
        "offsets for the first time: the broker now holds 1 for the coupon group on every queue. A group with "
        "a history, as in production, not a brand-new one.",
        "故事开始之前：优惠券系统在第 3 秒启动，4 到 6 秒之间有 4 个早先的订单付款，每个队列各落一条，两个组都消费完了。"
        "第 13 秒，优惠券系统第一次持久化消费位点：现在 Broker 上，优惠券组在每个队列的消费位点都是 1。"
        "和线上一样，这是一个有消费历史的组，而不是刚建好的新组。",
    ),
    "l3.run.kill": ("naive: the deploy kills the process", "朴素实现：发布时直接杀进程"),
    "l3.explain.kill": (
        "The coupon system inserts a coupon for every message. The deploy stops it with kill -9 at 16.5 s and "
        "starts the new version 1 s later.",
        "优惠券系统每条消息都插一张券。发布在第 16.5 秒用 kill -9 停掉它，1 秒后启动新版本。",
    ),
    "l3.kill.1": (
        "order-1001 is paid at 14 s and lands in a queue both groups have consumed before, at queue offset "
        "1. The red-packet system pays within a few ms; the coupon system asks the marketing service (1.2 "
        "s), commits the coupon, notifies the user. Both groups are done with the message, but look at the "
        "offsets: the red-packet group's offset 2 reached the broker at its 15 s persist; the coupon group's "
        "is 2 only in the process's memory, and 1 on the broker until 18 s. Why did the pull not carry it? "
        "The pull that brought order-1001 was followed at once by the next one, which carried offset 1 (the "
        "coupon was not issued yet) and has been parked at the broker in long polling ever since.",
        "order-1001 在第 14 秒付款，落进一个两个组都消费过的队列，队列位点是 1。红包系统几毫秒就发完了"
        "；优惠券系统问完营销服务（1.2 秒），写完券，又通知了用户。两个组都消费完了这条消息，但看看消费位点：红包组"
        "的 2 在第 15 秒那次持久化时到了 Broker；优惠券组的 2 还只在进程内存里，Broker 上仍是 "
        "1，要等到第 18 秒。拉取请求不是会顺带上报消费位点吗？拉到 order-1001 的那次拉取一返回，下一次"
        "拉取就发了出去，带的是 1（那时券还没发），然后一直挂在 Broker 上长轮询，到现在也没回来。",
    ),
    "l3.kill.2": (
        "At 16.5 s the deploy kills the coupon system. Its consumer offset in memory dies with it: on the "
        "broker, the coupon group's offset for that queue is still 1.",
        "第 16.5 秒，发布把优惠券系统杀掉了。内存里的消费位点跟着进程一起没了：Broker 上，优惠券组在那个队"
        "列的消费位点还是 1。",
    ),
    "l3.kill.3": (
        "The new process starts at 17.5 s with a new client id and joins the group with a heartbeat. A "
        "second later, at its first rebalance, it takes the four queues and asks the broker where to resume: "
        "offset 1, which is order-1001. It pulls 500 ms after that, the broker delivers order-1001 again and "
        "the coupon system issues a second coupon. The red-packet group resumes from its persisted offset 2 "
        "and is not affected.",
        "新进程在第 17.5 秒启动，换了一个新的 clientId，先发心跳加入消费组。一秒后第一次重平衡，分到四个队列，"
        "问 Broker 从哪儿接着消费：消费位点 1，也就是 order-1001。再过 500 毫秒开始拉取，Broker 把 order-1001 又投递了一遍，"
        "优惠券系统发了第二张券。红包组从已持久化的 2 接着消费，毫发无损。",
    ),
    "l3.moral.kill": (
        "Same group, same message, second delivery: the consumer offset, not the message, was lost. Up to 5 "
        "s of consumed messages can come back after any crash.",
        "同一个组，同一条消息，投递了第二次：丢的是消费位点，不是消息。任何一次崩溃，都可能把最多 5 秒内消费过的消息"
        "再送回来。",
    ),
    "l3.run.graceful": ("naive: a graceful shutdown instead", "朴素实现：改成优雅停机"),
    "l3.explain.graceful": (
        "The deploy now shuts the consumer down gracefully, which persists its consumer offsets. But it "
        "comes at 15.4 s: the coupon is already committed and the handler is still notifying the user.",
        "这次发布改成优雅停机，停机时会持久化消费位点。可它来在第 15.4 秒：券已经写进库（事务已提交），消费逻辑还"
        "在给用户发通知。",
    ),
    "l3.graceful.1": (
        "Shutdown interrupts the running handler and persists the consumer offsets. The message still in "
        "flight holds the coupon group's offset at 1 (the offset a consumer commits is the smallest queue "
        "offset still in flight), so 1 is what reaches the broker: the offset of order-1001 itself.",
        "停机打断了正在跑的消费逻辑，然后持久化消费位点。那条还在处理中的消息把优惠券组的消费位点卡在 1（提交的消费位"
        "点是处理中最小的那个队列位点），所以到达 Broker 的就是 1，正是 order-1001 自己的位点。",
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
    "l3.run.memory": (
        "coupon side: an in-memory set of order ids",
        "优惠券侧：本地内存去重",
    ),
    "l3.explain.memory": (
        "The coupon system keeps the order ids it has processed in memory, and skips an order it knows.",
        "优惠券系统在内存里记下处理过的订单号（本地内存去重，一个 Set），认识的订单就跳过。",
    ),
    "l3.memory.1": (
        "Same kill -9 at 16.5 s. The new process starts with an empty set, so the redelivered message looks "
        "brand new: a second coupon.",
        "同样在第 16.5 秒 kill -9。新进程的 Set 是空的，于是重投的消息看起来是全新的：第二张券。",
    ),
    "l3.moral.memory": (
        "Memory dies with the process, exactly when the duplicate arrives. It also knows nothing of the other "
        "consumers in the group.",
        "内存随进程一起消失，而重复消息偏偏就在这时到来。何况它对同组的其他消费者一无所知。",
    ),
    "l3.run.right": (
        "the fix: UNIQUE key on the order id",
        "正确做法：订单号唯一索引",
    ),
    "l3.explain.right": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a violation is answered "
        "with CONSUME_SUCCESS. The red-packet table gets the same key.",
        "coupons(order_id) 上加唯一索引，和发券在同一个事务里插入；唯一键冲突就直接返回 CONSUM"
        "E_SUCCESS。红包表也加上同样的唯一索引。",
    ),
    "l3.right.1": (
        "Same kill -9 at 16.5 s, same redelivery. The second INSERT fails on the UNIQUE key; the handler "
        "rolls back and returns CONSUME_SUCCESS, and the consumer offset moves on.",
        "同样在第 16.5 秒 kill -9，同样被重投。第二次 INSERT 唯一键冲突，消费逻辑回滚并直接返回 "
        "CONSUME_SUCCESS，消费位点继续往前走。",
    ),
    "l3.moral.right": (
        "One coupon. The database remembers what the process forgot.",
        "只有一张券。进程忘掉的，数据库替它记着。",
    ),
    "l3.diagnosis": (
        "The rules at work: persistConsumerOffsetInterval = 5000 ms (the first persist 10 s after start); a "
        "crash persists nothing; a pull carries the offset from when it was sent, and an idle pull waits at "
        "the broker up to 15 s; a graceful shutdown persists the smallest offset still in flight; a new "
        "owner resumes from the offset the broker holds. RocketMQ delivers at least once, and this is the "
        "at-least.",
        "起作用的规则：persistConsumerOffsetInterval = 5000 毫秒（启动后第 10 "
        "秒第一次）；崩溃什么都不持久化；拉取请求带的是它发出那一刻的消费位点，没有新消息时它会在 Broker 上挂最"
        "多 15 秒；优雅停机持久化的是处理中最小的队列位点；新的消费者从 Broker 保存的消费位点接着消费。Rock"
        "etMQ 保证至少一次，这就是那个“至少”。",
    ),
    "l3.limits": (
        "The same redelivery comes from rebalancing, consume timeouts and RECONSUME_LATER; the UNIQUE key "
        "handles them all, as long as the effect and the key are written in one transaction. Duplicates are "
        "routine, not exotic: a team that deploys every few days restarts consumers every few days, and "
        "timeouts happen every day. Every consumer with a side effect must be idempotent, every group on its "
        "own.",
        "重平衡、消费超时和 RECONSUME_LATER 也会带来同样的重投；只要业务操作和唯一键写在同一个事务里，"
        "唯一索引都能兜住。重复消息是家常便饭，不是稀罕事：几天发布一次，消费者就几天重启一次；超时更是天天都有。每个有"
        "副作用的消费者都必须幂等，每个消费组各自负责。",
    ),
}
