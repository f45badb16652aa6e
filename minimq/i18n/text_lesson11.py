"""Lesson 11 (path P19, two containers with one client id): its narration, English and
Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson11``); which orders land
on which queue depends on the seed, so the text names queues, not orders.
"""

LESSON11: dict[str, tuple[str, str]] = {
    "l11.title": (
        "Lesson 11 · One client id for two containers: the same queues twice, the others for nobody",
        "第 11 课 · 两个容器共用一个 clientId：一半队列消费两遍，另一半没人消费",
    ),
    "l11.setting": (
        "The coupon system runs as two containers on one host, with host networking. A RocketMQ client "
        "names itself clientIP@instanceName. In each container it finds the same address, 172.17.0.1 "
        "(docker0), and the deploy's shared configuration sets the instance name to coupon-system "
        "(setInstanceName, or -Drocketmq.client.name), so that the id stays the same across restarts. Both "
        "containers register as 172.17.0.1@coupon-system. Left unset, a 4.9.0+ client names each start "
        "pid#nanoTime; a client before 4.9.0 used the pid alone, so two JVMs that are both pid 1 in their "
        "containers collided with nothing set at all. Each handler spends 1.2 s at the marketing service and "
        "0.3 s notifying the user. The tables show, per container, its local consumer offset and the queue "
        "offsets it has in flight; a blank cell means that container does not own the queue.",
        "优惠券系统在同一台宿主机上跑两个容器，用的是 host 网络。RocketMQ 客户端给自己起的名字（clientId）是 "
        "clientIP@instanceName。两个容器里它拿到的地址一样，都是 172.17.0.1（docker0）；发布用的公共配置又把 "
        "instanceName 写死成 coupon-system（setInstanceName，或者 -Drocketmq.client.name），图的是重启后 clientId "
        "不变。于是两个容器都以 172.17.0.1@coupon-system 注册。如果不设 instanceName，4.9.0 及以后的客户端每次启动"
        "都会取 pid#nanoTime；4.9.0 以前只取 pid，两个容器里的 JVM 进程号都是 1，什么都不设 clientId 也会重复。优惠券系统处理"
        "每条消息先花 1.2 秒问营销服务，再花 0.3 秒给用户发通知。表里按容器列出本地消费位点和处理中的队列位点；空白表示"
        "这个容器没分到这个队列。",
    ),
    "l11.start": (
        "Both containers start at 0 s and send their heartbeats. The broker keeps one member per connection, "
        "with the client id its heartbeat carried: two members, one id, listed twice "
        "(ConsumerGroupInfo.getAllClientId). At its first rebalance, 1 s later, each container sorts that list "
        "and looks itself up: AllocateMessageQueueAveragely takes the first index of its id (indexOf), 0, in "
        "both. So both take queues 0 and 1, and the retry queue; queues 2 and 3 belong to the second place "
        "in the list, which nobody looks up. No error, no warning: each container believes it has its half.",
        "两个容器都在第 0 秒启动，各自发心跳。Broker 按连接记成员，每个连接记下心跳里带的 clientId：两个成员，"
        "同一个 clientId，列表里出现两次（ConsumerGroupInfo.getAllClientId）。1 秒后第一次重平衡（Rebalance，"
        "也叫负载均衡），每个容器把列表排好序，找自己的位置：AllocateMessageQueueAveragely 用的是这个 clientId 第一次"
        "出现的下标（indexOf），两个容器算出来都是 0。于是两个都拿了队列 0 和 1，还有重试队列；队列 2 和 3 归列表第二个"
        "位置，可谁也不会去找第二个位置。没有报错，没有告警：每个容器都以为自己分到了一半。",
    ),
    "l11.start.right": (
        "Both containers start at 0 s, with no instance name set: each one's client replaces DEFAULT with "
        "its own pid#nanoTime, so the broker lists two ids. At their first rebalance, 1 s later, each finds "
        "its own index in the sorted list and takes two queues; the retry queue goes to the first id.",
        "两个容器都在第 0 秒启动，这次没设 instanceName：各自的客户端把 DEFAULT 换成自己的 pid#nanoTime，Broker "
        "上列出的是两个不同的 clientId。1 秒后第一次重平衡，每个容器在排好序的列表里找到自己的下标，各拿两个队列；"
        "重试队列归排在前面的那个 clientId。",
    ),
    "l11.run.naive": ("naive: one instance name for both containers", "朴素实现：两个容器共用一个 instanceName"),
    "l11.explain.naive": (
        "The coupon system inserts a coupon for every message. Both containers run with the shared configuration.",
        "优惠券系统每收到一条消息就插一张券。两个容器都用那份公共配置。",
    ),
    "l11.naive.1": (
        "At 3 s four orders are paid, one to each queue. The two on queues 0 and 1 reach both containers in "
        "the same millisecond (each container's pull was waiting at the broker for that queue), and both "
        "issue a coupon. The two on queues 2 and 3 are stored, and that is all: nobody pulls those queues. "
        "The broker shows no consumer offset on any queue yet: the offsets consumed reach it with the next "
        "pull, or with the first persist, 10 s after the start.",
        "第 3 秒，四个订单付款，每个队列各落一条。队列 0 和 1 上的两条在同一毫秒到了两个容器（两个容器对这个队列的"
        "拉取请求都挂在 Broker 上等着），两边各发了一张券。队列 2 和 3 上的两条存进了 Broker，然后就没有然后了："
        "没人拉这两个队列。Broker 上还看不到任何队列的消费位点：消费进度要等下一次拉取带上去，或者等启动 10 秒后的"
        "第一次持久化。",
    ),
    "l11.naive.2": (
        "From 8 s to 8.5 s the marketing service answers 503. Four more orders are paid at 8 s. Each of the two "
        "on queues 0 and 1 reaches both containers; both handlers throw, and each container sends the message "
        "back (RECONSUME_LATER): the broker takes it back twice, for two retry copies 10 s later (delay level "
        "3). On queues 2 and 3 the max offset is now 2 and there is still no consumer offset: a backlog that "
        "grows with every order, in silence.",
        "第 8 秒到第 8.5 秒，营销服务一直返回 503。第 8 秒又有四个订单付款。队列 0 和 1 上的两条各自到了两个容器，两边的"
        "消费逻辑都抛了异常，每个容器都把消息发回 Broker（RECONSUME_LATER）：同一条消息 Broker 收下了两次，10 秒后"
        "（延迟级别 3）会存出两条重试消息。队列 2 和 3 的最大位点已经是 2，消费位点还是空的：消息越积越多，悄无声息。",
    ),
    "l11.naive.3": (
        "At about 18 s the retry copies appear in %RETRY%coupon-system, two per failed order. Both containers "
        "own that queue too, so each gets both copies: four deliveries and four coupons per order. Every "
        "failure doubles: had the retries failed again, four copies would have gone back, then eight (the "
        "report in apache/rocketmq #1589). Queues 2 and 3 still hold their two orders each, and nobody will "
        "consume them.",
        "第 18 秒左右，重试队列 %RETRY%coupon-system 里出现了重试消息，每个失败的订单两条。这个队列两个容器也都持有，"
        "所以每个容器两条都拿到：每单投递四次，发了四张券。每失败一次就翻一倍：重试要是再失败，发回去的就是四条，"
        "再往后是八条（apache/rocketmq #1589 报的就是这个）。队列 2 和 3 上各压着两个订单，永远不会有人消费。",
    ),
    "l11.moral.naive": (
        "One misconfigured id: the orders on half the queues get two coupons (four after a retry), the orders "
        "on the other half none at all. No exception, no error log; only the consumer lag of queues 2 and 3 "
        "grows.",
        "一个配错的 clientId：一半队列上的订单发两张券（重试之后四张），另一半一张都没有。没有异常，没有错误日志，"
        "只有队列 2 和 3 的消费堆积在涨。",
    ),
    "l11.run.qti": ("coupon side: query, then insert", "优惠券侧：先查再插"),
    "l11.explain.qti": (
        'The tempting fix for "consumed twice": before issuing, SELECT the order\'s coupon, and insert only if '
        "there is none. There is no UNIQUE key, and the configuration stays as it is.",
        "针对“消费了两遍”最容易想到的修法：发券前先 SELECT 这个订单的券，查不到才插。表上没有唯一索引，配置也没动。",
    ),
    "l11.qti.1": (
        "Same containers, same seed. Both containers get each message in the same millisecond, so both SELECTs "
        "find nothing and both insert: the check races the other container. The retry copies arrive together "
        "as well: four SELECTs, four inserts. And the query does nothing for queues 2 and 3.",
        "同样的两个容器，同样的 seed。两个容器在同一毫秒拿到同一条消息，两次 SELECT 都查不到，两边都插了：先查再插"
        "挡不住并发，这就是竞态。重试消息也是一起到的：四次 SELECT，四次插入。队列 2 和 3 更是管不着。",
    ),
    "l11.moral.qti": (
        "Query-then-insert cannot see a copy handled at the same moment, and a duplicated client id delivers "
        "its copies at exactly the same moment. Nor does it bring back the orders nobody consumes.",
        "先查再插看不见同一时刻正在处理的另一条，而 clientId 重复偏偏就是在同一时刻把消息投两遍。没人消费的那些订单，它也救不回来。",
    ),
    "l11.run.unique": ("coupon side: UNIQUE key, nothing else", "优惠券侧：只加唯一索引"),
    "l11.explain.unique": (
        "A UNIQUE index on coupons(order_id), the insert in the coupon's own transaction, a key conflict "
        "acknowledged with CONSUME_SUCCESS; the red-packet system gets its UNIQUE key too. The configuration "
        "stays as it is.",
        "coupons 表在 order_id 上建唯一索引，券在自己的事务里插入，唯一键冲突直接返回 CONSUME_SUCCESS；红包系统也加上"
        "唯一索引。配置还是原样。",
    ),
    "l11.unique.1": (
        "Same containers. Every duplicate now fails on the UNIQUE key: one coupon per order that is consumed. "
        "But look at the table: queues 2 and 3 still have max offset 2 and no consumer offset. Four paid "
        "orders have no coupon, and nothing says so.",
        "同样的两个容器。每条重复消息的 INSERT 都报唯一键冲突：被消费到的订单每单一张券。可再看表：队列 2 和 3 的最大位点还是 2，"
        "消费位点还是空的。四个已支付的订单一张券也没有，而且没有任何地方提示。",
    ),
    "l11.moral.unique": (
        "The UNIQUE key hides the duplicates and leaves the real fault in place: half the queues are consumed "
        "by nobody. Idempotency is the defence in depth here, not the fix.",
        "唯一索引把重复盖住了，真正的故障还在：一半队列没人消费。在这里幂等只是纵深防御，不是修复。",
    ),
    "l11.run.right": (
        "the fix: a client id per container, and the UNIQUE key",
        "正确做法：每个容器一个 clientId，再加唯一索引",
    ),
    "l11.explain.right": (
        "The instance name is removed from the shared configuration (or set per container, to the pod's name, "
        "say): a 4.9.0+ client then names each start pid#nanoTime, and the two containers register under two "
        "ids. The UNIQUE key stays, on the coupon side and on the red-packet side.",
        "把 instanceName 从公共配置里删掉（或者每个容器各设各的，比如用 Pod 名）：4.9.0 及以后的客户端每次启动都取 "
        "pid#nanoTime，两个容器就以两个不同的 clientId 注册。唯一索引保留，优惠券侧和红包侧都留着。",
    ),
    "l11.right.1": (
        "Two members, two ids: each container finds its own index and takes two queues (which two follows the "
        "sorted ids). Every order is delivered once. The four paid while the marketing service is down fail "
        "once, go back once, and their one retry copy each is consumed once, 10 s later. One coupon per "
        "order, none missing.",
        "两个成员，两个 clientId：每个容器找到自己的下标，各拿两个队列（拿哪两个取决于排序后的 clientId）。每个订单只投递一次。"
        "营销服务返回 503 期间付款的那四单各失败一次、发回一次，10 秒后各自唯一的那条重试消息被消费一次。每单一张券，一单不少。",
    ),
    "l11.moral.right": (
        "Fix the cause, the configuration, and keep the UNIQUE key for the duplicates RocketMQ delivers anyway.",
        "先修根因，也就是配置；唯一索引照样留着，对付 RocketMQ 本来就会投递的那些重复消息。",
    ),
    "l11.diagnosis": (
        "How to tell: mqadmin consumerConnection -g coupon-system lists one #ClientId with two #ClientAddr; "
        "mqadmin consumerProgress -g coupon-system shows queues whose #Diff only grows; the same order is "
        "consumed twice within a millisecond, by two processes; retry copies in %RETRY%coupon-system come in "
        "pairs. The rules at work: clientId = clientIP@instanceName (ClientConfig.buildMQClientId); a "
        "clustering consumer left at DEFAULT gets pid#nanoTime since 4.9.0, the pid alone before "
        "(changeInstanceNameToPID); the broker keeps one member per connection (ConsumerGroupInfo) and lists "
        "its id once per connection (getAllClientId); each consumer allocates on its own, from the sorted ids, "
        "at the first index of its own id (AllocateMessageQueueAveragely, indexOf).",
        "怎么认出来：mqadmin consumerConnection -g coupon-system 里同一个 #ClientId 对应两个 #ClientAddr；mqadmin "
        "consumerProgress -g coupon-system 里有些队列的 #Diff 只涨不降；同一个订单在同一毫秒被两个实例各消费一次；"
        "%RETRY%coupon-system 里的重试消息成对出现。起作用的规则：clientId = clientIP@instanceName"
        "（ClientConfig.buildMQClientId）；集群消费模式下 instanceName 留着 DEFAULT 的，4.9.0 起会换成 pid#nanoTime，"
        "之前只换成 pid（changeInstanceNameToPID）；Broker 按连接记成员（ConsumerGroupInfo），每个连接把它的 clientId "
        "列一次（getAllClientId）；每个消费者各自按排好序的 clientId 列表分配，位置取自己 clientId 第一次出现的下标"
        "（AllocateMessageQueueAveragely，indexOf）。",
    ),
    "l11.limits": (
        "What the fix does not cover: distinct client ids make the allocation right; every other way RocketMQ "
        "delivers twice remains (restarts, deploys, retries: lessons 3, 5 and 6), which is why the UNIQUE key "
        "stays. A backlog built up while the ids collided is consumed in one burst once they no longer do, "
        "from the queues' consumer offset (here none yet, so from 0): every effect must take that burst. "
        "Switching to AllocateMessageQueueAveragelyByCircle does not help: it looks the id up with indexOf "
        "too, and both containers take queues 0 and 2.",
        "修不到的地方：clientId 不再重复，分配就对了；但 RocketMQ 的其他重复投递一个都不会少（重启、发布、重试："
        "第 3、5、6 课），所以唯一索引得留着。clientId 重复期间积压的消息，修好之后会一口气被消费掉，从这些队列的消费位点"
        "开始（这里还没有消费位点，所以从 0 开始）：每个下游都得扛得住这一波。换成 AllocateMessageQueueAveragelyByCircle "
        "也没用：它同样用 indexOf 找位置，两个容器都会拿队列 0 和 2。",
    ),
}
