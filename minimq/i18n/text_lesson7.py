"""Lesson 7 (path P10, the consume timeout): its narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson7``): the coupon
system starts at 3 s, so its consume-timeout scans run at 15:03, 30:03, ... (scheduled in
``start()``, before its first rebalance at 4.01 s); the batch job holds alice's wallet
lock from 11:00 to 32:00; order-1001 is paid at 12:00.
"""

LESSON7: dict[str, tuple[str, str]] = {
    "l7.title": (
        "Lesson 7 · Consume timeout: the message comes back while its handler runs",
        "第 7 课 · 消费超时：消费逻辑还没跑完，消息又投递了一遍",
    ),
    "l7.setting": (
        "A push consumer with a concurrent listener (MessageListenerConcurrently) gives every message "
        "consumeTimeout = 15 min. It does not time each message: when it starts, it schedules one scan, "
        "cleanExpireMsg, at a fixed rate of 15 min, the first time 15 min after the start. The coupon system "
        "starts at 3 s, so its scans run at 15:03, 30:03, 45:03 and so on. Before it inserts a coupon, the "
        "coupon system takes the user's wallet lock (wallet:<user>, a distributed lock in Redis) with "
        "lock(), which waits without a limit. At 11:00 the nightly coupon-expiry batch job takes "
        "wallet:alice and hangs there until someone kills it at 32:00. Alice pays for order-1001 at 12:00.",
        "并发消费（MessageListenerConcurrently）的 Push 消费者给每条消息的消费时间上限是 consumeTimeout ="
        " 15 分钟。但它并不是给每条消息单独计时：消费者启动时，只按固定频率（scheduleAtFixedRate）排了一"
        "个扫描任务 cleanExpireMsg，启动 15 分钟后第一次，之后每 15 分钟一次。优惠券系统第 3 秒启动，所以"
        "扫描发生在 15:03、30:03、45:03……优惠券系统发券前要先拿用户的券包锁（wallet:<用户>，Redis 分布式"
        "锁），用的是 lock()，没有等待上限。11:00，夜里的过期券清理批处理任务拿到了 wallet:alice，然后卡"
        "在那里，一直到 32:00 被人杀掉。alice 在 12:00 为 order-1001 付款。",
    ),
    "l7.scene": (
        "Before the story: the red-packet system starts at 0 s, the coupon system at 3 s. Each joins its group "
        "with a heartbeat, takes the four queues at its first rebalance, 1 s after it starts (the coupon "
        "system at 4.01 s), and pulls 500 ms later. The coupon consumer's scan waits for none of this: start() "
        "schedules it before the first heartbeat leaves, so it is due at 15:03, 30:03, 45:03, whatever its "
        "queues and messages do. At 11:00 the batch job takes alice's wallet lock.",
        "故事开始之前：红包系统第 0 秒启动，优惠券系统第 3 秒启动。两个消费者都先发心跳加入消费组，启动一秒"
        "后第一次重平衡（Rebalance）时分到四个队列（优惠券系统是 4.01 秒），再过 500 毫秒开始拉取。优惠券消费者的超时扫描"
        "不等这些：start() 在第一次发心跳之前就把它排好了，所以从第 3 秒起，扫描就定在了 15:03、30:03、45:03"
        "，跟分到哪些队列、消息什么时候开始消费都无关。11:00，批处理任务拿走了 alice 的券包锁。",
    ),
    # ---------------------------------------------------------------- run 1: no dedupe
    "l7.run.naive": ("naive: no dedupe", "朴素实现：不做幂等"),
    "l7.explain.naive": (
        "The coupon system inserts a coupon for every message it is given.",
        "优惠券系统来一条消息就插一张券。",
    ),
    "l7.naive.1": (
        "Alice pays at 12:00. The red-packet system pays within a few ms. The coupon handler starts at "
        "12:00.006: the consumer stamps that time on the message (CONSUME_START_TIME), and it is the only "
        "clock the scan will read. The handler asks the marketing service (1.2 s), then asks for alice's "
        "wallet lock at 12:01.2: the batch job holds it, so lock() waits. The message stays in the coupon "
        "consumer's process queue (in flight, queue offset 0).",
        "alice 在 12:00 付款。红包系统几毫秒就发完了红包。优惠券系统的消费逻辑（MessageListener）在 12:00.006 开始：消费者把这个"
        "时间记在消息上（CONSUME_START_TIME），超时扫描只看这一个时间。消费逻辑先问营销服务（1.2 秒），12"
        ":01.2 去拿 alice 的券包锁：锁在批处理任务手里，lock() 就一直等。消息一直留在优惠券消费者的"
        " ProcessQueue（处理队列）里：处理中，队列位点 0。",
    ),
    "l7.naive.2": (
        "15:03, the first scan. It looks at the first message of each process queue: order-1001's started at "
        "12:00.006, 3 min 2 s ago, less than 15 min. Nothing happens, and nothing will until the next scan. "
        "The handler passes 15 min at 27:00, but no scan runs then: the scan's clock started with the "
        "consumer, not with the message. The next one is at 30:03.",
        "15:03，第一次扫描。它看每个 ProcessQueue 的第一条消息：order-1001 这条 12:00.006 开始消费，到现"
        "在 3 分 2 秒，不到 15 分钟。什么都没发生，而且在下一次扫描之前也不会发生。消费逻辑在 27:00 就超"
        "过了 15 分钟，可那时没有扫描：扫描的时钟从消费者启动算起，不从消息开始消费算起。下一次在 30:03。",
    ),
    "l7.naive.3": (
        "30:03, the second scan. The handler has now run 18 min 2 s, more than 15 min. cleanExpiredMsg sends "
        "the message back with delay level 3 (10 s) and removes it from the process queue: the in-flight "
        "column is empty, although the handler is still waiting for the lock. Nobody stops it. At 30:13 the "
        "broker stores retry 1 in %RETRY%coupon-system and the coupon system is handed it at once: a second "
        "execution of the same message, with the same msgId, which asks the marketing service and then waits "
        "for the same lock. Two executions of one message now run side by side. With the process queue "
        "empty, the next pull that finds nothing new (30:20) moves the consumer offset past the message "
        "(correctTagsOffset): the retry copy is all that is left of the unfinished work.",
        "30:03，第二次扫描。消费逻辑已经跑了 18 分 2 秒，超过 15 分钟。cleanExpiredMsg 以延迟级别 3（10 "
        "秒）把消息发回 Broker，并把它从 ProcessQueue 里移除：处理中那一栏空了，可消费逻辑其实还在等锁，"
        "没有人去停它。30:13，Broker 把第 1 次重试存进重试队列 %RETRY%coupon-system，马上又投递给优惠券系"
        "统：同一条消息（msgId 也一样）的第二次执行，它也去问营销服务，然后等同一把锁。现在同一条消息有两"
        "次执行在同时跑。ProcessQueue 空了以后，下一次没拉到新消息的拉取（30:20）就把消费位点挪过了这条消"
        "息（correctTagsOffset）：没干完的活，只剩重试队列里那条重试消息还记着。",
    ),
    "l7.naive.4": (
        "32:00: the batch job is killed and the lock is free. Both executions go on: the first inserts and "
        "commits its coupon at 32:00.002, the retry right after it, at 32:00.004: two coupons. The first "
        "execution then returns CONSUME_SUCCESS, and that answer changes nothing: the message is no longer "
        "in the process queue, so there is nothing to remove and no offset to move. The retry's "
        "CONSUME_SUCCESS moves the group's offset in %RETRY%coupon-system.",
        "32:00，批处理任务被杀，锁释放了。两次执行都接着往下走：第一次执行在 32:00.002 写入券（事务已提交"
        "），重试紧随其后，32:00.004 也写入了：两张券。第一次执行随后返回 CONSUME_SUCCESS，可这个结果已经"
        "不起任何作用：消息早就不在 ProcessQueue 里了，没什么可移除，也没有消费位点可推进。重试那次的 CON"
        "SUME_SUCCESS 推进的是消费组在 %RETRY%coupon-system 上的消费位点。",
    ),
    "l7.moral.naive": (
        "A handler that runs longer than consumeTimeout gets its message delivered again while it still "
        "runs: the duplicate does not follow the first execution, it overlaps it.",
        "消费逻辑跑得比 consumeTimeout 还久，消息就会在它还没跑完时再投递一次：重复消息不是跟在第一次执行"
        "后面来的，而是和它重叠在一起。",
    ),
    # ---------------------------------------------------------------- run 2: query-then-insert
    "l7.run.qti": ("coupon side: query, then insert", "优惠券侧：先查再插"),
    "l7.explain.qti": (
        "Before inserting, the coupon system looks for a coupon of this order (SELECT) and inserts only if "
        "it found none. No UNIQUE key.",
        "插入之前，优惠券系统先查这个订单有没有券（SELECT），查不到才插。没有唯一索引。",
    ),
    "l7.qti.1": (
        "Same story, same scans. The first execution's SELECT at 12:00.008 finds 0 rows; then it waits for "
        "the lock. The 30:03 scan sends the message back, and the retry's SELECT at 30:13.004 finds 0 rows "
        "too: the first execution has not inserted anything, it is still waiting. Both checks have passed, "
        "and both executions wait for the lock in front of their INSERT.",
        "同样的故事，同样的扫描。第一次执行 12:00.008 的 SELECT 查到 0 行，然后去等锁。30:03 的扫描把消息"
        "发回重试，重试那次 30:13.004 的 SELECT 也查到 0 行：第一次执行还一行都没插，它还在等锁。两次检查"
        "都通过了，两次执行都卡在 INSERT 前面等锁。",
    ),
    "l7.qti.2": (
        "32:00: both INSERTs go through, two coupons. The check and the insert are two steps, here 20 "
        "minutes apart, and a second execution that arrives in between passes the same check.",
        "32:00：两条 INSERT 都成功了，两张券。查和插是两步，这里中间隔了 20 分钟，第二次执行只要在这中间"
        "到达，就能通过同样的检查。",
    ),
    "l7.moral.qti": (
        "Query-then-insert holds only if copies come one after the other. The consume timeout makes them "
        "overlap by design: the retry is sent because the first execution is still running.",
        "先查再插只在重复消息一前一后到达时才成立。消费超时天生就让它们重叠：之所以发回重试，恰恰是因为第"
        "一次执行还没跑完。",
    ),
    # ---------------------------------------------------------------- run 3: the fix
    "l7.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l7.explain.right": (
        "UNIQUE key on coupons(order_id), the coupon inserted in its own transaction; a key conflict is "
        "acknowledged with CONSUME_SUCCESS. The red-packet table gets the same key.",
        "coupons(order_id) 上加唯一索引，券在自己的事务里插入；唯一键冲突就直接返回 CONSUME_SUCCESS。红包"
        "表也加上同样的唯一索引。",
    ),
    "l7.right.1": (
        "Same scan at 30:03, same retry at 30:13, the same two executions waiting for the lock. At 32:00 the "
        "first INSERT commits; the retry's INSERT waits for that transaction, then hits the unique-key "
        "conflict: rolled back, CONSUME_SUCCESS. The duplicate delivery still happened; the key made it "
        "harmless.",
        "同样 30:03 扫描，同样 30:13 重试，同样两次执行一起等锁。32:00，第一条 INSERT 写入（事务已提交）"
        "；重试的 INSERT 等这个事务结束，然后唯一键冲突：回滚，直接返回 CONSUME_SUCCESS。重复投递照样发生"
        "了，唯一索引让它无害。",
    ),
    "l7.moral.right": (
        "One coupon: the database decides which execution wins, not the timing.",
        "只有一张券：哪次执行算数，由数据库说了算，而不是看谁跑得快。",
    ),
    # ---------------------------------------------------------------- closing
    "l7.diagnosis": (
        "The rules at work: DefaultMQPushConsumer.consumeTimeout = 15 (minutes). "
        "ConsumeMessageConcurrentlyService.start schedules cleanExpireMsg with scheduleAtFixedRate(..., 15, "
        "15, MINUTES): 15 min after the consumer starts, then every 15 min; DefaultMQPushConsumerImpl.start "
        "calls it before the first heartbeat, so the clock does not wait for the first rebalance. For each "
        "process queue, "
        "ProcessQueue.cleanExpiredMsg looks only at the first (lowest-offset) message: if its "
        "CONSUME_START_TIME is more than 15 min old, it calls sendMessageBack(msg, 3) (delay level 3 = 10 "
        "s), removes it from the process queue and looks at the new first one, at most 16 per queue and "
        "scan. The listener is not interrupted. Its answer no longer counts: a CONSUME_SUCCESS finds nothing "
        "to remove, and since 5.1.0 a RECONSUME_LATER is not sent back a second time "
        "(ProcessQueue.containsMessage, ISSUE #5481); 4.9.x sent it back again, and two retry copies "
        "followed (#1600). So a message goes back between 15 and 30 min after it started, and its retry "
        "arrives while the first execution may still be running.",
        "起作用的规则：DefaultMQPushConsumer.consumeTimeout = 15（分钟）。ConsumeMessageConcurrentlyServi"
        "ce.start 用 scheduleAtFixedRate(..., 15, 15, MINUTES) 排 cleanExpireMsg：消费者启动 15 分钟后第"
        "一次，之后每 15 分钟一次；DefaultMQPushConsumerImpl.start 在第一次发心跳之前就调用它，所以这个时钟"
        "不等第一次重平衡。对每个 ProcessQueue，ProcessQueue.cleanExpiredMsg 只看第一条（队列位点"
        "最小的）消息：如果从它的 CONSUME_START_TIME 算起已经超过 15 分钟，就调 sendMessageBack(msg, 3)（"
        "延迟级别 3 = 10 秒），把它从 ProcessQueue 里移除，再看新的第一条，每个队列每次扫描最多 16 条。消"
        "费逻辑不会被打断，但它的返回值不再算数：CONSUME_SUCCESS 找不到可移除的消息；从 5.1.0 起，RECONSU"
        "ME_LATER 也不会再发回一次（ProcessQueue.containsMessage，ISSUE #5481）；4.9.x 会再发回一次，于是"
        "有两条重试消息（#1600）。所以一条消息会在开始消费后 15 到 30 分钟之间被发回，而它的重试到达时，"
        "第一次执行可能还在跑。",
    ),
    "l7.limits": (
        "The UNIQUE key makes the second execution harmless, not absent: the retry still does everything "
        "before its INSERT (here the marketing call), so every effect outside the coupon's transaction must "
        "be idempotent on its own, as for any retry (see lesson 17 for the other designs on this path, "
        "columns F1 and F2). Better still, do not let a handler run for 15 min: give every lock and every "
        "remote call a timeout well below consumeTimeout (tryLock with a wait time instead of lock(), a read "
        "timeout on every client) and fail fast with RECONSUME_LATER. Raising consumeTimeout only moves the "
        "window, and RocketMQ cannot cancel the first execution: if it must not finish, it has to check for "
        "itself (how long it has run, before it writes). The red-packet group was not touched: its handler "
        "took 4 ms. A consume timeout hits only the group whose handler is slow.",
        "唯一索引让第二次执行变得无害，但它照样会执行：重试会把 INSERT 之前的事全做一遍（这里是问营销服务"
        "），所以券的事务之外的每一个副作用都得自己做到幂等，和任何一次重试一样（这条路径上其他方案的表现"
        "，见第 17 课的 F1、F2 两列）。更好的办法是别让消费逻辑跑到 15 分钟：每把锁、每次远程调用都设一个"
        "远小于 consumeTimeout 的超时（用带等待时间的 tryLock 代替 lock()，每个客户端都设读超时），等不到"
        "就快速失败、返回 RECONSUME_LATER。调大 consumeTimeout 只是把窗口往后挪；RocketMQ 也没法取消第一"
        "次执行：如果它不该再做下去，只能由消费逻辑自己判断（比如写库之前先看看自己已经跑了多久）。红包组"
        "毫发无损：它的消费逻辑只用了 4 毫秒。消费超时只会找上消费逻辑慢的那个消费组。",
    ),
}
