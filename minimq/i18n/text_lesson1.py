"""Lesson 1 (path A, upstream retry): its narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.i18n.text_lessons``).
"""

LESSON1: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 1
    "l1.title": (
        "Lesson 1 · Upstream retry: the payment system calls twice",
        "第 1 课 · 上游重试：支付系统回调了两次",
    ),
    "l1.setting": (
        "The payment system waits at most 1000 ms for the order system to answer its callback, and calls "
        "again if it does not. Today the order system's first call is slow: 1.2 s of extra work (inventory, "
        "invoice) before it answers. The coupon system needs 1.2 s from the marketing service to work out "
        "each coupon.",
        "支付系统回调订单系统时最多等 1000 毫秒，等不到应答就再调一次。今天订单系统处理第一次回调很慢："
        "应答前还要多干 1.2 秒的活（扣库存、开发票）。优惠券系统每发一张券，都要先花 1.2 秒问营销服务这张券怎么发。",
    ),
    "l1.run.naive": ("no idempotency anywhere", "哪儿都不做幂等"),
    "l1.explain.naive": (
        "The callback runs UPDATE orders SET status='PAID' and sends a message every time it is called. "
        "The coupon system inserts a coupon for every message it gets.",
        "回调每被调一次，就执行一次 UPDATE orders SET status='PAID' 并发一条消息；优惠券系统每收到一条消息就插一张券。",
    ),
    "l1.naive.1": (
        "The user pays for order-1001. The payment system calls the order system, which marks the order "
        "PAID at once and then gets busy with its slow extra work.",
        "用户为 order-1001 付了款。支付系统回调订单系统，订单系统马上把订单改成 PAID，然后开始干那 1.2 秒的慢活。",
    ),
    "l1.naive.2": (
        "At 1000 ms the payment system stops waiting and calls again. The second call runs the same UPDATE "
        '(it does not care that the order is already PAID), answers quickly, and sends "order paid".',
        "到 1000 毫秒，支付系统不等了，又调了一次。第二次回调照样执行那条 UPDATE（它才不管订单是不是已经 PAID），"
        "很快应答，并发出“订单支付成功”。",
    ),
    "l1.naive.3": (
        'Then the first call finishes its work and sends "order paid" as well. The broker now holds two '
        "messages for one order, with two different msg ids: to RocketMQ they are simply two messages.",
        "接着，第一次回调终于干完活，也发了一条“订单支付成功”。现在 Broker 上有两条消息对应同一个订单，"
        "msg id 还各不相同：在 RocketMQ 看来，这就是两条不相干的消息。",
    ),
    "l1.naive.4": (
        "Each consumer group gets both messages. The coupon system issues a coupon for each one, and the "
        "red-packet system pays twice too: every group gets its own copy of every duplicate.",
        "两个消费组都各收到两条消息。优惠券系统每条发一张券，红包系统也发了两次红包：每个消费组都会拿到每一条重复消息。",
    ),
    "l1.moral.naive": (
        "One payment, two messages, two coupons. Nothing went wrong inside RocketMQ: the duplicate was born "
        "upstream, before the broker ever saw it.",
        "一次支付，两条消息，两张券。RocketMQ 内部一切正常：重复在上游就产生了，Broker 根本不知道它们是重复的。",
    ),
    "l1.run.msgid": ("coupon side dedupes by msg id", "优惠券侧按 msg id 去重"),
    "l1.explain.msgid": (
        "The coupon system records each msg id in a processed_msgs table (PRIMARY KEY msg_id), in the same "
        "transaction as the coupon, and skips a msg id it has seen.",
        "优惠券系统把每个 msg id 记进 processed_msgs 表（msg_id 做主键），和发券在同一个事务里；见过的 msg id 就跳过。",
    ),
    "l1.msgid.1": (
        "Same story, same seed. Both messages reach the coupon system; their msg ids differ, so the "
        "processed_msgs table lets both through.",
        "同样的剧情，同样的 seed。两条消息都到了优惠券系统；它们的 msg id 不一样，processed_msgs 表两条都放行。",
    ),
    "l1.moral.msgid": (
        "Dedupe by msg id cannot see this path: the two messages are different messages that carry the same "
        "business fact. Dedupe on the business key, the order id.",
        "按 msg id 去重看不见这条路径：这是两条不同的消息，只是说的是同一件事。要按业务键去重，也就是订单号。",
    ),
    "l1.run.qti": ("coupon side: query, then insert", "优惠券侧：先查再插"),
    "l1.explain.qti": (
        "Before issuing, the coupon system runs SELECT ... FROM coupons WHERE order_id = ? and inserts only "
        "if nothing was found. There is no UNIQUE key.",
        "发券前先 SELECT ... FROM coupons WHERE order_id = ?，查不到才插入。表上没有唯一键。",
    ),
    "l1.qti.1": (
        "Same story. The two messages arrive 200 ms apart, and each handler spends 1.2 s at the marketing "
        "service between its SELECT and its INSERT. Both SELECTs find no coupon; both INSERTs succeed.",
        "同样的剧情。两条消息前后只差 200 毫秒，而每个处理线程在 SELECT 和 INSERT 之间都要花 1.2 秒问营销服务。"
        "两次 SELECT 都没查到券，两次 INSERT 都成功了。",
    ),
    "l1.moral.qti": (
        "Query-then-insert is a race: it only works when the copies do not overlap. In production they often do.",
        "先查再插是个竞态：只有重复消息恰好不重叠时才管用。线上偏偏经常重叠。",
    ),
    "l1.run.unique": ("coupon side: UNIQUE key on the order id", "优惠券侧：订单号唯一键"),
    "l1.explain.unique": (
        "The coupons table gets CREATE UNIQUE INDEX ... ON coupons(order_id). The handler inserts the coupon "
        'in its own transaction; a UNIQUE violation means "already issued": roll back and return '
        "CONSUME_SUCCESS, never RECONSUME_LATER.",
        "给 coupons 表加上 CREATE UNIQUE INDEX ... ON coupons(order_id)。处理逻辑在自己的事务里插券；撞了唯一键就说明"
        "“已经发过了”：回滚，返回 CONSUME_SUCCESS，千万别返回 RECONSUME_LATER。",
    ),
    "l1.unique.1": (
        "Same story: the order side still sends two messages. The second INSERT hits the UNIQUE key; the "
        "database refuses it and the handler acknowledges the duplicate.",
        "同样的剧情：订单侧照样发了两条消息。第二次 INSERT 撞上唯一键，数据库拒绝插入，处理逻辑把这条重复消息确认掉。",
    ),
    "l1.moral.unique": (
        "One coupon. The database, not the code's memory or timing, decides what is a duplicate.",
        "只发了一张券。判断是否重复的是数据库，而不是代码的内存或运气好的时序。",
    ),
    "l1.run.right": (
        "the fix: conditional state transition + UNIQUE key",
        "正确做法：条件状态流转 + 唯一键",
    ),
    "l1.explain.right": (
        "The order side makes the callback idempotent: UPDATE orders SET status='PAID' WHERE id=? AND "
        "status='UNPAID', and sends \"order paid\" only if a row changed. The coupon side keeps the UNIQUE key.",
        "订单侧让回调幂等：UPDATE orders SET status='PAID' WHERE id=? AND status='UNPAID'，只有真的更新到一行才发消息。"
        "优惠券侧保留唯一键。",
    ),
    "l1.right.1": (
        "The payment system still times out and calls again. But the second call's UPDATE changes 0 rows: "
        "the order is already PAID. It answers OK and sends nothing.",
        "支付系统照样超时重调。但第二次回调的 UPDATE 更新了 0 行：订单已经是 PAID 了。它应答成功，什么也不发。",
    ),
    "l1.right.2": (
        'Only the first call sends "order paid". One message, one coupon, one red packet.',
        "只有第一次回调发了“订单支付成功”。一条消息，一张券，一个红包。",
    ),
    "l1.moral.right": (
        "The duplicate is stopped where it is born, and the UNIQUE key still guards the coupon table against "
        "every duplicate that gets through anyway.",
        "重复在源头就被掐掉了；唯一键仍然守着优惠券表，挡住任何漏网的重复。",
    ),
    "l1.diagnosis": (
        "Which rule did this? None of RocketMQ's: the payment system's timeout-and-retry turned one payment "
        "into two callbacks, and a callback that is not idempotent turned them into two messages. RocketMQ "
        "has no idea they mean the same thing; only the order id says so.",
        "这是哪条规则造成的？不是 RocketMQ 的：支付系统超时重试，把一次支付变成两次回调；回调不幂等，又把两次回调"
        "变成两条消息。RocketMQ 不可能知道它们说的是同一件事，只有订单号知道。",
    ),
    "l1.limits": (
        "The conditional UPDATE only guards the order side. Lesson 2 shows duplicates born inside the "
        "producer, lesson 3 inside the consumer: there, only the coupon side's UNIQUE key helps.",
        "条件更新只管得了订单侧。第 2 课的重复出在生产者内部，第 3 课出在消费者内部：那里只有优惠券侧的唯一键管用。",
    ),
}
