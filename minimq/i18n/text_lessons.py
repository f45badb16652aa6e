"""The lessons' narration, English and Chinese side by side.

Numbers in the text are the lesson world's: payment callback timeout 1000 ms, marketing
service 1200 ms, user notification 300 ms, and RocketMQ's defaults (sendMsgTimeout
3000 ms, offsets persisted every 5 s, the first time 10 s after start).
"""

LESSONS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- shared setting
    "setting.world": (
        "The payment system calls the order system's payment callback. The order system marks the order "
        'PAID in its database and sends "order paid" to topic order-paid (4 queues). Two consumer groups '
        "read that topic: coupon-system issues one coupon per paid order into the coupon database (SQLite, "
        "table coupons), red-packet-system pays one red packet. Every database is a real SQLite file; a "
        "restart keeps the file and loses the process's memory.",
        "支付系统回调订单系统的支付回调接口；订单系统在自己的库里把订单改成 PAID，然后往主题 order-paid"
        "（4 个队列）发一条“订单支付成功”消息。两个消费组订阅这个主题：coupon-system 每个已支付订单发一张券，"
        "写进优惠券库（SQLite 的 coupons 表）；red-packet-system 发一个红包。每个库都是真实的 SQLite 文件，"
        "系统重启后库还在，进程内存没了。",
    ),
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
    "l2.run.same": ("naive; the retry loop re-sends the same Message", "不做幂等；重试循环重发同一个 Message 对象"),
    "l2.explain.same": (
        "On an exception the order system calls send(msg) again with the same Message object. The coupon "
        "system inserts a coupon for every message.",
        "一抛异常，订单系统就拿同一个 Message 对象再调一次 send(msg)。优惠券系统每来一条消息就插一张券。",
    ),
    "l2.same.1": (
        'The order system sends "order paid". The broker stores it in a queue and replies, and the reply '
        "is lost on the network. The coupon system has already started on the message.",
        "订单系统发出“订单支付成功”。Broker 把它存进一个队列并回了应答，应答却在网络上丢了。优惠券系统已经开始处理这条消息。",
    ),
    "l2.same.2": (
        "A lost reply uses the whole 3000 ms budget, and a 4.x producer does not retry a timeout by itself: "
        "send() raises SendTimeoutError. The order system cannot know the message was stored, so its loop "
        "sends the same object again. Same msg id, second copy, another queue.",
        "丢了应答就会耗光整整 3000 毫秒的预算，而 4.x 的生产者不会自己重试超时：send() 抛出 SendTimeoutError。"
        "订单系统没法知道消息其实已经存下了，于是重试循环把同一个对象又发了一遍。msg id 相同，第二个副本，换了个队列。",
    ),
    "l2.same.3": (
        "The coupon system consumes both copies and issues two coupons. RocketMQ does not deduplicate by "
        "msg id on the broker: the second copy is simply another entry in another queue.",
        "优惠券系统把两个副本都消费了，发了两张券。Broker 端不会按 msg id 去重：第二个副本只是另一个队列里的另一条记录。",
    ),
    "l2.moral.same": (
        "Two copies with one msg id. A msg-id dedupe would have caught this variant.",
        "两个副本，一个 msg id。这种情况按 msg id 去重是能拦住的。",
    ),
    "l2.run.new": ("naive; the retry loop builds a new Message", "不做幂等；重试循环新建一个 Message"),
    "l2.explain.new": (
        "Same loop, but it builds a fresh Message for each try, as code that builds the message inside the "
        "loop does. RocketMQ writes the msg id (UNIQ_KEY) into a Message object only once, on its first send.",
        "同样的循环，但每次都新建一个 Message，在循环里构造消息的代码就是这样。RocketMQ 只在 Message 对象第一次发送时"
        "写入 msg id（UNIQ_KEY）。",
    ),
    "l2.new.1": (
        "Same fault, same timeout. The second copy is a new object with a new msg id: two copies, two ids, "
        "two coupons.",
        "同样的故障，同样的超时。第二个副本是新对象，有新的 msg id：两个副本，两个 id，两张券。",
    ),
    "l2.moral.new": (
        "Now even dedupe by msg id would miss it. Whether the copies share an id depends on a detail of the "
        "producer's code, not on anything the consumer can rely on.",
        "这下连按 msg id 去重都拦不住了。两个副本的 id 是否相同，取决于生产者代码的一个细节，消费者根本靠不住它。",
    ),
    "l2.run.qti": ("coupon side: query, then insert", "优惠券侧：先查再插"),
    "l2.explain.qti": (
        "SELECT first, INSERT if nothing was found, no UNIQUE key. This time the fault is a fast failure: "
        "the channel closes right after the broker stored the message.",
        "先 SELECT，查不到再 INSERT，没有唯一键。这次的故障是快速失败：Broker 存下消息后，连接马上就断了。",
    ),
    "l2.qti.1": (
        "A fast failure is retried inside send() at once (retryTimesWhenSendFailed = 2), with the same msg "
        "id. The two copies land 2 ms apart; both handlers SELECT before either INSERTs, and both issue a coupon.",
        "快速失败会在 send() 内部立刻重试（retryTimesWhenSendFailed = 2），msg id 不变。两个副本前后只差 2 毫秒；"
        "两个处理线程都在对方 INSERT 之前做完了 SELECT，于是都发了券。",
    ),
    "l2.moral.qti": (
        "The producer retried by itself, and the copies overlapped: query-then-insert lost the race.",
        "生产者自己重试了，两个副本又恰好重叠：先查再插输掉了这场竞态。",
    ),
    "l2.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一键"),
    "l2.explain.right": (
        "The coupons table has a UNIQUE key on order_id, written in the coupon's own transaction; a "
        "violation is acknowledged as success. The order system still builds a new Message on each try.",
        "coupons 表在 order_id 上有唯一键，和发券在同一个事务里；撞了唯一键就当成功确认掉。订单系统依旧每次新建 Message。",
    ),
    "l2.right.1": (
        "Two copies with two msg ids reach the coupon system. The second INSERT hits the UNIQUE key, rolls "
        "back, and the handler returns CONSUME_SUCCESS.",
        "两个不同 msg id 的副本都到了优惠券系统。第二次 INSERT 撞上唯一键，回滚，处理逻辑返回 CONSUME_SUCCESS。",
    ),
    "l2.moral.right": (
        "One coupon, whatever the copies' ids and however close together they arrive.",
        "不管副本的 id 是什么、来得多密，都只发一张券。",
    ),
    "l2.diagnosis": (
        "The rules at work: sendMsgTimeout = 3000 ms is the budget of the whole send(); retryTimesWhenSendFailed "
        "= 2 retries fast failures at once; a timeout is not retried by the 4.x producer but by your own loop; "
        "the broker never deduplicates. Why can't the producer make it exactly-once? After a lost reply it "
        'cannot tell "stored" from "not stored": not sending again may lose the message, sending again may '
        "duplicate it. RocketMQ chooses at-least-once, so the duplicate is the consumer's to handle.",
        "起作用的规则：sendMsgTimeout = 3000 毫秒是整个 send() 的预算；retryTimesWhenSendFailed = 2 会立刻重试快速失败；"
        "超时 4.x 生产者不重试，而是你自己的循环在重试；Broker 从不去重。生产者为什么做不到恰好一次？应答丢了以后，"
        "它分不清“存下了”和“没存下”：不重发可能丢消息，重发可能重复。RocketMQ 选的是至少一次，所以重复只能由消费者来处理。",
    ),
    "l2.limits": (
        "The UNIQUE key closes this path and lesson 1's. Lesson 3 shows a duplicate with no producer involved at all.",
        "唯一键堵住了这条路径，也堵住了第 1 课那条。第 3 课的重复和生产者毫无关系。",
    ),
    # ---------------------------------------------------------------- lesson 3
    "l3.title": (
        "Lesson 3 · Consumer restart: the coupon is issued, the offset is not saved",
        "第 3 课 · 消费者重启：券发出去了，位点没保存",
    ),
    "l3.setting": (
        "A push consumer keeps its consume offsets in memory and persists them to the broker every 5 s, the "
        "first time 10 s after it starts. The red-packet system started at 0 s, so it persists at 10, 15, "
        "20 s; the coupon system started at 3 s, so it persists at 13, 18, 23 s. The user pays at 14 s. "
        "After committing a coupon, the coupon system spends 300 ms notifying the user.",
        "Push 消费者把消费位点放在内存里，每 5 秒持久化到 Broker 一次，启动后第 10 秒是第一次。红包系统 0 秒启动，"
        "所以在第 10、15、20 秒持久化；优惠券系统 3 秒启动，所以在第 13、18、23 秒持久化。用户在第 14 秒付款。"
        "优惠券系统提交了券以后，还要花 300 毫秒给用户发通知。",
    ),
    "l3.run.kill": ("naive; the deploy kills the process", "不做幂等；发布时直接杀进程"),
    "l3.explain.kill": (
        "The coupon system inserts a coupon for every message. The deploy stops it with kill -9 at 16.5 s and "
        "starts the new version 1 s later.",
        "优惠券系统每条消息都插一张券。发布在第 16.5 秒用 kill -9 停掉它，1 秒后启动新版本。",
    ),
    "l3.kill.1": (
        "order-1001 is paid at 14 s. The red-packet system pays within a few ms; the coupon system asks the "
        "marketing service (1.2 s), commits the coupon, notifies the user. Both groups are done with the "
        "message, but look at the offsets: the red-packet offset reached the broker at its 15 s persist; the "
        "coupon offset is only in the process's memory until 18 s.",
        "order-1001 在第 14 秒付款。红包系统几毫秒就发完了；优惠券系统问完营销服务（1.2 秒），提交了券，又通知了用户。"
        "两个组都处理完了这条消息，但看看位点：红包组的位点在第 15 秒那次持久化时到了 Broker；优惠券组的位点还只在"
        "进程内存里，要等到第 18 秒。",
    ),
    "l3.kill.2": (
        "At 16.5 s the deploy kills the coupon system. Its local offset dies with it: the broker still has "
        "nothing for the coupon group on that queue.",
        "第 16.5 秒，发布把优惠券系统杀掉了。本地位点跟着进程一起没了：Broker 上，优惠券组在那个队列的位点还是空的。",
    ),
    "l3.kill.3": (
        "The new process starts at 17.5 s, rebalances and asks the broker where to resume: offset 0. The "
        "broker delivers order-1001 again and the coupon system issues a second coupon. The red-packet group "
        "resumes from its persisted offset 1 and is not affected.",
        "新进程在第 17.5 秒启动，重平衡后问 Broker 从哪儿接着消费：位点 0。Broker 把 order-1001 又投递了一遍，"
        "优惠券系统发了第二张券。红包组从已持久化的位点 1 继续，毫发无损。",
    ),
    "l3.moral.kill": (
        "Same group, same message, second delivery: the offset, not the message, was lost. Up to 5 s of "
        "consumed messages can come back after any crash.",
        "同一个组，同一条消息，投递了第二次：丢的是位点，不是消息。任何一次崩溃，都可能把最多 5 秒内消费过的消息再送回来。",
    ),
    "l3.run.graceful": ("naive; a graceful shutdown instead", "不做幂等；改成优雅停机"),
    "l3.explain.graceful": (
        "The deploy now shuts the consumer down gracefully, which persists its offsets. But it comes at "
        "15.4 s: the coupon is already committed and the handler is still notifying the user.",
        "这次发布改成优雅停机，停机时会持久化位点。可它来在第 15.4 秒：券已经提交了，处理逻辑还在给用户发通知。",
    ),
    "l3.graceful.1": (
        "Shutdown interrupts the running listener and persists the offsets. The message still in flight holds "
        "the coupon group's offset at 0 (the committed offset is the smallest offset in flight), so 0 is what "
        "reaches the broker.",
        "停机打断了正在跑的监听器，然后持久化位点。那条还在处理中的消息把优惠券组的位点卡在 0（提交的位点是处理中"
        "最小的那个），所以到达 Broker 的就是 0。",
    ),
    "l3.graceful.2": (
        "After the restart the broker delivers order-1001 again: a second coupon. Had the deploy come a "
        "second later, nothing would repeat.",
        "重启后 Broker 又投递了 order-1001：第二张券。要是发布晚来一秒，就什么都不会重复。",
    ),
    "l3.moral.graceful": (
        "A graceful shutdown narrows the window to the messages in flight; it does not close it.",
        "优雅停机把窗口缩小到“正在处理中的消息”，但关不上它。",
    ),
    "l3.run.memory": ("coupon side: remember orders in a Python set", "优惠券侧：用 Python 集合记住处理过的订单"),
    "l3.explain.memory": (
        "The coupon system keeps a set of order ids it has processed, in memory, and skips an order it knows.",
        "优惠券系统在内存里维护一个处理过的订单号集合，认识的订单就跳过。",
    ),
    "l3.memory.1": (
        "Same kill -9 at 16.5 s. The new process starts with an empty set, so the redelivered message looks "
        "brand new: a second coupon.",
        "同样在第 16.5 秒 kill -9。新进程的集合是空的，于是重投的消息看起来是全新的：第二张券。",
    ),
    "l3.moral.memory": (
        "Memory dies with the process, exactly when the duplicate arrives. It also knows nothing of the other "
        "consumers in the group.",
        "内存随进程一起消失，而重复消息偏偏就在这时到来。何况它对同组的其他消费者一无所知。",
    ),
    "l3.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一键"),
    "l3.explain.right": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a violation is "
        "acknowledged as success.",
        "coupons(order_id) 上加唯一键，和发券在同一个事务里插入；撞了唯一键就当成功确认。",
    ),
    "l3.right.1": (
        "Same kill -9 at 16.5 s, same redelivery. The second INSERT hits the UNIQUE key; the handler rolls "
        "back and returns CONSUME_SUCCESS, and the offset moves on.",
        "同样在第 16.5 秒 kill -9，同样被重投。第二次 INSERT 撞上唯一键，处理逻辑回滚并返回 CONSUME_SUCCESS，位点继续往前走。",
    ),
    "l3.moral.right": (
        "One coupon. The database remembers what the process forgot.",
        "只有一张券。进程忘掉的，数据库替它记着。",
    ),
    "l3.diagnosis": (
        "The rules at work: persistConsumerOffsetInterval = 5000 ms (the first persist 10 s after start); a "
        "crash persists nothing; a graceful shutdown persists the smallest offset still in flight; a new owner "
        "resumes from the offset the broker holds. RocketMQ delivers at least once, and this is the at-least.",
        "起作用的规则：persistConsumerOffsetInterval = 5000 毫秒（启动后第 10 秒第一次）；崩溃什么都不持久化；优雅停机"
        "持久化的是处理中最小的位点；新的消费者从 Broker 保存的位点接着消费。RocketMQ 保证至少一次，这就是那个“至少”。",
    ),
    "l3.limits": (
        "The same redelivery comes from rebalancing, consume timeouts and RECONSUME_LATER; the UNIQUE key "
        "handles them all, as long as the coupon and the key are written in one transaction.",
        "重平衡、消费超时和 RECONSUME_LATER 也会带来同样的重投；只要券和唯一键写在同一个事务里，唯一键都能兜住。",
    ),
}
