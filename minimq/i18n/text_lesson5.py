"""Lesson 5 (paths P7 and P6, a deploy scales the coupon system out and in): its
narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson5``); where a time
depends on the seed (which queue an order lands on), the text rounds it ("about 5.2 s").
"""

LESSON5: dict[str, tuple[str, str]] = {
    "l5.title": (
        "Lesson 5 · Scale-out: a deploy moves queues while messages are in flight",
        "第 5 课 · 扩容缩容：发布时队列换了主人，消息还在处理中",
    ),
    "l5.setting": (
        "No failure at all this time, only a deploy. Traffic grows, so the coupon system gets a second "
        "process, and later gives it back. Each coupon handler spends 1.2 s at the marketing service, commits "
        "the coupon, then 0.3 s notifying the user: 1.5 s in flight. The tables show, per coupon process, its "
        "local consumer offset and the queue offsets it has in flight; a blank cell means that process does not "
        "own the queue. The red-packet system runs one process and stays out of the pictures.",
        "这次没有任何故障，只是一次发布。流量涨了，优惠券系统扩容加一个进程，过一阵再缩回去。优惠券系统的消费逻辑（MessageListener）每处理一条消息，"
        "先花 1.2 秒问营销服务，写入券（事务已提交），再花 0.3 秒给用户发通知：每条消息要处理 1.5 秒。表里按进程列出"
        "本地消费位点和处理中的队列位点；空白表示这个进程不持有这个队列。红包系统只有一个进程，这一课的图里不画它。",
    ),
    "l5.history": (
        "Before the story: the coupon system runs one process, coupon-1, started at 0 s with the red-packet "
        "system. It joined its group with a heartbeat and took all four queues at its first rebalance, 1 s "
        "later. Four earlier orders, paid at 1.5 s, one to each queue, are done: coupon-1's local consumer "
        "offset is 1 on every queue. The broker learns it with the next pull of each queue, or at the first "
        "5 s persist, 10 s after the start.",
        "故事开始之前：优惠券系统只有一个进程 coupon-1，和红包系统一起在第 0 秒启动。它先发心跳加入消费组，1 秒后"
        "第一次重平衡（Rebalance，也叫负载均衡）时分到全部四个队列。第 1.5 秒有 4 个早先的订单付款，每个队列各一条，"
        "已经处理完：coupon-1 在每个队列的本地消费位点都是 1。Broker 要等这个队列的下一次拉取把它带上去，"
        "或者等启动 10 秒后那次每 5 秒一轮的持久化，才知道这个值。",
    ),
    "l5.run.naive": ("naive: no idempotency", "朴素实现：不做幂等"),
    "l5.explain.naive": (
        "The coupon system inserts a coupon for every message it gets. The deploy starts coupon-2 at 5 s and "
        "removes it, gracefully, at 11.4 s.",
        "优惠券系统每收到一条消息就插一张券。发布在第 5 秒启动 coupon-2，第 11.4 秒把它优雅停机下线。",
    ),
    "l5.out.1": (
        "At 4 s four orders are paid, 20 ms apart, order-1001 to order-1004: one to each queue, at queue "
        "offset 1. coupon-1 takes all four at once and is still working on them: each is in flight for "
        "1.5 s. The pulls that follow carry offset 1 to the broker: a message in flight holds the consumer "
        "offset at its own queue offset.",
        "第 4 秒，order-1001 到 order-1004 四个订单前后相隔 20 毫秒付款，每个队列各落一条，队列位点都是 1。"
        "coupon-1 四条一起接过来，都还在处理中：每条要 1.5 秒。紧接着的拉取请求把消费位点 1 带给了 Broker："
        "处理中的消息会把消费位点卡在它自己的队列位点上。",
    ),
    "l5.out.2": (
        "At 5 s the deploy starts coupon-2. It joins as every RocketMQ client does, with a heartbeat, which "
        "reaches the broker 1 ms later; the broker tells both members to rebalance "
        "(NOTIFY_CONSUMER_IDS_CHANGED). coupon-1 rebalances at once: with two members, "
        "AllocateMessageQueueAveragely leaves it queues 0 and 1. It gives queues 2 and 3 up and persists "
        "their offset, 1: the messages on them are still in flight. Their handlers run on: coupon-1 commits "
        "both coupons at about 5.2 s, and at about 5.5 s learns that their results are discarded, because "
        "the queues are no longer its. coupon-2 has not taken them yet: a RocketMQ 5 consumer rebalances at "
        "most once a second, the first time a second after it starts. Until then queues 2 and 3 belong to "
        "nobody (blank in the table).",
        "第 5 秒，发布启动了 coupon-2。它和所有 RocketMQ 客户端一样靠心跳加入消费组，心跳 1 毫秒后到达 Broker；"
        "Broker 通知两个成员都去重平衡（NOTIFY_CONSUMER_IDS_CHANGED）。coupon-1 马上重平衡：现在有两个成员，"
        "AllocateMessageQueueAveragely 只给它留下队列 0 和 1。它让出队列 2 和 3，把这两个队列的消费位点 1 持久化到 "
        "Broker：上面的消息还在处理中。这两条消息的消费逻辑照常跑完：coupon-1 在第 5.2 秒左右写入了两张券，第 5.5 秒左右"
        "才发现结果作废了，因为队列已经不归它了。coupon-2 这时还没接手：RocketMQ 5 的消费者一秒最多重平衡一次，"
        "启动一秒后才第一次重平衡。在那之前，队列 2 和 3 没有主人（表里是空白）。",
    ),
    "l5.out.3": (
        "At 6 s, a second after it started, coupon-2 rebalances, takes queues 2 and 3 and asks the broker where "
        "to resume: offset 1, the offset coupon-1 persisted when it gave them up. Its first pull comes 500 ms "
        "later (RebalanceImpl dispatches a gained queue's first pull with a 500 ms delay): at 6.5 s it gets "
        "the two messages again and issues their coupons a second time. coupon-1 did finish them, after "
        "giving the queues up; nothing of that reached the broker. A RocketMQ 4.9 client would have taken "
        "the queues and pulled them at once, while coupon-1 was still asking the marketing service: the two "
        "processes would have worked on the same order at the same moment.",
        "第 6 秒，也就是启动一秒后，coupon-2 重平衡，接手队列 2 和 3，问 Broker 从哪儿接着消费：消费位点 1，正是 coupon-1 "
        "让出队列时持久化的那个值。它的第一次拉取又晚了 500 毫秒（RebalanceImpl 给新分到的队列派发第一次拉取时延迟 500 "
        "毫秒）：第 6.5 秒，它把那两条消息又拿到了一遍，两单又各发了一张券。coupon-1 其实已经处理完了，可那时队列已经让出去了，"
        "这个进度没有报给 Broker。如果是 RocketMQ 4.9 的客户端，coupon-2 会立刻接手、立刻拉取，那时 coupon-1 还在问营销服务："
        "两个进程会在同一时刻处理同一个订单。",
    ),
    "l5.in.1": (
        "At 10 s four more orders are paid, order-1005 to order-1008, one to each queue at queue offset 2: "
        "coupon-1 takes the two on queues 0 and 1, coupon-2 the two on queues 2 and 3. By 11.3 s every coupon "
        "is committed, and every handler is still notifying its user, until about 11.5 s.",
        "第 10 秒又有 order-1005 到 order-1008 四个订单付款，每个队列各一条，队列位点都是 2：coupon-1 拿到队列 0 和 1 "
        "上的两条，coupon-2 拿到队列 2 和 3 上的两条。到第 11.3 秒，券都写入了（事务已提交），但每条消息的消费逻辑还在"
        "给用户发通知，要到第 11.5 秒左右才返回。",
    ),
    "l5.in.2": (
        "At 11.4 s the deploy removes coupon-2, gracefully. Shutdown interrupts its running handlers (their "
        "coupons are already committed) and persists its offsets: 2 on queues 2 and 3, held back by the two "
        "messages still in flight. It unregisters, and the broker tells coupon-1, which rebalances at once "
        "(its last rebalance was at 5 s) and takes queues 2 and 3 back, from offset 2.",
        "第 11.4 秒，发布把 coupon-2 优雅停机下线。停机打断了它正在跑的消费逻辑（券已经写入了），再持久化消费位点："
        "队列 2 和 3 都是 2，被那两条还在处理中的消息卡住了。它向 Broker 注销，Broker 通知 coupon-1；coupon-1 马上"
        "重平衡（它上一次重平衡是在第 5 秒），从消费位点 2 起重新接手队列 2 和 3。",
    ),
    "l5.in.3": (
        "coupon-1 pulls them 500 ms later, at 11.9 s, gets both messages again and issues two more duplicate "
        "coupons. The graceful shutdown saved what was finished; what was in flight is delivered again.",
        "coupon-1 在 500 毫秒后、第 11.9 秒拉取，又拿到了这两条消息，又重复发放了两张券。优雅停机保住了处理完的，"
        "处理中的照样重新投递。",
    ),
    "l5.moral.naive": (
        "Eight orders, four of them in flight when their queue changed owner: four duplicate coupons. Nothing "
        "failed. A scale-out and a scale-in did what RocketMQ promises: at least once.",
        "八个订单，其中四个在队列换主人时还在处理中：重复发放四张券。什么都没出错，扩容和缩容只是兑现了 RocketMQ 的承诺："
        "至少一次（At Least Once）。",
    ),
    "l5.run.memory": ("coupon side: an in-memory set of order ids", "优惠券侧：本地内存去重（订单号 Set）"),
    "l5.explain.memory": (
        "The tempting fix: each coupon process remembers, in memory, the orders it has served, and "
        "acknowledges an order it has seen without issuing a coupon.",
        "看似能修好的做法：每个优惠券进程在内存里记下处理过的订单号，见过的订单直接返回 CONSUME_SUCCESS，不再发券。",
    ),
    "l5.memory.1": (
        "Same deploys, same seed. coupon-2 starts with an empty set: the two messages coupon-1 served are new "
        "to it. At the scale-in, coupon-1's set holds only the orders coupon-1 served. Four duplicate coupons "
        "again.",
        "同样的发布，同样的 seed。coupon-2 启动时内存里的 Set 是空的：coupon-1 处理过的那两条，对它来说都是新的。缩容时，"
        "coupon-1 的 Set 里只有它自己处理过的订单。照样重复发放四张券。",
    ),
    "l5.moral.memory": (
        "Two processes do not share memory, and a new process starts with none. An in-memory set only catches "
        "a duplicate that comes back to the process that served it, while that process is still running.",
        "两个进程不共享内存，新进程的内存是空的。本地内存去重只拦得住回到同一个进程、而且这个进程还活着的那种重复。",
    ),
    "l5.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l5.explain.right": (
        "A UNIQUE index on coupons(order_id); the coupon is inserted in its own transaction, and a key conflict "
        "is acknowledged with CONSUME_SUCCESS. The red-packet system gets its UNIQUE key too: every group has "
        "to be idempotent on its own.",
        "coupons 表在 order_id 上建唯一索引；券在自己的事务里插入，唯一键冲突就直接返回 CONSUME_SUCCESS。红包系统也加上"
        "自己的唯一索引：每个消费组都得自己做幂等。",
    ),
    "l5.right.1": (
        "Same deploys. The same four messages are delivered a second time, each to the other process; each "
        "insert hits the UNIQUE key and the handler acknowledges the duplicate. One coupon per order.",
        "同样的发布。那四条消息照样又投递了一遍，每条都投给了另一个进程；每次插入都唯一键冲突，消费逻辑直接返回"
        " CONSUME_SUCCESS。每单一张券。",
    ),
    "l5.moral.right": (
        "The database knows what every process did, whichever one did it. The duplicate deliveries are still "
        "there (the summary counts them): the fix makes them harmless.",
        "数据库知道每个进程做过什么，不管是哪个进程做的。重复投递一次也没少（汇总表照样数得出来）：正确做法只是让它们变得无害。",
    ),
    "l5.diagnosis": (
        "How to tell: the same order id issued by two processes of the coupon system (or twice by one, after a "
        "scale-in), 1.5 to 2 s apart, right after a deploy, and in the old owner's client log "
        '"processQueue is dropped without process consume result". '
        "mqadmin consumerConnection -g coupon-system shows the members changing. The rules at work (RocketMQ 5.3.x): a consumer joins with a heartbeat "
        "(HEART_BEAT), and the broker notifies every member (NOTIFY_CONSUMER_IDS_CHANGED); each rebalances at "
        "most once a second (RebalanceService, minInterval 1000 ms), the first time a second after it starts; "
        "a queue given up is persisted at the smallest queue offset still in flight, and the results of those "
        "messages are discarded; the new owner starts from that offset, with its first pull 500 ms after its "
        "rebalance. A graceful shutdown persists the offsets the same way, held back by the messages in flight.",
        "怎么认出来：发布刚结束，优惠券系统的两个进程给同一个订单各发了一张券（缩容后也可能是同一个进程发了两张），前后差 1.5 到 "
        "2 秒；原来那个进程的客户端日志里有“processQueue is dropped without process consume result”。mqadmin consumerConnection -g coupon-system 能看到"
        "成员在变。起作用的规则（RocketMQ 5.3.x）：消费者靠心跳（HEART_BEAT）加入消费组，Broker 通知每个成员"
        "（NOTIFY_CONSUMER_IDS_CHANGED）；每个成员一秒最多重平衡一次（RebalanceService，minInterval 1000 毫秒），启动一秒后"
        "才第一次重平衡；让出的队列按还在处理中的最小队列位点持久化，这些消息的消费结果作废；新主人从这个消费位点开始消费，重平衡后 "
        "500 毫秒才第一次拉取。优雅停机也一样持久化消费位点，照样被处理中的消息卡住。",
    ),
    "l5.limits": (
        "What the fix does not cover: the UNIQUE key makes the coupon idempotent; it does not make the deploy "
        "quieter. Every scale-out and scale-in still delivers the messages in flight again, and whatever the "
        "handler does outside the coupon's transaction (an SMS, a call to another service) happens twice "
        "unless it is idempotent too (lesson 6, partial failure). A faster handler narrows the window; it does not close it. Lesson 11 "
        "shows two processes that share one client id: then no deploy is needed at all.",
        "修不到的地方：唯一索引让发券幂等了，可它管不了发布本身：每次扩容、缩容，处理中的消息照样重新投递一遍；消费逻辑在发券"
        "事务之外做的事（发短信、调别的服务）也会做两遍，除非它们自己也幂等（第 6 课，部分失败）。消费逻辑跑得快只能缩小窗口，"
        "关不上它。第 11 课演示两个进程共用一个 clientId：那时连发布都不需要，重复就来了。",
    ),
}
