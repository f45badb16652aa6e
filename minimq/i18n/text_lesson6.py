"""Lesson 6 (path P8, a consumption failure after part of the work was done): its
narration, English and Chinese side by side.

Numbers in the text are the lesson world's: "order paid" for order-1001 at 3 s (after
both groups' start-up), the marketing lookup 1200 ms, the SMS gateway's usual answer 300 ms and its late first
answer 3000 ms, the SMS client's timeout 1000 ms; and RocketMQ's defaults
(messageDelayLevel, maxReconsumeTimes -1 = 16).
"""

LESSON6: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 6
    "l6.title": (
        "Lesson 6 · Partial failure: the coupon is issued, the SMS fails, the retry issues it again",
        "第 6 课 · 部分失败：券发出去了，短信失败了，重试又发了一张券",
    ),
    "l6.setting": (
        "The coupon handler does two things for each paid order: it issues the coupon (INSERT, then COMMIT, in "
        'the coupon database), then sends the user an SMS, "your coupon has arrived", through the company\'s '
        "SMS gateway. The gateway usually answers in 300 ms; the handler's SMS client waits up to 1000 ms and "
        "then throws SmsTimeout. Today the gateway is slow: it hands the SMS to the carrier at once, but its "
        "first answer takes 3000 ms. A push consumer treats a listener that throws like one that returns "
        "RECONSUME_LATER: the message goes back to the broker, which delivers it again later through "
        "%RETRY%coupon-system. The user pays for order-1001 at 3 s.",
        "优惠券系统的消费逻辑（MessageListener）对每个已支付订单做两件事：先发券（在优惠券库里 INSERT 再 COMMIT），然后通过公司的短信"
        "网关给用户发一条“优惠券已到账”的短信。短信网关平时 300 毫秒就应答；消费逻辑里的短信客户端最多等 1000 毫"
        "秒，等不到就抛 SmsTimeout。今天短信网关出了状况：短信马上就下发给了运营商，可第一次应答要 3000 毫秒才回来。"
        "Push 消费者把消费逻辑抛异常当成返回 RECONSUME_LATER：消息发回 Broker，由 Broker 经重试队列 "
        "%RETRY%coupon-system 稍后再投递。用户在第 3 秒为 order-1001 付款。",
    ),
    # ---------------------------------------------------------------- run 1: naive
    "l6.run.naive": ("naive: coupon, then SMS", "朴素实现：先发券再发短信"),
    "l6.explain.naive": (
        "The handler inserts a coupon for every message, then sends the SMS. Whichever step throws, the "
        "listener throws.",
        "消费逻辑每条消息都插一张券，然后发短信。哪一步抛异常，整个消费逻辑就抛异常。",
    ),
    "l6.naive.1": (
        "order-1001 is paid at 3 s. The coupon system asks the marketing service (1.2 s) and commits the coupon "
        "at 4.21 s: the coupon is issued, for good. Then the SMS: the gateway hands it to the carrier at once "
        "and the user's phone buzzes, but the answer is slow. At 5.21 s the SMS client gives up and throws "
        "SmsTimeout. ConsumeMessageConcurrentlyService reads the exception as RECONSUME_LATER and sends the "
        'message back (CONSUMER_SEND_MSG_BACK, delay level 0: "let the broker decide"). The broker picks '
        "level 3 + reconsumeTimes = 3, which is 10 s: the retry is due at 15.21 s. Half the work is done and "
        "cannot be taken back; all the broker knows is that the call failed.",
        "order-1001 在第 3 秒付款。优惠券系统问营销服务（1.2 秒），第 4.21 秒把券写入（事务已提交）：券发出去了，"
        "收不回来。接着发短信：网关马上把短信下发给运营商，用户手机已经响了，可应答迟迟不来。第 5.21 秒，短信客户"
        "端不等了，抛出 SmsTimeout。ConsumeMessageConcurrentlyService 把这个异常当作 RECONSUME_LATER，把消息"
        "发回 Broker（CONSUMER_SEND_MSG_BACK，延迟级别 0，意思是“由 Broker 决定”）。Broker 取级别 3 + "
        "reconsumeTimes = 3，也就是 10 秒：第 15.21 秒重投。活干了一半，干完的那一半撤不回来；Broker 只知道这次"
        "消费失败了。",
    ),
    "l6.naive.2": (
        "At 15.21 s the retry copy is stored in %RETRY%coupon-system with reconsumeTimes 1, the same msgId "
        "and the same order. The handler does everything again: a second coupon at 16.42 s, then a second "
        "SMS, answered in 300 ms this time: CONSUME_SUCCESS. The user has two coupons and the same SMS twice.",
        "第 15.21 秒，重试消息存进重试队列 %RETRY%coupon-system，reconsumeTimes 为 1，msgId 和订单号都没变。"
        "消费逻辑从头再来一遍：第 16.42 秒写入第二张券，再发第二条短信，这次 300 毫秒就应答了：CONSUME_SUCCESS。"
        "用户手上两张券，同一条短信收了两遍。",
    ),
    "l6.moral.naive": (
        "A retry runs the whole handler again, the part that succeeded included: RocketMQ retries a message, "
        "never a step. Two effects, two duplicates.",
        "重试会把整个消费逻辑从头跑一遍，已经成功的那部分也跑：RocketMQ 重试的是整条消息，不是其中某一步。两个操作，"
        "各重复了一次。",
    ),
    # ---------------------------------------------------------------- run 2: the tempting wrong fix
    "l6.run.wrong": (
        "UNIQUE key, but the conflict is retried",
        "唯一索引，冲突却返回重试",
    ),
    "l6.explain.wrong": (
        "The team adds a UNIQUE key on coupons(order_id). The listener keeps the catch-all that many Java "
        "listeners have, catch (Exception e) { return RECONSUME_LATER; }, and the key conflict "
        "(DuplicateKeyException in Java) is caught like any other error: the database recognises the "
        "duplicate, the handler answers RECONSUME_LATER.",
        "团队给 coupons(order_id) 加了唯一索引。消费逻辑保留了很多 Java 项目里常见的兜底写法 catch (Exception e) "
        "{ return RECONSUME_LATER; }，唯一键冲突（Java 里的 DuplicateKeyException）和别的异常一样被它兜住："
        "数据库认出了重复，消费逻辑却返回 RECONSUME_LATER。",
    ),
    "l6.wrong.1": (
        "As in run 1: the coupon is committed at 4.21 s, the SMS goes out, its answer is late, the handler "
        "throws at 5.21 s and the message is due again at 15.21 s.",
        "和第 1 轮一样：第 4.21 秒券写入（事务已提交），短信发了出去，应答来晚了，第 5.21 秒消费逻辑抛异常，消息定"
        "在第 15.21 秒重投。",
    ),
    "l6.wrong.2": (
        "The retry at 15.21 s: at 16.41 s the INSERT fails on the UNIQUE key, so there is no second coupon. "
        "But the handler answers the conflict with RECONSUME_LATER, before it ever gets to the SMS. The "
        "message goes back again, now with reconsumeTimes 1: level 4, 30 s.",
        "第 15.21 秒重投：第 16.41 秒 INSERT 唯一键冲突，第二张券没有发出去。可消费逻辑对这个冲突返回了 "
        "RECONSUME_LATER，连发短信那一步都没走到。消息又被发回 Broker，这次 reconsumeTimes 是 1：级别 4，30 秒。",
    ),
    "l6.wrong.3": (
        "A duplicate answered with RECONSUME_LATER fails every time, so it climbs the whole ladder. The delay "
        "level is 3 + reconsumeTimes, and messageDelayLevel (1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m "
        "30m 1h 2h) makes levels 3 to 18 into 10 s, 30 s, 1 min, 2 min, ... 20 min, 30 min, 1 h, 2 h. "
        "maxReconsumeTimes = -1 means 16 for a concurrent consumer: the 17th delivery (reconsumeTimes 16) "
        "fails too, the broker's consumerSendMsgBack finds reconsumeTimes >= 16 and stores the message in "
        "%DLQ%coupon-system instead, at 4:46:04. That is 4 h 45 min 40 s of delays plus 17 calls to the "
        "marketing service; the virtual clock ran it in a fraction of a second. The table is the whole "
        "ladder, one line per delivery.",
        "对重复消息返回 RECONSUME_LATER，它就每次都失败，于是爬完整个重试阶梯。延迟级别是 3 + reconsumeTimes，"
        "messageDelayLevel（1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h）把 3 到 18 级换成 "
        "10 秒、30 秒、1 分、2 分……20 分、30 分、1 小时、2 小时。maxReconsumeTimes = -1 对并发消费来说就是 16："
        "第 17 次投递（reconsumeTimes 16）也失败了，Broker 的 consumerSendMsgBack 发现 reconsumeTimes >= 16，"
        "改把消息存进死信队列 %DLQ%coupon-system，时间是 4:46:04。延迟合计 4 小时 45 分 40 秒，外加 17 次问营"
        "销服务；虚拟时钟一眨眼就跑完了。下表就是整个阶梯，一行一次投递。",
    ),
    "l6.moral.wrong": (
        "One coupon, and the user did get one SMS: the gateway had sent it, only its answer was late. But a "
        "duplicate that was recognised was then refused: 16 retries over 4 h 46 min, 17 calls to the "
        "marketing service, and a message in %DLQ%coupon-system that raises an alarm over an order that was "
        "fine. Had the SMS really failed, no retry would ever have sent it: every retry stops at the conflict.",
        "券只有一张，用户也确实收到了一条短信：网关早把短信发出去了，只是应答来晚了。可重复消息明明认了出来，却被"
        "拒收：4 小时 46 分里重试 16 次，问了 17 次营销服务，最后消息躺进了死信队列 %DLQ%coupon-system，为一个"
        "好好的订单拉响告警。要是短信真的没发出去，哪一次重试都不会再发：每次重试都停在唯一键冲突那一步。",
    ),
    # ---------------------------------------------------------------- run 3: the fix
    "l6.run.right": (
        "the fix: UNIQUE key + SMS key",
        "正确做法：唯一索引 + 短信幂等键",
    ),
    "l6.explain.right": (
        "Two effects, two keys. The coupon: the UNIQUE key on coupons(order_id), in the coupon's own "
        'transaction; a conflict means "already issued", not an error. The SMS: the order id as idempotency '
        "key, which the gateway honours: at most one SMS per key. The handler runs both steps on every "
        "delivery and then returns CONSUME_SUCCESS. The red-packet table gets its UNIQUE key too.",
        "两个操作，两把幂等键。券：coupons(order_id) 上的唯一索引，和发券在同一个事务里；唯一键冲突表示“已经发过”，"
        "不是错误。短信：用订单号做幂等键，短信网关按它去重，同一个键最多发一条。消费逻辑每次投递都把两步走一遍，"
        "然后返回 CONSUME_SUCCESS。红包表也加上唯一索引。",
    ),
    "l6.right.1": (
        "As in run 1, with the key: the coupon at 4.21 s, the SMS with key order-1001 handed to the carrier, "
        "the answer late, SmsTimeout at 5.21 s, the retry due at 15.21 s. A failed SMS is still a failure and "
        "RECONSUME_LATER is still the right answer: the handler cannot know whether the SMS went out, and "
        "swallowing the error would lose the SMS whenever it did not.",
        "和第 1 轮一样，只是带上了幂等键：第 4.21 秒发券，带着幂等键 order-1001 的短信下发给了运营商，应答来晚了，"
        "第 5.21 秒抛 SmsTimeout，第 15.21 秒重投。短信失败仍然是失败，返回 RECONSUME_LATER 也仍然没错：消费逻辑"
        "不知道短信到底发没发出去，要是把异常吞掉，短信真没发出去的时候就漏发了。",
    ),
    "l6.right.2": (
        "The retry at 15.21 s: the INSERT hits the UNIQUE key, the coupon is already there, and the handler "
        "goes on instead of stopping. The SMS reaches the gateway with the same key; the gateway sent that key "
        "at 4.21 s and answers OK without sending. CONSUME_SUCCESS at 16.72 s. The retry finished what the "
        "first attempt left unconfirmed, and repeated none of it.",
        "第 15.21 秒重投：INSERT 唯一键冲突，说明券已经发过，消费逻辑接着往下走，而不是就此打住。短信带着同一个"
        "幂等键到了网关；这个键第 4.21 秒已经发过，网关直接应答成功，不再下发。第 16.72 秒返回 CONSUME_SUCCESS。"
        "重试把第一次没确认的活补完了，做过的一样也没重复。",
    ),
    "l6.moral.right": (
        "One coupon, one SMS, nothing dead-lettered. The retry still arrives; each effect recognises it on "
        "its own, and the handler answers CONSUME_SUCCESS.",
        "一张券，一条短信，没有死信。重试照样会来；每个操作各自认出它是重复，消费逻辑直接返回 CONSUME_SUCCESS。",
    ),
    # ---------------------------------------------------------------- pictures
    "l6.lane.sms": ("SMS", "短信网关"),
    "l6.sms.title": ("SMS gateway: every SMS handed to the carrier", "短信网关：已下发给运营商的短信"),
    "l6.sms.key": ("idempotency key", "幂等键"),
    "l6.sms.sent_at": ("sent at", "下发时间"),
    "l6.ladder.title": ("The retry ladder of {order} in {group}", "{order} 在 {group} 的重试阶梯"),
    "l6.ladder.times": ("reconsume\ntimes", "reconsume\nTimes"),
    "l6.ladder.at": ("delivered at", "投递时间"),
    "l6.ladder.answer": ("handler returned", "消费逻辑返回"),
    "l6.ladder.level_title": ("delay\nlevel", "延迟\n级别"),
    "l6.ladder.next": ("next delivery", "下次投递"),
    "l6.ladder.threw": ("threw {error}", "抛出 {error}"),
    "l6.ladder.dlq": ("DLQ {at}", "死信 {at}"),
    "l6.ladder.done": ("done", "消费成功"),
    "l6.verdict.sms": ("SMS sent for {order}: {n}.", "{order} 发出的短信：{n} 条。"),
    "l6.verdict.sms_dup": (
        "{order}: {n} SMS, {dups} too many: the user got the same SMS twice, a duplicate effect as much as a "
        "second coupon.",
        "{order}：发了 {n} 条短信，多发了 {dups} 条。用户收到两条一样的短信，这和多发一张券一样，也是重复发放。",
    ),
    "l6.verdict.dlq": (
        "The message of {order} went to {dlq} after {n} deliveries: an alarm, and somebody has to look at it by hand.",
        "{order} 的消息投递 {n} 次后进了死信队列 {dlq}：告警响了，得有人手工处理。",
    ),
    "l6.sum.sms": ("extra SMS", "多发的短信"),
    "l6.sum.dlq": ("dead-\nlettered", "进死信\n队列"),
    # ---------------------------------------------------------------- closing
    "l6.diagnosis": (
        "The rules at work (ConsumeMessageConcurrentlyService and DefaultMQPushConsumerImpl in the client, "
        "consumerSendMsgBack in the broker): a listener that throws or returns null counts as RECONSUME_LATER; "
        "a failed message is sent back with delay level 0, and the broker uses level 3 + reconsumeTimes of "
        'messageDelayLevel = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h" (MessageStoreConfig): '
        "10 s before the first retry, 2 h before the last. maxReconsumeTimes = -1 means 16 retries, 17 "
        "deliveries and 4 h 45 min 40 s of delays; then %DLQ%<group>, which nothing consumes. A retry is the "
        "same message (same msgId, reconsumeTimes + 1), and it runs the whole handler again. RocketMQ retries "
        "messages, not steps: make every step safe to run again, and answer CONSUME_SUCCESS once every step "
        "is done, duplicate or not.",
        "起作用的规则（客户端的 ConsumeMessageConcurrentlyService、DefaultMQPushConsumerImpl，Broker 端的 "
        "consumerSendMsgBack）：消费逻辑抛异常或返回 null，都算 RECONSUME_LATER；失败的消息以延迟级别 0 发回 "
        "Broker，Broker 按 3 + reconsumeTimes 在 messageDelayLevel = "
        "“1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h”（MessageStoreConfig）里取延迟：第一次重试"
        "前等 10 秒，最后一次前等 2 小时。maxReconsumeTimes = -1 表示最多重试 16 次，投递 17 次，延迟合计 4 小时 "
        "45 分 40 秒；之后进死信队列 %DLQ%消费组，没有人消费它。重试的还是同一条消息（msgId 不变，reconsumeTimes "
        "加 1），而且整个消费逻辑重跑一遍。RocketMQ 重试的是消息，不是步骤：每一步都要经得起重跑，每一步都做完了就"
        "返回 CONSUME_SUCCESS，不管是不是重复。",
    ),
    "l6.limits": (
        "What the fix does not cover. The SMS key works only if the gateway honours it, and only for as long "
        "as it keeps its keys (a day, say): the 4 h 46 min ladder fits, a message replayed from the DLQ next "
        "week may not. If your gateway has no such key, write the SMS into an outbox table in the coupon's "
        "own transaction (UNIQUE on the order id) and let a relay send it: the handler then has one effect "
        "and one transaction, but the relay sends at least once, so a crash between its send and its mark "
        "can still double an SMS. Exercise 2 (lessons/exercises/02_partial_failure) has you write that "
        "version, and minimq check grades both effects. A message that truly cannot succeed (a bug, a poison message) still ends in "
        "the DLQ: watch %DLQ%coupon-system, and replay it only into an idempotent handler. When the send-back "
        "itself fails (the broker unreachable), the client retries the message locally and one send-back can "
        "even store two retry copies: that is lesson 8 (send-back-fails).",
        "这个修复管不到的地方。短信幂等键得网关认才行，而且只在网关保留键的这段时间内有效（比如一天）：4 小时 46 分"
        "的重试阶梯在这之内，下周再从死信队列重放就未必了。要是短信网关不支持幂等键，就把短信写进一张发件箱表"
        "（outbox），和发券放在同一个事务里（订单号唯一），再由转发任务去发：这样消费逻辑只有一个操作、一个事务，"
        "可转发任务本身是至少一次，在“发出去”和“标记已发”之间崩溃，还是可能多发一条短信。练习 2（lessons/exercises/"
        "02_partial_failure）就是让你写这个版本，minimq check 会把券和短信分别核对。真正永远成功不了的消息（代码"
        " bug、毒消息）照样会进死信队列：要盯着 %DLQ%coupon-system，重放时也只能交给幂等的消费逻辑。发回 Broker 这一"
        "步本身失败时（Broker 不可达），客户端会在本地重试，一次发回甚至可能存下两条重试消息：那是第 8 课"
        "（send-back-fails）的内容。",
    ),
}
