"""Lesson 14 (path P13, a broker crash): its narration and speaker notes, English and
Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson14``): the broker
flushes its offset table at 10, 15, 20, 25 s; the coupon system starts at 3 s and persists
its offsets at 13, 18, 23 s; six orders are paid from 12 s to 21 s; the broker crashes at
24 s and is back at 34 s; the coupon pod is restarted at 28 s; the new coupon process first
reaches the broker at its rebalance of 49 s.
"""

LESSON14: dict[str, tuple[str, str]] = {
    "l14.title": (
        "Lesson 14 · Broker crash: the broker forgets the last seconds of consumer offsets",
        "第 14 课 · Broker 宕机：Broker 忘了最后几秒的消费位点",
    ),
    "l14.setting": (
        "A consumer persists its consumer offsets to the broker (every 5 s, and with each pull), but the "
        "broker keeps them in memory too: it writes its offset table to disk every 5 s, the first time 10 s "
        "after it starts (flushConsumerOffsetInterval), here at 10, 15, 20, 25 s. The coupon system starts "
        "at 3 s and persists at 13, 18, 23 s. Six users pay for order-1001 to order-1006 between 12 and 21 "
        "s, one every 1.8 s; each coupon takes about 1.5 s (the marketing service, then a notification). At "
        "24 s the broker process dies (kill -9 by the OOM killer) and is started again 10 s later.",
        "消费者会把消费位点持久化到 Broker（每 5 秒一次，拉取时也顺带上报），可 Broker 自己也是先放在内存里：它每 5 "
        "秒把消费位点表刷一次盘，启动后第 10 秒第一次（flushConsumerOffsetInterval），这里就是第 10、15、20、25 "
        "秒。优惠券系统第 3 秒启动，在第 13、18、23 秒持久化消费位点。12 到 21 秒之间，六个用户为 order-1001 到 "
        "order-1006 付款，每 1.8 秒一单；每张券要 1.5 秒左右（先问营销服务，再发通知）。第 24 秒，Broker 进程"
        "被 OOM killer 杀掉（kill -9），10 秒后重新拉起。",
    ),
    "l14.scene": (
        "Before the story: the red-packet system starts at 0 s, the coupon system at 3 s. Each joins its group "
        "with a heartbeat and takes the four queues at its first rebalance, 1 s after it starts.",
        "故事开始之前：红包系统第 0 秒启动，优惠券系统第 3 秒启动。两个消费者都先发心跳加入消费组，启动一秒后第一次"
        "重平衡（Rebalance）时分到四个队列。",
    ),
    # ---------------------------------------------------------------- run 1: no dedupe
    "l14.run.naive": ("naive: no dedupe", "朴素实现：不做幂等"),
    "l14.explain.naive": (
        "The coupon system inserts a coupon for every message it is given.",
        "优惠券系统来一条消息就插一张券。",
    ),
    "l14.naive.1": (
        "The six orders are paid and consumed: six coupons, six red packets. The coupon group's offsets reach "
        "the broker at its 18 s persist (order-1001 to order-1003) and its 23 s persist (order-1004 to "
        "order-1006). On the broker they are in memory: the 20 s flush wrote the first three, the next "
        "flush is due at 25 s.",
        "六个订单都付了款，也都消费完了：六张券，六个红包。优惠券组的消费位点在第 18 秒（order-1001 到 order-1003）"
        "和第 23 秒（order-1004 到 order-1006）两次持久化时到了 Broker。可在 Broker 上它们只在内存里：第 20 秒那次"
        "刷盘写下了前三单的，下一次刷盘要到第 25 秒。",
    ),
    "l14.naive.2": (
        "24 s: the broker process dies, one second before its 25 s flush. Its offset table on disk is the one "
        "of 20 s. Every client loses its connection: pulls, heartbeats and offset persists fail from now on "
        "(RemotingConnectException), and the clients keep retrying. The coupon system's health check needs "
        "the broker: at 28 s Kubernetes kills its pod and starts a new one. Whatever the old process held in "
        "memory is gone; the broker's memory is gone too.",
        "第 24 秒，Broker 进程挂了，离第 25 秒那次刷盘只差一秒。它磁盘上的消费位点表还是第 20 秒那份。所有客户端都断了"
        "连接：从现在起拉取、心跳、上报消费位点全都失败（RemotingConnectException），客户端一遍遍重试。优惠券系统的"
        "健康检查依赖 Broker：第 28 秒，Kubernetes 杀掉了它的 Pod，又起了一个新的。旧进程内存里的东西没了，Broker "
        "内存里的也没了。",
    ),
    "l14.naive.3": (
        "34 s: the broker is back. It loads its offsets from disk, as of the 20 s flush: the coupon group's "
        "offsets go back to before order-1005 and order-1006 on queues 0 and 1, and to nothing at all on "
        "queue 3 (order-1004 was first committed at 23 s). It knows no consumer yet: the registrations died "
        "with the process. The red-packet system, which kept running, puts its own offsets back at its 35 s "
        "persist and registers again: it still owns its queues and pulls from the offsets in its memory.",
        "第 34 秒，Broker 回来了。它从磁盘加载消费位点，也就是第 20 秒刷盘时的样子：优惠券组在队列 0 和 1 上的消费"
        "位点退回到 order-1005、order-1006 之前，队列 3 上干脆没有了（order-1004 的消费位点第 23 秒才第一次提交）。"
        "它还不认识任何消费者：注册信息随进程一起没了。一直在运行的红包系统在第 35 秒持久化时把自己的消费位点又报了一遍，"
        "也重新注册上了：它的队列还在手里，照着内存里的消费位点接着拉取。",
    ),
    "l14.naive.4": (
        "The new coupon process started at 28 s, while the broker was down: its heartbeat and its rebalance "
        "failed. Its next rebalance, at 49 s, reaches the broker, opens a new connection, and the client sends "
        "a heartbeat at once (a 5.2 client does that on a new connection). At 50 s it takes the four queues and "
        "asks the broker where to resume: the offsets of the 20 s flush. Queue 3 has none, so it starts at "
        "0 (offset 0 is still in memory). order-1004, order-1005 and order-1006 are delivered again: a second "
        "coupon for each.",
        "新的优惠券进程第 28 秒启动，那时 Broker 还没回来：心跳和重平衡都失败了。它下一次重平衡在第 49 秒，请求到了 "
        "Broker，建了一条新连接，客户端马上补发一次心跳（5.2 版本的客户端在新连接建立时就会这么做）。第 50 秒，它分到四"
        "个队列，问 Broker 从哪儿接着消费：第 20 秒刷盘时的消费位点。队列 3 没有消费位点，就从 0 开始（队列位点 0 还"
        "在内存里）。order-1004、order-1005、order-1006 又投递了一遍：每单第二张券。",
    ),
    "l14.moral.naive": (
        "The coupon system did everything right and persisted its offsets; the broker lost them. A crash takes "
        "the broker back to its last flush, up to 5 s and more, and whoever starts a queue next replays it.",
        "优惠券系统什么都没做错，消费位点也持久化了；是 Broker 把它们弄丢了。一次宕机让 Broker 退回到上次刷盘，"
        "最多 5 秒还不止，下一个接手队列的消费者就把这段重新消费一遍。",
    ),
    # ---------------------------------------------------------------- run 2: persist every second
    "l14.run.persist": (
        "coupon side: persist consumer offsets every second",
        "优惠券侧：每秒持久化一次消费位点",
    ),
    "l14.explain.persist": (
        "The team lowers persistConsumerOffsetInterval from 5000 ms to 1000 ms: the coupon system now "
        "reports its offsets every second, so the broker should never be far behind.",
        "团队把 persistConsumerOffsetInterval 从 5000 毫秒调到 1000 毫秒：优惠券系统每秒上报一次消费位点，"
        "Broker 总不至于落后太多了吧。",
    ),
    "l14.persist.1": (
        "The offsets now reach the broker a second after each coupon: order-1004's at 19 s, in time for the 20 "
        "s flush. order-1005's arrives at 21 s and order-1006's at 23 s: in the broker's memory, still waiting "
        "for the 25 s flush when the broker dies at 24 s. At 34 s the broker loads the 20 s flush again.",
        "现在消费位点在每张券发完一秒后就到了 Broker：order-1004 的第 19 秒到，赶上了第 20 秒的刷盘。order-1005 "
        "的第 21 秒到，order-1006 的第 23 秒到：都在 Broker 内存里等第 25 秒的刷盘，可 Broker 第 24 秒就挂了。"
        "第 34 秒，Broker 加载的还是第 20 秒刷盘的那份。",
    ),
    "l14.persist.2": (
        "The restarted coupon process resumes from that flush: order-1005 and order-1006 get a second coupon. "
        "Fewer duplicates, not none.",
        "重启后的优惠券进程从那次刷盘的消费位点接着消费：order-1005 和 order-1006 各多发了一张券。重复少了，但没有消失。",
    ),
    "l14.moral.persist": (
        "Persisting more often narrows the window on the client's side only. The broker still flushes its "
        "table every 5 s, and the crash goes back to that.",
        "持久化得再勤，也只是缩小了客户端这一侧的窗口。Broker 照样每 5 秒才刷一次盘，宕机退回的就是那一次。",
    ),
    # ---------------------------------------------------------------- run 3: UNIQUE key
    "l14.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l14.explain.right": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a violation is answered "
        "with CONSUME_SUCCESS. The red-packet table gets the same key.",
        "coupons(order_id) 上加唯一索引，和发券在同一个事务里插入；唯一键冲突就直接返回 CONSUME_SUCCESS。红包表也加上"
        "同样的唯一索引。",
    ),
    "l14.right.1": (
        "The same six orders, the same six coupons, the same offsets on the broker's disk at 20 s.",
        "同样的六个订单，同样的六张券，第 20 秒刷盘时 Broker 磁盘上的消费位点也一样。",
    ),
    "l14.right.2": (
        "Same crash, same restart, same replay of order-1004 to order-1006 at 50 s. Each INSERT hits the "
        "UNIQUE key: the handler rolls back and returns CONSUME_SUCCESS, and the consumer offsets move on. One "
        "coupon per order.",
        "同样的宕机、同样的重启，第 50 秒同样重投了 order-1004 到 order-1006。每条 INSERT 都撞上唯一索引（唯一键"
        "冲突）：消费逻辑回滚并直接返回 CONSUME_SUCCESS，消费位点接着往前走。每单一张券。",
    ),
    "l14.moral.right": (
        "One coupon per order. The coupon's own database remembers what the broker forgot.",
        "每单一张券。Broker 忘掉的，优惠券自己的数据库记着。",
    ),
    "l14.diagnosis": (
        "The rules at work: the broker flushes its consumer-offset table every 5000 ms, the first time 10 s "
        "after it starts (BrokerConfig.flushConsumerOffsetInterval); a crash loses everything committed since "
        "(ConsumerOffsetManager.load reads the last file); the registrations die with the process, and a 5.2+ "
        "client registers again when a request opens a new connection; a consumer that starts a queue reads "
        "the broker's offset, and with none a new group starts at 0 while offset 0 is in memory. A consumer "
        "that kept its queues re-commits its own offsets and replays nothing.",
        "起作用的规则：Broker 每 5000 毫秒把消费位点表刷一次盘，启动后第 10 秒第一次（BrokerConfig.flushConsumer"
        "OffsetInterval）；宕机会丢掉这之后提交的一切（ConsumerOffsetManager.load 读的是最后一次写下的文件）；注册"
        "信息随进程一起消失，5.2 及以上的客户端在请求建立新连接时会重新注册；消费者接手一个队列时读 Broker 上的消费位"
        "点，没有的话，只要队列位点 0 还在内存里，新组就从 0 开始。一直握着队列的消费者会把自己的消费位点重新提交上去，"
        "什么也不会重放。",
    ),
    "l14.limits": (
        "Delayed messages go back too: the broker flushes its delay progress (SCHEDULE_TOPIC_XXXX) every 10 s, "
        "so a retry delivered in the seconds before a crash is delivered again, even to a consumer that kept "
        "running (apache/rocketmq#3473). If the machine itself goes down, the commit log loses what it had not "
        "flushed, and offsets can end up past a queue's end (lesson 15 and docs/semantics.md, section 14). "
        "The UNIQUE key covers all of these: it does not care why a message came back.",
        "延迟消息也会回退：Broker 每 10 秒才把延迟消息的投递进度（SCHEDULE_TOPIC_XXXX）刷一次盘，宕机前几秒投递过的重"
        "试消息会再投递一遍，连一直在运行的消费者也躲不掉（apache/rocketmq#3473）。要是整台机器宕机，CommitLog 还没刷"
        "盘的部分会丢，消费位点还可能超出队列的末尾（见第 15 课和 docs/semantics.md 第 14 节）。唯一索引对这些情况一视"
        "同仁：它不管消息是为什么回来的。",
    ),
    # ---------------------------------------------------------------- the shop's words
    "app.pod_restart": (
        "Kubernetes restarts the coupon pod (its health check needs the broker)",
        "Kubernetes 重启优惠券 Pod（健康检查依赖 Broker）",
    ),
    "appb.pod_restart": ("pod restarted", "Pod 重启"),
    # ---------------------------------------------------------------- speaker notes
    "note.broker-crash.intro": (
        "Ask: The coupon system persists its offsets every 5 s. Where are they after that?\n"
        "Answer: In the broker's memory: the broker writes its own table to disk only every 5 s too.",
        "问：优惠券系统每 5 秒持久化一次消费位点。之后它们在哪儿？\n"
        "答：在 Broker 的内存里：Broker 自己也是每 5 秒才把消费位点表刷一次盘。",
    ),
    "note.broker-crash.r1s1": (
        "Ask: The broker process is killed. What does it lose: messages, consumer offsets, or both?\n"
        "Answer: Not the messages: the page cache survives a process crash. The offsets since its last "
        "flush, and every consumer registration.",
        "问：Broker 进程被杀了。它丢的是什么：消息、消费位点，还是都丢？\n"
        "答：消息不丢：进程崩溃时页缓存还在。丢的是上次刷盘之后的消费位点，还有所有消费者的注册信息。",
    ),
    "note.broker-crash.r1s2": (
        "Ask: Six coupons issued, every offset on the broker. What would a broker crash now cost?\n"
        "Answer: What it committed since its last flush (20 s): the offsets of order-1004 to order-1006.",
        "问：六张券都发了，消费位点也都到了 Broker。这时 Broker 宕机会丢什么？\n"
        "答：它上次刷盘（第 20 秒）之后提交的：order-1004 到 order-1006 的消费位点。",
    ),
    "note.broker-crash.r1s3": (
        "Ask: Would a graceful shutdown of the pod have saved the offsets?\n"
        "Answer: No: its persist is a oneway request to a broker that is down. Nobody sees it fail.",
        "问：要是 Pod 是优雅停机的，消费位点能保住吗？\n"
        "答：不能：停机时的持久化是发给 Broker 的 oneway 请求，而 Broker 不在。失败了也没人看见。",
    ),
    "note.broker-crash.r1s4": (
        "Ask: The red-packet system kept running. Will it pay twice?\n"
        "Answer: No: it still owns its queues, pulls from its own memory, and puts its offsets back on the "
        "broker at its next persist.",
        "问：红包系统一直在跑。它会重复发红包吗？\n"
        "答：不会：队列还在它手里，它照着自己内存里的消费位点拉取，下一次持久化时又把消费位点报回了 Broker。",
    ),
    "note.broker-crash.r1s5": (
        "Ask: Why three duplicates and not two?\n"
        "Answer: Queue 3 had no offset on disk at all: a group with no offset starts at 0 while offset 0 is "
        "still in memory.",
        "问：为什么是三张重复券，不是两张？\n"
        "答：队列 3 在磁盘上根本没有消费位点：没有消费位点的组，只要队列位点 0 还在内存里，就从 0 开始。",
    ),
    "note.broker-crash.r1end": (
        "Ask: Next run, the coupon system persists its offsets every second. How many duplicates?\n"
        "Answer: Two: what arrived after the 20 s flush is still lost.",
        "问：下一轮，优惠券系统每秒持久化一次消费位点。会有几张重复券？\n"
        "答：两张：第 20 秒刷盘之后才到的消费位点照样丢。",
    ),
    "note.broker-crash.r2s1": (
        "Ask: Could the broker flush every second instead?\n"
        "Answer: It could be configured so, but a crash still loses the last interval, and a failover or an "
        "operator's reset replays too. Make the consumer idempotent.",
        "问：那让 Broker 每秒刷一次盘行不行？\n"
        "答：可以这么配，但宕机照样丢最后那一段，主备切换、运维重置消费位点也都会重放。还是得让消费者幂等。",
    ),
    "note.broker-crash.r3s1": (
        "Ask: Three replayed messages hit the UNIQUE key. What must the handler return?\n"
        "Answer: CONSUME_SUCCESS: the coupon is there. RECONSUME_LATER would retry it 16 times.",
        "问：三条重放的消息都撞上了唯一索引。消费逻辑该返回什么？\n"
        "答：CONSUME_SUCCESS：券已经在了。返回 RECONSUME_LATER 会让它重试 16 次。",
    ),
    "note.broker-crash.end": (
        "Ask: A Redis dedupe key with a 10 min TTL would have caught this replay. Is it a fix?\n"
        "Answer: Here, by luck of timing. An operator's reset replays hours later (lesson 15): only a "
        "permanent record in the coupon's own transaction holds.",
        "问：Redis 去重键设 10 分钟过期，也能拦住这次重放。这算修好了吗？\n"
        "答：这次只是时间凑巧。运维重置消费位点会重放几小时前的消息（第 15 课）：只有和券在同一个事务里、永不过期的记录"
        "才靠得住。",
    ),
}
