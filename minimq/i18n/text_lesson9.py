"""Lesson 9 (path P11, an orderly consumer's local retry): its narration, English and
Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson9``).
"""

LESSON9: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 9
    "l9.title": (
        "Lesson 9 · Orderly consumption: a retry that never ends, a queue that waits",
        "第 9 课 · 顺序消费：停不下来的重试，干等着的队列",
    ),
    "l9.setting": (
        "The coupon system now consumes in order (MessageListenerOrderly): it locks each queue on the broker "
        "and consumes one message at a time (consumeMessageBatchMaxSize = 1, the default), in queue-offset "
        "order. The order system sends each order to the queue its id hashes to (SelectMessageQueueByHash), "
        "so the messages of one order keep their order. order-1001, order-1005 and order-1009, paid at 5, 6 "
        "and 7 s, all hash to queue 3. After committing a coupon, the handler notifies the user by SMS; the "
        "SMS gateway rejects the phone number on order-1001 (HTTP 400), every time.",
        "优惠券系统改成了顺序消费（MessageListenerOrderly）：先在 Broker 上锁住队列，再按队列位点的顺序一次"
        "消费一条（consumeMessageBatchMaxSize = 1，默认值）。订单系统按订单号的哈希选队列"
        "（SelectMessageQueueByHash），同一个订单的消息保持先后顺序。order-1001、order-1005、order-1009 分别"
        "在第 5、6、7 秒付款，哈希后都落在 3 号队列。消费逻辑写完券（事务已提交）以后会给用户发短信；"
        "短信网关不认 order-1001 上的手机号（HTTP 400），每次都拒。",
    ),
    "l9.run.naive": ("naive: the SMS fails after the coupon", "朴素实现：券发了，短信失败"),
    "l9.explain.naive": (
        "The coupon system inserts a coupon for every message, then sends the SMS. An exception thrown by an "
        "orderly listener counts as SUSPEND_CURRENT_QUEUE_A_MOMENT. maxReconsumeTimes is left at its default "
        "(-1, which for orderly consumption means Integer.MAX_VALUE).",
        "优惠券系统每条消息都插一张券，然后发短信。顺序消费的消费逻辑抛出异常，就等于返回 "
        "SUSPEND_CURRENT_QUEUE_A_MOMENT。maxReconsumeTimes 保持默认值（-1，顺序消费下就是 Integer.MAX_VALUE）。",
    ),
    "l9.naive.1": (
        "Both groups started at 0 s, joined with a heartbeat to the broker and took their queues at their "
        "first rebalance, 1 s later. The coupon system, consuming in order, locked each of its queues on the "
        "broker first (LOCK_BATCH_MQ, one request per queue), which is why its rebalance completes 8 ms after "
        "the red-packet system's. It pulls a queue only while it holds the lock, the first time 500 ms after "
        "the rebalance. "
        "order-1001 is delivered at 5.006 s: the coupon is committed at 6.210 s, then the SMS gateway refuses "
        "the phone number and the handler throws at 6.510 s. SUSPEND_CURRENT_QUEUE_A_MOMENT: the message goes "
        "back into the process queue, one reconsume time older, and the queue is suspended for "
        "suspendCurrentQueueTimeMillis = 1000 ms. Nothing goes to the broker: an orderly consumer retries in "
        "place, because the next message of the queue must not overtake this one. order-1005 and order-1009 "
        "land behind it in queue 3. The red-packet group consumes concurrently and has paid all three.",
        "两个消费组都在第 0 秒启动，先向 Broker 发心跳加入消费组，1 秒后第一次重平衡（Rebalance，也叫负载均衡）时分到队列。"
        "优惠券系统是顺序消费，分到的队列要先逐个到 Broker 上加锁（LOCK_BATCH_MQ，每个队列一次请求），所以它的"
        "重平衡比红包系统晚 8 毫秒完成。只有锁住的队列才会拉取，第一次拉取在重平衡 500 毫秒之后。"
        "order-1001 在第 5.006 秒投递过来：第 6.210 秒券写进库，接着短信网关拒了手机号，消费逻辑在第 6.510 秒"
        "抛异常。SUSPEND_CURRENT_QUEUE_A_MOMENT：消息放回本地的处理队列（ProcessQueue），reconsumeTimes 加 1，这个队列暂停 "
        "suspendCurrentQueueTimeMillis = 1000 毫秒。消息不回 Broker：顺序消费只能原地重试，因为队列里的下一条"
        "不能抢到它前面去。order-1005 和 order-1009 排在它后面进了 3 号队列。红包组是并发消费，三单的红包都"
        "发完了。",
    ),
    "l9.naive.2": (
        "Each attempt takes 1.5 s (the marketing lookup, the coupon, the SMS), then 1 s of suspension: "
        "order-1001 is consumed again at 7.510, 10.014, 12.518, 15.022 and 17.526 s, and every attempt commits "
        "another coupon. The coupon was done the first time; only the SMS failed. Look at queue 3: three "
        "messages in flight for the coupon group, which has committed nothing there, while the red-packet "
        "group's consumer offset is 3. order-1005 and order-1009 wait, and so will every later order of queue 3, for ever: with "
        "maxReconsumeTimes = Integer.MAX_VALUE the suspension never ends.",
        "每次尝试要 1.5 秒（查营销、写券、发短信），再暂停 1 秒：order-1001 在第 7.510、10.014、12.518、"
        "15.022、17.526 秒一次又一次被消费，每次都再写一张券。券第一次就发成功了，失败的只是短信。看 3 号队列："
        "优惠券组三条消息都还在处理中，在这个队列上还没提交过消费位点，红包组的消费位点已经到了 3。order-1005 和 order-1009 干等着，"
        "之后落进 3 号队列的订单也都一样，永远等下去：maxReconsumeTimes 是 Integer.MAX_VALUE，暂停永远不会结束。",
    ),
    "l9.moral.naive": (
        "Six coupons for one order by 20 s, and a queue that no longer moves: order-1005 and order-1009 are "
        "not lost, but they have no coupon either, and the run counts them as missing. An orderly retry "
        "repeats the whole handler, including the effect that had succeeded.",
        "到第 20 秒，一个订单发了 6 张券，而且这个队列再也不动了：order-1005 和 order-1009 没丢，可也拿不到券，"
        "本轮结束时它们被算作漏发。顺序消费的重试会把整个消费逻辑重跑一遍，连已经成功的那部分也不例外。",
    ),
    "l9.run.bounded": ("naive, retries bounded to 3", "朴素实现，重试上限设为 3 次"),
    "l9.explain.bounded": (
        "The on-call engineer sees the stuck queue and bounds the retries: setMaxReconsumeTimes(3). A message "
        "that still fails then goes to the dead-letter queue, and the queue moves on.",
        "值班工程师看到队列卡死，给重试加了上限：setMaxReconsumeTimes(3)。还是失败的消息就进死信队列（%DLQ%coupon-system），队列接着往下走。",
    ),
    "l9.bounded.1": (
        "order-1001 is attempted 4 times (reconsumeTimes 0 to 3): 4 coupons. After the 4th failure "
        "checkReconsumeTimes finds reconsumeTimes 3 >= 3, and the consumer sends the message to "
        "%RETRY%coupon-system with RECONSUME_TIME 4; the broker dead-letters it into %DLQ%coupon-system at "
        "14.023 s (4 > 3, and the group holds an orderly lock). The queue moves on: order-1005 and order-1009 "
        "get their coupons at 15.228 and 16.732 s.",
        "order-1001 一共被消费了 4 次（reconsumeTimes 从 0 到 3）：4 张券。第 4 次失败后，checkReconsumeTimes "
        "发现 reconsumeTimes 3 >= 3，消费者把消息发到 %RETRY%coupon-system，RECONSUME_TIME 为 4；Broker 在"
        "第 14.023 秒把它转进死信队列 %DLQ%coupon-system（4 > 3，而且这个组持有顺序消费的队列锁）。队列继续"
        "往下走：order-1005 和 order-1009 在第 15.228 秒和 16.732 秒拿到了券。",
    ),
    "l9.moral.bounded": (
        "The queue moves again, but order-1001 has four coupons, no SMS, and sits in the dead-letter queue as "
        "if it had never been handled. A bound limits the damage; it does not make the retry harmless.",
        "队列是动起来了，可 order-1001 发了 4 张券，短信一条没发，还躺在死信队列里，看上去像从没处理过。重试"
        "上限只能止损，并不能让重试变得无害。",
    ),
    "l9.run.right": ("the fix: UNIQUE key, SUCCESS for what is done", "正确做法：唯一索引 + 做完就回 SUCCESS"),
    "l9.explain.right": (
        "UNIQUE key on coupons(order_id), the coupon inserted in its own transaction. A violation means the "
        "coupon exists: the handler answers CONSUME_SUCCESS (SUCCESS to the orderly listener) without "
        "sending the SMS again. The red-packet table gets the same key. maxReconsumeTimes stays at its "
        "default.",
        "coupons(order_id) 上加唯一索引，券在自己的事务里插入。唯一键冲突说明券已经有了：消费逻辑直接返回 "
        "CONSUME_SUCCESS（顺序消费返回的是 SUCCESS），不再重发短信。红包表也加上同样的唯一索引。"
        "maxReconsumeTimes 保持默认值。",
    ),
    "l9.right.1": (
        "The first attempt commits the coupon and throws on the SMS, as before. The retry at 7.510 s fails on "
        "the UNIQUE key at 8.712 s, and the handler answers SUCCESS: the queue moves on at 8.714 s, and "
        "order-1005 and order-1009 get their coupons at 9.918 and 11.422 s. Queue 3 waited 2.2 s, not for "
        "ever.",
        "第一次尝试和前面一样：券写进库，发短信时抛异常。第 7.510 秒的重试在第 8.712 秒 INSERT 唯一键冲突，"
        "消费逻辑回 SUCCESS：队列在第 8.714 秒继续往下走，order-1005 和 order-1009 在第 9.918 秒和 11.422 秒"
        "拿到了券。3 号队列只等了 2.2 秒，而不是永远。",
    ),
    "l9.moral.right": (
        "One coupon, and the queue moves. A retry must find what is already done and say so.",
        "只有一张券，队列也动起来了。重试时必须能认出哪些已经做完，并如实告诉 RocketMQ。",
    ),
    "l9.diagnosis": (
        "The rules at work: when an orderly listener throws, returns null or SUSPEND_CURRENT_QUEUE_A_MOMENT, "
        "its messages are put back and consumed again after suspendCurrentQueueTimeMillis = 1000 ms, locally, "
        "while the queue waits (ConsumeMessageOrderlyService.processConsumeResult, checkReconsumeTimes). "
        "maxReconsumeTimes = -1 means Integer.MAX_VALUE for orderly consumption (16 for concurrent). With an "
        "explicit N, the attempt at reconsumeTimes N is the last: the client sends the message to "
        "%RETRY%<group> with RECONSUME_TIME N + 1, and the broker dead-letters it (5.1.1 and later; a 4.9.x "
        "client sends N, and the broker dead-letters it all the same). consumeMessageBatchMaxSize is 1 by "
        "default; with a larger batch a suspension repeats the whole batch, the effects of its first messages "
        "included (this lesson keeps the default: one message at a time).",
        "起作用的规则：顺序消费的消费逻辑（MessageListenerOrderly）抛异常、返回 null 或 SUSPEND_CURRENT_QUEUE_A_MOMENT 时，这批消息被放回"
        "本地，暂停 suspendCurrentQueueTimeMillis = 1000 毫秒后原地重新消费，整个队列跟着等"
        "（ConsumeMessageOrderlyService.processConsumeResult、checkReconsumeTimes）。maxReconsumeTimes = -1 "
        "在顺序消费下就是 Integer.MAX_VALUE（并发消费是 16）。显式设成 N，则 reconsumeTimes 为 N 的那次是"
        "最后一次：客户端把消息发到 %RETRY%<消费组>，RECONSUME_TIME 为 N + 1，Broker 把它转进死信队列"
        "（5.1.1 及以后；4.9.x 客户端发的是 N，Broker 照样转进死信队列）。consumeMessageBatchMaxSize 默认为 1；"
        "批量更大时，一次暂停会把整批重来，前几条已经做完的业务操作也跟着重做（这一课用默认值：一次一条）。",
    ),
    "l9.limits": (
        "The SMS for order-1001 is never sent: the fix stops repeating the coupon, it does not deliver the "
        "notification. An effect that must follow another needs its own idempotent step, such as an outbox "
        "row written in the coupon's transaction: lesson 6. A true poison message still needs a bound and an "
        "alert on the dead-letter queue; the bound is a safety net, not the fix. Orderly locks that overlap "
        "around a broker failover (P20) are not modelled yet.",
        "order-1001 的短信始终没发出去：这个修复只是不再重复发券，并不负责把通知送到。像短信这样必须跟在发券"
        "之后做的操作，得有自己的幂等步骤，比如在发券事务里写一行发件箱（outbox）记录：见第 6 课。真正的毒消息"
        "仍然需要重试上限和死信队列告警；上限只是安全网，不是修复。Broker 主从切换时顺序消费的队列锁可能重叠"
        "（P20），目前还没有模拟。",
    ),
}
