"""Lesson 12 (path P17, POP invisible time): its narration and speaker notes, English and
Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson12``): coupon-1 starts
at 1 s and coupon-2 at 2 s, each receiving 16 at a time, invisible 30 s (5 min in run 2),
an empty receive held 20 s; the batch job holds alice's wallet lock from 11:00 to 18:00;
order-1001 is paid at 12:00. The notes (``NOTES12``) join the presenter's notes in
``minimq.i18n.text_notes``.
"""

LESSON12: dict[str, tuple[str, str]] = {
    "l12.title": (
        "Lesson 12 · POP invisible time: the message comes back while the first consumer still works",
        "第 12 课 · POP 不可见时间：第一个消费者还没干完，消息又回来了",
    ),
    "l12.ticket": (
        "Two weeks after the coupon system moved to RocketMQ 5's SimpleConsumer, a customer writes in: three "
        "coupons for one order. The logs of that night show one 'order paid' message, three deliveries, and "
        "two warnings: ack failed, INVALID_RECEIPT_HANDLE, receipt handle is expired.",
        "优惠券系统切到 RocketMQ 5 的 SimpleConsumer 两周后，有用户投诉：一个订单拿到了三张券。查那天夜里的日"
        "志：只有一条“订单支付成功”消息，却投递了三次，还有两条告警：ack 失败，INVALID_RECEIPT_HANDLE，"
        "receipt handle is expired（句柄已过期）。",
    ),
    "l12.setting": (
        "The coupon system now runs two processes, coupon-1 and coupon-2, each a SimpleConsumer of the group "
        "coupon-system. There is no listener and no rebalance: each process loops receive(16, invisible "
        "duration 30 s), issues the coupon, then acks the message. A popped message stays invisible to the "
        "whole group for its invisible duration (invisibleDuration); if it is not acked by then, the broker "
        "delivers it again. Before it inserts, the coupon system takes alice's wallet lock with lock(), which "
        "waits without a limit (lesson 7). The coupon-expiry batch job takes wallet:alice at 11:00 and hangs "
        "until 18:00. Alice pays for order-1001 at 12:00.",
        "优惠券系统现在有两个进程 coupon-1 和 coupon-2，都是消费组 coupon-system 的 SimpleConsumer。没有消费"
        "逻辑回调（MessageListener），也没有重平衡：每个进程循环调用 receive(16, 不可见时间 30 秒)，发券，再"
        " ack 这条消息。被 POP 出来的消息在不可见时间（invisibleDuration）内对整个消费组都不可见；到期还没 "
        "ack，Broker 就再投递一次。发券前，优惠券系统用 lock() 拿 alice 的券包锁，没有等待上限（第 7 课）。"
        "过期券清理批处理任务 11:00 拿到 wallet:alice，一直卡到 18:00。alice 在 12:00 为 order-1001 付款。",
    ),
    "l12.scene": (
        "Before the story: the red-packet system starts at 0 s, coupon-1 at 1 s, coupon-2 at 2 s. Each coupon "
        "process sends a receive at once; the topic is empty, so the proxy holds it for the await duration, "
        "20 s, then answers empty, and the process asks again: coupon-1's waits end at 21 s, 41 s, ..., "
        "coupon-2's a second later. At 11:00 the batch job takes alice's wallet lock.",
        "故事开始之前：红包系统第 0 秒启动，coupon-1 第 1 秒，coupon-2 第 2 秒。两个优惠券进程一启动就发 "
        "receive；Topic 里没有消息，Proxy 就把请求挂住（长轮询），等满 20 秒的 awaitDuration 再返回空，进程接"
        "着再发：coupon-1 每次等到 21 秒、41 秒……结束，coupon-2 晚一秒。11:00，批处理任务拿走了 alice 的券"
        "包锁。",
    ),
    # ---------------------------------------------------------------- run 1: no dedupe, 30 s
    "l12.run.naive": ("naive: no dedupe, invisible 30 s", "朴素实现：不做幂等，不可见时间 30 秒"),
    "l12.explain.naive": (
        "Each process issues a coupon for every message it receives, then acks it. 30 s is twenty times what "
        "a coupon call takes (1.5 s).",
        "每个进程收到一条消息就发一张券，再 ack。30 秒是一次发券耗时（1.5 秒）的二十倍。",
    ),
    "l12.naive.1": (
        "Alice pays at 12:00. 'order paid' is stored at 12:00.005 and wakes one waiting receive of the group, "
        "the one whose wait ends first: coupon-1's. The broker pops the message for coupon-1, moves the "
        "group's offset past it at once, and writes a checkpoint: invisible until 12:30.005. coupon-1 asks the "
        "marketing service (1.2 s), then asks for alice's wallet lock at 12:01.208 and waits.",
        "alice 在 12:00 付款。“订单支付成功”在 12:00.005 存进 Broker，唤醒该消费组一个正在挂着的 receive："
        "最早到期的那个，也就是 coupon-1 的。Broker 为 coupon-1 POP 出这条消息，当场把消费组的消费位点挪过它"
        "，再写一个检查点（checkpoint）：不可见到 12:30.005。coupon-1 先问营销服务（1.2 秒），12:01.208 去拿 "
        "alice 的券包锁，开始等。",
    ),
    "l12.naive.2": (
        "12:30.005: coupon-1's invisible duration is over and it has not acked. The broker's revive service "
        "looks every second and revives a checkpoint once it is more than 2 s overdue: at 12:33 it stores the "
        "message again in %RETRY%coupon-system_order-paid, same msgId, reconsumeTimes 1. No waiting receive "
        "is woken by a revival; coupon-2's wait ends at 12:42, it asks again and pops the copy at 12:42.075: attempt "
        "2, invisible until 13:12.075. It asks the marketing service and waits for the same lock. coupon-1 "
        "has no idea: it is still waiting too.",
        "12:30.005，coupon-1 的不可见时间到了，它还没 ack。Broker 的 revive 服务每秒看一次，检查点过期超过 "
        "2 秒就重新投递：12:33 把消息再存进 %RETRY%coupon-system_order-paid，msgId 不变，reconsumeTimes 为"
        " 1。重新投递不会唤醒正在挂着的 receive；coupon-2 的等待在 12:42 结束，它再发一次 receive，在 "
        "12:42.075 拿到了这条：第 2 次投递，不可见到 13:12.075。它也去问营销服务，然后等同一把锁。coupon-1 对此一无所知："
        "它也还在等。",
    ),
    "l12.naive.3": (
        "13:12.075: coupon-2's copy expires as well, and is revived at 13:15 as retry 2. This time nobody "
        "receives it: both processes are stuck in their coupon call, and neither asks for more. Nothing else "
        "happens until the lock is free.",
        "13:12.075，coupon-2 手里这份也过期了，13:15 作为第 2 次重试重新投递。这回没人来取：两个进程都卡在"
        "发券调用里，谁也不再 receive。在锁释放之前，什么都不会再发生。",
    ),
    "l12.naive.4": (
        "18:00: the batch job lets go. Both calls insert: coupon-1 commits at 18:00.002, coupon-2 at "
        "18:00.004. Both ack, and both acks are refused: INVALID_RECEIPT_HANDLE, receipt handle is expired "
        "(since 12:30.005 and 13:12.075). The coupons stay. coupon-1 asks for more at once and pops retry 2, "
        "attempt 3: the lock is free now, so it issues a third coupon at 18:01.510 and acks it in time.",
        "18:00，批处理任务放锁。两次调用都插入了：coupon-1 在 18:00.002 写入（事务已提交），coupon-2 在 "
        "18:00.004。两个都去 ack，两个都被拒：INVALID_RECEIPT_HANDLE，句柄已过期（分别从 12:30.005 和 "
        "13:12.075 起）。券照样留着。coupon-1 马上再 receive，拿到第 2 次重试，也就是第 3 次投递：锁已经空"
        "了，它在 18:01.510 发出第三张券，并且及时 ack 了。",
    ),
    "l12.moral.naive": (
        "A message not acked within its invisible duration comes back, to whoever asks next, while the first "
        "consumer may still be working on it; every expiry is one more delivery.",
        "不可见时间内没 ack 的消息会再回来，交给下一个来取的消费者，而第一个消费者可能还在处理它；每过期一次"
        "，就多投递一次。",
    ),
    # ---------------------------------------------------------------- run 2: a longer invisible time
    "l12.run.longer": ("tempting fix: invisible 5 min", "看似能修：不可见时间改成 5 分钟"),
    "l12.explain.longer": (
        "The team raises the invisible duration to 5 min, two hundred times a coupon call. Still no dedupe.",
        "团队把不可见时间调到 5 分钟，是一次发券耗时的两百倍。仍然不做幂等。",
    ),
    "l12.longer.1": (
        "Same story. coupon-1 pops the message at 12:00.005, invisible until 17:00.005, and waits for the "
        "lock. At 17:00.005 it has waited almost 5 min: the revive service brings the message back at 17:03, "
        "and coupon-2's receive pops it when its wait ends, at 17:22.103. coupon-2 waits for the lock too.",
        "同样的故事。coupon-1 在 12:00.005 POP 出消息，不可见到 17:00.005，然后等锁。到 17:00.005 它已经等了"
        "将近 5 分钟：revive 服务在 17:03 把消息重新投递，coupon-2 的 receive 在 17:22.103 等待结束时拿到了它"
        "。coupon-2 也去等锁。",
    ),
    "l12.longer.2": (
        "18:00: both insert, two coupons. coupon-1's ack is refused (its handle expired at 17:00.005); "
        "coupon-2's is accepted, 18:00.305, well inside its 5 min.",
        "18:00：两个都插入了，两张券。coupon-1 的 ack 被拒（句柄在 17:00.005 过期）；coupon-2 的 ack 在 "
        "18:00.305 被接受，远没到它的 5 分钟。",
    ),
    "l12.moral.longer": (
        "A longer invisible duration only moves the window: a stall (a lock, a GC pause, a slow downstream) "
        "is not bounded by what was measured. And acking first, then working, trades the duplicate for a "
        "coupon lost whenever the call fails or the process dies.",
        "调大不可见时间只是把窗口往后挪：卡住多久（一把锁、一次 GC、一个慢下游）不会受测出来的数据约束。先 "
        "ack 再干活呢，是拿重复换丢失：调用一失败或者进程一挂，这张券就没了。",
    ),
    # ---------------------------------------------------------------- run 3: the fix
    "l12.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l12.explain.right": (
        "Invisible 30 s as in run 1, and a UNIQUE key on coupons(order_id), the coupon inserted in its own "
        "transaction; a key conflict counts as done (CONSUME_SUCCESS), so the message is acked.",
        "不可见时间和第 1 轮一样是 30 秒，coupons(order_id) 上加唯一索引，券在自己的事务里插入；唯一键冲突"
        "就当作已经处理完（CONSUME_SUCCESS），照样 ack。",
    ),
    "l12.right.1": (
        "Until the lock is free, the same as run 1: coupon-1 has the message from 12:00.005, the revival at "
        "12:33 goes to coupon-2 at 12:42.075, the one at 13:15 waits in the retry topic.",
        "锁释放之前，和第 1 轮一模一样：coupon-1 从 12:00.005 起拿着消息，12:33 的重新投递在 12:42.075 交给"
        "了 coupon-2，13:15 那次躺在重试队列里。",
    ),
    "l12.right.2": (
        "18:00: coupon-1's INSERT commits; coupon-2's waits for that transaction, then hits the unique-key "
        "conflict: rolled back, counted as done. Its ack is refused (expired) and it asks for more: retry 2, "
        "attempt 3, whose INSERT hits the key too, and is acked at 18:01.213. Three deliveries, one coupon.",
        "18:00：coupon-1 的 INSERT 写入（事务已提交）；coupon-2 的 INSERT 等这个事务结束，然后唯一键冲突：回"
        "滚，算作处理完。它的 ack 被拒（已过期），接着再 receive：第 2 次重试，即第 3 次投递，INSERT 同样唯一"
        "键冲突，18:01.213 ack 成功。投递三次，一张券。",
    ),
    "l12.moral.right": (
        "One coupon: the database, not the clock, decides that order-1001 gets one. The deliveries still "
        "happen; they are harmless.",
        "只有一张券：order-1001 发几张，由数据库说了算，而不是看时钟。重复投递照样发生，只是无害了。",
    ),
    # ---------------------------------------------------------------- pictures
    "l12.pops_title": ("Each pop of {order}'s message", "{order} 这条消息的每一次 POP"),
    "l12.col.popped": ("popped", "POP 时间"),
    "l12.col.by": ("by", "消费者"),
    "l12.col.attempt": ("attempt", "投递次数"),
    "l12.col.until": ("invisible until", "不可见到"),
    "l12.col.revived": ("revived", "重新投递"),
    "l12.col.ack": ("ack", "ack"),
    "l12.ack.ok": ("ok {at}", "成功 {at}"),
    "l12.ack.refused": ("refused {at}", "被拒 {at}"),
    "l12.verdict.pops": (
        "The message was popped {pops} times; {refused} ack(s) refused as expired.",
        "这条消息被 POP 了 {pops} 次；{refused} 次 ack 因句柄过期被拒。",
    ),
    "l12.sum.redelivered": ("deliveries of\na revived copy", "重新投递后\n的投递"),
    # ---------------------------------------------------------------- closing
    "l12.diagnosis": (
        "The rules at work (RocketMQ 5.x broker and proxy): a pop moves the group's position at once and "
        "writes a checkpoint (PopMessageProcessor); the SimpleConsumer's invisible duration has no default "
        "and must be 10 s to 12 h (ProxyConfig.minInvisibleTimeMillsForRecv, maxInvisibleTimeMills). The "
        "revive service (PopReviveService, every reviveInterval = 1 s) revives a checkpoint not acked more "
        "than 2 s after pop + invisible time: the message is stored again in %RETRY%<group>_<topic> with "
        "reconsumeTimes + 1 and the same msgId. An ack with an expired "
        "handle is refused from exactly pop + invisible time (INVALID_RECEIPT_HANDLE, receipt handle is "
        "expired). POP has no rebalance: every consumer of the group may get the copy. After 17 attempts the "
        "proxy moves it to %DLQ%<group>.",
        "起作用的规则（RocketMQ 5.x 的 Broker 和 Proxy）：POP 当场把消费组的消费位点往前挪，并写一个检查点（"
        "PopMessageProcessor）；SimpleConsumer 的不可见时间没有默认值，必须在 10 秒到 12 小时之间（ProxyConf"
        "ig.minInvisibleTimeMillsForRecv、maxInvisibleTimeMills）。revive 服务（PopReviveService，每 "
        "reviveInterval = 1 秒一次）在 POP 时间加不可见时间之后超过 2 秒还没 ack 的检查点，就重新投递：消息"
        "再存进 %RETRY%<消费组>_<Topic>，reconsumeTimes 加 1，msgId 不变。句"
        "柄过期（正好从 POP 时间加不可见时间起）后的 ack 会被拒（INVALID_RECEIPT_HANDLE，receipt handle is "
        "expired）。POP 没有重平衡：组里每个消费者都可能拿到这份重新投递的消息。投递满 17 次后，Proxy 把它转进"
        "死信队列 %DLQ%<消费组>。",
    ),
    "l12.limits": (
        "The UNIQUE key makes every delivery after the first harmless, not absent: each one still does "
        "everything before its INSERT, so every effect outside the coupon's transaction must be idempotent "
        "on its own. changeInvisibleDuration can extend a message while a call works (a new checkpoint, a "
        "new handle; the old one acks nothing), but a call stuck on a lock extends nothing; the 5.x "
        "PushConsumer renews for you, for at most 3 h, then nacks it and it comes back. "
        "As in lesson 7, give every lock and remote call a timeout well below the invisible duration. The fix "
        "matrix (lesson 17) replays this path in its G1 column, each design as a SimpleConsumer's handler.",
        "唯一索引让第一次之后的每次投递都变得无害，但它们照样会执行：每次都会把 INSERT 之前的事全做一遍，所以"
        "券的事务之外的每个副作用都得自己做到幂等。changeInvisibleDuration 可以在处理期间给消息续上不可见时间"
        "（新的检查点、新的句柄，旧句柄从此 ack 不掉任何东西），可卡在锁上的调用自己续不了；5.x 的 "
        "PushConsumer 会替你自动续期，但最多 3 小时，之后 nack，消息照样回来。和第 "
        "7 课一样：每把锁、每次远程调用都设一个远小于不可见时间的超时。第 17 课的修复矩阵在 G1 列重放"
        "这条路径，每个方案都作为 SimpleConsumer 的处理逻辑来跑。",
    ),
}

NOTES12: dict[str, tuple[str, str]] = {
    "note.pop-invisible-time.intro": (
        "Ask: One message, three deliveries, two refused acks. Which consumer got which delivery?\n"
        "Answer: Leave it open: the table of pops answers it step by step.",
        "问：一条消息，三次投递，两次 ack 被拒。哪次投递给了哪个消费者？\n答：先不揭晓：每一步的 POP 表会逐步回答。",
    ),
    "note.pop-invisible-time.r1s1": (
        "Ask: Two SimpleConsumers, no rebalance. Which one gets order-1001's message?\n"
        "Answer: Either may: a new message wakes the waiting receive that ends first, here coupon-1's.",
        "问：两个 SimpleConsumer，没有重平衡。order-1001 这条消息归谁？\n答：谁都可能：新消息唤醒最早到期的那个 receive，这里是 coupon-1 的。",
    ),
    "note.pop-invisible-time.r1s2": (
        "Ask: Where is coupon-system's offset on the broker now, before any ack?\n"
        "Answer: Already past the message: POP moves it at pop time. The checkpoint holds what is not acked.\n"
        "Ask: At 12:30.005 the 30 s are over and coupon-1 still waits. What happens?\n"
        "Answer: Revived at 12:33 (2 to 3 s later); coupon-2 pops it when its held receive ends, 12:42.",
        "问：还没 ack，Broker 上 coupon-system 的消费位点现在在哪？\n答：已经越过这条消息了：POP 时当场就挪。没 ack 的由检查点记着。\n"
        "问：12:30.005 时 30 秒到了，coupon-1 还在等。接下来呢？\n答：12:33 重新投递（晚 2 到 3 秒）；coupon-2 挂着的 receive 在 12:42 结束时拿到。",
    ),
    "note.pop-invisible-time.r1s3": (
        "Ask: Will coupon-2's copy expire too? Will anyone get the next one?\n"
        "Answer: Yes, at 13:12, revived at 13:15; nobody takes it until a process is free.",
        "问：coupon-2 那份也会过期吗？下一份有人取吗？\n答：会，13:12 过期，13:15 重新投递；要等有进程空下来才会被取走。",
    ),
    "note.pop-invisible-time.r1s4": (
        "Ask: The lock is free at 18:00. How many coupons?\n"
        "Answer: Three: both waiting calls insert, then a process is free and pops the third copy.",
        "问：18:00 锁释放了。一共发几张券？\n答：三张：两个等着的调用都插入，然后空下来的进程又取到第三份。",
    ),
    "note.pop-invisible-time.r1s5": (
        "Ask: Both acks are refused. Does that undo the coupons?\n"
        "Answer: No: the rows are committed. The refusal only says the message was, or will be, redelivered.\n"
        "Watch for: 'the broker rejects the duplicate'. It rejects the ack, not the work.",
        "问：两次 ack 都被拒了。券会因此撤回吗？\n答：不会：行已经写入。被拒只是说明这条消息已经或即将再投递。\n留意：“Broker 把重复的拒了”。拒的是 ack，不是已经做完的事。",
    ),
    "note.pop-invisible-time.r2s1": (
        "Ask: 5 min instead of 30 s. One coupon now?\n"
        "Answer: Two: the lock is held 6 min. Any fixed duration is a guess about the longest stall.",
        "问：30 秒改成 5 分钟，这回只有一张券了吧？\n答：两张：锁被占了 6 分钟。任何固定时长都只是对最长卡顿的猜测。",
    ),
    "note.pop-invisible-time.r3s1": (
        "Ask: With the UNIQUE key, how many deliveries now, and how many coupons?\n"
        "Answer: Still three deliveries; one coupon. The key decides, not the timing.",
        "问：加了唯一索引，现在投递几次、发几张券？\n答：还是投递三次；只发一张券。由唯一索引决定，而不是看时间。",
    ),
    "note.pop-invisible-time.end": (
        "Ask: Why not ack first, then issue the coupon?\n"
        "Answer: Then a failed call or a dead process loses the coupon: at most once, not exactly once.",
        "问：为什么不先 ack 再发券？\n答：那样调用一失败或进程一挂，券就丢了：这是至多一次，不是恰好一次。",
    ),
}
