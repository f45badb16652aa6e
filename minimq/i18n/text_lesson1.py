"""Lesson 1 (path A, upstream retry): its narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.i18n.text_lessons``).
"""

LESSON1: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 1
    "l1.title": (
        "Lesson 1 · Upstream retry: the payment system calls twice",
        "第 1 课 · 上游重试：支付系统回调了两次",
    ),
    "l1.opening": (
        "A ticket reaches customer service: a user paid once for order-1001 and got two coupons. The coupon "
        'system\'s log shows it processed "order paid" for order-1001 twice. How does one payment become two '
        "coupons? The next three lessons show three ways, each run with the naive system, then with the "
        "tempting fix, then with the right one.",
        "客服收到一张工单：用户给 order-1001 只付了一次款，却收到了两张券。翻优惠券系统的日志，发现它把 order-1001 的"
        "“订单支付成功”消息处理了两遍。一次支付怎么就变成了两张券？接下来三课演示三种情况，每一课都先跑原始的系统，"
        "再跑一个看似能修好的做法，最后跑正确的做法。",
    ),
    "l1.setting": (
        "This lesson shows the first way, an upstream retry. The payment system waits at most 1000 ms for the "
        "order system to answer its callback, and calls again if it does not. Today the order system is slow: "
        'its first call marks the order PAID and sends "order paid", then spends 1.2 s on other work '
        "(inventory, invoice) before it answers. The coupon system needs 1.2 s from the marketing service to "
        'work out each coupon. "The same message" here means the same business event, order-1001 paid, sent '
        "twice: each send is a new message with a msgId of its own.",
        "本课演示第一种情况：上游重试。支付系统回调订单系统时最多等 1000 毫秒，等不到应答就再调一次。今天订单系统很慢："
        "第一次回调把订单改成 PAID、发出“订单支付成功”之后，还要再忙 1.2 秒别的事（扣库存、开发票）才应答。"
        "优惠券系统每发一张券，都要先花 1.2 秒问营销服务这张券怎么发。这里说的“同一条消息”，指的是同一个业务事件"
        "（order-1001 已支付）被发了两次：每发一次都是一条新消息，各有各的 msgId。",
    ),
    "l1.run.naive": ("no idempotency anywhere", "哪儿都不做幂等"),
    "l1.explain.naive": (
        "The callback runs UPDATE orders SET status='PAID' and sends a message every time it is called. "
        "The coupon system inserts a coupon for every message it gets, the red-packet system pays a red "
        "packet for every message.",
        "回调每被调一次，就执行一次 UPDATE orders SET status='PAID' 并发一条消息；优惠券系统每收到一条消息就插一张券，"
        "红包系统每收到一条消息就发一个红包。",
    ),
    "l1.naive.1": (
        "Both consumer groups started at 0 s. Each process joined its group with a heartbeat to the broker "
        "and took its queues at its first rebalance, 1 s later (a RocketMQ 5 consumer rebalances at most once "
        "a second, the first time a second after it starts); its pulls have waited at the broker since. At "
        "2 s the user pays for order-1001. The payment system calls the order system, which marks the order "
        'PAID and sends "order paid" at once; both consumer groups pick it up. Then the order system gets '
        "busy with its slow extra work, and the payment system is still waiting for an answer.",
        "两个消费组都在第 0 秒启动。每个进程先向 Broker 发心跳加入消费组，1 秒后第一次重平衡时分到队列"
        "（RocketMQ 5 的消费者一秒最多重平衡一次，启动一秒后才第一次重平衡），此后它的拉取请求一直挂在 Broker 上等消息。"
        "第 2 秒，用户为 order-1001 付了款。支付系统回调订单系统，订单系统把订单改成 PAID，马上发出“订单支付成功”，"
        "两个消费组都收到了。接着订单系统去忙那 1.2 秒的慢活，支付系统还在等它的应答。",
    ),
    "l1.naive.2": (
        "At 3 s, 1000 ms after its call, the payment system has heard nothing and calls again. The second "
        "call runs the same "
        'UPDATE (it does not check that the order is already PAID) and sends "order paid" again: a new '
        "message with a new msgId. The broker now holds two messages for one order; to RocketMQ they are "
        "simply two messages.",
        "到第 3 秒，也就是回调发出 1000 毫秒后，支付系统还没等到应答，又调了一次。第二次回调照样执行那条 UPDATE（它不管订单是不是已经 PAID），"
        "又发了一条“订单支付成功”：一条新消息，msgId 也是新的。现在 Broker 上有两条消息对应同一个订单，"
        "在 RocketMQ 看来，这就是两条不相干的消息。",
    ),
    "l1.naive.3": (
        "Each consumer group consumes both messages. The coupon system issues a coupon for each one, and the "
        "red-packet system pays twice too: every group gets every duplicate.",
        "两个消费组都把两条消息各消费了一遍。优惠券系统每条发一张券，红包系统也发了两次红包：每个消费组都会收到每一条重复消息。",
    ),
    "l1.moral.naive": (
        "One payment, two messages, two coupons. Nothing went wrong inside RocketMQ: the duplicate was born "
        "upstream, before the broker ever saw it.",
        "一次支付，两条消息，两张券。RocketMQ 内部一切正常：重复在上游就产生了，Broker 根本不知道它们是重复的。",
    ),
    "l1.run.msgid": ("coupon side dedupes by msg id", "优惠券侧按 msgId 去重"),
    "l1.explain.msgid": (
        "The coupon system records each msg id in a processed_msgs table (PRIMARY KEY msg_id), in the same "
        "transaction as the coupon, and skips a msg id it has seen.",
        "优惠券系统把每个 msgId 记进消费记录表 processed_msgs（msg_id 做主键），和发券在同一个事务里；"
        "见过的 msgId 就跳过。",
    ),
    "l1.msgid.1": (
        "Same story, same seed. Both messages reach the coupon system; their msg ids differ, so the "
        "processed_msgs table lets both through: each INSERT changes one row.",
        "同样的剧情，同样的 seed。两条消息都到了优惠券系统；它们的 msgId 不一样，processed_msgs 表两条都放行："
        "两次 INSERT 各写进一行。",
    ),
    "l1.moral.msgid": (
        "Dedupe by msg id cannot see this path: the two messages are different messages that carry the same "
        "business fact. Dedupe on the business key, the order id, which every message of this payment carries "
        "as its message key.",
        "按 msgId 去重看不见这条路径：这是两条不同的消息，只是说的是同一件事。要按业务唯一标识去重，也就是订单号，"
        "这笔支付的每条消息都把它带在消息 Key 里。",
    ),
    "l1.run.qti": ("coupon side: query, then insert", "优惠券侧：先查再插"),
    "l1.explain.qti": (
        "Before issuing, the coupon system runs SELECT ... FROM coupons WHERE order_id = ? and inserts only "
        "if nothing was found. There is no UNIQUE key.",
        "发券前先 SELECT ... FROM coupons WHERE order_id = ?，查不到才插入。表上没有唯一索引。",
    ),
    "l1.qti.1": (
        "Same story. The two messages arrive about a second apart, and each handler spends 1.2 s at the "
        "marketing service between its SELECT and its INSERT. Watch the coupon lane: both SELECTs find 0 rows, "
        "both INSERTs change 1.",
        "同样的剧情。两条消息前后差了一秒左右，而每次消费在 SELECT 和 INSERT 之间都要花 1.2 秒问营销服务。"
        "看优惠券系统那一栏：两次 SELECT 都查到 0 行，两次 INSERT 都写进了 1 行。",
    ),
    "l1.moral.qti": (
        "Query-then-insert is a race: it only works when the copies do not overlap. In production they often do.",
        "先查再插是个竞态：只有重复消息恰好不重叠时才管用。线上偏偏经常重叠。",
    ),
    "l1.run.unique": ("coupon side: UNIQUE key on the order id", "优惠券侧：订单号唯一索引"),
    "l1.explain.unique": (
        "The coupons table gets CREATE UNIQUE INDEX ... ON coupons(order_id). The handler inserts the coupon "
        'in its own transaction; a UNIQUE violation means "already issued": roll back and return '
        "CONSUME_SUCCESS, never RECONSUME_LATER. The red-packet system gets the same UNIQUE key on its order "
        "id: every group gets every duplicate, so every group must be idempotent on its own.",
        "给 coupons 表加上 CREATE UNIQUE INDEX ... ON coupons(order_id)。消费逻辑在自己的事务里插券；唯一键冲突就说明"
        "“已经发过了”：回滚，直接返回 CONSUME_SUCCESS，千万别返回 RECONSUME_LATER。红包系统也在订单号上加同样的"
        "唯一索引：每个消费组都会收到每一条重复消息，所以每个组都得自己做幂等。",
    ),
    "l1.unique.1": (
        "Same story: the order side still sends two messages, and both groups still get both. The second "
        "INSERT of each group fails on its UNIQUE key; the database refuses it and the handler returns "
        "CONSUME_SUCCESS for the duplicate.",
        "同样的剧情：订单侧照样发了两条消息，两个组也照样都收到了两条。每个组的第二次 INSERT 都唯一键冲突，"
        "数据库拒绝插入，消费逻辑对这条重复消息直接返回 CONSUME_SUCCESS。",
    ),
    "l1.moral.unique": (
        "One coupon, one red packet. The database, not the code's memory or timing, decides what is a duplicate.",
        "一张券，一个红包。判断是否重复的是数据库，而不是代码的内存或碰巧的时序。",
    ),
    "l1.run.right": (
        "the fix: conditional state transition + UNIQUE key",
        "正确做法：状态机 + 条件更新，加唯一索引",
    ),
    "l1.explain.right": (
        "The order side makes the callback idempotent: UPDATE orders SET status='PAID' WHERE id=? AND "
        "status='UNPAID', and sends \"order paid\" only if a row changed. The coupon and red-packet sides keep "
        "their UNIQUE keys.",
        "订单侧让回调幂等：UPDATE orders SET status='PAID' WHERE id=? AND status='UNPAID'，影响行数为 1 才发消息。"
        "优惠券侧和红包侧保留各自的唯一索引。",
    ),
    "l1.right.1": (
        'The first call sends "order paid" as before. The payment system still times out and calls again, '
        "but the second call's UPDATE changes 0 rows: the order is already PAID. It answers OK and sends nothing.",
        "第一次回调照常发出“订单支付成功”。支付系统照样超时重调，但第二次回调的 UPDATE 影响了 0 行：订单已经是 PAID 了。"
        "它应答成功，什么也不发。",
    ),
    "l1.right.2": (
        'Only the first call sent "order paid". One message, one coupon, one red packet.',
        "只有第一次回调发了“订单支付成功”。一条消息，一张券，一个红包。",
    ),
    "l1.moral.right": (
        "The duplicate is stopped where it is born, and the UNIQUE keys still guard both tables against "
        "every duplicate that gets through anyway.",
        "重复在源头就被掐掉了；两张表上的唯一索引仍然守着，挡住任何漏网的重复。",
    ),
    "l1.diagnosis": (
        "Which rule did this? None of RocketMQ's: the payment system's timeout-and-retry turned one payment "
        "into two callbacks, and a callback that is not idempotent turned them into two messages. RocketMQ "
        "has no idea they mean the same thing; only the order id says so.",
        "这是哪条规则造成的？不是 RocketMQ 的：支付系统超时重试，把一次支付变成两次回调；回调不幂等，又把两次回调"
        "变成两条消息。RocketMQ 不可能知道它们说的是同一件事，只有订单号知道。",
    ),
    "l1.limits": (
        "The conditional UPDATE only guards the order side, and it is not atomic with the send: a crash "
        "between the UPDATE and send() leaves the order PAID and the message never sent. Transactional "
        "messages or a local message table close that gap (and bring duplicates of their own: a transaction "
        "check-back can commit a message twice). Lesson 2 shows duplicates born inside the producer, lesson 3 "
        "inside the consumer: there, only the consumer side's UNIQUE keys help.",
        "条件更新只管得了订单侧，而且它和发消息不是原子的：UPDATE 之后、send() 之前进程一崩，订单已经是 PAID，消息却永远"
        "发不出去。事务消息或本地消息表能补上这个缺口（它们也会带来自己的重复：事务回查可能把一条消息提交两次）。"
        "第 2 课的重复出在生产者内部，第 3 课出在消费者内部：那里只有消费端的唯一索引管用。",
    ),
}
