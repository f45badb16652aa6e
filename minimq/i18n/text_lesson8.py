"""Lesson 8 (path P9, a send-back that fails, and one whose reply is lost): its narration,
English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson8``).
"""

LESSON8: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 8
    "l8.title": (
        "Lesson 8 · Send-back fails: one failure, two retries",
        "第 8 课 · 发回失败：一次失败，两条重试消息",
    ),
    "l8.setting": (
        "When a handler fails (it throws, or returns RECONSUME_LATER), the push consumer sends the message "
        "back to the broker (CONSUMER_SEND_MSG_BACK, 5000 ms timeout), and the broker delivers a retry from "
        "the retry topic %RETRY%coupon-system later: 10 s later for the first retry, 30 s for the second, "
        "and so on. In this story the marketing service is down until 13 s: every lookup fails at once "
        "with a 503, before anything is written, and the coupon handler throws. The user pays for "
        "order-1001 at 5 s. At 5.006 s, just as the message is delivered, the network to the broker drops "
        "for 2 s. And the reply to one send-back will be lost on its way back.",
        "消费逻辑失败（抛异常，或返回 RECONSUME_LATER）时，Push 消费者会把消息发回 Broker"
        "（CONSUMER_SEND_MSG_BACK，超时 5000 毫秒），Broker 过一会儿再从重试队列 %RETRY%coupon-system "
        "重新投递：第 1 次重试隔 10 秒，第 2 次隔 30 秒，依此类推。这个故事里，营销服务到第 13 秒才恢复："
        "在那之前每次查询都立刻返回 503，什么都还没写，优惠券的消费逻辑就抛了异常。用户在第 5 秒为 order-1001 "
        "付款。第 5.006 秒，消息刚投递到消费者，到 Broker 的网络就断了 2 秒。另外，有一次发回请求的应答会在"
        "回来的路上丢掉。",
    ),
    "l8.run.naive": ("naive: the marketing service is down", "朴素实现：营销服务故障"),
    "l8.explain.naive": (
        "The coupon system asks the marketing service, then inserts a coupon. It does not catch the "
        "service's 503, so the handler throws and RocketMQ counts the delivery as RECONSUME_LATER. Nothing "
        "was written: a clean failure, the easiest kind to retry.",
        "优惠券系统先问营销服务，再插一张券。营销服务返回的 503 它不捕获，消费逻辑抛出异常，RocketMQ 把这次投递"
        "当作 RECONSUME_LATER。库里什么都没写：这是最干净的失败，按理说重试起来最省心。",
    ),
    "l8.naive.1": (
        "Both groups started at 0 s, joined with a heartbeat to the broker and took their queues at their "
        "first rebalance, 1 s later; their pulls have waited at the broker since. "
        "order-1001 is delivered at 5.006 s, the moment the network to the broker drops. The marketing "
        "service answers 503 and the handler throws: RECONSUME_LATER at 5.008 s. The consumer sends the "
        "message back, but the broker is unreachable: CONSUMER_SEND_MSG_BACK fails to connect. So does the fallback of "
        "DefaultMQPushConsumerImpl.sendMessageBack, which sends the message itself, as a normal message, to "
        "%RETRY%coupon-system through the client's inner producer (3 tries). Both have failed, so the "
        "consumer keeps the message and will consume it again itself in 5000 ms, one reconsume time older. "
        "Meanwhile the message stays in flight, and the consumer offset cannot pass it.",
        "两个消费组都在第 0 秒启动，先向 Broker 发心跳加入消费组，1 秒后第一次重平衡（Rebalance，也叫负载均衡）时分到队列，"
        "此后拉取请求一直挂在 Broker 上等消息。"
        "order-1001 在第 5.006 秒投递过来，偏偏这时到 Broker 的网络断了。营销服务返回 503，消费逻辑抛异常："
        "第 5.008 秒，RECONSUME_LATER。消费者要把消息发回 Broker，可 Broker 连不上：CONSUMER_SEND_MSG_BACK "
        "连接失败。DefaultMQPushConsumerImpl.sendMessageBack 还有一条兜底：由客户端内部的生产者把消息作为"
        "普通消息直接发到 %RETRY%coupon-system（最多试 3 次），也失败了。两条路都不通，消费者只好把消息留在"
        "手里，5000 毫秒后自己再消费一次，reconsumeTimes 加 1。这段时间消息一直在处理中，消费位点越不过它。",
    ),
    "l8.naive.2": (
        "At 10.008 s the consumer consumes it again (retry 1, the same stored message). The marketing service "
        "is down until 13 s: RECONSUME_LATER again at 10.010 s. This time the broker is back: it takes the "
        "message at 10.011 s and schedules retry 1 for 20.011 s (delay level 3, 10 s, counted from the stored "
        "message, which was never sent back). But its reply is lost. The consumer waits its whole 5000 ms, "
        'gets a RemotingTimeoutException at 15.010 s and, unable to tell "not taken" from "taken, reply '
        'lost", falls back: it sends its own copy to %RETRY%coupon-system. The broker takes that one too: '
        "retry 2, due at 45.011 s, because the client counts its local attempt (reconsumeTimes 1, delay level "
        "4, 30 s). Two retries are now scheduled for one failure. As far as the consumer knows, the message "
        "went back once, so its consumer offset moves past it.",
        "第 10.008 秒，消费者自己又消费了一次（第 1 次重试，还是原来那条消息）。营销服务到第 13 秒才恢复："
        "第 10.010 秒又是 RECONSUME_LATER。这回 Broker 通了：它在第 10.011 秒收下消息，把第 1 次重试排在第 "
        "20.011 秒（延迟级别 3，10 秒；重试次数按 Broker 上存的那条原消息算，它从没被发回过）。可 Broker "
        "的应答丢了。消费者足足等满 5000 毫秒，第 15.010 秒拿到 RemotingTimeoutException；它分不清“没收下”"
        "和“收下了、应答丢了”，于是走兜底：自己把消息发到 %RETRY%coupon-system。Broker 又存下一条："
        "第 2 次重试，第 45.011 秒到期，因为客户端把本地那次也算上了（reconsumeTimes 为 1，延迟级别 4，30 秒）。"
        "一次失败，现在排着两条重试消息。在消费者看来消息已经发回去了，所以它的消费位点越过了这条消息。",
    ),
    "l8.naive.3": (
        "Retry 1 is stored in %RETRY%coupon-system when its delay is up, at 20.011 s, and delivered at "
        "20.012 s; the marketing service is back, and the coupon is committed at 21.216 s. Retry 2 is "
        "delivered at 45.012 s, with the same msgId, and "
        "the naive handler commits a second coupon at 46.216 s. The red-packet system is not involved: it "
        "paid order-1001 at 5.010 s and needed nothing from the broker to do it.",
        "第 20.011 秒延迟到期，第 1 次重试存进 %RETRY%coupon-system，第 20.012 秒投递过来；营销服务已经恢复，"
        "第 21.216 秒券写进库（事务已提交）。第 45.012 秒，第 2 次重试也到了，msgId 一模一样，不做幂等的消费逻辑在第 46.216 秒"
        "又写了一张券。红包系统没受影响：它在第 5.010 秒就发完了 order-1001 的红包，这件事用不着 Broker。",
    ),
    "l8.moral.naive": (
        "One failed delivery, two retries, two coupons. A send-back is a request like a send: when its "
        "reply is lost, the client cannot tell, and sends again. Lesson 2's lost reply, one level down.",
        "一次失败的投递，两条重试消息，两张券。发回 Broker 也是一次请求，和发送消息一样：应答丢了，客户端无从"
        "分辨，只能再发一次。这就是第 2 课的“应答丢了”，只不过发生在消费端。",
    ),
    "l8.run.mark": ("coupon side: a Redis claim first (SET NX)", "优惠券侧：Redis 先占位（SET NX）"),
    "l8.explain.mark": (
        "The team sees two coupons from one msgId and adds the usual guard: before doing anything, SET "
        "coupon:<order> NX in Redis; if the key is already there, the order was handled, and the message is "
        "acknowledged with CONSUME_SUCCESS. The claim is never released.",
        "团队看到同一个 msgId 发了两张券，加上了最常见的那道防线：动手之前先在 Redis 里 SET coupon:<订单号> "
        "NX；key 已经存在，就认为这单处理过，直接返回 CONSUME_SUCCESS。占位永不释放。",
    ),
    "l8.mark.1": (
        "The first delivery takes the claim at 5.007 s; then the marketing call fails and the handler "
        "throws. The claim stays. Same outage, same local retry at 10.009 s: SET NX answers nil, so the "
        "handler concludes the coupon was issued and returns CONSUME_SUCCESS. The message is done, its "
        "offset moves on, and it is never sent back again, so the lost reply does not even come into play. "
        "order-1001 gets no coupon.",
        "第一次投递在第 5.007 秒占了位，接着营销服务调用失败，消费逻辑抛异常。占位还留着。同样的故障，同样"
        "在第 10.009 秒本地重试：SET NX 返回 nil，消费逻辑认定券已经发过，直接返回 CONSUME_SUCCESS。消息算是"
        "消费完了，消费位点往前走，再也没有发回 Broker，连那次丢应答都没轮上。order-1001 一张券都没拿到。",
    ),
    "l8.moral.mark": (
        "No duplicate, and no coupon either. A claim written before the effect cannot tell the retry of a "
        "failed attempt from the duplicate of a successful one: every retry becomes a skip.",
        "没有重复发放，可券也没了。在业务操作之前写下的占位，分不清“失败后的重试”和“成功后的重复”：每一次"
        "重试都被当成重复跳过了。",
    ),
    "l8.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l8.explain.right": (
        "UNIQUE key on coupons(order_id), the coupon inserted in its own transaction; a violation is "
        "answered with CONSUME_SUCCESS. A failed marketing call writes nothing, so there is nothing to "
        "forget. The red-packet table gets the same key.",
        "coupons(order_id) 上加唯一索引，券在自己的事务里插入；唯一键冲突就直接返回 CONSUME_SUCCESS。营销服务"
        "调用失败时什么都没写，也就没有什么需要撤销的。红包表也加上同样的唯一索引。",
    ),
    "l8.right.1": (
        "Same outage, same lost reply, same two retries. Retry 1 commits the coupon at 21.216 s. Retry 2, "
        "delivered at 45.012 s, fails on the UNIQUE key at 46.214 s; the handler rolls back and returns "
        "CONSUME_SUCCESS.",
        "同样的故障，同样丢了应答，同样排了两条重试消息。第 1 次重试在第 21.216 秒把券写进库。第 2 次重试在第 "
        "45.012 秒到达，第 46.214 秒 INSERT 唯一键冲突；消费逻辑回滚，直接返回 CONSUME_SUCCESS。",
    ),
    "l8.moral.right": (
        "One coupon. The second retry still arrives; the key makes it harmless, whichever path delivered it.",
        "只有一张券。第 2 次重试照样会来，不管它是从哪条路来的，唯一索引都让它无害。",
    ),
    "l8.diagnosis": (
        "The rules at work: a failed delivery in clustering mode is sent back with CONSUMER_SEND_MSG_BACK "
        "(DefaultMQPushConsumerImpl.sendMessageBack, 5000 ms). If that throws, for whatever reason, the "
        "client sends the message as a normal message to %RETRY%<group> (sendMessageBackAsNormalMessage, "
        "through the inner producer: 3 tries within 3000 ms). If that fails too, it consumes the message "
        "again itself after 5000 ms (ConsumeMessageConcurrentlyService.submitConsumeRequestLater) and holds "
        "its offset meanwhile. The broker schedules a retry at delay level 3 + reconsumeTimes, counted from "
        "the stored message; the fallback carries the client's own count + 1. So a lost reply turns one "
        "send-back into two retries with the same msgId (path P9), and the same happens in 4.9.x.",
        "起作用的规则：集群模式下消费失败，消费者用 CONSUMER_SEND_MSG_BACK 把消息发回 Broker"
        "（DefaultMQPushConsumerImpl.sendMessageBack，5000 毫秒）。这个请求只要抛异常，不管原因是什么，客户端"
        "都会把消息作为普通消息发到 %RETRY%<消费组>（sendMessageBackAsNormalMessage，走内部生产者：3000 毫秒"
        "内最多试 3 次）。这也失败的话，它在 5000 毫秒后自己重新消费这条消息"
        "（ConsumeMessageConcurrentlyService.submitConsumeRequestLater），期间消费位点一直卡着。Broker 按 "
        "3 + reconsumeTimes 的延迟级别安排重试，次数按它存的那条消息算；兜底发出的那条带的是客户端自己的次数"
        " + 1。所以丢一次应答，一次发回就变成了两条重试消息，msgId 相同（路径 P9）；4.9.x 也一样。",
    ),
    "l8.limits": (
        "A msgId table written in the coupon's transaction (lesson 1) would have absorbed these two "
        "retries, since they share one msgId; it fails on an upstream retry, which the UNIQUE key covers "
        "too. When a handler fails after a first effect (the coupon written, then the SMS fails), every "
        "retry repeats that effect: lesson 6. Every design against every path is lesson 17.",
        "在发券事务里写一张按 msgId 的消费记录表（第 1 课）也能挡住这两条重试消息，因为它们的 msgId 相同；可它挡"
        "不住上游重试，唯一索引两样都能挡。如果消费逻辑在做完第一件事之后才失败（券已写入，短信发送失败），"
        "每次重试都会把那件事再做一遍：见第 6 课。所有方案对所有路径的对照见第 17 课。",
    ),
}
