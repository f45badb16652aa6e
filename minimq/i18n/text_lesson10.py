"""Lesson 10 (path P12, broadcasting: a crash replays what the offsets file missed, and a
failure is dropped, never retried): its narration, English and Chinese side by side.

Numbers in the text are the lesson world's (``minimq.lessons.lesson10``): dashboard-1
starts at 0 s, dashboard-2 at 1 s, offsets files written every 5 s from 10 s after start;
order-1005 at 12 s, dashboard-2 killed at 15.5 s and restarted at 16.5 s (same client id,
first rebalance at 17.5 s, the replay pulled at 18 s); coupon-1 from 1 s in run 3; the marketing
service down from 20 to 23 s, order-1006 at 21 s; a clustering retry 10 s later.
"""

LESSON10: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- lesson 10
    "l10.title": (
        "Lesson 10 · Broadcasting: what the offsets file missed comes back, what failed never does",
        "第 10 课 · 广播消费：消费位点文件没记下的会重来，失败的永远不会再来",
    ),
    "l10.ticket": (
        "Monday morning. Since the first-order campaign went live on Friday, customers have been writing in "
        "about their campaign coupon: most got two for one order, one got three, and one, who paid while the "
        "marketing service was being deployed, got none. And in the marketing office, every refresh of the "
        "dashboard makes the number of orders paid today jump between two values.",
        "周一早上的客服工单。首单活动周五上线以来，不断有用户反馈活动券的问题：大多数人一单拿到两张券，有一位拿"
        "到三张；还有一位恰好在营销服务发布的时候付款，一张都没拿到。另外市场部发现，实时看板每刷新一次，“今日支"
        "付订单数”就在两个数之间来回跳。",
    ),
    "l10.setting": (
        'This lesson adds a third group. The marketing team\'s screen "orders paid today" is served by two '
        "instances, dashboard-1 and dashboard-2, each from its own cache: a SQLite file on its own disk, so a "
        "restarted instance starts warm. Every instance must see every paid order, so the group dashboard "
        "consumes order-paid in BROADCASTING mode: each instance takes all 4 queues, and keeps its consumer "
        "offsets not on the broker but in a file on its own disk, "
        "~/.rocketmq_offsets/<clientId>/dashboard/offsets.json (LocalFileOffsetStore), written every 5 s, the "
        "first time 10 s after start: dashboard-1, started at 0 s, writes at 10, 15, 20 s; dashboard-2, "
        "started at 1 s, at 11, 16, 21 s (a restart starts the count again). For the first-order campaign "
        "the marketing team issues the coupon from the dashboard's listener too, after the cache write "
        '("it already gets every paid order"): it asks the marketing service (1.2 s), inserts the coupon, '
        "notifies the user (300 ms). The coupon-system group has no part in the campaign until run 3. The "
        "marketing service is down for its own deploy from 20 s to 23 s: a call then is answered 503 at "
        "once. The red-packet system runs as always and is left out of the pictures.",
        "这一课多了第三个消费组。市场部的“今日支付订单”看板由两个实例 dashboard-1 和 dashboard-2 提供，每个"
        "实例都从自己的本地缓存出数：一个放在本机磁盘上的 SQLite 文件，实例重启后缓存还在，不用冷启动。每个实例"
        "都得看到每一笔支付，所以消费组 dashboard 用广播消费（BROADCASTING）订阅 order-paid：每个实例都拿"
        "全部 4 个队列，消费位点也不存在 Broker 上，而是存在本机磁盘的一个文件里："
        "~/.rocketmq_offsets/<clientId>/dashboard/offsets.json（LocalFileOffsetStore），每 5 "
        "秒写一次，启动后第 10 秒第一次写。dashboard-1 在第 0 秒启动，第 10、15、20 秒写；dashboard-2 在第 1 "
        "秒启动，第 11、16、21 秒写（进程重启后重新计时）。首单活动上线时，市场部图省事，在看板的消费逻辑里写完缓"
        "存后顺手发活动券（“反正它每笔支付都收得到”）：先问营销服务（1.2 秒），再插一张券，再给用户发到账通知（"
        "300 毫秒）。第 3 轮之前，这个活动不经过 coupon-system 消费组。营销服务自己也在发布，第 20 到 23 秒之间"
        "不可用，这段时间的调用立刻返回 503。红包系统照常运行，图里不画它。",
    ),
    # -- run 1 -------------------------------------------------------------------------------
    "l10.run.naive": (
        "naive: count each message, issue the coupon there too",
        "朴素实现：每条消息计一次数，顺手发券",
    ),
    "l10.explain.naive": (
        "Each instance appends a row to its cache for every message (the screen shows COUNT(*), as a counter "
        "incremented per message would), then issues the campaign coupon. If that fails, the listener "
        "returns RECONSUME_LATER, as the coupon system does, counting on RocketMQ to retry. At 15.5 s "
        "dashboard-2 is killed (kill -9: its node is drained for maintenance) and started again 1 s later.",
        "每个实例每收到一条消息就往缓存里追加一行（看板显示 COUNT(*)，和每条消息计数器加一是一回事），然后发活动"
        "券。发券失败，消费逻辑就返回 RECONSUME_LATER，和优惠券系统的写法一样，指望 RocketMQ 重试。第 15.5 "
        "秒，dashboard-2 被 kill -9（所在节点要下线维护），1 秒后重新拉起。",
    ),
    "l10.history.naive": (
        "Before the story: four orders are paid between 4 and 6 s, order-1001 to order-1004, one to each "
        "queue. Both instances take every queue, so both get all four: each counts them and each issues a "
        "coupon, so every order has two coupons, the ticket's first symptom. At 10 s and 11 s the instances "
        "write their offsets files for the first time: 1 on every queue. The broker holds no offset for the "
        "group dashboard: in broadcasting it never does.",
        "故事开始之前：第 4 到 6 秒之间有 4 个订单付款，order-1001 到 order-1004，每个队列各落一条。两个实例都"
        "拿了全部队列，所以 4 条两边都收到：各自计数，各自发一张券，于是每单都有两张券，这就是工单里的第一个症状。"
        "第 10 秒和第 11 秒，两个实例第一次写消费位点文件：每个队列都是 1。Broker 上没有 dashboard "
        "组的消费位点：广播消费从来不往 Broker 存。",
    ),
    "l10.naive.order": (
        "order-1005 is paid at 12 s and lands at queue offset 1 of its queue. Both instances count it and "
        "each issues a coupon (the marketing call takes 1.2 s, the notice 300 ms). At 15 s dashboard-1 "
        "writes 2 for that queue into its file. dashboard-2 has consumed order-1005 just as well, but its "
        "file still says 1: its next write is due at 16 s, and the 2 is only in its memory.",
        "order-1005 在第 12 秒付款，落在某个队列的队列位点 1。两个实例都给它计了数，也各发了一张券（问营销服务 "
        "1.2 秒，发通知 300 毫秒）。第 15 秒，dashboard-1 把这个队列的 2 写进了自己的文件。dashboard-2 "
        "也消费完了 order-1005，可它的文件里还是 1：它下一次写文件要等到第 16 秒，2 只在进程内存里。",
    ),
    "l10.naive.kill": (
        "At 15.5 s dashboard-2 is killed and at 16.5 s it starts again. The 2 in its memory is gone; on its "
        "disk the offsets file says 1, and the cache file already holds order-1005. Its client id, "
        "10.0.0.13@DEFAULT, has not changed (a broadcasting consumer keeps the instance name DEFAULT), so "
        "it joins the group again under the same id, and at its first rebalance, 1 s later (17.5 s), it "
        "takes the four queues and reads the same file: that queue resumes at offset 1. It pulls 500 ms "
        "later, at 18 s: order-1005 again. It counts order-1005 a second time (its screen shows 6 orders, 5 "
        "were paid) and issues a third coupon for it. dashboard-1 is not affected: a broadcasting replay comes "
        "from one instance's file and hits that instance only. And the file still says 1 until "
        "dashboard-2's next write, 10 s after its restart.",
        "第 15.5 秒 dashboard-2 被杀，第 16.5 秒重新启动。内存里的 2 没了；磁盘上，消费位点文件写的是 1，缓存文件里"
        "已经有 order-1005。它的 clientId 还是 10.0.0.13@DEFAULT，没变（广播消费者的 instanceName 保持 "
        "DEFAULT），所以它用同一个 clientId 重新加入消费组；一秒后（第 17.5 秒）第一次重平衡（Rebalance，也叫负载均衡），分到四个队列，读到的"
        "还是同一个文件，这个队列从消费位点 1 接着消费。再过 500 毫秒，第 18 秒拉取：又是 order-1005。它把 order-1005 又算了一次（看板显示 6 单，实际付款 5 单），还给"
        "它发了第三张券。dashboard-1 不受影响：广播消费的重放来自某个实例自己的文件，只落在这个实例身上。直到 dashboard-2 "
        "下次写文件（重启后第 10 秒）之前，文件里一直是 1。",
    ),
    "l10.naive.down": (
        "From 20 s to 23 s the marketing service is down. order-1006 is paid at 21 s. Both instances add it "
        "to their cache, then ask the marketing service for the coupon: 503. The listener returns "
        "RECONSUME_LATER, expecting a retry 10 s later. In broadcasting there is none: the consumer logs "
        '"BROADCASTING, the message consume failed, drop it" and moves its offset on, and the next file '
        "writes (25 s, 26.5 s) record order-1006 as consumed. No instance will ever see it again: its "
        "coupon is lost.",
        "第 20 到 23 秒，营销服务挂了。order-1006 在第 21 秒付款。两个实例都先把它写进缓存，再去问营销服务该发"
        "什么券：503。消费逻辑返回 RECONSUME_LATER，以为 10 秒后会重试。广播消费没有重试：消费者只打一行日志"
        "“BROADCASTING, the message consume failed, drop it”，消费位点照样往前走，下一次写文件（第 "
        "25 秒、第 26.5 秒）就把 order-1006 记成了已消费。再也没有哪个实例会收到它：这一单的券漏发了。",
    ),
    "l10.moral.naive": (
        "An effect in a broadcasting listener happens once per instance, and once more on an instance that "
        "replays; when it fails, it fails for good.",
        "广播消费的消费逻辑里做的操作，有几个实例就做几次，哪个实例重放了就再多做一次；可它一旦失败，就再也没有下一次。",
    ),
    # -- run 2 -------------------------------------------------------------------------------
    "l10.run.idempotent": (
        "idempotent, but still broadcasting",
        "做了幂等，但还是广播消费",
    ),
    "l10.explain.idempotent": (
        "The team answers the ticket with what lessons 1 to 3 taught, and keeps broadcasting. The cache "
        "keys its rows by order id "
        "(INSERT OR IGNORE), so a replay counts nothing twice. The coupons table gets a UNIQUE key on "
        "order_id: of the two instances' inserts the first commits, the second fails on the key and is "
        "acknowledged with CONSUME_SUCCESS. The same story, the same seed.",
        "团队拿第 1 到 3 课学到的办法来处理工单，消费模式不动，还是广播消费。缓存按订单号去重（INSERT OR IGNORE），重放的消息不会被算两次。"
        "coupons 表在 order_id 上加唯一索引：两个实例的 INSERT，先到的写入（事务已提交），后到的唯一键冲突，"
        "直接返回 CONSUME_SUCCESS。同样的故事，同样的 seed。",
    ),
    "l10.history.idempotent": (
        "Before the story, as in run 1: both instances get order-1001 to order-1004 and both try to issue a "
        "coupon, but now each order has one: the second insert meets the first one's row and the UNIQUE key "
        "refuses it.",
        "故事开始之前，和第 1 轮一样：两个实例都收到了 order-1001 到 order-1004，也都想发券，但现在每单只有一"
        "张：后到的 INSERT 碰上先到的那一行，唯一键冲突，被挡了回去。",
    ),
    "l10.idempotent.kill": (
        "order-1005 at 12 s, the kill at 15.5 s and the replay, as in run 1: dashboard-2 finds order-1005 in "
        "its cache already (INSERT OR IGNORE changes nothing) and the UNIQUE key refuses a second coupon. "
        "Both screens show 5 orders.",
        "第 12 秒的 order-1005、第 15.5 秒的 kill -9 和随后的重放，都和第 1 轮一样：dashboard-2 发现缓存里"
        "已经有 order-1005（INSERT OR IGNORE 什么都没改），唯一索引也挡住了第二张券。两块看板都显示 5 单。",
    ),
    "l10.idempotent.down": (
        "Then the marketing service is down and order-1006 is paid at 21 s. Both instances fail, both "
        "return RECONSUME_LATER, both drop it. No duplicate anywhere, and still no coupon for order-1006.",
        "接着营销服务挂了，order-1006 在第 21 秒付款。两个实例都失败，都返回 RECONSUME_LATER，也都把它丢了。"
        "哪儿都没有重复，可 order-1006 还是一张券都没有。",
    ),
    "l10.moral.idempotent": (
        "Idempotency made every duplicate harmless, but it cannot bring back a message that nobody will "
        "deliver again. The UNIQUE key decides which copy counts; broadcasting decides that a failed one "
        "never comes back.",
        "幂等让所有重复都变得无害，却救不回一条再也不会被投递的消息。唯一索引决定哪一次算数；广播消费决定失败的那"
        "一次永远回不来。",
    ),
    # -- run 3 -------------------------------------------------------------------------------
    "l10.run.right": (
        "the fix: the coupon moves to a clustering group",
        "正确做法：发券挪到集群消费组",
    ),
    "l10.explain.right": (
        "The cache stays in the broadcasting group: the dashboard's listener only updates its cache, keyed by order id: state of its own instance, "
        "harmless to repeat, with no call to another service. The coupon goes to the coupon system: the "
        "group coupon-system, in CLUSTERING mode (one instance, coupon-1, from 1 s), with the UNIQUE key on "
        "coupons. In clustering a failed message is sent back to the broker and delivered again from "
        "%RETRY%coupon-system. The red-packet table gets its UNIQUE key too.",
        "缓存留在广播消费组里：看板的消费逻辑只更新自己的缓存（按订单号去重）。这是实例自己的状态，重复执行也无害，而且不调用任何外部"
        "服务。发券交回优惠券系统：消费组 coupon-system 用集群消费（CLUSTERING，一个实例 coupon-1，第 1 "
        "秒启动），coupons 表上有唯一索引。集群消费下，失败的消息会发回 Broker，再从重试队列"
        "（%RETRY%coupon-system）投递回来。红包表也加上唯一索引。",
    ),
    "l10.history.right": (
        "Before the story: coupon-1 issues one coupon for each of order-1001 to order-1004; each dashboard "
        "instance counts each order once.",
        "故事开始之前：coupon-1 给 order-1001 到 order-1004 各发了一张券；两个看板实例各把每一单计了一次。",
    ),
    "l10.right.kill": (
        "order-1005 at 12 s, the kill at 15.5 s and the replay: dashboard-2 finds order-1005 in its cache "
        "and changes nothing, and there is no coupon code in its listener any more. Both screens show 5 "
        "orders.",
        "第 12 秒的 order-1005、第 15.5 秒的 kill -9 和重放：dashboard-2 发现缓存里已有 order-1005，什么都不"
        "改；它的消费逻辑里也已经没有发券的代码了。两块看板都显示 5 单。",
    ),
    "l10.right.down": (
        "order-1006 is paid at 21 s, with the marketing service down: coupon-1's call gets a 503 and the "
        "handler raises, which RocketMQ counts as RECONSUME_LATER. This group is CLUSTERING, so the message "
        "is sent back: 10 s later (delay level 3), at about 31 s, the broker stores a retry copy in "
        "%RETRY%coupon-system and coupon-1 consumes it. The marketing service is back by then: the coupon "
        "is issued. The dashboards counted order-1006 at 21 s, with nothing in their listener that could "
        "fail.",
        "order-1006 在第 21 秒付款，营销服务正挂着：coupon-1 调用拿到 503，消费逻辑抛出异常，RocketMQ 把它"
        "当作 RECONSUME_LATER。这是集群消费组，消息被发回 Broker：10 秒后（延迟级别 3），也就是第 31 秒左右，"
        "Broker 把一条重试消息存进重试队列（%RETRY%coupon-system），coupon-1 再次消费。这时营销服务已经恢复，"
        "券发出去了。两块看板在第 21 秒就把 order-1006 计上了，它们的消费逻辑里没有任何会失败的外部调用。",
    ),
    "l10.moral.right": (
        "Each effect in its place: each instance's own state in the broadcasting group, idempotent by its "
        "key; the effect that must happen once in a clustering group, retried when it fails, idempotent by "
        "its UNIQUE key.",
        "各归其位：每个实例自己的状态放在广播消费组里，按业务键幂等；必须恰好发生一次的操作放在集群消费组里，失败"
        "了会重试，靠唯一索引保证幂等。",
    ),
    # -- closing ------------------------------------------------------------------------------
    "l10.diagnosis": (
        "The rules at work. BROADCASTING: every instance of the group takes every queue (RebalanceImpl, "
        "case BROADCASTING), so an effect in the listener happens once per instance. The consumer offsets "
        "live in a local file (LocalFileOffsetStore, ~/.rocketmq_offsets/<clientId>/<group>/offsets.json), "
        "written every persistConsumerOffsetInterval = 5000 ms (the first time 10 s after start) and at "
        "shutdown; the broker holds none. A kill -9 between two writes replays, on that instance only, "
        "everything consumed since the last write. The new process finds the file because a broadcasting "
        "consumer keeps the instance name DEFAULT, so its clientId, IP@DEFAULT, survives a restart (only "
        "CLUSTERING turns the name into pid#nanoTime). And a failure is never retried: "
        "ConsumeMessageConcurrentlyService.processConsumeResult, case BROADCASTING, only logs "
        '"BROADCASTING, the message consume failed, drop it" and moves the offset on; a broadcasting '
        'consumer does not even subscribe to a %RETRY% topic. RECONSUME_LATER means "try again later" '
        "only in CLUSTERING.",
        "起作用的规则。广播消费（BROADCASTING）：组里每个实例都拿到全部队列（RebalanceImpl 的 "
        "BROADCASTING 分支），所以消费逻辑里的操作每个实例各做一次。消费位点存在本地文件里"
        "（LocalFileOffsetStore，~/.rocketmq_offsets/<clientId>/<group>/offsets.json），每隔 "
        "persistConsumerOffsetInterval = 5000 毫秒写一次（启动后第 10 秒第一次），停机时也写一次；Broker "
        "上不存。两次写文件之间 kill -9，这个实例就会把上次写文件以来消费过的消息全部重放一遍，别的实例不受"
        "影响。新进程之所以还能找到这个文件，是因为广播消费者的 instanceName 保持 DEFAULT，clientId（"
        "IP@DEFAULT）重启前后不变（只有集群消费才会把它改成 pid#nanoTime）。而失败的消息永远不会重试："
        "ConsumeMessageConcurrentlyService.processConsumeResult 的 BROADCASTING 分支只打一行“"
        "BROADCASTING, the message consume failed, drop it”，然后照样推进消费位点；广播消费者根本不订阅 "
        "%RETRY% 主题。RECONSUME_LATER 只有在集群消费下才意味着“稍后重试”。",
    ),
    "l10.limits": (
        "What the fix does not cover. A cache whose own update fails stays wrong until something refreshes "
        "it: keep a broadcasting listener trivial (no call in it that can fail), and rebuild the cache from "
        "the source of truth at start and on a timer. An instance that comes back on another host or with "
        "an empty disk (a new container) has no offsets file and starts at each queue's max offset: it "
        "skips what was paid while it was down (apache/rocketmq#4016 reports the same loss after a "
        "broadcasting rebalance), one more reason to rebuild from the source. A shorter "
        "persistConsumerOffsetInterval narrows the replay window; it does not close it. An effect that must "
        "happen exactly once belongs in a CLUSTERING group, idempotent on its business key, as lessons 1 to "
        "3 taught: there a failed message is retried up to 16 times (maxReconsumeTimes) before it goes to "
        "%DLQ%coupon-system.",
        "这个修法管不到的地方。缓存自己的更新失败了，在下一次刷新之前它就一直是错的：广播消费的消费逻辑要尽量简单"
        "（不要有任何可能失败的外部调用），缓存要能从数据源重建，启动时重建一次，平时定时对账。实例换了机器、或者"
        "带着一块空盘回来（比如新容器），找不到消费位点文件，会从每个队列的最大位点（maxOffset）开始消费，宕机期间付款"
        "的订单就被跳过了（apache/rocketmq#4016 报的是广播模式重平衡之后同样的丢失），这也是缓存要能从数据源重"
        "建的理由。把 persistConsumerOffsetInterval 调小只能缩小重放窗口，关不上它。必须恰好发生一次的操作，"
        "应该放在集群消费组里，按业务键做幂等，就像第 1 到 3 课那样：在那里，失败的消息最多重试 16 次"
        "（maxReconsumeTimes），之后才进死信队列（%DLQ%coupon-system）。",
    ),
    # -- pictures -----------------------------------------------------------------------------
    "l10.lane.dashboard-1": ("dashboard-1", "dashboard-1"),
    "l10.lane.dashboard-2": ("dashboard-2", "dashboard-2"),
    "l10.files_title": ("{topic}: offsets of group dashboard", "{topic}：dashboard 组的消费位点"),
    "l10.col.queue": ("queue", "队列"),
    "l10.col.queue_id": ("#{id}", "#{id}"),
    "l10.row.max_offset": ("max offset (broker)", "队列最大位点（Broker）"),
    "l10.row.memory": ("{client} in memory", "{client} 内存中"),
    "l10.row.file": ("{client} offsets.json", "{client} 消费位点文件"),
    "l10.screens_title": ("The dashboard: orders paid today", "实时看板：今日支付订单数"),
    "l10.col.instance": ("instance", "实例"),
    "l10.col.shown": ("screen shows", "看板显示"),
    "l10.col.paid": ("orders paid", "实际支付"),
    "l10.col.off_by": ("off by", "差值"),
    "l10.coupons_title": ("Coupon DB: coupons per paid order", "优惠券库：每个已支付订单的券"),
    "l10.col.coupons": ("coupons", "券数"),
    "l10.verdict.extra": (
        "{coupons} coupons for {orders} paid orders: {extra} too many.",
        "{orders} 个已支付订单发了 {coupons} 张券，重复发放 {extra} 张。",
    ),
    "l10.verdict.lost": (
        "No coupon at all for {orders}: lost, and nothing will retry it.",
        "{orders} 一张券都没有：漏发了，而且不会有任何重试。",
    ),
    "l10.verdict.coupons_ok": (
        "Exactly one coupon for each of the {orders} paid orders.",
        "{orders} 个已支付订单，每单恰好一张券。",
    ),
    "l10.verdict.screen_ok": (
        "{client} shows {shown} orders paid today; {paid} were paid.",
        "{client} 显示今日支付 {shown} 单，实际 {paid} 单。",
    ),
    "l10.verdict.screen_off": (
        "{client} shows {shown} orders paid today, but {paid} were paid: a replayed message counted twice.",
        "{client} 显示今日支付 {shown} 单，实际只有 {paid} 单：重放的消息被算了两次。",
    ),
    "l10.sum.deliveries": ("extra deliveries\n(every group,\nevery instance)", "重复投递\n（所有组、\n所有实例）"),
    "l10.sum.screen_extra": ("orders counted\ntwice on a\nscreen", "看板上\n多算的订单"),
}
