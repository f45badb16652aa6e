"""Lesson 4 (path P4, a slow message holds its queue's consumer offset; P6, the deploy that
persists it): its narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson4``): order-1001 paid at
12 s, its marketing lookup hanging 60 s; 24 more orders every 0.5 s from 16 s, every fourth
(order-1005 … order-1025) behind it at queue offsets 2 to 7; a graceful deploy at 35 s,
the new process at 36 s: it joins with a heartbeat, rebalances at 37.01 s and pulls at 37.512 s
(RocketMQ 5's start-up, docs/semantics.md section 7).
"""

LESSON4: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 4
    "l4.title": (
        "Lesson 4 · A slow message: one stuck coupon, one deploy, six duplicates",
        "第 4 课 · 慢消息：一张券卡住，一次发布，重复发放六张",
    ),
    "l4.setting": (
        "A push consumer runs its handler on 20 consume threads, so one slow call does not stop the others. "
        "The marketing service usually answers in 1.2 s; today it hangs on one call, for order-1001, for 60 s "
        "(a full GC on their side, a connection stuck in a pool: it happens). Orders keep coming, one every 0.5 "
        "s. The order system's producer takes the four queues in turn, so every fourth order lands in the same "
        "queue as order-1001, right behind it. At 35 s the coupon team deploys a new version.",
        "Push 消费者用 20 个消费线程跑消费逻辑（MessageListener），一个调用慢了，别的线程照常干活。营销服务平时 1.2 秒就答复；今天它"
        "在一个调用上卡住了 60 秒，卡的是 order-1001（对方 Full GC、连接池里一条连接僵住了，线上常有的事）。"
        "订单照常进来，每 0.5 秒一个。订单系统的生产者轮流往 4 个队列发，所以每 4 个订单就有 1 个落进 "
        "order-1001 所在的队列，排在它后面。第 35 秒，优惠券团队发布新版本。",
    ),
    "l4.history": (
        "Before the story: both groups start at 0 s. Four earlier orders, paid between 4 and 5.5 s, go one to "
        "each queue, and both groups consume them. At 10 s each consumer persists its consumer offsets for the "
        "first time: the broker holds 1 for both groups on every queue.",
        "故事开始之前：两个消费组都在第 0 秒启动。第 4 到 5.5 秒之间有 4 个早先的订单付款，每个队列各落一条，两个消费组都消费完了。"
        "第 10 秒，两个消费者第一次持久化消费位点：Broker 上，两个消费组在每个队列的消费位点都是 1。",
    ),
    # ---------------------------------------------------------------- run 1: naive
    "l4.run.naive": ("naive: one slow call, then a graceful deploy", "朴素实现：一个调用卡住，再优雅停机发布"),
    "l4.explain.naive": (
        "The coupon system inserts a coupon for every message. The deploy at 35 s is the clean kind: a graceful "
        "shutdown, which persists the consumer offsets, and the new version 1 s later.",
        "优惠券系统每条消息都插一张券。第 35 秒的发布是规规矩矩的那种：优雅停机，停机时持久化消费位点，1 秒后启动新版本。",
    ),
    "l4.naive.1": (
        "order-1001 is paid at 12 s and lands at queue offset 1, in the queue of order-0997. The red-packet "
        "system pays within a few ms, and its offset 2 reaches the broker at the 15 s persist. The coupon "
        "system asks the marketing service what coupon the order earns, and the answer will not come for 60 s. "
        "Offset 1 is in flight: the coupon group's consumer offset for that queue stays at 1.",
        "order-1001 在第 12 秒付款，落在 order-0997 所在的队列，队列位点 1。红包系统几毫秒就发完了红包，它的消费位点 2 "
        "在第 15 秒那次持久化时到了 Broker。优惠券系统去问营销服务这个订单该发什么券，这一问要 60 秒才有回音。"
        "队列位点 1 还在处理中：优惠券组在这个队列的消费位点停在 1。",
    ),
    "l4.naive.2": (
        "The shop goes on: 24 more orders, one every 0.5 s from 16 to 27.5 s. Every fourth lands behind "
        "order-1001: order-1005, 1009, 1013, 1017, 1021 and 1025, at queue offsets 2 to 7. Other consume "
        "threads take them, 1.5 s each, and issue their coupons. Look at that queue now: max offset 8, and "
        "only offset 1 in flight, yet the coupon group's local consumer offset is 1, and so is the broker's "
        "after the persists at 15, 20, 25 and 30 s. A push consumer commits one number per queue: the smallest "
        "offset still in its process queue (ProcessQueue.removeMessage returns msgTreeMap.firstKey()). That "
        'number cannot say "1 is pending, 2 to 7 are done". The other three queues are at 7, on the broker '
        "too.",
        "店里照常营业：从第 16 秒到第 27.5 秒，又来了 24 个订单，每 0.5 秒一个，其中每 4 个就有 1 个落在 order-1001 后面："
        "order-1005、1009、1013、1017、1021、1025，队列位点 2 到 7。别的消费线程接手，每个 1.5 秒，券都发出去了。"
        "现在看这个队列：队列最大位点 8，处理中的只剩队列位点 1，可优惠券组的本地消费位点还是 1；第 15、20、25、30 秒"
        "持久化了四次，Broker 上也还是 1。Push 消费者每个队列只提交一个消费位点，取的是处理队列（ProcessQueue）里还没消费完的最小队列位点"
        "（ProcessQueue.removeMessage 返回的就是 msgTreeMap.firstKey()）。一个数表达不了“1 还在处理，2 到 7 已经"
        "消费完”。另外三个队列都到了 7，Broker 上也是。",
    ),
    "l4.naive.3": (
        "At 35 s the deploy shuts the coupon system down gracefully. The handler still waiting on the marketing "
        "service is interrupted, and the consumer offsets are persisted: 7 for three queues, and 1 for the "
        "queue of order-1001, the smallest offset in flight. The broker already held exactly these, so nothing "
        "in its table moves. Then the consumer unregisters, and coupon-system has no member until the new "
        "version joins. The clean shutdown cannot persist past the slow message either.",
        "第 35 秒，发布把优惠券系统优雅停机。还在等营销服务的那个消费逻辑被打断，然后持久化消费位点：三个队列是 7，"
        "order-1001 那个队列是 1，也就是处理中最小的队列位点。Broker 上本来就是这些值，所以一个都没变。"
        "随后消费者向 Broker 注销自己，在新版本加入之前，coupon-system 组里一个消费者都没有。规规矩矩的停机，同样越不过那条慢消息。",
    ),
    "l4.naive.4": (
        "The new process starts at 36 s with a new client id and joins the group with a heartbeat. A second "
        "later, at 37.01 s, its first rebalance gives it the four queues, each to resume from the broker's "
        "consumer offset, and it pulls 500 ms after that. For the queue of order-1001 that offset is 1: at "
        "37.512 s order-1001 comes again (the marketing service now answers in 1.2 s, so it gets its first "
        "coupon), and with it order-1005 to order-1025, all six already issued. "
        "Six duplicate coupons from one slow message, in a deploy that did everything by the book.",
        "新进程在第 36 秒启动，换了一个新的 clientId，先发心跳加入消费组。一秒后，第 37.01 秒第一次重平衡（Rebalance），"
        "分到四个队列，每个队列都从 Broker 上的消费位点接着消费；再过 500 毫秒开始拉取。order-1001 那个队列的消费位点是 1："
        "第 37.512 秒，order-1001 又来了一次（这回营销服务 1.2 秒就答复，它才拿到第一张券），跟着来的还有 order-1005 到 "
        "order-1025，这六个订单的券早就发过了。一条慢消息，加一次按规矩来的发布，重复发放了六张券。",
    ),
    "l4.moral.naive": (
        "One slow message, six duplicates: after a restart every message finished behind it is delivered again. "
        "The longer it hangs and the busier the queue, the more come back.",
        "一条慢消息，重复发放六张券：重启之后，排在它后面、已经消费完的消息全部再投递一遍。它卡得越久、队列越忙，重投的就越多。",
    ),
    # ---------------------------------------------------------------- run 2: a smaller span
    "l4.run.span": (
        "tuning: a max span of 2 instead of 2000",
        "调参：跨度上限从 2000 调到 2",
    ),
    "l4.explain.span": (
        "The team reads that a push consumer stops pulling a queue when the span of its in-flight offsets "
        "exceeds consumeConcurrentlyMaxSpan (default 2000, allowed 1 to 65535), and sets it to 2: surely no "
        "more than two finished messages can then pile up behind a slow one. Same design, same deploy.",
        "团队查到：处理中的队列位点跨度超过 consumeConcurrentlyMaxSpan（默认 2000，允许 1 到 65535）时，Push "
        "消费者就不再拉这个队列。于是设成 2：这样一条慢消息后面，最多也就堆两条消费完的消息吧。方案不变，发布也不变。",
    ),
    "l4.span.1": (
        "The rule does fire. At 21.506 s order-1013 arrives at offset 4 while offset 1 is stuck: the span is 4 "
        "- 1 = 3 > 2, and the client logs its WARN line (the first time, then every 1000th) and puts the next "
        "pull off by 50 ms. But the span is measured over the messages still in the process queue "
        "(msgTreeMap.lastKey() - firstKey()), and a finished message has left it: 1.5 s later order-1013 is "
        "done, the span is 0 again, and pulling goes on. The queue ends exactly as in run 1: max offset 8, "
        "consumer offset 1 on the broker and locally. A known trap (apache/rocketmq #1404): a stuck head with "
        "a fast tail never holds the span for long.",
        "这条规则确实触发了。第 21.506 秒，order-1013 到了队列位点 4，而队列位点 1 还卡着：跨度 4 - 1 = 3 > 2，"
        "客户端打出 WARN 日志（第一次打，之后每 1000 次打一次），下一次拉取推迟 50 毫秒。可跨度算的是还留在处理队列"
        "里的消息（msgTreeMap.lastKey() - firstKey()），消费完的消息已经离开了：1.5 秒后 order-1013 消费完，跨度又"
        "回到 0，拉取照常继续。这个队列的结局和第 1 轮一模一样：队列最大位点 8，Broker 上和本地的消费位点都是 1。这是个"
        "有名的坑（apache/rocketmq #1404）：队头卡住、后面消费得快，跨度超限也撑不了多久。",
    ),
    "l4.span.2": (
        "Same deploy at 35 s, same consumer offset 1, same six duplicate coupons. The new process pulls offsets "
        "1 to 7 in one batch, so this time the span (6) holds its next pull until they are nearly done; that "
        "pull carries offset 8 to the broker at 39.063 s, after the coupons went out again.",
        "同样第 35 秒发布，同样的消费位点 1，同样重复发放六张券。新进程一次就拉回了队列位点 1 到 7，这回跨度是 6，"
        "下一次拉取一直被压着，等它们差不多消费完才发出；那次拉取在第 39.063 秒把消费位点 8 带到 Broker，券早已经又发了一遍。",
    ),
    "l4.moral.span": (
        "consumeConcurrentlyMaxSpan bounds how many messages a queue keeps cached, not how many finish behind a "
        "slow one. It caps memory, not replays.",
        "consumeConcurrentlyMaxSpan 管的是一个队列在本地缓存多少消息，而不是一条慢消息后面能消费完多少条。它限的是内存，"
        "不是重投。",
    ),
    # ---------------------------------------------------------------- run 3: skip on timeout
    "l4.run.skip": (
        "a 3 s timeout on the marketing call, then skip the order",
        "营销调用加 3 秒超时，超时就跳过订单",
    ),
    "l4.explain.skip": (
        "If the offset cannot pass a slow message, do not let a message be slow: the coupon system gives the "
        "marketing call 3 s, and when it times out it logs the order and returns CONSUME_SUCCESS, so the queue "
        'is never held ("ops can issue that coupon by hand"). Same deploy.',
        "既然消费位点越不过慢消息，那就别让消息慢：营销调用只给 3 秒，超时就记一行日志，直接返回 CONSUME_SUCCESS，"
        "队列永远不会被卡住（“漏掉的券让运营手工补”）。发布不变。",
    ),
    "l4.skip.1": (
        "order-1001 is paid at 12 s, the marketing service hangs as before, and at 15.008 s, 3 s after the "
        "question, the coupon system gives up, skips the order and returns CONSUME_SUCCESS. The message leaves "
        "the process queue and the local consumer offset moves to 2.",
        "order-1001 在第 12 秒付款，营销服务照样卡住；第 15.008 秒，问出去 3 秒之后，优惠券系统放弃了，跳过这个订单，"
        "直接返回 CONSUME_SUCCESS。消息离开处理队列，本地消费位点走到 2。",
    ),
    "l4.skip.2": (
        "The 24 orders come and go, and the consumer offsets follow them: 8 for the queue of order-1001, 7 for "
        "the others, on the broker too.",
        "24 个订单来了又走，消费位点一路跟上：order-1001 那个队列是 8，其他队列是 7，Broker 上也是。",
    ),
    "l4.skip.3": (
        "Same deploy at 35 s. The broker's consumer offsets are at the end of every queue: nothing is delivered "
        "again, no duplicate. And order-1001 has no coupon. RocketMQ was told it succeeded, so it will never "
        "deliver it again: only the log line knows.",
        "同样第 35 秒发布。Broker 上每个队列的消费位点都到了头：一条都没重投，没有重复。可 order-1001 也没有券。"
        "RocketMQ 得到的答复是消费成功，它再也不会投递这条消息：知道这件事的只剩那行日志。",
    ),
    "l4.moral.skip": (
        "The only way to move a push consumer's offset past a message is to say it succeeded. Say it before "
        "the work is done, and the slow coupon becomes a lost one.",
        "让 Push 消费者的消费位点越过一条消息，唯一的办法就是告诉它消费成功了。活没干完就这么说，慢的券就成了丢的券。",
    ),
    # ---------------------------------------------------------------- run 4: the fix
    "l4.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l4.explain.right": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a key conflict is answered "
        "with CONSUME_SUCCESS. The red-packet table gets the same key. The marketing call may take as long as "
        "it takes; same deploy.",
        "coupons(order_id) 上加唯一索引，和发券在同一个事务里插入；唯一键冲突就直接返回 CONSUME_SUCCESS。红包表也加上"
        "同样的唯一索引。营销调用该多久就多久；发布不变。",
    ),
    "l4.right.1": (
        "The same 60 s hang and the same 24 orders: at 31 s the queue of order-1001 is again at max offset 8 "
        "with consumer offset 1, locally and on the broker.",
        "同样卡 60 秒，同样 24 个订单：第 31 秒，order-1001 那个队列又是这样：队列最大位点 8，消费位点 1，本地和 Broker 上都一样。",
    ),
    "l4.right.2": (
        "Same graceful deploy at 35 s, same restart at 36 s, same replay from offset 1 at 37.512 s: seven "
        "deliveries. order-1001 gets its coupon at last, at 38.716 s, almost 27 s late; the six others hit the UNIQUE key, roll back and return CONSUME_SUCCESS, "
        "and the local consumer offset moves to 8.",
        "同样第 35 秒优雅停机，同样第 36 秒重启，同样第 37.512 秒从队列位点 1 重新消费：投递了 7 条。"
        "order-1001 总算在第 38.716 秒拿到了券，晚了将近 27 秒；"
        "另外六条唯一键冲突，回滚，直接返回 CONSUME_SUCCESS，本地消费位点走到 8。",
    ),
    "l4.moral.right": (
        "Seven deliveries, one coupon each. The replay still comes; the database makes it harmless.",
        "投递了 7 条，每个订单还是一张券。重投照样会来，数据库让它无害。",
    ),
    # ---------------------------------------------------------------- diagnosis and limits
    "l4.diagnosis": (
        "The rules at work: a concurrent push consumer commits, per queue, the smallest offset still in its "
        "process queue (ProcessQueue.removeMessage), one number and not a set, so nothing after a message in "
        "flight can be committed; the 5 s persist (persistConsumerOffsetInterval) and a graceful shutdown "
        "persist that number, and a restart, a deploy or a rebalance resumes from it. "
        "consumeConcurrentlyMaxSpan (2000) pauses pulling while the cached span is larger, but finished "
        "messages have left the cache, so it limits memory, not replays (apache/rocketmq #1404). The "
        "consume-timeout scan (consumeTimeout = 15 min) would send a message stuck that long back to "
        "%RETRY%coupon-system and let the offset move; 60 s is far below it. Short of that, the only way past "
        "a slow message is CONSUME_SUCCESS, and said too early that loses the message.",
        "起作用的规则：并发消费的 Push 消费者，每个队列提交的消费位点是处理队列里最小的队列位点（ProcessQueue.removeMessage），"
        "是一个数而不是一个集合，所以处理中的消息后面的消费进度一概提交不了；每 5 秒一次的持久化（persistConsumerOffsetInterval）"
        "和优雅停机持久化的都是这个数，重启、发布、重平衡都从它接着消费。consumeConcurrentlyMaxSpan（默认 2000）在缓存"
        "跨度超限时暂停拉取，可消费完的消息早已离开缓存，所以它限的是内存，不是重投（apache/rocketmq #1404）。"
        "消费超时扫描（consumeTimeout = 15 分钟）会把卡这么久的消息发回重试队列（%RETRY%coupon-system），消费位点"
        "才能往前走；60 秒远远不到。除此之外，越过慢消息的唯一办法就是返回 CONSUME_SUCCESS，说早了，消息就丢了。",
    ),
    "l4.limits": (
        "What the UNIQUE key does not do: it does not make the slow call fast, nor the replay shorter. Put a "
        "timeout on the marketing call by all means, but answer a timeout with RECONSUME_LATER, not "
        "CONSUME_SUCCESS: the message goes to %RETRY%coupon-system, comes back 10 s later, and the queue moves "
        "on. That retry is one more delivery, so the handler must still be idempotent (lesson 6, "
        "partial-failure). A handler stuck for more than 15 min is sent back while it still runs, and two "
        "executions overlap (lesson 7, consume-timeout). A rebalance replays from the same held-back offset "
        "(lesson 5, scale-out). Every group on its own: the red-packet table has its UNIQUE key too. To spot "
        "it in production, watch for a queue whose consumer offset stands still while its max offset grows, "
        "and for the span WARN line in the client log.",
        "唯一索引管不了的：它不会让慢调用变快，也不会让重投变少。营销调用当然可以加超时，但超时要返回 RECONSUME_LATER，"
        "而不是 CONSUME_SUCCESS：消息进重试队列（%RETRY%coupon-system），10 秒后再来，队列照常往前走。这次重试又是一次"
        "投递，所以消费逻辑照样要幂等（第 6 课，部分失败）。消费逻辑卡住超过 15 分钟，消息会在它还在跑的时候被发回重试，"
        "两次执行重叠（第 7 课，消费超时）。重平衡也是从同一个被拖住的消费位点接着消费（第 5 课，扩容缩容）。"
        "每个消费组各自负责：红包表也有自己的唯一索引。线上怎么发现：盯住消费位点不动、队列最大位点却一直涨的队列，"
        "再翻翻客户端日志里有没有那条跨度流控的 WARN。",
    ),
}
