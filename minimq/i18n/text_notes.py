"""Speaker notes for the lesson site's presenter mode, English and Chinese side by side.

Owns: ``note.<slug>.<slide>``, what the instructor asks at one slide of a story lesson
(lessons 1 to 11) and the answer the room should reach, taken from docs/workshop.md ("The
questions to ask", "Common wrong answers"). A slide is ``intro``, ``r<run>s<step>``,
``r<run>end`` (that run's verdict) or ``end``, numbered from 1 as the player numbers them.
Each note is a few short lines, "Ask:" then "Answer:", sometimes "Watch for:" (问：答：留意：).
A question sits on the last slide before its answer is shown: one about what the next run
will do sits on this run's verdict slide when that run's first step already shows the answer.
"""

from minimq.i18n.text_lesson12 import NOTES12

NOTES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 1
    "note.upstream-retry.intro": (
        "Ask: A user paid once for order-1001 and got two coupons. How? Write every answer on the board.\n"
        "Answer: Leave them open: lessons 1 to 3 show three ways, the fix matrix tests the answers.\n"
        "Ask: In order-paid#0@0, what are #0 and @0?\n"
        'Answer: Queue 0, queue offset 0. Open "How to read ids and offsets": msgId, offset on broker '
        "vs local offset, in flight.",
        "问：用户给 order-1001 只付了一次款，却拿到两张券。怎么回事？把大家的答案都写在白板上。\n"
        "答：先不揭晓：第 1 到 3 课演示三种情况，最后用修复矩阵逐条检验。\n"
        "问：order-paid#0@0 里的 #0 和 @0 是什么？\n"
        "答：队列 0，队列位点（queueOffset）0。展开“怎么读 id 和位点”：msgId、Broker 上的消费位点和本地消费位点、处理中。",
    ),
    "note.upstream-retry.r1s1": (
        "Ask: No answer within 1000 ms: what will the payment system do?\n"
        "Answer: Call the order callback again.\n"
        "Ask: Will that call send again, with which msgId? Will the broker see one payment?\n"
        "Answer: A new message with a new msgId. To RocketMQ, two messages.\n"
        "Ask: The coupon group's offset on the broker now?\n"
        "Answer: None (-): the message is in flight, nothing persisted yet.",
        "问：1000 毫秒内等不到应答，支付系统接下来会干什么？\n"
        "答：再回调一次订单系统。\n"
        "问：第二次回调会再发一条消息吗？msgId 是哪个？Broker 看得出是同一笔支付吗？\n"
        "答：会发一条新消息，msgId 也是新的。对 RocketMQ 来说就是两条消息。\n"
        "问：现在 Broker 上 coupon-system 的消费位点是多少？\n"
        "答：还没有（-）：消息还在处理中，也还没持久化过消费进度。",
    ),
    "note.upstream-retry.r1s2": (
        "Ask: One coupon or two with the naive design? And the red-packet group?\n"
        "Answer: Two coupons, two red packets: every consumer group gets every duplicate.\n"
        'Watch for: "The broker will drop the second one." The broker never deduplicates.',
        "问：朴素实现会发一张券还是两张？红包组呢？\n"
        "答：两张券、两个红包：每个消费组都会收到每一条重复消息。\n"
        "留意：“Broker 会把第二条去掉”：Broker 从来不去重。",
    ),
    "note.upstream-retry.r1s3": (
        "Ask: Where was the duplicate born: inside RocketMQ or before it?\n"
        "Answer: Before the broker: the payment system's retry and a callback that is not idempotent made two "
        "messages.\n"
        'Watch for: "RocketMQ delivered it twice." It stored two messages and delivered each once per group.',
        "问：重复是在哪儿产生的：RocketMQ 内部，还是它之前？\n"
        "答：在 Broker 之前：支付系统重试，加上回调不幂等，发出了两条消息。\n"
        "留意：“RocketMQ 投递了两次”：它存了两条消息，每个组每条只投递一次。",
    ),
    "note.upstream-retry.r1end": (
        "Ask: Next run, the coupon side records each msgId in the coupon's transaction and skips one it has "
        "seen. One coupon or two?\n"
        "Answer: Two: the two messages have different msgIds (the msg id column of step 3's coupons table).",
        "问：下一轮，优惠券侧把每个 msgId 和券记在同一个事务里，见过的就跳过。一张券还是两张？\n"
        "答：两张：两条消息的 msgId 不一样（看第 3 步券表的 msgId 那一栏）。",
    ),
    "note.upstream-retry.r2s1": (
        "Ask: What do both messages carry that is the same?\n"
        "Answer: The message key, the order id (setKeys). Dedupe on the business key, not on the msgId.\n"
        'Watch for: "Dedupe on the msgId." Whether copies share one depends on how the producer was written '
        "(lesson 2).",
        "问：两条消息身上有什么是一样的？\n"
        "答：消息 Key，也就是订单号（setKeys）。要按业务唯一标识去重，而不是按 msgId。\n"
        "留意：“按 msgId 去重就行”：两条消息的 msgId 一不一样，取决于生产者代码怎么写（第 2 课）。",
    ),
    "note.upstream-retry.r2end": (
        "Ask: Next run: SELECT the order's coupon, INSERT if none, no UNIQUE key. The copies arrive a second "
        "apart and each spends 1.2 s between its SELECT and its INSERT. One coupon or two?\n"
        "Answer: Two: both SELECTs find nothing.",
        "问：下一轮：先 SELECT 这个订单的券，查不到才 INSERT，没有唯一索引。两条消息前后差一秒到，每条在 SELECT "
        "和 INSERT 之间都要花 1.2 秒。一张券还是两张？\n"
        "答：两张：两次 SELECT 都没查到。",
    ),
    "note.upstream-retry.r3s1": (
        "Ask: When does query-then-insert work?\n"
        "Answer: Only when the copies never overlap: a copy that arrives between the two steps finds nothing. "
        "In production they overlap (lessons 2, 7, 11).",
        "问：先查再插什么时候才管用？\n"
        "答：只在重复消息从不重叠时：另一条正好插在两步中间，就什么也查不到。线上它们偏偏会重叠（第 2、7、11 课）。",
    ),
    "note.upstream-retry.r3end": (
        "Ask: Next run: a UNIQUE key on coupons(order_id). What must the handler return when the INSERT fails "
        "on the key?\n"
        "Answer: Roll back and return CONSUME_SUCCESS: the coupon is already issued.",
        "问：下一轮：coupons(order_id) 上加唯一索引。INSERT 报唯一键冲突时，消费逻辑该返回什么？\n"
        "答：回滚，直接返回 CONSUME_SUCCESS：券已经发过了。",
    ),
    "note.upstream-retry.r4s1": (
        "Ask: Why never RECONSUME_LATER on the key conflict?\n"
        "Answer: A duplicate can never succeed: it would climb 16 retries (4 h 45 min 40 s), running the "
        "handler each time, into %DLQ%coupon-system (lesson 6).",
        "问：唯一键冲突时为什么千万别返回 RECONSUME_LATER？\n"
        "答：重复消息永远不可能“成功”：它会把 16 次重试（4 小时 45 分 40 秒）走完，每次都把消费逻辑再跑一遍，"
        "最后进死信队列（%DLQ%coupon-system）（第 6 课）。",
    ),
    "note.upstream-retry.r4end": (
        "Ask: Next run, the callback runs UPDATE orders SET status='PAID' WHERE id=? AND status='UNPAID' and "
        "sends only if a row changed. How many rows does the second call change?\n"
        "Answer: Zero, so nothing is sent: one message.",
        "问：下一轮，回调改成 UPDATE orders SET status='PAID' WHERE id=? AND status='UNPAID'，影响行数为 1 "
        "才发消息。第二次回调影响几行？\n"
        "答：0 行，所以不发消息：只有一条消息。",
    ),
    "note.upstream-retry.r5s1": (
        "Ask: The order side is fixed. Can the coupon side drop its UNIQUE key now?\n"
        "Answer: No: lessons 2 and 3 make duplicates after the order side, in the producer and in the "
        "consumer. The keys guard against every duplicate that gets through.",
        "问：订单侧修好了，优惠券侧的唯一索引可以拿掉了吗？\n"
        "答：不能：第 2、3 课的重复出在订单侧之后，在生产者和消费者里。唯一索引挡的是所有漏网的重复。",
    ),
    "note.upstream-retry.r5end": (
        "Ask: Which RocketMQ rule did this?\n"
        "Answer: None: the payment system's timeout-and-retry and a callback that is not idempotent. Only the "
        "order id says the two messages are one payment.",
        "问：这是 RocketMQ 的哪条规则造成的？\n"
        "答：哪条都不是：支付系统超时重试，加上回调不幂等。只有订单号知道这两条消息是同一笔支付。",
    ),
    "note.upstream-retry.end": (
        "Ask: The UNIQUE-key row still counts 2 extra deliveries. Is it fixed?\n"
        "Answer: Yes: idempotency does not stop a duplicate from arriving, it makes it harmless.\n"
        "Ask: Is the conditional UPDATE atomic with the send?\n"
        "Answer: No: a crash between them leaves the order PAID and no message (transactional messages or a "
        "local message table close that gap).",
        "问：唯一索引那一行还有 2 次多余投递，算修好了吗？\n"
        "答：算：幂等挡不住重复消息到来，只是让它无害。\n"
        "问：条件更新和发消息是原子的吗？\n"
        "答：不是：两者之间一崩溃，订单已是 PAID，消息却没发出去（事务消息或本地消息表能补上这个缺口）。",
    ),
    # ---------------------------------------------------------------- lesson 2
    "note.lost-reply.intro": (
        "Ask: The order system wraps send() in its own retry loop (3 tries) so that no message is ever lost. "
        "What can that loop cost?\n"
        "Answer: A duplicate: after a lost reply it sends again a message the broker already stored.",
        "问：订单系统在 send() 外面包了自己的重试循环（最多 3 次），为的是一条都不丢。这个循环可能带来什么？\n"
        "答：重复消息：应答丢了以后，它会把 Broker 已经存下的消息再发一遍。",
    ),
    "note.lost-reply.r1s1": (
        "Ask: The reply is lost. Does the broker hold the message? (Read the table.)\n"
        "Answer: Yes: max offset 1 on its queue.\n"
        "Ask: Will send() retry by itself? When the loop sends again, same msgId or a new one?\n"
        "Answer: No: a timeout uses the whole 3000 ms budget. The loop re-sends the same Message object: the "
        "same msgId.",
        "问：应答丢了。Broker 上有这条消息吗？（看表）\n"
        "答：有：它那个队列的最大位点是 1。\n"
        "问：send() 会自己重试吗？循环再发时，msgId 一样还是新的？\n"
        "答：不会：超时把 3000 毫秒的预算整个用光了。是订单系统自己的循环重发同一个 Message 对象：msgId 一样。",
    ),
    "note.lost-reply.r1s2": (
        "Ask: Two messages, one msgId. One coupon or two? Will the broker drop the second?\n"
        "Answer: Two coupons, two red packets: the broker never deduplicates by msgId.",
        "问：两条消息，同一个 msgId。一张券还是两张？Broker 会把第二条去掉吗？\n"
        "答：两张券、两个红包：Broker 不会按 msgId 去重。",
    ),
    "note.lost-reply.r1s3": (
        "Ask: Would a msgId dedupe have caught this one?\n"
        "Answer: Yes, this time: the loop re-sent the same Message object. Next run it does not.",
        "问：这一次按 msgId 去重拦得住吗？\n答：这次拦得住：循环重发的是同一个 Message 对象。下一轮就不是了。",
    ),
    "note.lost-reply.r1end": (
        "Ask: Next run, the loop builds a new Message for each try. Would a msgId dedupe catch it?\n"
        "Answer: No: a new object gets a new msgId (UNIQ_KEY is written once per Message object).",
        "问：下一轮，重试循环每次都新建一个 Message。按 msgId 去重还拦得住吗？\n"
        "答：拦不住：新对象就有新 msgId（UNIQ_KEY 每个 Message 对象只写一次）。",
    ),
    "note.lost-reply.r2s1": (
        "Ask: So what decides whether two copies share a msgId?\n"
        "Answer: A detail of the producer's code: where the Message is built. The consumer cannot rely on it; "
        "the order id is in every copy.\n"
        'Watch for: "Dedupe on the msgId." It fails here and on lesson 1\'s path.',
        "问：那两条消息的 msgId 一不一样，由什么决定？\n"
        "答：生产者代码的一个细节：Message 在哪儿构造。消费者靠不住它；每条消息都带着的是订单号。\n"
        "留意：“按 msgId 去重就行”：这里拦不住，第 1 课那条路径也拦不住。",
    ),
    "note.lost-reply.r2end": (
        "Ask: Next run, a fast failure: the channel closes right after the broker stored the message. Who "
        "sends again? With query-then-insert, one coupon or two?\n"
        "Answer: send() itself, at once (retryTimesWhenSendFailed = 2), same msgId. The copies land 2 ms "
        "apart: two coupons.",
        "问：下一轮是快速失败：Broker 存下消息后连接马上就断了。谁来重发？先查再插，一张券还是两张？\n"
        "答：send() 自己立刻重试（retryTimesWhenSendFailed = 2），msgId 不变。两条消息前后只差 2 毫秒：两张券。",
    ),
    "note.lost-reply.r3s1": (
        "Ask: This time a msgId dedupe would have caught it. Why not rely on one?\n"
        "Answer: It misses run 2 (a new Message per try) and lesson 1 (an upstream retry). Only the order id "
        "is in every copy.",
        "问：这一次按 msgId 去重其实拦得住。为什么还是不能靠它？\n"
        "答：第 2 轮（每次新建 Message）和第 1 课（上游重试）它都拦不住。每条消息都带着的只有订单号。",
    ),
    "note.lost-reply.r3end": (
        "Ask: Next run: a UNIQUE key on the order id, and the loop still builds a new Message. How many "
        "coupons?\n"
        "Answer: One coupon, one red packet, whatever the msgIds and however close together the copies "
        "arrive.",
        "问：下一轮：订单号上加唯一索引，循环照样每次新建 Message。发几张券？\n"
        "答：一张券、一个红包，不管 msgId 是什么、两条消息来得多密。",
    ),
    "note.lost-reply.r4s1": (
        "Ask: Why can't RocketMQ make this exactly-once?\n"
        'Answer: After a lost reply the producer cannot tell "stored" from "not stored": not sending may lose '
        "the message, sending again may duplicate it. RocketMQ chooses at least once; the consumer handles "
        "the duplicate.",
        "问：RocketMQ 为什么做不到恰好一次？\n"
        "答：应答丢了之后，生产者分不清“存下了”还是“没存下”：不重发可能丢消息，重发可能重复。RocketMQ "
        "选的是至少一次（At Least Once），重复只能由消费者来处理。",
    ),
    "note.lost-reply.end": (
        "Ask: Read the table: which design gives one coupon?\n"
        "Answer: Only the UNIQUE key; its row still counts 2 extra deliveries.\n"
        'Watch for: "RocketMQ has exactly-once." The broker never deduplicates, and transactional messages do '
        "not stop a consumer from seeing a message twice.",
        "问：看汇总表：哪种方案只发一张券？\n"
        "答：只有唯一索引；这一行照样数得出 2 次多余投递。\n"
        "留意：“RocketMQ 支持恰好一次”：Broker 从来不去重，事务消息也挡不住消费者收到两次。",
    ),
    # ---------------------------------------------------------------- lesson 3
    "note.consumer-restart.intro": (
        "Ask: Four earlier orders, one per queue, are consumed before the coupon system's first persist at "
        "13 s. Which offset will the broker hold for the coupon group then?\n"
        "Answer: 1 on every queue.\n"
        "Ask: order-1001 is paid at 14 s; the next persist is at 18 s. What is at risk in between?\n"
        "Answer: A crash loses the offset in memory: what was consumed since comes back.",
        "问：优惠券系统第 13 秒第一次持久化消费位点，在那之前消费了四个老订单，每个队列一个。那时 Broker "
        "上优惠券组的消费位点是多少？\n"
        "答：每个队列都是 1。\n"
        "问：order-1001 第 14 秒付款，下一次持久化在第 18 秒。这中间有什么风险？\n"
        "答：这期间一崩溃，内存里的消费位点就丢了：这之后消费过的消息会再来一遍。",
    ),
    "note.consumer-restart.r1s1": (
        "Ask: order-1001 is paid at 14 s and both groups finish it by 15.8 s. Which offset will the broker "
        "hold on its queue, for the coupon group and for the red-packet group?\n"
        "Answer: Coupon: still 1 (2 only in memory until the 18 s persist). Red packet: 2 (its 15 s persist).",
        "问：order-1001 第 14 秒付款，两个组到第 15.8 秒都消费完了。它所在的队列，Broker 上优惠券组和红包组的"
        "消费位点各是多少？\n"
        "答：优惠券组还是 1（2 只在进程内存里，要等第 18 秒持久化）；红包组是 2（第 15 秒持久化的）。",
    ),
    "note.consumer-restart.r1s2": (
        "Ask: The deploy kills the coupon system with kill -9 at 16.5 s. What happens to the 2 in its memory?\n"
        "Answer: It dies with the process: on the broker the coupon group's offset stays 1.\n"
        'Watch for: "Just commit the offset after the handler." RocketMQ does, in memory, and persists it '
        "every 5 s.",
        "问：第 16.5 秒，发布用 kill -9 杀掉优惠券系统。它内存里的 2 会怎样？\n"
        "答：跟着进程一起没了：Broker 上优惠券组的消费位点还是 1。\n"
        "留意：“消费逻辑跑完再提交消费位点不就行了？”RocketMQ 本来就是这么做的，只不过先记在内存里，每 5 秒才"
        "持久化一次。",
    ),
    "note.consumer-restart.r1s3": (
        "Ask: Where will the new process resume on that queue? One coupon or two?\n"
        "Answer: At offset 1, which is order-1001: it is delivered again and a second coupon is issued. The "
        "red-packet group resumes from 2.",
        "问：新进程会从那个队列的哪儿接着消费？一张券还是两张？\n"
        "答：从消费位点 1，也就是 order-1001：它被再投递一次，发出第二张券。红包组从 2 接着消费。",
    ),
    "note.consumer-restart.r1s4": (
        "Ask: What was lost here: the message or the offset?\n"
        "Answer: The consumer offset. Same group, same message, second delivery: up to 5 s of consumed "
        "messages can come back after any crash.",
        "问：这里丢的是消息还是消费位点？\n"
        "答：是消费位点。同一个组、同一条消息、第二次投递：任何一次崩溃，都可能把最多 5 秒内消费过的消息再送回来。",
    ),
    "note.consumer-restart.r2s1": (
        "Ask: A graceful shutdown persists the offsets. Safe now?\n"
        "Answer: No: at 15.4 s the handler is still notifying the user, the message in flight holds the "
        "offset at 1, and 1 is what reaches the broker: a second coupon.\n"
        'Watch for: "A graceful shutdown fixes it." It narrows the window to the messages in flight.',
        "问：优雅停机会持久化消费位点。这下安全了吧？\n"
        "答：不安全：第 15.4 秒消费逻辑还在发通知，处理中的消息把消费位点卡在 1，送到 Broker 的还是 1：第二张券。\n"
        "留意：“改成优雅停机就好了”：它只把窗口缩小到处理中的那几条消息。",
    ),
    "note.consumer-restart.r3s1": (
        "Ask: An in-memory set of order ids, the same kill -9. One coupon or two?\n"
        "Answer: Two: the new process starts with an empty set.\n"
        'Watch for: "An in-memory set." It dies with the process, exactly when the duplicate arrives, and '
        "every process of the group has its own (lesson 5).",
        "问：本地内存去重记下订单号，同样 kill -9。一张券还是两张？\n"
        "答：两张：新进程的 Set 是空的。\n"
        "留意：“本地内存去重”：进程一死它就没了，而重复消息偏偏就在这时候到；同组的每个进程各有各的一份（第 5 课）。",
    ),
    "note.consumer-restart.r4s1": (
        "Ask: A UNIQUE key on coupons(order_id), the same kill -9. Does the redelivery still come? What does "
        "the handler answer?\n"
        "Answer: It comes. The INSERT fails on the key, the handler rolls back and returns CONSUME_SUCCESS, "
        "and the offset moves on: one coupon.",
        "问：coupons(order_id) 加了唯一索引，同样 kill -9。重投还会来吗？消费逻辑返回什么？\n"
        "答：照样会来。INSERT 唯一键冲突，回滚，直接返回 CONSUME_SUCCESS，消费位点继续往前走：一张券。",
    ),
    "note.consumer-restart.end": (
        "Ask: Where else does the same redelivery come from?\n"
        "Answer: Rebalances, consume timeouts, RECONSUME_LATER (lessons 4 to 7). The UNIQUE key handles them "
        "all if the coupon and the key are written in one transaction.\n"
        "Ask: How often does it happen?\n"
        "Answer: At every deploy and every crash: routine, not exotic.",
        "问：同样的重投还会从哪儿来？\n"
        "答：重平衡、消费超时、RECONSUME_LATER（第 4 到 7 课）。只要券和唯一键写在同一个事务里，唯一索引都能兜住。\n"
        "问：这种事多久发生一次？\n"
        "答：每次发布、每次崩溃：家常便饭，不是稀罕事。",
    ),
    # ---------------------------------------------------------------- lesson 4
    "note.slow-message.intro": (
        "Ask: Nothing crashes: one marketing call hangs 60 s, orders keep coming, and at 35 s comes a graceful "
        "deploy. Any duplicate coupons?\n"
        "Answer: Six: every order finished behind the slow one in its queue is delivered again after the "
        "restart.",
        "问：什么都没崩：只是一个营销调用卡了 60 秒，订单照常进来，第 35 秒优雅停机发布。会重复发券吗？\n"
        "答：会，六张：和它同一个队列、排在它后面已经消费完的订单，重启后全部再投递一遍。",
    ),
    "note.slow-message.r1s1": (
        "Ask: order-1001 will land at offset 1 of a queue and hang 60 s. Which consumer offset can the coupon "
        "group commit for that queue meanwhile?\n"
        "Answer: 1: a message in flight holds the offset at its own queue offset.",
        "问：order-1001 会落在某个队列的队列位点 1，一卡就是 60 秒。这期间优惠券组在这个队列能提交的消费位点"
        "是多少？\n"
        "答：1：处理中的消息会把消费位点卡在它自己的队列位点上。",
    ),
    "note.slow-message.r1s2": (
        "Ask: Six later orders of that queue will finish on other threads. Which offset can the consumer "
        "commit then?\n"
        'Answer: Still 1: one number per queue, the smallest still in flight. It cannot say "1 is pending, '
        '2 to 7 are done".\n'
        'Watch for: "Commit the offset after the handler." One number per queue, held back by the slowest '
        "message.",
        "问：同一个队列后面的六个订单会被别的线程消费完。那时能提交的消费位点是多少？\n"
        "答：还是 1：每个队列只有一个数，取处理中最小的那个。它没法表达“1 还在处理，2 到 7 已经完成”。\n"
        "留意：“消费逻辑跑完再提交消费位点”：每个队列只有一个数，被最慢的那条消息卡着。",
    ),
    "note.slow-message.r1s3": (
        "Ask: At 35 s a graceful shutdown persists the offsets. What does it write for order-1001's queue?\n"
        "Answer: 1, the smallest offset in flight: what the broker already holds. A clean shutdown cannot "
        "persist past the slow message either.",
        "问：第 35 秒优雅停机，持久化消费位点。order-1001 那个队列写的是多少？\n"
        "答：1，处理中最小的队列位点，和 Broker 上原本的值一样。规规矩矩的停机，同样越不过那条慢消息。",
    ),
    "note.slow-message.r1s4": (
        "Ask: The new version resumes from the broker's offsets. How many duplicate coupons?\n"
        "Answer: Six: the six orders finished behind it (order-1005 ... order-1025) come again; order-1001 "
        "comes too and gets its first coupon.",
        "问：新版本从 Broker 上的消费位点接着消费。会重复发放几张券？\n"
        "答：六张：排在它后面已经消费完的六单（order-1005 … order-1025）又来一遍；order-1001 也跟着再来，"
        "这才拿到第一张券。",
    ),
    "note.slow-message.r1s5": (
        "Ask: How would you spot this in production?\n"
        "Answer: A queue whose consumer offset stands still while its max offset grows, and the span WARN line "
        "in the client log.",
        "问：线上怎么发现这种情况？\n"
        "答：盯住消费位点不动、队列最大位点却一直涨的队列，再看客户端日志里跨度超限的 WARN。",
    ),
    "note.slow-message.r2s1": (
        "Ask: consumeConcurrentlyMaxSpan = 2 instead of 2000. Fewer duplicates?\n"
        "Answer: No, the same six: the span counts only messages still in the process queue, and finished "
        "ones have left it. It limits memory, not replays.",
        "问：consumeConcurrentlyMaxSpan 从 2000 调成 2，重复会少吗？\n"
        "答：不会，照样六张：跨度只算还留在处理队列里的消息，消费完的已经离开了。它限的是内存，不是重投。",
    ),
    "note.slow-message.r3s1": (
        "Ask: A 3 s timeout on the marketing call, then skip the order with CONSUME_SUCCESS. Duplicates? And "
        "order-1001?\n"
        "Answer: No duplicate, and no coupon for order-1001: RocketMQ was told it succeeded and never delivers "
        "it again. Only a log line knows.\n"
        "Watch for: a timeout is answered with RECONSUME_LATER, not CONSUME_SUCCESS.",
        "问：营销调用加 3 秒超时，超时就返回 CONSUME_SUCCESS 跳过这个订单。还会重复吗？order-1001 呢？\n"
        "答：不重复了，可 order-1001 也没有券：RocketMQ 得到的答复是消费成功，再也不会投递它，只有一行日志知道。\n"
        "留意：超时要返回 RECONSUME_LATER，而不是 CONSUME_SUCCESS。",
    ),
    "note.slow-message.r4s1": (
        "Ask: A UNIQUE key, the same hang and the same deploy. How many deliveries, how many coupons?\n"
        "Answer: Seven deliveries from offset 1 again, one coupon per order: order-1001 gets its coupon about "
        "27 s late, the six others hit the key and return CONSUME_SUCCESS.",
        "问：加了唯一索引，同样卡住、同样发布。投递几次？发几张券？\n"
        "答：从队列位点 1 重新投递 7 条，每单还是一张券：order-1001 晚了将近 27 秒才拿到券，另外六条唯一键冲突，"
        "直接返回 CONSUME_SUCCESS。",
    ),
    "note.slow-message.end": (
        "Ask: The UNIQUE key made the replay harmless. What does it not do?\n"
        "Answer: It does not make the slow call fast nor the replay shorter. Give the call a timeout and "
        "answer it with RECONSUME_LATER: the queue moves on, the retry comes 10 s later (lesson 6).",
        "问：唯一索引让重投无害了。它做不到什么？\n"
        "答：它不会让慢调用变快，也不会让重投变少。给营销调用加超时，超时返回 RECONSUME_LATER：队列照常往前走，"
        "10 秒后重试（第 6 课）。",
    ),
    # ---------------------------------------------------------------- lesson 5
    "note.scale-out.intro": (
        "Ask: No failure at all, only a scale-out and a scale-in during a deploy. Can that duplicate coupons?\n"
        "Answer: Yes: every message in flight when its queue changes owner is delivered again. Here, four.",
        "问：没有任何故障，只是发布时扩容一次、缩容一次。会重复发券吗？\n"
        "答：会：队列换主人时还在处理中的消息，都会再投递一遍。这里是四张。",
    ),
    "note.scale-out.r1s1": (
        "Ask: At 4 s four orders arrive, one per queue, each in flight for 1.5 s. Which offset will the next "
        "pulls carry to the broker?\n"
        "Answer: 1: a message in flight holds the consumer offset at its own queue offset.",
        "问：第 4 秒来了四个订单，每个队列一条，每条要处理 1.5 秒。接下来的拉取请求会把哪个消费位点带给 Broker？\n"
        "答：1：处理中的消息会把消费位点卡在它自己的队列位点上。",
    ),
    "note.scale-out.r1s2": (
        "Ask: coupon-2 starts at 5 s while all four are in flight. What does coupon-1 do with its queues, and "
        "which offset does it persist?\n"
        "Answer: It keeps queues 0 and 1, gives 2 and 3 up and persists 1 for them: their messages are still "
        "in flight.",
        "问：第 5 秒 coupon-2 启动，这时四条消息都还在处理中。coupon-1 的队列会怎样？它持久化的消费位点是多少？\n"
        "答：它留下队列 0 和 1，让出 2 和 3，把它们的消费位点 1 持久化：上面的消息还在处理中。",
    ),
    "note.scale-out.r1s3": (
        "Ask: coupon-2 takes queues 2 and 3 at 6 s. From which offset does it start? One coupon or two for "
        "those orders?\n"
        "Answer: From 1, what coupon-1 persisted: it gets both messages again at 6.5 s and issues two "
        "duplicate coupons. coupon-1's results were discarded.",
        "问：第 6 秒 coupon-2 接手队列 2 和 3，从哪个消费位点开始？这两单发一张券还是两张？\n"
        "答：从 1 开始，正是 coupon-1 持久化的那个值：第 6.5 秒它又拿到这两条消息，重复发放两张券。coupon-1 "
        "的消费结果被丢弃了。",
    ),
    "note.scale-out.r1s4": (
        "Ask: Nothing failed. Is this a RocketMQ bug?\n"
        "Answer: No: the rebalance did what RocketMQ promises, at least once.\n"
        'Watch for: "A faster handler fixes it." It narrows the window, it does not close it.',
        "问：什么都没出错。这是 RocketMQ 的 bug 吗？\n"
        "答：不是：重平衡只是兑现了 RocketMQ 的承诺：至少一次（At Least Once）。\n"
        "留意：“消费逻辑跑快点就好了”：只能缩小窗口，关不上它。",
    ),
    "note.scale-out.r1s5": (
        "Ask: coupon-2 is removed gracefully at 11.4 s, while its two handlers still notify their users. "
        "Which offset does it persist for queues 2 and 3?\n"
        "Answer: 2: the coupons are committed, but the messages are still in flight.",
        "问：第 11.4 秒 coupon-2 优雅停机下线，它的两个消费逻辑还在发通知。它给队列 2 和 3 持久化的消费位点"
        "是多少？\n"
        "答：2：券已经写入（事务已提交），可消息还在处理中。",
    ),
    "note.scale-out.r1s6": (
        "Ask: coupon-1 takes queues 2 and 3 back from offset 2. What happens to those two orders?\n"
        "Answer: It pulls them again at 11.9 s: two more duplicate coupons. The graceful shutdown saved what "
        "was finished, not what was in flight.",
        "问：coupon-1 从消费位点 2 接回队列 2 和 3。这两单会怎样？\n"
        "答：第 11.9 秒它又把它们拉了回来：再重复发放两张券。优雅停机保住了处理完的，保不住处理中的。",
    ),
    "note.scale-out.r1s7": (
        "Ask: How would you tell this happened?\n"
        "Answer: The same order issued by two processes 1.5 to 2 s apart, right after a deploy; "
        '"processQueue is dropped without process consume result" in the old owner\'s log; mqadmin '
        "consumerConnection shows the members changing.",
        "问：线上怎么认出是这种情况？\n"
        "答：发布刚结束，同一个订单被两个进程各发一张券，前后差 1.5 到 2 秒；原来那个进程的日志里有“processQueue "
        "is dropped without process consume result”；mqadmin consumerConnection 能看到成员在变。",
    ),
    "note.scale-out.r2s1": (
        "Ask: Each process keeps an in-memory set of the orders it served. Does that stop the four "
        "duplicates?\n"
        "Answer: No: two processes share no memory, and coupon-2 starts with an empty set. Four duplicates "
        "again.",
        "问：每个进程在内存里记下自己处理过的订单。这四张重复的券拦得住吗？\n"
        "答：拦不住：两个进程不共享内存，coupon-2 启动时 Set 是空的。照样重复发放四张。",
    ),
    "note.scale-out.r3s1": (
        "Ask: A UNIQUE key on coupons(order_id). Do the four redeliveries still happen?\n"
        "Answer: Yes, each to the other process, and the summary counts them. Each INSERT hits the key and is "
        "acknowledged: one coupon per order.",
        "问：coupons(order_id) 加唯一索引。那四次重复投递还会发生吗？\n"
        "答：照样发生，每条都投给了另一个进程，汇总表也数得出来。每次 INSERT 都唯一键冲突，直接返回 "
        "CONSUME_SUCCESS：每单一张券。",
    ),
    "note.scale-out.end": (
        "Ask: What in the handler still happens twice?\n"
        "Answer: Anything outside the coupon's transaction (an SMS, a call to another service), unless it is "
        "idempotent too: lesson 6. Lesson 11: two processes with one client id, no deploy needed.",
        "问：消费逻辑里还有什么会做两遍？\n"
        "答：发券事务之外的事（发短信、调别的服务），除非它们自己也幂等：见第 6 课。第 11 课：两个进程共用一个 "
        "clientId，连发布都不需要。",
    ),
    # ---------------------------------------------------------------- lesson 6
    "note.partial-failure.intro": (
        "Ask: The coupon is committed, then the SMS times out and the handler throws. What will the broker do?\n"
        "Answer: Retry the message 10 s later, the whole handler: a second coupon and a second SMS.",
        "问：券已经写入（事务已提交），短信却超时了，消费逻辑抛了异常。Broker 接下来会怎样？\n"
        "答：10 秒后重试这条消息，整段消费逻辑从头再跑：第二张券、第二条短信。",
    ),
    "note.partial-failure.r1s1": (
        "Ask: Should the handler swallow the SMS timeout and return CONSUME_SUCCESS?\n"
        "Answer: No: it cannot know whether the SMS went out, and swallowing the error loses the SMS whenever "
        "it did not. RECONSUME_LATER is right; the retry has to be harmless.",
        "问：消费逻辑是不是该把短信超时吞掉，直接返回 CONSUME_SUCCESS？\n"
        "答：不该：它不知道短信到底发没发出去，吞掉异常，短信真没发出去的时候就漏发了。返回 RECONSUME_LATER "
        "没错，要做的是让重试无害。",
    ),
    "note.partial-failure.r1s2": (
        "Ask: Could RocketMQ have retried just the SMS?\n"
        "Answer: No: it retries a message, never a step. Every step must be safe to run again.",
        "问：RocketMQ 能只重试发短信那一步吗？\n"
        "答：不能：它重试的是整条消息，不是其中某一步。每一步都得经得起再跑一遍。",
    ),
    "note.partial-failure.r2s1": (
        "Ask: A UNIQUE key, but the listener's catch-all answers the key conflict with RECONSUME_LATER. Where "
        "does the message end up?\n"
        "Answer: In %DLQ%coupon-system, after 16 retries over 4 h 45 min 40 s: one coupon, but 17 marketing "
        "calls and an alarm over a good order.\n"
        "Watch for: a recognised duplicate is acknowledged with CONSUME_SUCCESS.",
        "问：加了唯一索引，可兜底的 catch 把唯一键冲突也当成错误，返回 RECONSUME_LATER。这条消息最后去哪儿了？\n"
        "答：在 4 小时 45 分 40 秒里重试 16 次，进了死信队列（%DLQ%coupon-system）：券只有一张，却问了 17 "
        "次营销服务，还为一个好好的订单拉响告警。\n"
        "留意：识别出的重复消息要直接返回 CONSUME_SUCCESS。",
    ),
    "note.partial-failure.r3s1": (
        "Ask: On the retry the INSERT hits the key. Stop there, or go on to the SMS?\n"
        "Answer: Go on: the SMS carries the order id as its idempotency key, and the gateway, which sent that "
        "key already, answers OK without sending. Then CONSUME_SUCCESS.",
        "问：重试时 INSERT 唯一键冲突。就此打住，还是接着发短信？\n"
        "答：接着走：短信带着订单号做幂等键，网关已经发过这个键，直接应答成功，不再下发。然后返回 "
        "CONSUME_SUCCESS。",
    ),
    "note.partial-failure.end": (
        "Ask: Your SMS gateway has no idempotency key. Now what?\n"
        "Answer: Write the SMS into an outbox table in the coupon's transaction (UNIQUE on the order id) and "
        "let a relay send it: exercise 2. The relay still sends at least once.",
        "问：要是你们的短信网关不支持幂等键呢？\n"
        "答：把短信写进发件箱表（outbox），和券在同一个事务里（订单号唯一），再由转发任务去发：练习 2。"
        "转发任务本身仍是至少一次。",
    ),
    # ---------------------------------------------------------------- lesson 7
    "note.consume-timeout.intro": (
        "Ask: A handler waits 20 min for a lock; consumeTimeout is 15 min. What will RocketMQ do?\n"
        "Answer: At a scan, send the message back for a retry while the first execution still runs: two "
        "executions overlap. It cannot stop the first one.",
        "问：消费逻辑等一把锁等了 20 分钟，consumeTimeout 是 15 分钟。RocketMQ 会怎么做？\n"
        "答：在某次扫描时把消息发回 Broker 重试，而第一次执行还在跑：两次执行重叠。第一次执行它停不掉。",
    ),
    "note.consume-timeout.r1s1": (
        "Ask: lock() waits without a limit. Is that the bug?\n"
        "Answer: It is the trigger: a lock or a call with no timeout lets a handler outlive consumeTimeout. "
        "Use tryLock with a wait time and a read timeout on every client, well below 15 min.",
        "问：lock() 没有等待上限。这就是 bug 吗？\n"
        "答：它是导火索：锁或远程调用没有超时，消费逻辑就可能跑过 consumeTimeout。用带等待时间的 tryLock，"
        "每个客户端都设读超时，都要远小于 15 分钟。",
    ),
    "note.consume-timeout.r1s2": (
        "Ask: The handler started at 12:00.006 and waits for the lock. Will the 15:03 scan send the message "
        "back?\n"
        "Answer: No: it is 3 min 2 s old. It passes 15 min at 27:00, but the next scan is at 30:03: the scans "
        "run on the consumer's clock, not the message's.",
        "问：消费逻辑 12:00.006 开始，正在等锁。15:03 的扫描会把消息发回吗？\n"
        "答：不会：才 3 分 2 秒。它在 27:00 超过 15 分钟，可下一次扫描在 30:03：扫描的时钟从消费者启动算起，"
        "不从消息开始消费算起。",
    ),
    "note.consume-timeout.r1s3": (
        "Ask: 30:03, the second scan; the handler has run 18 min. What happens?\n"
        "Answer: The message is sent back (delay level 3, 10 s) and removed from the process queue while the "
        "handler still waits. At 30:13 a retry with the same msgId starts a second execution.",
        "问：30:03 第二次扫描，消费逻辑已经跑了 18 分钟。会发生什么？\n"
        "答：消息被发回 Broker（延迟级别 3，10 秒），并从 ProcessQueue 里移除，而消费逻辑还在等锁。30:13，"
        "一条 msgId 相同的重试消息开始了第二次执行。",
    ),
    "note.consume-timeout.r1s4": (
        "Ask: The lock is freed at 32:00. How many coupons?\n"
        "Answer: Two: both executions insert, 2 ms apart. The first one's CONSUME_SUCCESS no longer changes "
        "anything.",
        "问：32:00 锁释放了。发几张券？\n"
        "答：两张：两次执行都插入，前后差 2 毫秒。第一次执行返回的 CONSUME_SUCCESS 已经不起任何作用。",
    ),
    "note.consume-timeout.r1s5": (
        "Ask: Raise consumeTimeout to an hour?\n"
        "Answer: It only moves the window. Fail fast with RECONSUME_LATER well before consumeTimeout; if the "
        "first execution must not finish, it has to check for itself before it writes.",
        "问：把 consumeTimeout 调到一小时？\n"
        "答：只是把窗口挪了个位置。要在 consumeTimeout 之前就快速失败、返回 RECONSUME_LATER；第一次执行如果不该"
        "写完，得自己在写之前检查（已经跑了多久）。",
    ),
    "note.consume-timeout.r2s1": (
        "Ask: Query-then-insert, the same lock, the same scans. One coupon or two?\n"
        "Answer: Two: the retry's SELECT at 30:13 finds nothing, because the first execution has not inserted "
        "yet. The retry overlaps the slow one by design.",
        "问：先查再插，同样的锁，同样的扫描。一张券还是两张？\n"
        "答：两张：重试那次 30:13 的 SELECT 什么也没查到，因为第一次执行还没插。之所以发回重试，恰恰是因为"
        "第一次还没跑完：天生重叠。",
    ),
    "note.consume-timeout.r3s1": (
        "Ask: A UNIQUE key: both executions reach their INSERT at 32:00. Which one counts?\n"
        "Answer: The first commits; the retry's INSERT waits for that transaction, then hits the key: rolled "
        "back, CONSUME_SUCCESS. The database decides, not the timing.",
        "问：加了唯一索引：两次执行在 32:00 同时走到 INSERT。哪次算数？\n"
        "答：第一次写入（事务已提交）；重试的 INSERT 等这个事务结束，然后唯一键冲突：回滚，直接返回 "
        "CONSUME_SUCCESS。由数据库说了算，不看时序。",
    ),
    "note.consume-timeout.end": (
        "Ask: The retry still called the marketing service. Is the second execution harmless?\n"
        "Answer: Only for what the coupon's transaction covers: every other effect must be idempotent on its "
        "own. The red-packet group was untouched: a consume timeout hits only the slow group.",
        "问：重试那次照样问了营销服务。第二次执行真的无害吗？\n"
        "答：只对券的事务覆盖到的部分无害：事务之外的每个副作用都得自己做到幂等。红包组毫发无损：消费超时只"
        "打到消费逻辑慢的那个组。",
    ),
    # ---------------------------------------------------------------- lesson 8
    "note.send-back-fails.intro": (
        "Ask: The marketing service fails before anything is written: the cleanest failure there is. Can it "
        "still produce two coupons?\n"
        "Answer: Yes: one lost send-back reply turns one failure into two retries of the same message.",
        "问：营销服务在写任何东西之前就失败了：最干净的失败。还会发出两张券吗？\n"
        "答：会：发回 Broker 的应答丢一次，一次失败就变成同一条消息的两次重试。",
    ),
    "note.send-back-fails.r1s1": (
        "Ask: The broker is back for the next send-back, but its reply is lost. How many retries will come?\n"
        'Answer: Two, with the same msgId: after its 5000 ms timeout the client cannot tell "not taken" from '
        '"taken", and its fallback stores a second retry copy.',
        "问：下一次发回时 Broker 已经通了，可它的应答丢了。会来几条重试消息？\n"
        "答：两条，msgId 相同：等满 5000 毫秒超时后，客户端分不清“没收下”还是“收下了”，兜底逻辑又存了一份"
        "重试消息。",
    ),
    "note.send-back-fails.r1s2": (
        "Ask: The retries are due at 20.011 s and 45.011 s; the marketing service is back at 13 s. How many "
        "coupons?\n"
        "Answer: Two: each retry commits a coupon.",
        "问：两条重试分别在第 20.011 秒和第 45.011 秒到期，营销服务第 13 秒就恢复了。发几张券？\n"
        "答：两张：每条重试各写一张券。",
    ),
    "note.send-back-fails.r1s3": (
        "Ask: Where have you seen this before?\n"
        "Answer: Lesson 2, one level down: a send-back is a request like a send, and when its reply is lost "
        "the client sends again.",
        "问：这个场景在哪儿见过？\n"
        "答：第 2 课，只不过发生在消费端：发回 Broker 也是一次请求，和发送消息一样，应答丢了，客户端只能再发一次。",
    ),
    "note.send-back-fails.r1end": (
        "Ask: Next run, a Redis claim first: SET coupon:<order> NX, never released; a claim already there "
        "means CONSUME_SUCCESS. What happens to order-1001?\n"
        "Answer: No coupon: the first delivery takes the claim and fails, the retry sees the claim and skips.",
        "问：下一轮，动手之前先在 Redis 里 SET coupon:<订单号> NX，占位永不释放；已经有占位就直接返回 "
        "CONSUME_SUCCESS。order-1001 会怎样？\n"
        "答：一张券都没有：第一次投递占了位然后失败，重试看到占位就跳过了。",
    ),
    "note.send-back-fails.r2s1": (
        "Ask: Why can't a claim written before the effect work?\n"
        "Answer: It cannot tell the retry of a failed attempt from the duplicate of a successful one: every "
        'retry becomes a skip. "Already issued" must be written in the coupon\'s own transaction.',
        "问：为什么在业务操作之前写的占位行不通？\n"
        "答：它分不清“失败后的重试”和“成功后的重复”：每次重试都被当成重复跳过。“已经发过”必须和券在同一个事务"
        "里写入。",
    ),
    "note.send-back-fails.r2end": (
        "Ask: Next run, the UNIQUE key. The same outage, the same lost reply: what does retry 2 do?\n"
        "Answer: Retry 1 commits the coupon; retry 2 fails on the key, rolls back and returns "
        "CONSUME_SUCCESS. One coupon.",
        "问：下一轮，唯一索引。同样的故障，同样丢了应答：第 2 次重试会怎样？\n"
        "答：第 1 次重试写入券；第 2 次重试唯一键冲突，回滚，直接返回 CONSUME_SUCCESS。一张券。",
    ),
    "note.send-back-fails.r3s1": (
        "Ask: Both retries carry one msgId. Would a msgId table have worked too?\n"
        "Answer: Here, yes, if written in the coupon's transaction; but it fails on an upstream retry "
        "(lesson 1). The UNIQUE key covers both.",
        "问：两条重试的 msgId 相同。消费记录表（按 msgId）是不是也管用？\n"
        "答：这里管用，只要和券写在同一个事务里；可遇到上游重试（第 1 课）就不行了。唯一索引两种都挡得住。",
    ),
    "note.send-back-fails.end": (
        "Ask: Which design lost a coupon instead of duplicating one?\n"
        "Answer: The Redis claim (SET NX): no extra coupon, one lost. A loss is silent: nothing will deliver "
        "that order again.",
        "问：哪种方案不是重复发放，而是漏发？\n"
        "答：Redis 先占位（SET NX）：没有多发，漏发一张。漏发悄无声息：不会再有任何投递把它补回来。",
    ),
    # ---------------------------------------------------------------- lesson 9
    "note.orderly.intro": (
        "Ask: An orderly listener throws after the coupon is committed (the SMS is refused every time). What "
        "happens to the message and to its queue?\n"
        "Answer: It is retried in place, locally, after each 1 s suspension, and the queue waits behind it: a "
        "coupon per attempt, for ever with the default maxReconsumeTimes.",
        "问：顺序消费的消费逻辑在券写入（事务已提交）之后抛了异常（短信每次都被拒）。这条消息和它的队列会怎样？\n"
        "答：消息在本地原地重试，每次先暂停 1 秒，队列就在它后面干等：每试一次发一张券；maxReconsumeTimes "
        "用默认值，就永远停不下来。",
    ),
    "note.orderly.r1s1": (
        "Ask: Each attempt takes 1.5 s, plus 1 s of suspension. By 20 s, how many coupons for order-1001? And "
        "order-1005 and order-1009?\n"
        "Answer: Six coupons. The other two wait in queue 3 with no coupon, and so will every later order of "
        "that queue.",
        "问：每次尝试 1.5 秒，再暂停 1 秒。到第 20 秒，order-1001 发了几张券？order-1005 和 order-1009 呢？\n"
        "答：六张。另外两单在 3 号队列里干等，一张券也没有，这个队列后面的订单都一样。",
    ),
    "note.orderly.r1s2": (
        "Ask: The coupon was done the first time; only the SMS failed. Why does every attempt issue another "
        "coupon?\n"
        "Answer: An orderly retry repeats the whole handler, the effect that had succeeded included.",
        "问：券第一次就发成功了，失败的只是短信。为什么每次尝试都再发一张券？\n"
        "答：顺序消费的重试会把整个消费逻辑重跑一遍，连已经成功的那一步也不例外。",
    ),
    "note.orderly.r1end": (
        "Ask: Next run, the on-call engineer sets maxReconsumeTimes = 3. What then?\n"
        "Answer: Four attempts, four coupons, then %DLQ%coupon-system; the queue moves on.\n"
        'Watch for: "Tune it away." A bound on retries dead-letters the message after more coupons.',
        "问：下一轮，值班工程师设了 maxReconsumeTimes = 3。结果呢？\n"
        "答：尝试 4 次，发 4 张券，然后进死信队列（%DLQ%coupon-system）；队列接着往下走。\n"
        "留意：“调参数调掉它”：限制重试次数，只是多发几张券之后把消息送进死信队列。",
    ),
    "note.orderly.r2s1": (
        "Ask: The queue moves again. Is order-1001 handled?\n"
        "Answer: No: four coupons, no SMS, and it sits in the dead-letter queue as if it had never been "
        "handled. A bound limits the damage; it does not make the retry harmless.",
        "问：队列动起来了。order-1001 算处理好了吗？\n"
        "答：没有：4 张券，短信一条没发，还躺在死信队列里，看上去像从没处理过。重试上限只能止损，不能让重试"
        "变得无害。",
    ),
    "note.orderly.r2end": (
        "Ask: Next run: a UNIQUE key, and the handler answers SUCCESS when the coupon already exists. How long "
        "does queue 3 wait?\n"
        "Answer: 2.2 s: the first retry hits the key and answers SUCCESS, and the queue moves on. One coupon.",
        "问：下一轮：唯一索引，券已经有了就回 SUCCESS。3 号队列要等多久？\n"
        "答：2.2 秒：第一次重试唯一键冲突，回 SUCCESS，队列接着往下走。一张券。",
    ),
    "note.orderly.r3s1": (
        "Ask: The SMS for order-1001 is never sent. Where does it belong?\n"
        "Answer: In its own idempotent step, such as an outbox row written in the coupon's transaction "
        "(lesson 6). A true poison message still needs a bound and an alert on the dead-letter queue.",
        "问：order-1001 的短信始终没发出去。这一步该放在哪儿？\n"
        "答：单独做成幂等的一步，比如和券在同一个事务里写一行发件箱（outbox）记录（第 6 课）。真正的毒消息仍然"
        "需要重试上限和死信队列告警。",
    ),
    "note.orderly.end": (
        "Ask: Read the table: which row loses coupons, and why?\n"
        "Answer: The naive one: order-1005 and order-1009 wait behind the stuck message for ever.\n"
        "Ask: Is maxReconsumeTimes the fix?\n"
        "Answer: No, a safety net. The fix: recognise what is done and answer SUCCESS.",
        "问：看汇总表：哪一行漏发了，为什么？\n"
        "答：朴素实现那一行：order-1005 和 order-1009 永远排在卡住的消息后面。\n"
        "问：maxReconsumeTimes 是修法吗？\n"
        "答：不是，只是安全网。修法是认出已经做完的部分，如实返回 SUCCESS。",
    ),
    # ---------------------------------------------------------------- lesson 10
    "note.broadcasting.intro": (
        "Ask: Two dashboard instances consume in BROADCASTING, and each listener issues the campaign coupon. "
        "How many coupons per order?\n"
        'Answer: One per instance, two in all: the ticket\'s "two for one order".\n'
        "Ask: And the customer with three, and the one with none?\n"
        "Answer: Keep it open: a replay after a kill, and a failure that is never retried.",
        "问：看板的两个实例用广播消费，每个实例的消费逻辑都发活动券。每单发几张券？\n"
        "答：每个实例一张，一共两张：就是工单里的“一单两张”。\n"
        "问：那拿到三张的、一张都没有的呢？\n"
        "答：先不揭晓：一个是实例被杀后的重放，一个是永远不会重试的失败。",
    ),
    "note.broadcasting.r1s1": (
        "Ask: Read the table: where does the dashboard group keep its consumer offsets?\n"
        "Answer: In a file on each instance's own disk (LocalFileOffsetStore), written every 5 s. In "
        "broadcasting the broker holds none.",
        "问：看表：dashboard 组的消费位点存在哪儿？\n"
        "答：每个实例本机磁盘上的一个文件里（LocalFileOffsetStore），每 5 秒写一次。广播消费时 Broker 上一个"
        "都没有。",
    ),
    "note.broadcasting.r1s2": (
        "Ask: dashboard-2 is killed at 15.5 s, before its 16 s write, and restarts at 16.5 s. Where does it "
        "resume, and what happens to order-1005?\n"
        "Answer: At 1, from its file (its client id, IP@DEFAULT, survives a restart): order-1005 again, "
        "counted twice, a third coupon. dashboard-1 is not affected.",
        "问：dashboard-2 第 15.5 秒被杀，赶在它第 16 秒写文件之前，第 16.5 秒重启。它从哪儿接着消费？order-1005 "
        "会怎样？\n"
        "答：从文件里的 1（clientId 是 IP@DEFAULT，重启后不变）：order-1005 又来一遍，被计了两次，发了第三张券。"
        "dashboard-1 不受影响。",
    ),
    "note.broadcasting.r1s3": (
        "Ask: The marketing service is down from 20 s to 23 s; order-1006 is paid at 21 s and the listener "
        "returns RECONSUME_LATER. When does the retry come?\n"
        'Answer: Never: broadcasting drops a failed message ("drop it") and moves the offset on. order-1006 '
        "gets no coupon.",
        "问：第 20 到 23 秒营销服务挂了，order-1006 第 21 秒付款，消费逻辑返回 RECONSUME_LATER。重试什么时候来？\n"
        "答：永远不来：广播消费把失败的消息直接丢掉（“drop it”），消费位点照样往前走。order-1006 一张券都没有。",
    ),
    "note.broadcasting.r1s4": (
        "Ask: Back to the ticket: who got three coupons, and who got none?\n"
        "Answer: Three: an order replayed by the killed instance. None: the customer who paid during the "
        "marketing deploy; broadcasting never retried the failure.",
        "问：回到工单：谁拿了三张券？谁一张都没有？\n"
        "答：三张：被杀的实例重放了那一单。一张都没有：在营销服务发布时付款的那位；广播消费从不重试失败的消息。",
    ),
    "note.broadcasting.r1end": (
        "Ask: Next run keeps broadcasting, but the cache keys its rows by order id and the coupons table gets "
        "a UNIQUE key. Any duplicate left?\n"
        "Answer: None: the second instance's INSERT hits the key, and the replay changes nothing.",
        "问：下一轮还是广播消费，但缓存按订单号去重，coupons 表加了唯一索引。还有重复吗？\n"
        "答：没有了：后到的实例 INSERT 唯一键冲突，重放也什么都不改。",
    ),
    "note.broadcasting.r2s1": (
        "Ask: The marketing service fails again for order-1006. Does idempotency save its coupon?\n"
        "Answer: No: both instances fail and both drop it. Idempotency cannot bring back a message that "
        "nobody will deliver again.",
        "问：order-1006 又碰上营销服务故障。幂等救得回它的券吗？\n"
        "答：救不回：两个实例都失败，都把它丢了。幂等救不回一条再也不会被投递的消息。",
    ),
    "note.broadcasting.r3s1": (
        "Ask: The coupon moves to coupon-system, a CLUSTERING group; the dashboards only update their caches. "
        "What happens to order-1006 now?\n"
        "Answer: coupon-1 fails, the message is sent back, and the retry from %RETRY%coupon-system at about "
        "31 s issues the coupon.",
        "问：发券挪到集群消费的 coupon-system 组，看板只更新自己的缓存。order-1006 这回怎样？\n"
        "答：coupon-1 失败，消息发回 Broker，第 31 秒左右从重试队列（%RETRY%coupon-system）重新消费，券发出去了。",
    ),
    "note.broadcasting.end": (
        "Ask: A dashboard instance comes back in a new container, with an empty disk. What does it miss?\n"
        "Answer: It has no offsets file, so it starts at each queue's max offset and skips what was paid while "
        "it was down. Rebuild the cache from the source of truth.",
        "问：一个看板实例换了个新容器回来，磁盘是空的。它会漏掉什么？\n"
        "答：没有消费位点文件，它从每个队列的最大位点开始，停机期间的支付全都跳过了。缓存要从数据源重建。",
    ),
    # ---------------------------------------------------------------- lesson 11
    "note.same-client-id.intro": (
        "Ask: Both containers register as 172.17.0.1@coupon-system. Who consumes queues 2 and 3?\n"
        "Answer: Nobody: each looks up the first index of its id in the list, 0, so both take queues 0 and 1 "
        "(and the retry queue). No error, no warning.",
        "问：两个容器都以 172.17.0.1@coupon-system 注册。队列 2 和 3 谁在消费？\n"
        "答：没人：两个容器都在列表里找自己 clientId 的第一个下标，都是 0，于是都拿了队列 0 和 1（还有重试队列）。"
        "没有报错，也没有告警。",
    ),
    "note.same-client-id.r1s1": (
        "Ask: Four orders are paid at 3 s, one per queue. How many coupons each?\n"
        "Answer: Two each on queues 0 and 1 (both containers get them in the same millisecond); none on "
        "queues 2 and 3.",
        "问：第 3 秒四个订单付款，每个队列一条。每单发几张券？\n"
        "答：队列 0 和 1 上的每单两张（两个容器在同一毫秒拿到）；队列 2 和 3 上的一张都没有。",
    ),
    "note.same-client-id.r1s2": (
        "Ask: From 8 s to 8.5 s the marketing service answers 503 and four more orders are paid. How many "
        "retry copies per failed order?\n"
        "Answer: Two: both containers fail and each sends the message back.",
        "问：第 8 秒到第 8.5 秒营销服务返回 503，又有四个订单付款。每个失败的订单会有几条重试消息？\n"
        "答：两条：两个容器都失败，各自把消息发回 Broker。",
    ),
    "note.same-client-id.r1s3": (
        "Ask: The retry copies arrive at about 18 s, and both containers own the retry queue. How many "
        "coupons per failed order?\n"
        "Answer: Four: each container gets both copies. Had the retries failed, four copies, then eight.",
        "问：第 18 秒左右重试消息到了，两个容器都持有重试队列。每个失败的订单发几张券？\n"
        "答：四张：每个容器两条都拿到。重试要是再失败，就是四条，再往后八条。",
    ),
    "note.same-client-id.r1s4": (
        "Ask: What would alert you in production?\n"
        "Answer: Nothing throws; only the lag of queues 2 and 3 grows. mqadmin consumerConnection lists one "
        "#ClientId with two #ClientAddr; consumerProgress shows a #Diff that only grows.",
        "问：线上什么会提醒你？\n"
        "答：没有异常，没有错误日志；只有队列 2 和 3 的消费堆积在涨。mqadmin consumerConnection 列出一个 "
        "#ClientId 对两个 #ClientAddr；consumerProgress 里 #Diff 只涨不降。",
    ),
    "note.same-client-id.r2s1": (
        "Ask: Query-then-insert, the configuration unchanged. One coupon or two?\n"
        "Answer: Two, four after the retries: both containers SELECT in the same millisecond and both find "
        "nothing. And queues 2 and 3 are still not consumed.",
        "问：先查再插，配置不动。一张券还是两张？\n"
        "答：两张，重试之后四张：两个容器在同一毫秒 SELECT，都查不到。队列 2 和 3 照样没人消费。",
    ),
    "note.same-client-id.r3s1": (
        "Ask: A UNIQUE key only, the configuration unchanged. Does that fix it?\n"
        "Answer: It hides the duplicates, not the backlog: four paid orders on queues 2 and 3 have no coupon, "
        "and nothing says so. The fix is a client id per process.",
        "问：只加唯一索引，配置不动。这就修好了吗？\n"
        "答：重复发放是挡住了，积压却被藏起来了：队列 2 和 3 上四个已支付的订单没有券，也没有任何提示。真正的"
        "修法是每个进程一个 clientId。",
    ),
    "note.same-client-id.r3end": (
        "Ask: Next run, the instance name leaves the shared configuration, so each start is named "
        "pid#nanoTime. Who consumes which queues?\n"
        "Answer: Each container finds its own index and takes two queues: every order delivered once, one "
        "coupon each, none missing.",
        "问：下一轮把 instanceName 从公共配置里删掉，每次启动都取 pid#nanoTime。谁消费哪些队列？\n"
        "答：每个容器找到自己的下标，各拿两个队列：每单只投递一次，一张券，一单不少。",
    ),
    "note.same-client-id.r4s1": (
        "Ask: The client ids differ now. Why keep the UNIQUE key?\n"
        "Answer: Restarts, deploys and retries still deliver twice (lessons 3, 5, 6). Fix the cause, and keep "
        "the key for the duplicates RocketMQ delivers anyway.",
        "问：clientId 已经各不相同了，为什么还留着唯一索引？\n"
        "答：重启、发布、重试照样会重复投递（第 3、5、6 课）。根因要修，唯一索引也要留，对付 RocketMQ 本来就会"
        "投递的那些重复消息。",
    ),
    "note.same-client-id.end": (
        "Ask: Would AllocateMessageQueueAveragelyByCircle have helped?\n"
        "Answer: No: it looks the id up with indexOf too; both containers would take queues 0 and 2.\n"
        'Watch for: "The UNIQUE key fixes it." Here idempotency is defence in depth, not the fix.',
        "问：换成 AllocateMessageQueueAveragelyByCircle 有用吗？\n"
        "答：没用：它也用 indexOf 找 clientId，两个容器会都拿队列 0 和 2。\n"
        "留意：“加了唯一索引就好了”：在这里幂等只是纵深防御，不是修复。",
    ),
}

NOTES.update(NOTES12)  # lesson 12's notes live with its narration
