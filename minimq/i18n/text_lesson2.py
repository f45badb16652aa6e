"""Lesson 2 (path B, a lost send reply): its narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.i18n.text_lessons``).
"""

LESSON2: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 2
    "l2.title": (
        "Lesson 2 · Producer retry: the reply is lost, the message is not",
        "第 2 课 · 生产者重试：丢的是应答，不是消息",
    ),
    "l2.setting": (
        'This time the callback is fast and the payment system is happy. The order system sends "order '
        'paid" with send(), whose budget is sendMsgTimeout = 3000 ms, and wraps it in its own retry loop '
        "(up to 3 tries) so that no message is ever lost. We inject one network fault: the broker stores "
        "the message, but its reply never comes back.",
        "这次回调很快，支付系统很满意。订单系统用 send() 发“订单支付成功”，sendMsgTimeout 的预算是 3000 毫秒；"
        "为了一条都不丢，外面还包了自己的重试循环（最多 3 次）。我们注入一个网络故障：Broker 把消息存下了，"
        "但应答在回来的路上丢了。",
    ),
    "l2.run.same": ("naive: the retry loop re-sends the same Message", "朴素实现：重试循环重发同一个 Message 对象"),
    "l2.explain.same": (
        "On an exception the order system calls send(msg) again with the same Message object. The coupon "
        "system inserts a coupon for every message.",
        "一抛异常，订单系统就拿同一个 Message 对象再调一次 send(msg)。优惠券系统每来一条消息就插一张券。",
    ),
    "l2.same.1": (
        "As in lesson 1, both groups started at 0 s and own their queues since their first rebalance, 1 s "
        'later. At 2 s the user pays; the order system sends "order paid". The broker stores it in a queue '
        "and replies, and the reply is lost on the network. The coupon system has already started on the "
        "message.",
        "和第 1 课一样，两个消费组都在第 0 秒启动，1 秒后第一次重平衡时分到了队列。第 2 秒用户付款，订单系统发出“订单支付成功”。"
        "Broker 把它存进一个队列并回了应答，应答却在网络上丢了。优惠券系统已经开始处理这条消息。",
    ),
    "l2.same.2": (
        "A lost reply uses the whole 3000 ms budget: send() waited for the reply all that time, so it has no "
        "time left to try again and throws RemotingTooMuchRequestException: sendDefaultImpl call timeout "
        "(minimq's SendTimeoutError). The order system cannot know the message was stored, so its loop sends "
        "the same object again. Same msgId, a second message, another queue.",
        "丢了应答就耗光了整整 3000 毫秒的预算：send() 一直等应答等到预算用完，已经没有时间再试，于是抛出 "
        "RemotingTooMuchRequestException: sendDefaultImpl call t"
        "imeout（minimq 里是 SendTimeoutError）。订单系统没法知道消息其实已经存下了，于是"
        "重试循环把同一个对象又发了一遍：msgId 相同，第二条消息，换了个队列。",
    ),
    "l2.same.3": (
        "The coupon system consumes both messages and issues two coupons; the red-packet system pays twice. "
        "RocketMQ does not deduplicate by msgId on the broker: the second message is simply another entry in "
        "another queue.",
        "优惠券系统把两条消息都消费了，发了两张券；红包系统也发了两次。Broker 端不会按 msgId 去重：第二条"
        "消息只是另一个队列里的另一条记录。",
    ),
    "l2.moral.same": (
        "Two messages with one msgId. A msgId dedupe would have caught this variant.",
        "两条消息，一个 msgId。这种情况按 msgId 去重是能拦住的。",
    ),
    "l2.run.new": ("naive: the retry loop builds a new Message", "朴素实现：重试循环新建一个 Message"),
    "l2.explain.new": (
        "Same loop, but it builds a fresh Message for each try, as code that builds the message inside the "
        "loop does. RocketMQ writes the msg id (UNIQ_KEY) into a Message object only once, on its first send.",
        "同样的循环，但每次都新建一个 Message，在循环里构造消息的代码就是这样。RocketMQ 只在 Message 对象第一次发送时"
        "写入 msgId（客户端生成的 UNIQ_KEY）。",
    ),
    "l2.new.1": (
        "Same fault, same timeout. The second message is a new object with a new msgId: two messages, two "
        "ids, two coupons.",
        "同样的故障，同样的超时。第二条消息是新对象，msgId 也是新的：两条消息，两个 msgId，两张券。",
    ),
    "l2.moral.new": (
        "Now even dedupe by msgId would miss it. Whether the messages share an id depends on a detail of the "
        "producer's code, not on anything the consumer can rely on.",
        "这下连按 msgId 去重都拦不住了。两条消息的 msgId 是否相同，取决于生产者代码的一个细节，消费者根本靠不住它。",
    ),
    "l2.run.qti": ("coupon side: query, then insert", "优惠券侧：先查再插"),
    "l2.explain.qti": (
        "SELECT first, INSERT if nothing was found, no UNIQUE key. This time the fault is a fast failure: "
        "the channel closes right after the broker stored the message.",
        "先 SELECT，查不到再 INSERT，没有唯一键。这次的故障是快速失败：Broker 存下消息后，连接马上就断了。",
    ),
    "l2.qti.1": (
        "A fast failure is retried inside send() at once (retryTimesWhenSendFailed = 2), with the same "
        "msgId. The two messages land 2 ms apart; watch the coupon lane: both SELECTs find 0 rows before "
        "either INSERT, and both issue a coupon.",
        "快速失败会在 send() 内部立刻重试（retryTimesWhenSendFailed = 2），msgI"
        "d 不变。两条消息前后只差 2 毫秒；看优惠券系统那一栏：两次 SELECT 都在对方 INSERT 之前查到"
        " 0 行，于是都发了券。",
    ),
    "l2.moral.qti": (
        "The producer retried by itself, and the messages overlapped: query-then-insert lost the race.",
        "生产者自己重试了，两条消息又恰好重叠：先查再插输掉了这场竞态。",
    ),
    "l2.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一键"),
    "l2.explain.right": (
        "The coupons table has a UNIQUE key on order_id, written in the coupon's own transaction; a "
        "violation is answered with CONSUME_SUCCESS. The red-packet table gets the same key: every group "
        "gets every duplicate. The order system still builds a new Message on each try.",
        "coupons 表在 order_id 上有唯一索引，和发券在同一个事务里；唯一键冲突就直接返回 CONSUM"
        "E_SUCCESS。红包表也加上同样的唯一索引：每个消费组都会收到每一条重复消息。订单系统依旧每次新建 Mes"
        "sage。",
    ),
    "l2.right.1": (
        "Two messages with two msgIds reach both groups. Each group's second INSERT fails on its UNIQUE key, "
        "rolls back, and the handler returns CONSUME_SUCCESS.",
        "两条 msgId 不同的消息都到了两个消费组。每个组的第二次 INSERT 都唯一键冲突，回滚，消费逻辑直接返"
        "回 CONSUME_SUCCESS。",
    ),
    "l2.moral.right": (
        "One coupon, one red packet, whatever the messages' ids and however close together they arrive.",
        "不管两条消息的 msgId 是什么、来得多密，都只发一张券、一个红包。",
    ),
    "l2.diagnosis": (
        "The rules at work: sendMsgTimeout = 3000 ms is the budget of the whole send(); "
        "retryTimesWhenSendFailed = 2 retries fast failures at once; a timeout has used the budget up, so "
        "send() does not retry it, your own loop does; the broker never deduplicates. Why can't the producer "
        'make it exactly-once? After a lost reply it cannot tell "stored" from "not stored": not sending '
        "again may lose the message, sending again may duplicate it. RocketMQ chooses at-least-once, so the "
        "duplicate is the consumer's to handle.",
        "起作用的规则：sendMsgTimeout = 3000 毫秒是整个 send() 的预算；retryTime"
        "sWhenSendFailed = 2 会立刻重试快速失败；超时已经把预算用完，send() 不会再试，重试的"
        "是你自己的循环；Broker 从不去重。生产者为什么做不到恰好一次？应答丢了以后，它分不清“存下了”和“没存下"
        "”：不重发可能丢消息，重发可能重复。RocketMQ 选的是至少一次（At Least Once），所以重复只"
        "能由消费者来处理。",
    ),
    "l2.limits": (
        "The UNIQUE key closes this path and lesson 1's. Lesson 3 shows a duplicate with no producer involved at all.",
        "唯一索引堵住了这条路径，也堵住了第 1 课那条。第 3 课的重复和生产者毫无关系。",
    ),
}
