"""Lesson 16 (path P14, broker failover): its narration, its table's words and its speaker
notes, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson16``): broker-a has a
slave, broker-a-s, with slaveReadEnable=true; the coupon system runs from 3 s and is
stopped at 25 s; order-1001 is paid at 12 s, order-1002 to order-1005 at 30, 33, 36, 39 s;
the slave syncs at 01:01; broker-a dies at 01:08 and is back at 05:05; the coupon system
starts again at 01:30 and is deployed at 05:15 (the new pod at 05:16); the slave learns the
master is back at 05:10 and syncs at 05:13.
"""

LESSON16: dict[str, tuple[str, str]] = {
    "l16.title": (
        "Lesson 16 · Broker failover: the master comes back with older offsets",
        "第 16 课 · 主从切换：Master 带着更旧的消费位点回来",
    ),
    "l16.setting": (
        "broker-a now has a slave, broker-a-s: every message stored on the master is copied to it "
        "asynchronously, within about 100 ms. The team runs the pair with slaveReadEnable=true, so that "
        "consumers go on reading from the slave if the master dies (RocketMQ 5's default is false). Each "
        "client finds the brokers through the name server and asks it for the route again every 30 s; it "
        "reads from the master while its route lists one, else from the slave. The coupon system consumes "
        "order-1001 (paid at 12 s) and is stopped at 25 s: marketing published a wrong coupon template, and "
        "the team would rather keep the orders waiting in the broker. order-1002 to order-1005 are paid "
        "at 30, 33, 36 and 39 s. At 01:08 the broker-a process dies; the on-call engineer looks at the "
        "machine before starting it again, at 05:05 (times are minutes:seconds, as in the event lists).",
        "broker-a 现在有一个 Slave：broker-a-s。Master 上存下的每条消息都会异步复制过去，大约 100 毫秒以内就到。"
        "团队给这对主从开了 slaveReadEnable=true，Master 挂了消费者还能从 Slave 接着读（RocketMQ 5 默认是 false）。"
        "每个客户端都通过 NameServer 找 Broker，每 30 秒重新拉取一次路由；路由里有 Master 就从 Master 读，没有就"
        "从 Slave 读。优惠券系统消费了 order-1001（第 12 秒付款），第 25 秒被停掉：营销发布了一个错误的优惠券模板，"
        "团队宁愿让订单先在 Broker 里等着。order-1002 到 order-1005 在第 30、33、36、39 秒付款。01:08，broker-a "
        "进程挂了；值班工程师先排查机器，到 05:05 才把它重新拉起来（时间都是“分:秒”，和事件列表一致）。",
    ),
    "l16.scene": (
        "Before the story: the red-packet system starts at 0 s, the coupon system at 3 s. Each sends its "
        "heartbeat to both brokers, broker-a and broker-a-s, and takes the four queues at its first "
        "rebalance, 1 s after it starts.",
        "故事开始之前：红包系统第 0 秒启动，优惠券系统第 3 秒启动。两个消费者都给 broker-a 和 broker-a-s 两个 Broker "
        "发心跳，启动一秒后第一次重平衡（Rebalance）时分到四个队列。",
    ),
    # ---------------------------------------------------------------- run 1: no dedupe
    "l16.run.naive": ("naive: no dedupe", "朴素实现：不做幂等"),
    "l16.explain.naive": (
        "The coupon system inserts a coupon for every message it is given.",
        "优惠券系统来一条消息就插一张券。",
    ),
    "l16.naive.1": (
        "order-1001 gets its coupon, and the coupon group's offsets reach broker-a (1 on queue 0, 0 on the "
        "others). At 25 s the coupon system is stopped: a graceful shutdown, its offsets persisted. The next "
        "four orders are stored on broker-a and copied to broker-a-s a tenth of a second later; the red "
        "packets are paid at once, the coupons wait. broker-a-s has every message but no offsets yet: its "
        "sync with the master runs every 63 s.",
        "order-1001 拿到了券，优惠券组的消费位点也到了 broker-a（队列 0 是 1，其他队列是 0）。第 25 秒优惠券系统被"
        "停掉：优雅停机，消费位点都持久化了。接下来四个订单存进 broker-a，十分之一秒后复制到 broker-a-s；红包马上"
        "就发了，优惠券在排队等着。broker-a-s 消息都有了，消费位点却还没有：它每 63 秒才和 Master 同步一次。",
    ),
    "l16.naive.2": (
        "01:01: broker-a-s's sync asks broker-a for all its consumer offsets and puts them into its own "
        "table: the coupon group's offsets of the stop. 01:08: the broker-a process dies. Its connection to "
        "the name server closes, and the route of broker-a lists only the slave. The clients see that at "
        "their next route poll, within 30 s; until then they keep trying the dead master.",
        "01:01，broker-a-s 的定时同步向 broker-a 要来全部消费位点，写进自己的表：也就是优惠券组停机时的消费位点。"
        "01:08，broker-a 进程挂了。它和 NameServer 的连接一断，broker-a 的路由里就只剩 Slave 了。客户端要等下一次"
        "拉取路由（30 秒之内）才知道；在那之前，它们还一直在请求那个已经挂掉的 Master。",
    ),
    "l16.naive.3": (
        "01:30: the template is fixed and the coupon system starts again. Its route lists only broker-a-s: it "
        "registers there, asks it where to resume (the offsets of the stop), and, with slaveReadEnable=true, "
        "pulls order-1002 to order-1005 from the slave: four coupons, the right ones. At 01:40 it persists "
        "its offsets to broker-a-s, which stores them: a slave takes offset updates like a master. broker-a "
        "has never seen them.",
        "01:30，模板修好了，优惠券系统重新启动。它的路由里只有 broker-a-s：它在那儿注册，问它从哪儿接着消费（停机时"
        "的消费位点），又因为 slaveReadEnable=true，从 Slave 拉到了 order-1002 到 order-1005：四张券，都是对的。"
        "01:40，它把消费位点持久化到 broker-a-s，Slave 照单全收：Slave 和 Master 一样接受消费位点的更新。"
        "broker-a 对这些一无所知。",
    ),
    "l16.naive.4": (
        "05:05: broker-a is back. It loads its offsets from disk: those of the stop, from before the four "
        "coupons. Nothing copies the slave's offsets back to a master. At 05:10 broker-a-s's registration "
        "with the name server tells it the master is back, and at 05:13 its sync puts the master's offsets "
        "over its own: the coupon group's offsets on the slave go back too. Now both brokers say the four "
        "orders were never consumed; only the running coupon process knows better.",
        "05:05，broker-a 回来了。它从磁盘加载消费位点：停机时的那份，在那四张券之前。没有任何机制把 Slave 上的消费"
        "位点同步回 Master。05:10，broker-a-s 向 NameServer 注册时得知 Master 回来了，05:13 它的定时同步把 Master 的"
        "消费位点盖在了自己的上面：Slave 上优惠券组的消费位点也退回去了。现在两个 Broker 都说这四个订单没消费过；"
        "只有还在运行的优惠券进程心里有数。",
    ),
    "l16.naive.5": (
        "05:15: the team deploys the release it held back during the incident. The old pod shuts down and "
        "persists its offsets: to broker-a-s, since its route, last polled at 05:00, has no master. The new "
        "pod fetches a fresh route, which lists broker-a, registers there and, at its first rebalance, asks "
        "broker-a where to resume: the offsets of the stop. order-1002 to order-1005 are delivered again: "
        "a second coupon for each, every coupon of the outage.",
        "05:15，团队把事故期间压着没发的版本发布上线。旧 Pod 优雅停机，持久化消费位点：发给了 broker-a-s，因为它"
        "的路由上次是 05:00 拉的，里面没有 Master。新 Pod 拿到一份新路由，里面有 broker-a，就在那儿注册，第一次"
        "重平衡时问 broker-a 从哪儿接着消费：停机时的消费位点。order-1002 到 order-1005 又投递了一遍：每单第二张券，"
        "故障期间发的券全都重发了一遍。",
    ),
    "l16.moral.naive": (
        "The coupon system did nothing wrong: it consumed from the slave and persisted its offsets there, as "
        "RocketMQ's client does. The master came back with older offsets, the slave's sync erased the newer "
        "ones, and the next process to start a queue replayed the whole outage.",
        "优惠券系统没做错什么：它从 Slave 消费，把消费位点持久化到 Slave，RocketMQ 客户端本来就是这么做的。Master "
        "带着更旧的消费位点回来，Slave 的定时同步抹掉了更新的那份，下一个接手队列的进程就把整个故障期间重新消费了一遍。",
    ),
    # ---------------------------------------------------------------- run 2: persist every second
    "l16.run.persist": (
        "coupon side: persist consumer offsets every second",
        "优惠券侧：每秒持久化一次消费位点",
    ),
    "l16.explain.persist": (
        "The team lowers persistConsumerOffsetInterval from 5000 ms to 1000 ms: offsets that reach the broker "
        "every second should survive anything.",
        "团队把 persistConsumerOffsetInterval 从 5000 毫秒调到 1000 毫秒：每秒都上报到 Broker 的消费位点，"
        "总该什么都扛得住了吧。",
    ),
    "l16.persist.1": (
        "Same stop, same outage, same four coupons from the slave. Their offsets reach a broker at 01:40, "
        "when the restarted process first persists (10 s after its start), and again every second after: "
        "broker-a-s. broker-a is down; it sees none of them.",
        "同样的停机，同样的故障，同样从 Slave 发出四张券。它们的消费位点在 01:40 到了 Broker（重启后的进程启动 10 秒"
        "后第一次持久化），之后每秒再报一次：到的是 broker-a-s。broker-a 挂着，一个也没收到。",
    ),
    "l16.persist.2": (
        "broker-a comes back with the offsets of the stop, and the slave's sync copies them over its own at "
        "05:13. A second later the coupon process puts its own back on the slave: broker-a-s is right again, "
        "broker-a is not. The deploy's new pod asks broker-a: order-1002 to order-1005 get a second coupon, "
        "as before.",
        "broker-a 带着停机时的消费位点回来，05:13 Slave 的定时同步把它们盖到自己那份上。一秒后，优惠券进程又把自己的"
        "消费位点报回了 Slave：broker-a-s 又对了，broker-a 还是错的。发布后的新 Pod 去问 broker-a：order-1002 到 "
        "order-1005 又各多了一张券，和上一轮一样。",
    ),
    "l16.moral.persist": (
        "The offsets reached a broker every second: the wrong one. A persist interval decides how fresh the "
        "table is on the broker the client reaches, not on the broker the next process asks.",
        "消费位点确实每秒都到了 Broker：可惜到错了地方。持久化间隔决定的是客户端连上的那个 Broker 上的表有多新，"
        "管不了下一个进程去问的那个 Broker。",
    ),
    # ---------------------------------------------------------------- run 3: UNIQUE key
    "l16.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l16.explain.right": (
        "UNIQUE key on coupons(order_id), inserted in the coupon's own transaction; a violation is answered "
        "with CONSUME_SUCCESS. The red-packet table gets the same key.",
        "coupons(order_id) 上加唯一索引，和发券在同一个事务里插入；唯一键冲突就直接返回 CONSUME_SUCCESS。红包表也加上"
        "同样的唯一索引。",
    ),
    "l16.right.1": (
        "The same story up to the deploy: order-1001's coupon, the stop, the outage, four coupons from the "
        "slave, the master back with the offsets of the stop, the slave's sync going back with it.",
        "发布之前都一样：order-1001 的券，停机，故障，从 Slave 发出的四张券，Master 带着停机时的消费位点回来，"
        "Slave 的定时同步也跟着退了回去。",
    ),
    "l16.right.2": (
        "The deploy's new pod resumes from broker-a's offsets and gets order-1002 to order-1005 again. Each "
        "INSERT hits the UNIQUE key: the handler rolls back and returns CONSUME_SUCCESS, and the offsets move "
        "on, now on broker-a. One coupon per order.",
        "发布后的新 Pod 从 broker-a 的消费位点接着消费，又拿到了 order-1002 到 order-1005。每条 INSERT 都撞上唯一"
        "索引（唯一键冲突）：消费逻辑回滚并直接返回 CONSUME_SUCCESS，消费位点接着往前走，这回是在 broker-a 上。"
        "每单一张券。",
    ),
    "l16.moral.right": (
        "One coupon per order. Whichever broker forgot, the coupon's own database remembers.",
        "每单一张券。不管哪个 Broker 忘了，优惠券自己的数据库都记着。",
    ),
    "l16.diagnosis": (
        "The rules at work: a client reads from the master while its route lists it, and from the slave "
        "otherwise (findBrokerAddressInSubscribe); it refreshes its route every 30 s (pollNameServerInterval). "
        "A slave serves pulls only with slaveReadEnable=true (5.x default false: SYSTEM_BUSY; 4.x always "
        'served them), and stores the offsets a client persists to it (RemoteBrokerOffsetStore: "once the '
        'Master is off, updated to Slave"). Nothing syncs them back: the master comes back with the offsets '
        "it had flushed, and the slave's sync (every 63 s in 5.x, every 10 s in 4.9) puts the master's table "
        "over its own. A consumer that starts a queue (a restart, a rebalance) reads that table; one that "
        "kept running puts its own offsets back on the master with its first pull there.",
        "起作用的规则：路由里有 Master，客户端就从 Master 读，没有就从 Slave 读（findBrokerAddressInSubscribe）；"
        "路由每 30 秒刷新一次（pollNameServerInterval）。Slave 只有在 slaveReadEnable=true 时才响应拉取（5.x 默认 "
        "false：SYSTEM_BUSY；4.x 一直都响应），客户端持久化到它那儿的消费位点它也照存不误（RemoteBrokerOffsetStore："
        '"once the Master is off, updated to Slave"）。没有任何机制把它们同步回去：Master 带着自己刷盘时的消费位点'
        "回来，Slave 的定时同步（5.x 每 63 秒，4.9 每 10 秒）再把 Master 的表盖到自己的上面。接手队列的消费者（重启、"
        "重平衡）读的就是这张表；一直在运行的消费者，第一次向 Master 拉取时就把自己的消费位点带回去了。",
    ),
    "l16.limits": (
        "With RocketMQ 5's default, slaveReadEnable=false, the slave would have refused the pulls: no coupon "
        "during the outage and nothing to replay, but four orders waiting four minutes, and the offsets of "
        "whatever was in flight when the master died still go to the slave. A Redis key with a 1 h TTL "
        "would have caught this replay, because the master was back within minutes; after an outage of a "
        "whole night it would not have. With a controller (5.x automatic failover, not modelled) the elected slave's offsets "
        "are up to 10 s old; a slave acting as master can also let two orderly consumers lock one queue "
        "(path P20, not modelled). The UNIQUE key covers every one of these.",
        "如果用 RocketMQ 5 的默认值 slaveReadEnable=false，Slave 会拒绝拉取：故障期间一张券也不发，也就没什么可"
        "重放的，代价是四个订单等上四分钟；而且 Master 挂掉时正在处理的消息，它们的消费位点照样会上报到 Slave。用 "
        "Redis 去重键、过期时间 1 小时，这次的重放能拦住，因为 Master 几分钟就回来了；要是故障持续一整夜，就拦不住了。"
        "用 Controller 做自动主从切换（5.x，未建模）时，被选为新 Master 的 Slave 上的消费位点最多落后 10 秒；Slave "
        "代理 Master 时还可能让两个顺序消费者锁住同一个队列（路径 P20，未建模）。唯一索引对这些情况一视同仁。",
    ),
    # ---------------------------------------------------------------- the shop's words
    "app.coupon_stop": (
        "the coupon team stops the coupon system (a wrong coupon template was published)",
        "优惠券团队停掉优惠券系统（发布了错误的优惠券模板）",
    ),
    "appb.coupon_stop": ("coupon system stopped", "优惠券系统停机"),
    "app.coupon_deploy": (
        "deploy: the coupon team rolls out the release it held back during the incident",
        "发布：优惠券团队上线事故期间压着没发的版本",
    ),
    "appb.coupon_deploy": ("deploy", "发布"),
    # the table of a master and its slave (``minimq.render.shop_tables.replicas``)
    "ui.replicas_title": (
        "broker-a (master) and broker-a-s (slave): topic {topic}",
        "broker-a（Master）和 broker-a-s（Slave）：主题 {topic}",
    ),
    "ui.replica_max": ("max offset\non {broker}", "{broker}\n队列\n最大位点"),
    "ui.replica_offset": ("{group}\noffset on\n{broker}", "{broker}\n上的{group}\n消费位点"),
    "ui.replica_offset_disk": (
        "{group}\noffset on\n{broker}'s disk",
        "{broker}\n磁盘上的{group}\n消费位点",
    ),
    # ---------------------------------------------------------------- speaker notes
    "note.broker-failover.intro": (
        "Ask: The master dies. With slaveReadEnable=true consumers read from the slave. Where do they "
        "persist their offsets?\n"
        "Answer: To the slave too: the client sends them to the master if its route has one, else to any "
        "broker of the name.",
        "问：Master 挂了。开了 slaveReadEnable=true，消费者从 Slave 读。那它们的消费位点持久化到哪儿？\n"
        "答：也是 Slave：路由里有 Master 就发给 Master，没有就发给同名的任意一个 Broker。",
    ),
    "note.broker-failover.r1s1": (
        "Ask: Each consumer sends its heartbeat to both brokers. Why the slave too?\n"
        "Answer: It may be the broker the consumer reads from tomorrow: to answer a rebalance it must know "
        "the group's members.",
        "问：每个消费者都给两个 Broker 发心跳。为什么连 Slave 也发？\n"
        "答：说不定哪天消费者就得从它那儿读：要回答重平衡时的查询，它得知道消费组里有哪些成员。",
    ),
    "note.broker-failover.r1s2": (
        "Ask: Four orders wait on broker-a. Are they safe if broker-a dies now?\n"
        "Answer: Yes, on broker-a-s: each was copied within 100 ms. The slave has no offsets yet: its sync "
        "runs every 63 s.",
        "问：四个订单在 broker-a 上排队。这时 broker-a 挂了，它们还在吗？\n"
        "答：在 broker-a-s 上：每条都在 100 毫秒内复制过去了。只是 Slave 上还没有消费位点：它每 63 秒才同步一次。",
    ),
    "note.broker-failover.r1s3": (
        "Ask: The master is gone. Which broker's offsets will the coupon system resume from?\n"
        "Answer: broker-a-s's, copied from the master at 01:01: the offsets of the stop.",
        "问：Master 没了。优惠券系统会从哪个 Broker 的消费位点接着消费？\n"
        "答：broker-a-s 的，01:01 从 Master 同步过来的：停机时的那份。",
    ),
    "note.broker-failover.r1s4": (
        "Ask: Would the 5.x default, slaveReadEnable=false, have changed this step?\n"
        "Answer: Yes: SYSTEM_BUSY on every pull, no coupon until the master is back, and nothing to replay.",
        "问：如果用 5.x 的默认值 slaveReadEnable=false，这一步会不一样吗？\n"
        "答：会：每次拉取都是 SYSTEM_BUSY，Master 回来之前一张券也不发，之后也就没什么可重放的。",
    ),
    "note.broker-failover.r1s5": (
        "Ask: The master is back. Who now knows that the four orders were consumed?\n"
        "Answer: Only the running coupon process, in memory. Both brokers went back to the offsets of the "
        "stop: the master loaded its disk, the slave synced from it.",
        "问：Master 回来了。现在谁还知道这四个订单已经消费过了？\n"
        "答：只有还在运行的优惠券进程，记在内存里。两个 Broker 都退回到了停机时的消费位点：Master 读的是自己的磁盘，"
        "Slave 又从它那儿同步了过去。",
    ),
    "note.broker-failover.r1s6": (
        "Ask: Had the deploy come at 05:40 instead, would it replay?\n"
        "Answer: No: by then the running process had polled its route (05:30), pulled from the master and "
        "committed its offsets there. The window is the time a route takes to learn the master is back.",
        "问：要是发布推迟到 05:40，还会重放吗？\n"
        "答：不会：那时运行中的进程已经拉过路由（05:30），向 Master 拉取时把消费位点带了回去。窗口期就是路由得知 "
        "Master 回来所需的那段时间。",
    ),
    "note.broker-failover.r1end": (
        "Ask: Next run, the coupon system persists its offsets every second. How many duplicates?\n"
        "Answer: The same four: every second, to the slave.",
        "问：下一轮，优惠券系统每秒持久化一次消费位点。会有几张重复券？\n答：还是四张：每秒都发，发给的是 Slave。",
    ),
    "note.broker-failover.r2s1": (
        "Ask: Could the ops team have saved the offsets by hand?\n"
        "Answer: Before starting the master, copy the slave's consumerOffset.json over the master's "
        "(apache/rocketmq#1094). A runbook step, easy to forget: keep the consumer idempotent anyway.",
        "问：运维能不能手工把消费位点救回来？\n"
        "答：拉起 Master 之前，把 Slave 的 consumerOffset.json 拷过来盖掉 Master 的（apache/rocketmq#1094）。这是"
        "运维手册上的一步，很容易忘：消费者还是得幂等。",
    ),
    "note.broker-failover.r3s1": (
        "Ask: The replays hit the UNIQUE key. Which broker gets the offsets this time?\n"
        "Answer: broker-a: the new pod's route lists the master, and CONSUME_SUCCESS moves them on there.",
        "问：重放的消息撞上了唯一索引。这回消费位点交给哪个 Broker？\n"
        "答：broker-a：新 Pod 的路由里有 Master，返回 CONSUME_SUCCESS 后消费位点就在那儿往前走。",
    ),
    "note.broker-failover.end": (
        "Ask: A Redis key with a 1 h TTL would have caught this replay. Is it a fix?\n"
        "Answer: Only because the master was back within the hour. An outage lasts as long as it lasts: a "
        "record in the coupon's own transaction never expires.",
        "问：Redis 去重键设 1 小时过期，也能拦住这次重放。这算修好了吗？\n"
        "答：只因为 Master 一小时内就回来了。故障持续多久由不得你：和券在同一个事务里写下的记录永不过期。",
    ),
}
