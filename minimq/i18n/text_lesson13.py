"""Lesson 13 (path P16, a transactional message committed twice): its narration, English
and Chinese side by side, and its speaker notes (``note.transaction-commit.<slide>``).

Numbers in the text are the lesson world's (``minimq.lessons.lesson13``): the broker's
check-back scans run at 0:30, 1:00, 1:30, ... (every 30 s from its start); alice pays for
order-1001 at 0:10 (invoicing call 40 s) and for order-1002 at 2:00 (100 s).
"""

LESSON13: dict[str, tuple[str, str]] = {
    "l13.title": (
        "Lesson 13 · Transactional message: one order, two COMMITs",
        "第 13 课 · 事务消息：一笔订单，两次 COMMIT",
    ),
    "l13.setting": (
        'Until now the order system made two separate moves: it committed the order PAID, then sent "order '
        'paid" from a background task. A crash between the two leaves a paid order that no coupon ever '
        'follows. So the team moved to a RocketMQ transactional message. The order system sends "order paid" '
        "as a half message, which the broker stores in RMQ_SYS_TRANS_HALF_TOPIC where no consumer sees it; then "
        "it runs its local transaction: UPDATE the order to PAID, ask the invoicing service for the invoice "
        "(an order counts as paid only with its invoice), COMMIT; then it sends END_TRANSACTION COMMIT, oneway. "
        "If no end arrives, the broker checks back: a scan every 30 s (transactionCheckInterval, from the "
        "broker's start: 0:30, 1:00, ...) asks the order system about every half older than 6 s "
        "(transactionTimeOut), and its check listener answers from the order database: PAID is COMMIT, "
        "anything else UNKNOW (the local transaction may still be running). The invoicing service is slow "
        "today: alice pays for order-1001 at 0:10 and its invoice takes 40 s; she pays for order-1002 at 2:00 "
        "and that one takes 100 s.",
        "以前订单系统分两步走：先把订单改成 PAID 并提交事务，再由后台任务发送“订单支付成功”消息。两步之间进"
        "程一挂，订单付了款，券却永远不会来。于是团队改用 RocketMQ 事务消息：订单系统先把“订单支付成功”作为"
        "半消息发出去，Broker 把它存进 RMQ_SYS_TRANS_HALF_TOPIC，消费者看不到；然后执行本地事务：UPDATE 订"
        "单为 PAID，调用开票服务开发票（有了发票，订单才算付款完成），事务提交；最后单向（oneway）发送 END_"
        "TRANSACTION COMMIT（二次确认）。如果迟迟收不到二次确认，Broker 会事务回查：每 30 秒扫描一次（transa"
        "ctionCheckInterval，从 Broker 启动算起：0:30、1:00……），对存在超过 6 秒（transactionTimeOut）的半"
        "消息向订单系统回查，回查监听器按订单库回答：PAID 就返回 COMMIT，否则返回 UNKNOW（本地事务可能还在"
        "执行）。今天开票服务很慢：alice 0:10 为 order-1001 付款，开票用了 40 秒；2:00 为 order-1002 付款，"
        "开票用了 100 秒。",
    ),
    "l13.scene": (
        "Before the story: the coupon and red-packet systems start at 0 s and take the four queues of order-paid "
        "at their first rebalance, 1 s later. The order system's transactional producer registers its group, "
        "order-system, with the broker: the check-backs will be sent to it.",
        "故事开始之前：优惠券系统和红包系统第 0 秒启动，1 秒后第一次重平衡（Rebalance）时分到 order-paid 的"
        "四个队列。订单系统的事务生产者向 Broker 注册了它的生产者组 order-system：事务回查会发给它。",
    ),
    # ---------------------------------------------------------------- run 1: naive
    "l13.run.naive": ("naive: no dedupe", "朴素实现：不做幂等"),
    "l13.explain.naive": (
        "The coupon system inserts a coupon for every message it is given.",
        "优惠券系统来一条消息就插一张券。",
    ),
    "l13.naive.1": (
        "0:10, alice pays for order-1001. The payment callback starts the transaction and answers at once. The "
        "half message is stored at offset @0 of the half queue, bound for an order-paid queue. The local "
        "transaction runs the UPDATE (not committed yet) and waits 40 s for the invoicing service. No "
        "consumer has seen anything.",
        "0:10，alice 为 order-1001 付款。支付回调启动事务后马上应答。半消息存进半消息队列的 @0，目标是 order-"
        "paid 的一个队列。本地事务执行了 UPDATE（还没提交），正在等开票服务，要等 40 秒。消费者什么都还没看到。",
    ),
    "l13.naive.2": (
        "0:30, the broker's scan. The half @0 is 20 s old, past transactionTimeOut (6 s), and no end has "
        "arrived: the scan checks it. It does not ask about @0 itself: it writes the half message back at the "
        "end of the half queue as a new entry, @1, with one check counted, and asks the order system about @1. "
        "@0 is left behind; no scan will look at it again. The check listener reads order-1001: still UNPAID, "
        "its transaction is open. UNKNOW: ask again later.",
        "0:30，Broker 扫描。半消息 @0 已经存在 20 秒，超过了 transactionTimeOut（6 秒），又没收到二次确认：扫描"
        "要回查它。但它问的不是 @0 本身：它把这条半消息重新写到半消息队列末尾，成为新的一条 @1（回查次数记 1），"
        "然后拿 @1 去问订单系统。@0 就留在那里，以后的扫描不会再看它。回查监听器查 order-1001：还是 UNPAID，它"
        "的事务还没提交。返回 UNKNOW：过会儿再问。",
    ),
    "l13.naive.3": (
        "0:50, the invoice is done: the local transaction COMMITs, order-1001 is PAID, and the producer sends "
        "END_TRANSACTION COMMIT for the half its send result named: @0. The broker copies @0 into order-paid, "
        "with its msgId: the coupon system issues a coupon. The op record that marks @0 done is written in the "
        "next 3 s batch (0:54). Look at the half queue: @1, the entry the check asked about, is still open.",
        "0:50，发票开好了：本地事务提交，order-1001 变成 PAID，生产者对发送结果里的那条半消息 @0 发出 END_TRANS"
        "ACTION COMMIT。Broker 把 @0 写进 order-paid，msgId 不变：优惠券系统发了一张券。标记 @0 已结束的 Op "
        "记录在下一个 3 秒批次里写入（0:54）。看半消息队列：回查问的那条 @1 还没有结果。",
    ),
    "l13.naive.4": (
        "1:00, the next scan. @0 has its op record and is behind the scan anyway; @1 has none: it is checked, "
        "written back as @2, and the order system is asked about @2. This time the check listener finds "
        "order-1001 PAID: COMMIT. The broker copies @2 into order-paid, the same msgId a second time: it never "
        "asks whether this transaction was committed before (apache/rocketmq#5574). A second coupon at "
        "1:01.2, and the red-packet system pays a second red packet too.",
        "1:00，下一次扫描。@0 有了 Op 记录，而且本来就在扫描位置之前；@1 没有 Op 记录：被回查，重新写成 @2，拿"
        " @2 去问订单系统。这次回查监听器查到 order-1001 已经是 PAID：返回 COMMIT。Broker 把 @2 写进 order-paid"
        "，同一个 msgId 第二次：它从不检查这个事务是不是已经 COMMIT 过（apache/rocketmq#5574）。1:01.2 发出第二"
        "张券，红包系统也多发了一个红包。",
    ),
    "l13.naive.5": (
        "order-1002 (2:00, invoicing 100 s) goes the same way, only longer: the scans at 2:30, 3:00 and 3:30 "
        "each write the half back once more and get UNKNOW; the producer's COMMIT at 3:40 resolves the first "
        "entry, the 4:00 scan checks the last one, now PAID: a second COMMIT, a second coupon. The events "
        "listed are the checks, the commits and the coupons.",
        "order-1002（2:00 付款，开票 100 秒）也是一样，只是更久：2:30、3:00、3:30 三次扫描，每次都再写一条半消"
        "息、得到 UNKNOW；生产者 3:40 的 COMMIT 只了结了第一条，4:00 的扫描回查最后一条，这时已经是 PAID：第二"
        "次 COMMIT，第二张券。下面只列出回查、COMMIT 和发券。",
    ),
    "l13.moral.naive": (
        "A local transaction longer than transactionTimeOut with a scan inside it is committed twice: once by "
        "the producer, once by the check-back. Two messages with one msgId, for every consumer group.",
        "本地事务比 transactionTimeOut 长、中间又赶上一次扫描，就会被 COMMIT 两次：一次来自生产者，一次来自事"
        "务回查。同一个 msgId 的两条消息，每个消费组都会收到。",
    ),
    # ---------------------------------------------------------------- run 2: a longer transactionTimeOut
    "l13.run.timeout": ("broker: first check after 60 s", "Broker：60 秒后才第一次回查"),
    "l13.explain.timeout": (
        "The check came while the local transaction was still running, so the team makes the broker wait "
        "longer before its first check: transactionTimeOut from 6 s to 60 s, more than the 40 s they saw. "
        "The coupon system is still naive.",
        "回查来的时候本地事务还没跑完，于是团队让 Broker 晚一点再第一次回查：transactionTimeOut 从 6 秒调到 60"
        " 秒，比看到的 40 秒还长。优惠券系统仍是朴素实现。",
    ),
    "l13.timeout.1": (
        "order-1001: at the 0:30 and 1:00 scans the half is 20 s and 50 s old, not past 60 s: each scan stops "
        "there and waits. The COMMIT at 0:50 resolves @0, its op record is written at 0:54, and the 1:30 scan "
        "skips it. One message, one coupon.",
        "order-1001：0:30 和 1:00 两次扫描时，半消息才存在 20 秒和 50 秒，没到 60 秒：扫描到这里就停下，等下一"
        "次。0:50 的 COMMIT 了结了 @0，0:54 写入它的 Op 记录，1:30 的扫描直接跳过。一条消息，一张券。",
    ),
    "l13.timeout.2": (
        "order-1002, invoicing 100 s: at 2:30 and 3:00 its half is young enough, at 3:30 it is 90 s old: "
        "checked, written back, UNKNOW. The COMMIT at 3:40 resolves the first entry, the 4:00 scan finds the "
        "order PAID through the second: two messages, two coupons again.",
        "order-1002，开票 100 秒：2:30 和 3:00 时半消息还不够老，3:30 时已经 90 秒：被回查、重新写一条、得到 UN"
        "KNOW。3:40 的 COMMIT 了结了第一条，4:00 的扫描通过第二条查到订单已 PAID：又是两条消息、两张券。",
    ),
    "l13.moral.timeout": (
        "A longer transactionTimeOut only moves the first check: any local transaction longer than it still "
        "has a check inside it, and a COMMIT whose op record is not written yet (up to 3 s) when a scan comes "
        "is checked as well. It narrows the window; it does not close it.",
        "调大 transactionTimeOut 只是把第一次回查往后挪：比它更长的本地事务，中间照样会赶上回查；COMMIT 之后 Op"
        " 记录还没写入（最多 3 秒）就遇上扫描的，也会被回查。窗口变窄了，但没有关上。",
    ),
    # ---------------------------------------------------------------- run 3: the fix
    "l13.run.right": ("the fix: UNIQUE key on the order id", "正确做法：订单号唯一索引"),
    "l13.explain.right": (
        "RocketMQ's defaults again. UNIQUE key on coupons(order_id), the coupon inserted in its own "
        "transaction; a key conflict is acknowledged with CONSUME_SUCCESS. The red-packet table gets the "
        "same key.",
        "Broker 恢复默认配置。coupons(order_id) 上加唯一索引，券在自己的事务里插入；唯一键冲突就直接返回 CONSUM"
        "E_SUCCESS。红包表也加上同样的唯一索引。",
    ),
    "l13.right.1": (
        "order-1001 as in run 1: the 0:30 check, the producer's COMMIT of @0 at 0:50, the 1:00 check's COMMIT "
        "of @2: two messages with one msgId. The first delivery inserts the coupon; the second one's INSERT "
        "hits the key: rolled back, CONSUME_SUCCESS.",
        "order-1001 和第 1 轮一样：0:30 回查，0:50 生产者 COMMIT 了 @0，1:00 回查又 COMMIT 了 @2：同一个 msgId "
        "的两条消息。第一次投递插入了券；第二次投递的 INSERT 撞上唯一索引：回滚，直接返回 CONSUME_SUCCESS。",
    ),
    "l13.right.2": (
        "order-1002 the same way: three UNKNOWs, the producer's COMMIT at 3:40, the check's at 4:00, and one "
        "coupon. The red packets too: one per order. Listed: the commits and the rows written.",
        "order-1002 也一样：三次 UNKNOW，3:40 生产者 COMMIT，4:00 回查再 COMMIT 一次，只有一张券。红包也是每笔订"
        "单一个。下面只列出 COMMIT 和写入的行。",
    ),
    "l13.moral.right": (
        "The broker may commit a transaction twice; the coupon database decides that it counts once.",
        "Broker 可能把一个事务 COMMIT 两次；由优惠券库来保证它只算一次。",
    ),
    # ---------------------------------------------------------------- closing
    "l13.diagnosis": (
        "The rules at work (RocketMQ 5.3): BrokerConfig.transactionCheckInterval = 30 s (60 s before 5.1.1), "
        "transactionTimeOut = 6 s, transactionCheckMax = 15. TransactionalMessageServiceImpl.check walks the "
        "half queue from where the last scan stopped and, for a half older than transactionTimeOut with no op "
        "record, calls putBackHalfMsgQueue: the half is written again at the end of the queue, "
        "TRANSACTION_CHECK_TIMES + 1, and CHECK_TRANSACTION_STATE names that new entry. The old entry is "
        "passed for good. The producer's END_TRANSACTION (oneway, sent once) names the entry from its send "
        "result; EndTransactionProcessor looks the entry up by its commit-log offset and copies it into the "
        "real topic with its properties, UNIQ_KEY included, whatever happened to the transaction before "
        "(#5574). deletePrepareMessage queues an op record that TransactionalOpBatchService writes every 3 s "
        "(5.1.0+). So a check that comes while the local transaction runs leaves an entry that the producer's "
        "COMMIT does not resolve, and the next check commits it again. After 15 checks a half is moved to "
        "TRANS_CHECK_MAX_TIME_TOPIC and never delivered.",
        "起作用的规则（RocketMQ 5.3）：BrokerConfig.transactionCheckInterval = 30 秒（5.1.1 之前是 60 秒），trans"
        "actionTimeOut = 6 秒，transactionCheckMax = 15。TransactionalMessageServiceImpl.check 从上次扫描停下的"
        "位置往后扫半消息队列，遇到存在超过 transactionTimeOut、又没有 Op 记录的半消息，就调 putBackHalfMsgQueu"
        "e：把这条半消息重新写到队列末尾，TRANSACTION_CHECK_TIMES 加 1，CHECK_TRANSACTION_STATE 回查的是这条新"
        "写的。旧的那条就此越过，不再回看。生产者的 END_TRANSACTION（单向，只发一次）指向发送结果里的那条；End"
        "TransactionProcessor 按物理位点找到它，带着全部属性（包括 UNIQ_KEY）写进真正的 Topic，不管这个事务之前"
        "发生过什么（#5574）。deletePrepareMessage 排入一条 Op 记录，由 TransactionalOpBatchService 每 3 秒批量"
        "写入（5.1.0 起）。所以本地事务执行期间来的回查会留下一条生产者的 COMMIT 了结不了的半消息，下一次回查再"
        "把它 COMMIT 一遍。回查 15 次之后，半消息被移进 TRANS_CHECK_MAX_TIME_TOPIC，不会投递。",
    ),
    "l13.limits": (
        'The transactional message fixed what it was for: the order is PAID if and only if "order paid" is '
        "sent. It was never an exactly-once delivery: the broker can commit a transaction twice (a check racing "
        "a slow local transaction, as here; a half send retried after a lost reply, which leaves two halves), "
        "and every consumer group gets both copies, the red-packet group too. Nothing on the producer side "
        "closes it: a longer transactionTimeOut or a check listener that answers later only moves the window. "
        "Each consumer must be idempotent on the order id (a msgId table would catch this path, since both "
        "copies keep the msgId, but not lesson 1's upstream retry). Keep the local transaction short all the "
        "same: a remote call inside an open database transaction holds its locks for as long as the call takes.",
        "事务消息解决了它要解决的问题：订单是 PAID，当且仅当“订单支付成功”消息发了出去。但它从来不是“恰好一次"
        "”投递：Broker 可能把一个事务 COMMIT 两次（像这里，回查撞上慢的本地事务；或者半消息发送的应答丢了、生产"
        "者重试，留下两条半消息），而每个消费组都会收到两条，红包组也一样。生产者这边没有办法关上这个口子：调大 "
        "transactionTimeOut、让回查监听器晚点回答，都只是挪动窗口。每个消费者都必须按订单号做幂等（按 msgId 建"
        "消费记录表也能挡住这条路径，因为两条消息的 msgId 相同，但挡不住第 1 课的上游重试）。本地事务还是要尽量"
        "短：在没提交的数据库事务里调远程服务，这个调用要多久，锁就要占多久。",
    ),
    # ---------------------------------------------------------------- the half queue table
    "l13.halves_title": (
        "Half queue (RMQ_SYS_TRANS_HALF_TOPIC#0)",
        "半消息队列（RMQ_SYS_TRANS_HALF_TOPIC#0）",
    ),
    "l13.col.entry": ("entry", "条目"),
    "l13.col.checks": ("checks", "回查次数"),
    "l13.col.state": ("state", "状态"),
    "l13.col.op": ("op record", "Op 记录"),
    "l13.state.prepared": ("open", "待确认"),
    "l13.state.checked": ("checked: written back", "已回查，已重写"),
    "l13.state.committed": ("COMMIT", "COMMIT"),
    "l13.state.rolled_back": ("ROLLBACK", "ROLLBACK"),
    "l13.state.discarded": ("discarded", "已丢弃"),
    "l13.op.written": ("written", "已写入"),
    "l13.op.queued": ("queued", "待写入"),
    "l13.verdict.order": (
        "{order}: the broker committed {messages} message(s), {coupons} coupon(s).",
        "{order}：Broker COMMIT 了 {messages} 条消息，发了 {coupons} 张券。",
    ),
    "l13.verdict.red_dup": (
        "Red packets: {extra} extra for {orders} orders: every consumer group gets every committed copy.",
        "红包：{orders} 笔订单多发了 {extra} 个：每条 COMMIT 出来的消息，每个消费组都会收到。",
    ),
    "l13.verdict.red_ok": ("Red packets: one per order.", "红包：每笔订单一个。"),
    # ---------------------------------------------------------------- speaker notes
    "note.transaction-commit.intro": (
        'Ask: The order system sends "order paid" as a transactional message. Can the coupon still be issued '
        "twice?\n"
        'Answer: Leave it open; note who says "no, it is a transaction".',
        "问：订单系统用事务消息发“订单支付成功”。券还会发两张吗？\n答：先不揭晓；记下谁说“不会，这是事务”。",
    ),
    "note.transaction-commit.r1s1": (
        "Ask: Who will the broker ask when no end arrives?\n"
        "Answer: A producer of group order-system: it registered when it started.\n"
        "Ask: What will that producer look at to answer?\n"
        "Answer: The order database: PAID is COMMIT, anything else UNKNOW.",
        "问：收不到二次确认时，Broker 去问谁？\n"
        "答：生产者组 order-system 里的一个生产者：它启动时注册过。\n"
        "问：这个生产者凭什么回答？\n"
        "答：查订单库：PAID 就是 COMMIT，否则 UNKNOW。",
    ),
    "note.transaction-commit.r1s2": (
        "Ask: Where is the message now, and who can see it?\n"
        "Answer: A half message in RMQ_SYS_TRANS_HALF_TOPIC; no consumer.\n"
        "Ask: The local transaction takes 40 s. What will the 0:30 scan do?\n"
        "Answer: Check the half: 20 s old, past 6 s, no end yet.",
        "问：消息现在在哪儿？谁看得到？\n"
        "答：在 RMQ_SYS_TRANS_HALF_TOPIC 里，是半消息；哪个消费者都看不到。\n"
        "问：本地事务要 40 秒。0:30 的扫描会做什么？\n"
        "答：回查这条半消息：已经 20 秒，超过 6 秒，还没收到二次确认。",
    ),
    "note.transaction-commit.r1s3": (
        "Ask: Which entry does the check ask about, @0?\n"
        "Answer: No, the one it wrote, @1. No scan will look at @0 again.\n"
        "Ask: The order is UNPAID. Is UNKNOW the right answer?\n"
        "Answer: Yes: the local transaction may still commit.",
        "问：回查问的是 @0 吗？\n"
        "答：不是，是它新写的 @1。以后的扫描不会再看 @0。\n"
        "问：订单还是 UNPAID。返回 UNKNOW 对吗？\n"
        "答：对：本地事务还可能提交。",
    ),
    "note.transaction-commit.r1s4": (
        "Ask: The producer's COMMIT resolved @0. Is the transaction finished for the broker?\n"
        "Answer: No: @1 has no op record. The next scan will check it.",
        "问：生产者的 COMMIT 了结了 @0。对 Broker 来说，这个事务结束了吗？\n"
        "答：没有：@1 没有 Op 记录，下一次扫描还会回查它。",
    ),
    "note.transaction-commit.r1s5": (
        "Ask: Why did the broker accept a second COMMIT for the same msgId?\n"
        "Answer: It never checks: a COMMIT copies the entry it names (#5574).\n"
        'Watch for: "the check listener is wrong". It answered truthfully: the order is PAID.',
        "问：同一个 msgId，Broker 为什么接受第二次 COMMIT？\n"
        "答：它根本不检查：COMMIT 就是把指定的那条复制过去（#5574）。\n"
        "留意：有人会说“回查监听器答错了”。它答的是实话：订单确实已经 PAID。",
    ),
    "note.transaction-commit.r1s6": (
        "Ask: order-1002 was checked three times. Why only two messages, not four?\n"
        "Answer: UNKNOW commits nothing; only the producer's COMMIT and the last check's do.",
        "问：order-1002 被回查了三次，为什么只有两条消息，不是四条？\n"
        "答：UNKNOW 什么都不提交；只有生产者的 COMMIT 和最后一次回查的 COMMIT 算数。",
    ),
    "note.transaction-commit.r1end": (
        "Ask: The team will make the broker wait 60 s before the first check. Which order gets one coupon?\n"
        "Answer: order-1001 (40 s). order-1002 (100 s) is still checked at 3:30.",
        "问：团队要让 Broker 等 60 秒再第一次回查。哪笔订单会只发一张券？\n"
        "答：order-1001（40 秒）。order-1002（100 秒）3:30 照样被回查。",
    ),
    "note.transaction-commit.r2s1": (
        "Ask: Is 60 s enough if the team measures the slowest local transaction carefully?\n"
        "Answer: No: a slower one comes, and a COMMIT's op record waits up to 3 s for its batch.",
        "问：如果团队仔细量出最慢的本地事务，60 秒够不够？\n"
        "答：不够：总会有更慢的；而且 COMMIT 的 Op 记录最多要等 3 秒才批量写入。",
    ),
    "note.transaction-commit.r3s1": (
        "Ask: Did the fix stop the second COMMIT?\n"
        "Answer: No: two messages per order still arrive; the UNIQUE key makes the second harmless.",
        "问：这个修复挡住第二次 COMMIT 了吗？\n答：没有：每笔订单照样来两条消息；唯一索引让第二条无害。",
    ),
    "note.transaction-commit.end": (
        "Ask: Would dedupe by msgId have worked here?\n"
        "Answer: Yes, both copies keep the msgId; but not for lesson 1's upstream retry. Key on the order id.",
        "问：这里按 msgId 去重行不行？\n答：行，两条消息 msgId 相同；但挡不住第 1 课的上游重试。用订单号做幂等。",
    ),
}
