"""The fix-matrix lesson: every design against every path, English and Chinese side by side."""

MATRIX: dict[str, tuple[str, str]] = {
    "lm.title": (
        "Lesson 17 · The fix matrix: every design against every path",
        "第 17 课 · 修复矩阵：每种方案对每条路径",
    ),
    "lm.setting": (
        "The lessons showed one path at a time. Here every coupon design of the ladder, from no dedupe to the "
        "conditional state transition, meets every way the coupon message is duplicated, one schedule per "
        "path, all with the same seed: 152 runs of the real engine, measured now, not asserted. Each run pays "
        "one order (D1 four, one per queue, so that the rebalance moves some); a cell says how many coupons "
        "the order got (in D1, the order that went worst). G1 runs the coupon system on RocketMQ 5's "
        "SimpleConsumers (POP), H1 has the order system send in a transaction. The designs are the files of "
        "minimq/designs/, the same ones minimq check grades.",
        "前面几课一次只看一条路径。这一课把阶梯上的每一种发券方案，从不去重到状态机 + 条件更新，放到每一种重复路径下各跑"
        "一遍：每条路径一个剧本，seed 全都一样，真实引擎一共跑 152 次，表格是现场测出来的，不是写死的。每次运行只付一笔"
        "订单（D1 付四笔，每个队列一笔，保证重平衡会挪走其中几个队列），格子里写的是这笔订单最后发了几张券（D1 取结果最差的那笔）。"
        "G1 让优惠券系统跑在 RocketMQ 5 的 SimpleConsumer（POP）上，H1 让订单系统用事务消息发送。"
        "这些方案就是 minimq/designs/ 里的文件，也就是 minimq check 评判的那些。",
    ),
    "lm.table_title": ("Coupons per paid order, seed {seed}", "每个已支付订单发出的券数，seed {seed}"),
    "lm.design": ("design", "方案"),
    "lm.cell.ok": ("one coupon, answered right", "恰好一张券，返回值也对"),
    "lm.cell.duplicate": ("a duplicate coupon", "重复发放"),
    "lm.cell.lost": ("a lost coupon", "漏发"),
    "lm.cell.wrong": (
        "one coupon, but a wrong answer (retried or dead-lettered)",
        "券数对了，但返回值不对（被重试或进了死信队列）",
    ),
    "lm.columns_title": ("The columns", "各列的含义"),
    "lm.wrong_title": ("Why each wrong cell is wrong, and how to replay it", "每个出错的格子错在哪儿，怎么重放"),
    "lm.replay": ("  replay a cell (any column code): {command}", "  重放某一格（换成任意列号）：{command}"),
    "lm.outcome.duplicate": ("{n} coupons", "发了 {n} 张"),
    "lm.outcome.lost": ("no coupon", "发了 0 张"),
    "lm.outcome.wrong": ("wrong answer", "返回值不对"),
    "lm.outcome.ok": ("one coupon", "一张券"),
    "lm.why.no_dedupe": (
        "(F0) nothing remembers the order: every delivery issues a coupon.",
        "（F0）什么都不记：每投递一次就发一张券。",
    ),
    "lm.why.memory_set": (
        "(F1) the set lives in one process: a restart empties it, another process (after a rebalance) has its "
        "own, and two copies at once both miss it.",
        "（F1）本地内存去重只在一个进程里有效：一重启就清空，重平衡之后接手的另一个进程有自己的一份，两条同时到也都查不到。",
    ),
    "lm.why.query_then_insert": (
        "(F2) SELECT, then INSERT, two steps: a copy that arrives in between finds nothing.",
        "（F2）先 SELECT 再 INSERT 是两步：夹在中间到的那条消息什么也查不到。",
    ),
    "lm.why.query_then_insert_sync": (
        "(F2) SELECT, then INSERT, two steps, in a plain def: it races just the same.",
        "（F2）先 SELECT 再 INSERT 是两步，写成普通 def 照样竞态。",
    ),
    "lm.why.mark_first": (
        "(F3) the mark is set before the coupon is written: when the work fails after it, the retry sees the "
        "mark and skips the coupon.",
        "（F3）先占位再处理：占位之后业务一失败，重投时看到占位就跳过，券就漏发了。",
    ),
    "lm.why.redis_do_then_mark": (
        "(F4) the coupon and the Redis mark are two systems: a crash between them, or two copies at once, issue twice.",
        "（F4）券和 Redis 标记在两个系统里：两步之间崩溃，或两条同时到，都会发两张。",
    ),
    "lm.why.msgid_table": (
        "(F6) keyed by msgId: a new message for the same order (an upstream retry, a new Message) has a new one.",
        "（F6）按 msgId 记：上游重试、新建 Message 都换了 msgId，同一订单照样放行。",
    ),
    "lm.why.unique_key": (
        "(F7) right: the UNIQUE key decides, in the coupon's transaction.",
        "（F7）正确：唯一索引说了算，和发券在同一个事务里。",
    ),
    "lm.why.unique_key_sync": ("(F7) right, in a plain def.", "（F7）正确，写成普通 def 也一样。"),
    "lm.why.conditional_state": (
        "(F9) right: a conditional state transition in the coupon's transaction.",
        "（F9）正确：状态机 + 条件更新，和发券在同一个事务里。",
    ),
    "lm.diagnosis": (
        "Read the table by rows: every wrong design breaks somewhere, and where it breaks says what it "
        "misunderstood. An in-memory set forgets on a crash and is not shared; query-then-insert and Redis "
        "flags race when copies overlap; marking first loses the coupon when the work fails after the mark; a "
        "msgId table misses every new message. Only the rows whose dedupe record is written in the same "
        "database transaction as the coupon, keyed by the business id, are clean everywhere.",
        "按行读这张表：每一种错误方案总会在某一列出错，而它在哪儿出错，就说明它误解了什么。本地内存去重一崩溃就忘，"
        "多个进程之间也不共享；先查再插和 Redis 标记在两条消息重叠时会竞态；先占位再处理，在占位之后业务失败就会漏发；"
        "按 msgId 的消费记录表，遇到新消息（换了 msgId）就拦不住。只有去重记录按业务唯一标识来记、并且和券写在同一个数据库事务里的那几行，每一列都没问题。",
    ),
    "lm.limits": (
        "Each column is one schedule, chosen to show its path; minimq check explores thousands of them, with "
        "several orders and faults together, and finds what a single schedule misses. Try: minimq check "
        "redis_do_then_mark.",
        "每一列只是一个剧本，专为展示这条路径挑出来的；minimq check 会探索成千上万个剧本，多笔订单、多种故障叠在一起，"
        "能找出单个剧本漏掉的问题。试试：minimq check redis_do_then_mark。",
    ),
    # -- the columns ----------------------------------------------------------------------------
    "matrix.col.A1": ("upstream retry: both messages at once", "上游重试：两条消息同时到"),
    "matrix.col.A2": ("upstream retry: the second message 3 s later", "上游重试：第二条消息晚 3 秒到"),
    "matrix.col.B1": ("lost send reply, the same Message sent again", "发送应答丢失，重发同一个 Message"),
    "matrix.col.B2": ("lost send reply, a new Message sent again", "发送应答丢失，新建一个 Message 重发"),
    "matrix.col.B3": ("the producer's own fast retry after a lost reply", "应答丢失后生产者内部的快速重试"),
    "matrix.col.C1": ("crash after the handler returned", "消费逻辑返回之后进程崩溃"),
    "matrix.col.C2": ("crash before the handler's 1st statement", "消费逻辑执行第 1 条语句之前崩溃"),
    "matrix.col.C3": ("crash before its 2nd statement", "执行第 2 条语句之前崩溃"),
    "matrix.col.C4": ("crash before its 4th statement", "执行第 4 条语句之前崩溃"),
    "matrix.col.D1": (
        "four orders, one per queue; a second consumer joins while their handlers are busy (rebalance)",
        "四笔订单，每个队列一笔；消费逻辑还在执行时，第二个消费者加入消费组（重平衡）",
    ),
    "matrix.col.E1": ("statement 1 fails once: the broker retries", "第 1 条语句失败一次：Broker 重投"),
    "matrix.col.E2": ("statement 2 fails once", "第 2 条语句失败一次"),
    "matrix.col.E3": ("statement 2 runs, then its reply is lost", "第 2 条语句执行了，应答却丢了"),
    "matrix.col.E4": (
        "statement 3 runs, then its reply is lost (a COMMIT that went through)",
        "第 3 条语句执行了，应答却丢了（其实事务已提交）",
    ),
    "matrix.col.F1": ("held 31 min before the handler: consume timeout", "消费逻辑开始前卡住 31 分钟：消费超时"),
    "matrix.col.F2": ("held 31 min mid-work: the retry overlaps it", "处理到一半卡住 31 分钟：重投与它重叠"),
    "matrix.col.G1": (
        "on POP, held 40 s mid-work, past its 30 s invisible duration: revived, and c2 gets it meanwhile",
        "POP 下处理到一半卡住 40 秒，超过 30 秒的不可见时间：消息被 revive，交给了 c2",
    ),
    "matrix.col.H1": (
        "sent in a transaction; the local transaction takes 40 s and a check-back scan comes in its middle: "
        "committed twice, one msg id",
        "用事务消息发送；本地事务执行 40 秒，中间赶上一次回查：同一个 msgId 提交了两次",
    ),
    "matrix.col.I1": (
        "the broker crashes before its 5 s flush of the offsets; c1 is restarted while it is down",
        "Broker 在 5 秒一次的消费位点刷盘之前崩溃；它宕机期间 c1 被重启",
    ),
    "matrix.col.J1": (
        "the master is lost while the coupon system is down; it consumes from the slave, and a deploy comes "
        "just after the master is back",
        "优惠券系统停机期间 Master 宕机；它恢复后从 Slave 消费，Master 回来后紧接着发布上线",
    ),
    "matrix.col.R1": (
        "an operator resets the offsets to the start while the handler is busy: the queue is pulled again",
        "消费逻辑还没执行完，运维就把消费位点重置回起点：这个队列被重新拉取",
    ),
}
