"""Lesson 15 (path P15, an operator's reset by time): its narration and speaker notes,
English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson15``): five orders paid
at 00:10, 00:20, 00:25, 01:00 and 01:20; the marketing lookup for order-1002 hangs and the
coupon system gives up after 3 s; at 01:30 the operator resets coupon-system's offsets to
00:15.
"""

LESSON15: dict[str, tuple[str, str]] = {
    "l15.title": (
        "Lesson 15 · Offset reset: the operator replays more than an hour of orders",
        "第 15 课 · 重置消费位点：运维把一个多小时的订单重放了一遍",
    ),
    "l15.setting": (
        "The coupon system gives up on a marketing lookup after 3 s: it skips the order (no coupon) and "
        "acknowledges the message, so the queue moves on. Five users pay between 00:10 and 01:20. At 00:20 "
        "the marketing service hangs on order-1002, and that user gets no coupon. At 01:30 the on-call "
        "engineer follows the runbook to re-drive skipped orders: mqadmin resetOffsetByTime, group "
        "coupon-system, topic order-paid, time 00:15.",
        "优惠券系统问营销服务最多等 3 秒：超时就跳过这单（不发券），照样确认消息，队列接着往下走。00:10 到 01:20 之间"
        "有五个用户付款。00:20 营销服务在 order-1002 上卡住了，这个用户没拿到券。01:30，值班工程师按运维手册补发被"
        "跳过的订单：mqadmin resetOffsetByTime，消费组 coupon-system，主题 order-paid，时间 00:15。",
    ),
    "l15.scene": (
        "Before the story: the red-packet system starts at 0 s, the coupon system at 3 s; each takes the four "
        "queues at its first rebalance.",
        "故事开始之前：红包系统第 0 秒启动，优惠券系统第 3 秒启动；两个消费者第一次重平衡（Rebalance）时各自分到四个"
        "队列。",
    ),
    "l15.history": (
        "An hour and a half of business: five orders, four coupons. order-1002's lookup hung at 00:20, "
        "the coupon system skipped it after 3 s and acknowledged the message: its consumer offset moved on "
        "as for any other order.",
        "一个半小时的正常营业：五个订单，四张券。order-1002 的营销查询在 00:20 卡住，优惠券系统等了 3 秒就跳过，照样"
        "确认了消息：它的消费位点和别的订单一样往前走了。",
    ),
    # ---------------------------------------------------------------- run 1: no dedupe
    "l15.naive.run": ("naive: no dedupe", "朴素实现：不做幂等"),
    "l15.naive.explain": (
        "The coupon system inserts a coupon for every message it is given.",
        "优惠券系统来一条消息就插一张券。",
    ),
    "l15.naive.1": (
        "01:30: the reset. The broker finds, in each queue, the first message stored at or after 00:15 and "
        "commits that offset for coupon-system at once: order-1002 to order-1005 are behind the new offsets. "
        "It marks each queue reset and ignores the group's own offset updates for it until its next pull, "
        "which is answered PULL_OFFSET_MOVED. The coupon consumer drops the queues, persists the new offsets, "
        "rebalances and pulls them again from there. Nothing tells it which of those orders it has done.",
        "01:30，重置。Broker 在每个队列里找到 00:15 及之后存入的第一条消息，马上把 coupon-system 的消费位点提交成"
        "它：order-1002 到 order-1005 都落在新消费位点后面。Broker 把这几个队列标记为已重置，在下一次拉取之前不理会这个"
        "组自己上报的消费位点；下一次拉取得到的回复是 PULL_OFFSET_MOVED。优惠券消费者丢掉这些队列，持久化新的消费位点，"
        "重平衡后从那里重新拉取。没有任何东西告诉它，这些订单里哪些已经处理过。",
    ),
    "l15.naive.2": (
        "Four orders are delivered again, with their original msgIds, between 10 min and 1 h 10 min after "
        "they were first consumed. order-1002 finally gets its coupon, as the runbook wanted; order-1003, "
        "order-1004 and order-1005 get a second one.",
        "四个订单又投递了一遍，msgId 还是原来的，离第一次消费过去了 10 分钟到 1 小时 10 分钟。order-1002 总算拿到了券，"
        "这是运维手册想要的；可 order-1003、order-1004、order-1005 都多拿了一张。",
    ),
    "l15.naive.moral": (
        "A reset replays everything since its time, long after the first delivery: the consumer sees the same "
        "messages again and cannot tell them from new ones.",
        "重置会把那个时间点之后的所有消息重放一遍，而且离第一次投递已经过去很久：消费者又收到同样的消息，分不出哪些是新的。",
    ),
    # ---------------------------------------------------------------- run 2: Redis flag, 1 h TTL
    "l15.ttl.run": ("coupon side: a Redis flag kept for 1 hour", "优惠券侧：Redis 标记，1 小时过期"),
    "l15.ttl.explain": (
        "The coupon system checks a Redis flag (EXISTS coupon:<order>), issues the coupon, then sets the flag "
        "with a 1 h TTL (SET ... EX 3600), the default of many dedupe annotations: a duplicate, they reason, "
        "comes within seconds.",
        "优惠券系统先查 Redis 标记（EXISTS coupon:<订单号>），发完券再写标记，1 小时过期（SET ... EX 3600），这是不少"
        "去重注解的默认值：大家觉得重复消息几秒内就会来。",
    ),
    "l15.ttl.1": (
        "The same reset at 01:30, the same four orders pulled again. Their flags were set at 00:25, 01:00 and "
        "01:20 with an hour each: order-1003's expired at 01:25.",
        "01:30 同样的重置，同样又拉到这四个订单。它们的标记分别在 00:25、01:00、01:20 写下，各自只活 1 小时："
        "order-1003 的在 01:25 就过期了。",
    ),
    "l15.ttl.2": (
        "order-1004 and order-1005 find their flags and are skipped. order-1002 never had one (it was skipped, "
        "not issued) and gets its coupon. order-1003 finds no flag: a second coupon.",
        "order-1004 和 order-1005 查到了标记，跳过。order-1002 从来没有标记（上次是跳过，不是发券），这次发了券。"
        "order-1003 查不到标记：第二张券。",
    ),
    "l15.ttl.moral": (
        "A dedupe record that expires only covers the duplicates that come back before it does. A reset can "
        "go back as far as the broker keeps messages: three days.",
        "会过期的去重记录，只能拦住在它过期之前回来的重复消息。而重置能一直往回追溯到 Broker 还保留着的消息：三天。",
    ),
    # ---------------------------------------------------------------- run 3: UNIQUE key
    "l15.right.run": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l15.right.explain": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a violation is answered "
        "with CONSUME_SUCCESS. The key lives as long as the coupon.",
        "coupons(order_id) 上加唯一索引，和发券在同一个事务里插入；唯一键冲突就直接返回 CONSUME_SUCCESS。唯一键和券"
        "活得一样久。",
    ),
    "l15.right.1": (
        "The same reset at 01:30, the same four orders pulled again.",
        "01:30 同样的重置，同样又拉到这四个订单。",
    ),
    "l15.right.2": (
        "order-1002 is inserted: its coupon, at last. order-1003, order-1004 and order-1005 hit the UNIQUE key "
        "and are acknowledged with CONSUME_SUCCESS. Exactly what the runbook wanted.",
        "order-1002 插入成功：终于拿到了券。order-1003、order-1004、order-1005 撞上唯一索引（唯一键冲突），直接返回 "
        "CONSUME_SUCCESS。正是运维手册想要的结果。",
    ),
    "l15.right.moral": (
        'One coupon per order, however late the duplicate: the record that says "done" never expires.',
        "不管重复消息来得多晚，每单都只有一张券：记着“已处理”的那条记录永不过期。",
    ),
    "l15.diagnosis": (
        "The rules at work (RocketMQ 5.2.0+): resetOffsetByTime picks, in each queue, the first message stored "
        "at or after the time; the broker commits it at once and answers each queue's next pull "
        "PULL_OFFSET_MOVED; the client persists the new offset and pulls from there. The messages keep their "
        "msgIds, and they can be up to the broker's retention old (fileReservedTime, 72 h).",
        "起作用的规则（RocketMQ 5.2.0 及以上）：resetOffsetByTime 在每个队列里找该时间点及之后存入的第一条消息；Broker "
        "立刻提交这个消费位点，并对每个队列的下一次拉取回复 PULL_OFFSET_MOVED；客户端持久化新的消费位点，从那里开始拉。"
        "这些消息的 msgId 不变，最老可以老到 Broker 的保留期限（fileReservedTime，72 小时）。",
    ),
    "l15.limits": (
        "A dedupe record keyed by msgId and kept forever would catch this replay too, but not an upstream "
        "retry (lesson 1): key it by the business id. A reset is an operator's tool, not a bug: the consumer "
        "must make it safe. The same long-late duplicates come from the retry ladder (4 h 46 min, lesson 6) and "
        "from a payment platform's callbacks (24 h).",
        "按 msgId 做去重、记录永不过期，也能拦住这次重放，但拦不住上游重试（第 1 课）：要按业务 id 去重。重置消费位点是运维"
        "工具，不是 bug：消费者得让它变得安全。来得很晚的重复消息，还有重试阶梯（4 小时 46 分，第 6 课）和支付平台的回调"
        "（24 小时）。",
    ),
    # ---------------------------------------------------------------- speaker notes
    "note.offset-reset.intro": (
        "Ask: An order was skipped by a timeout. How would you give that user the coupon?\n"
        "Answer: Many runbooks say: reset the consumer group's offsets to before the incident. Watch what "
        "else comes back.",
        "问：有个订单因为超时被跳过了。你会怎么把券补给这个用户？\n"
        "答：很多运维手册写的是：把消费组的消费位点重置到故障之前。看看还有什么会一起回来。",
    ),
    "note.offset-reset.r1s1": (
        "Ask: The timeout skipped order-1002 and acknowledged it. Is the message lost?\n"
        "Answer: No: the broker keeps it for 72 h. Only the consumer offset moved past it.",
        "问：超时跳过了 order-1002，还确认了消息。消息丢了吗？\n"
        "答：没丢：Broker 会保留 72 小时。只是消费位点越过了它。",
    ),
    "note.offset-reset.r1s2": (
        "Ask: The operator resets the group to 00:15. Which orders come back?\n"
        "Answer: Every order stored since 00:15, in every queue of the topic: four, not one.",
        "问：运维把消费组重置到 00:15。哪些订单会回来？\n"
        "答：00:15 之后存进这个主题每个队列的所有订单：四个，不是一个。",
    ),
    "note.offset-reset.r1s3": (
        "Ask: Can the consumer tell a replayed message from a new one?\n"
        "Answer: No: same msgId, same body, reconsumeTimes 0. Only its own records can.",
        "问：消费者分得清重放的消息和新消息吗？\n"
        "答：分不清：msgId 一样、内容一样，reconsumeTimes 也是 0。只有它自己的记录分得清。",
    ),
    "note.offset-reset.r1s4": (
        "Ask: The user of order-1002 got the coupon. What did the reset cost?\n"
        "Answer: Three extra coupons: every order since 00:15 that already had one.",
        "问：order-1002 的用户拿到了券。这次重置付出了什么代价？\n"
        "答：多发了三张券：00:15 之后每个已经发过券的订单都又发了一张。",
    ),
    "note.offset-reset.r2s1": (
        "Ask: A Redis flag with a 1 h TTL. Which of the four replays will it catch?\n"
        "Answer: Those whose flag is younger than an hour: order-1004 and order-1005. order-1003's expired at "
        "01:25.",
        "问：Redis 标记，1 小时过期。四条重放里它能拦住哪几条？\n"
        "答：标记还不到一小时的：order-1004 和 order-1005。order-1003 的标记 01:25 就过期了。",
    ),
    "note.offset-reset.r3s1": (
        "Ask: With the UNIQUE key, will order-1002 still get its coupon?\n"
        "Answer: Yes: it has no row, so its INSERT succeeds. The key refuses only what was done.",
        "问：加了唯一索引，order-1002 还能拿到券吗？\n答：能：它没有那一行，INSERT 会成功。唯一索引只拒绝已经做过的。",
    ),
    "note.offset-reset.end": (
        "Ask: Why not raise the TTL to three days?\n"
        "Answer: It must outlive every way a duplicate comes back, and it still lives outside the coupon's "
        "transaction: a crash between the commit and the SET leaves no flag (lesson 17).",
        "问：把过期时间调到三天行不行？\n"
        "答：它得比任何一种重复回来的方式都活得久，而且它仍在券的事务之外：提交和 SET 之间崩溃就没有标记（第 17 课）。",
    ),
}
