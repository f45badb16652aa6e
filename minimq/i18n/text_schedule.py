"""The words of a fault schedule: each step as ``minimq check`` tells it, and what is
wrong with a replay token."""

SCHEDULE: dict[str, tuple[str, str]] = {
    # -- the schedule, step by step -----------------------------------------------------------
    "step.pay": ("the order system sends 'order paid' for {order}", "订单系统发出 {order} 的支付成功消息"),
    "step.upstream_retry": (
        "the payment system calls back again: a second, new message for {order}",
        "支付系统再次回调：订单系统为 {order} 又发了一条新消息（新的 msgId）",
    ),
    "step.lost_reply.fast_fail": (
        "'order paid' for {order} is stored but its reply is lost (the channel closes): the producer retries "
        "at once by itself",
        "{order} 的消息已存进 Broker，但应答丢了（连接断开）：生产者按 retryTimesWhenSendFailed 立刻自动重试",
    ),
    "step.lost_reply.same": (
        "'order paid' for {order} is stored but its reply is lost: send() times out and the order system sends "
        "the same Message again",
        "{order} 的消息已存进 Broker，但应答丢了：send() 发送超时（Java 报 RemotingTooMuchRequestException: sendDefaultImpl call timeout），订单系统把同一个 Message 对象再发一次",
    ),
    "step.lost_reply.new": (
        "'order paid' for {order} is stored but its reply is lost: send() times out and the order system sends "
        "a new Message",
        "{order} 的消息已存进 Broker，但应答丢了：send() 发送超时（Java 报 RemotingTooMuchRequestException: sendDefaultImpl call timeout），订单系统新建一个 Message 再发一次",
    ),
    "step.crash": (
        "{client} will crash {where} while handling {order}, restarting {restart} later",
        "{client} 处理 {order} 时会在{where}崩溃，{restart}后重启",
    ),
    "step.kill": ("{client} is killed (kill -9), restarting {restart} later", "{client} 被 kill -9，{restart}后重启"),
    "step.down": (
        "the whole coupon system goes down (every consumer killed), back {restart} later",
        "整个优惠券系统宕机（所有消费者进程被杀），{restart}后恢复",
    ),
    "step.join": ("{client} joins the group (rebalance)", "{client} 加入消费组（触发重平衡）"),
    "step.leave": ("{client} shuts down gracefully (rebalance)", "{client} 优雅停机（触发重平衡）"),
    "step.restart": ("{client} starts", "{client} 启动"),
    "step.fail": (
        "database statement {statement} fails for the first {times} delivery(ies) of {order}",
        "{order} 的前 {times} 次投递里，第 {statement} 条数据库语句执行失败",
    ),
    "step.fail_after": (
        "the connection drops right after statement {statement} of {order}'s handler ran, for the first {times} "
        "delivery(ies): the work is done, the handler sees an error",
        "{order} 的前 {times} 次投递里，第 {statement} 条语句执行完后连接断开：语句其实已经执行成功，消费逻辑却收到了异常",
    ),
    "step.slow": (
        "the handler of {order} is held {held} before it starts, past the 15 min consume timeout",
        "{order} 的消费逻辑开始执行前被卡住 {held}，超过了 15 分钟的消费超时",
    ),
    "step.busy": (
        "the handler of {order} waits {held} on a slow call before it starts",
        "{order} 的消费逻辑开始执行前，卡在一次慢调用上 {held}",
    ),
    "step.busy_mid": (
        "the handler of {order} waits {held} on a slow call before database statement {statement}",
        "{order} 的消费逻辑在第 {statement} 条数据库语句前，卡在一次慢调用上 {held}",
    ),
    "step.slow_mid": (
        "the handler of {order} is held {held} before database statement {statement}, past the 15 min consume timeout",
        "{order} 的消费逻辑在第 {statement} 条数据库语句前被卡住 {held}，超过了 15 分钟的消费超时",
    ),
    "step.outage": (
        "the coupon database and Redis are down for {duration}: every statement fails, and failed messages climb "
        "the retry ladder",
        "优惠券库和 Redis 宕机 {duration}：所有语句都失败，失败的消息按逐级拉长的重试间隔一次次往后推",
    ),
    "step.reset": (
        "an operator resets coupon-system's offsets back to {when} (mqadmin resetOffsetByTime)",
        "运维把 coupon-system 的消费位点重置回 {when}（mqadmin resetOffsetByTime）",
    ),
    "step.slow_tx": (
        "the local transaction of {order} takes {held} (the invoicing call inside the open database transaction), "
        "past transactionTimeOut (6 s): a check-back scan (every 30 s) may come in the middle of it",
        "{order} 的本地事务要执行 {held}（开着数据库事务等开票服务），超过了 transactionTimeOut（6 秒）：中间可能赶上一次"
        "事务回查扫描（每 30 秒一次）",
    ),
    "step.lost_end": (
        "the order system's END_TRANSACTION (COMMIT) for {order} is lost on its way (it is oneway): the half "
        "waits for the check-back",
        "订单系统为 {order} 发出的 END_TRANSACTION（COMMIT，二次确认）在路上丢了（它是 oneway 发送）：半消息只能等事务回查",
    ),
    # -- the same steps on POP (SimpleConsumers): no rebalance, no consume timeout, a revival ---------
    "step.join_pop": (
        "{client} starts: a second SimpleConsumer of the group, receiving from every queue (POP has no rebalance)",
        "{client} 启动：消费组里又多了一个 SimpleConsumer，所有队列它都能取（POP 没有重平衡）",
    ),
    "step.leave_pop": (
        "{client} shuts down: the call in progress stops, and what it did not ack comes back after its invisible "
        "duration",
        "{client} 停机：正在执行的消费逻辑被中断，没 ack 的消息等不可见时间到了再回来",
    ),
    "step.slow_pop": (
        "the handler of {order} is held {held} before it starts, past its 30 s invisible duration",
        "{order} 的消费逻辑开始执行前被卡住 {held}，超过了 30 秒的不可见时间",
    ),
    "step.slow_pop_mid": (
        "the handler of {order} is held {held} before database statement {statement}, past its 30 s invisible duration",
        "{order} 的消费逻辑在第 {statement} 条数据库语句前被卡住 {held}，超过了 30 秒的不可见时间",
    ),
    "step.outage_pop": (
        "the coupon database and Redis are down for {duration}: every statement fails, and a failed message is "
        "not acked, so it comes back every time its 30 s invisible duration is over",
        "优惠券库和 Redis 宕机 {duration}：所有语句都失败；失败的消息不 ack，每次不可见时间（30 秒）一到就又回来",
    ),
    "where.pop.AFTER_HANDLER": (
        "after the handler returned, before its ack",
        "消费逻辑返回之后、ack 之前",
    ),
    "where.pop.AFTER_LOCAL_COMMIT": (
        "right after its ack (POP keeps no offset locally: nothing is lost)",
        "刚 ack 完（POP 没有本地消费位点，所以什么也不会丢）",
    ),
    # -- how the shop runs (a schedule's consumer and producer), told before its steps --------------
    "step.on_pop": (
        "the coupon system's processes are RocketMQ 5 SimpleConsumers (POP): receive(16, invisible 30 s), "
        "handle, ack only on CONSUME_SUCCESS",
        "优惠券系统的进程都是 RocketMQ 5 的 SimpleConsumer（POP）：receive(16, 不可见时间 30 秒)，执行消费逻辑，"
        "只有返回 CONSUME_SUCCESS 才 ack",
    ),
    "step.broker_crash": (
        "the broker crashes (the process dies), back {restart} later with its flushed offsets",
        "Broker 进程崩溃，{restart}后重启，消费位点回到上次刷盘的值",
    ),
    "step.broker_crash_os": (
        "the broker's machine crashes (an OS crash: the unflushed commit log is lost), back {restart} later "
        "with its flushed offsets",
        "Broker 所在机器宕机（操作系统崩溃，没刷盘的 CommitLog 丢失），{restart}后重启，消费位点回到上次刷盘的值",
    ),
    "step.master_down": (
        "the broker's master goes down, back {restart} later: clients read from the slave until their route "
        "poll (every 30 s) finds the master again",
        "Broker 的 Master 宕机，{restart}后恢复：客户端在下一次路由轮询（每 30 秒）发现 Master 回来之前，都从 Slave 读",
    ),
    "step.on_slave": (
        "broker-a has a slave, broker-a-s, copied asynchronously, and serves reads from it while the master "
        "is down (slaveReadEnable=true; the 5.x default, false, refuses every pull from the slave)",
        "broker-a 有一个异步复制的 Slave（broker-a-s），Master 宕机期间由 Slave 提供读"
        "（slaveReadEnable=true；5.x 默认是 false，Slave 拒绝所有拉取请求）",
    ),
    "step.on_tx": (
        "the order system sends every 'order paid' as a transactional message: half message, local transaction "
        "(mark the order PAID, invoice, COMMIT), then END_TRANSACTION",
        "订单系统的每条支付成功消息都是事务消息：先发半消息，再执行本地事务（把订单改成 PAID、开票、事务提交），"
        "最后发 END_TRANSACTION（二次确认）",
    ),
    # -- the duplication paths (``minimq check --paths``) -------------------------------------------
    "path.upstream-retry": (
        "the payment system calls the order callback twice (two messages, two msg ids)",
        "支付系统把订单回调调了两次（两条消息，两个 msgId）",
    ),
    "path.lost-reply": (
        "the broker stores the message, the reply is lost, the producer sends again",
        "Broker 存下了消息，应答却丢了，生产者又发一次",
    ),
    "path.crash": (
        "a consumer crashes at a chosen point (between two statements too) and restarts",
        "消费者进程在指定的位置崩溃（包括两条语句之间），然后重启",
    ),
    "path.rebalance": ("a consumer joins or leaves the group", "有消费者加入或退出消费组"),
    "path.reconsume-later": (
        "a database statement fails after part of the work was done",
        "做完一部分工作后，某条数据库语句失败",
    ),
    "path.consume-timeout": (
        "a handler runs past the 15 min consume timeout",
        "消费逻辑执行超过 15 分钟的消费超时",
    ),
    "path.late-redelivery": (
        "a copy arrives an hour or more later: a late callback, the coupon system down for hours, "
        "the database down (the retry ladder), an offset reset an hour back",
        "一小时甚至更久之后又来一条：迟到的回调、优惠券系统宕机几个小时、数据库宕机（重试间隔逐级拉长）、"
        "把消费位点重置回一小时以前",
    ),
    "path.pop": (
        "the coupon system runs on RocketMQ 5 SimpleConsumers: a call slower than the 30 s invisible duration, "
        "a failed call or a crash before the ack, and the message is revived and delivered again, maybe to the "
        "other process while the first still works",
        "优惠券系统跑在 RocketMQ 5 的 SimpleConsumer 上：消费逻辑超过 30 秒的不可见时间、调用失败、ack 之前崩溃，"
        "消息都会被 revive 回来重新投递，可能投给另一个进程，而第一个进程还在处理它",
    ),
    "path.transaction": (
        "the order system sends 'order paid' in a transaction: a local transaction longer than "
        "transactionTimeOut with a check-back scan inside it is committed twice (apache/rocketmq#5574); a lost "
        "END_TRANSACTION is committed by the check-back",
        "订单系统用事务消息发支付成功消息：本地事务超过 transactionTimeOut、中间又赶上一次回查扫描，就会被提交两次"
        "（apache/rocketmq#5574）；二次确认丢了，由事务回查来提交",
    ),
    "path.reset": (
        "an operator resets coupon-system's offsets back in time (mqadmin resetOffsetByTime): everything since is "
        "delivered again, even while a copy is still in flight",
        "运维把 coupon-system 的消费位点往回重置（mqadmin resetOffsetByTime）：从那个时间点起的消息全部重新投递，"
        "哪怕第一次投递还没处理完",
    ),
    "path.broker-crash": (
        "the broker crashes and restarts (or its machine does, losing the unflushed commit log): the consumer "
        "offsets go back to its last 5 s flush and the retry progress to its last 10 s flush, so a coupon process "
        "that starts a queue after it (restarted during the outage, or before its next offset persist) consumes again",
        "Broker 进程崩溃后重启（或者整台机器宕机，丢掉还没刷盘的 CommitLog）：消费位点回到它最近一次 5 秒刷盘的值，"
        "延迟消息进度回到最近一次 10 秒刷盘的值；之后才开始消费某个队列的优惠券进程（宕机期间重启的，"
        "或者在下一次提交消费位点之前重启的）会重复消费",
    ),
    "path.failover": (
        "the broker's master is down while the coupon system reads from its slave (slaveReadEnable=true: with "
        "the 5.x default nothing is read there), and comes back with older offsets; the slave's sync copies them "
        "over its own, and a deploy before the next route poll consumes the outage again",
        "Master 宕机期间优惠券系统从 Slave 消费（需要 slaveReadEnable=true：5.x 默认值下 Slave 不提供读），"
        "Master 带着更旧的消费位点回来，Slave 的同步又把它们覆盖到自己身上；在下一次路由轮询之前发布上线，"
        "宕机期间的消息会被重复消费",
    ),
    "sched.needs_push": (
        "a {kind} step needs the push consumer and the plain producer, got {value}",
        "{kind} 步骤要求 push 消费者和普通生产者，实际是 {value}",
    ),
    "sched.os_with_slave": (
        "a broker with a slave (a master_down step) takes no OS crash, got {value}",
        "有 Slave 的 Broker（剧本里有 master_down 步骤）不能做操作系统崩溃，实际是 {value}",
    ),
    "sched.overlap": (
        "a broker crash while the broker is still down from the one at {value}",
        "上一次 Broker 崩溃（{value}）还没恢复，又安排了一次崩溃",
    ),
    # -- a stored schedule (a replay token) that cannot be read ---------------------------------
    "sched.error": ("not a stored schedule: {where} {problem}", "不是有效的存档剧本：{where} {problem}"),
    "sched.not_text": ("a replay token is text, got {value}", "重放 token 应该是文本，实际是 {value}"),
    "sched.not_token": (
        "not a replay token or JSON schedule: {value}",
        "既不是重放 token，也不是 JSON 格式的剧本：{value}",
    ),
    "sched.not_json": (
        "not a replay token or JSON schedule: its JSON does not parse ({value})",
        "既不是重放 token，也不是 JSON 格式的剧本：JSON 解析失败（{value}）",
    ),
    "sched.not_object": ("must be a JSON object, got a {got}", "必须是 JSON 对象，实际是 {got}"),
    "sched.unknown_field": ("is no field of a schedule ({value})", "不是剧本里的字段（{value}）"),
    "sched.list": (
        "must be a list of at most {most} steps, got {value}",
        "必须是最多 {most} 个步骤的列表，实际是 {value}",
    ),
    "sched.orders": (
        "must be a list of 1 to {most} order ids, got {value}",
        "必须是 1 到 {most} 个订单号组成的列表，实际是 {value}",
    ),
    "sched.name": (
        "must be an order id of 1 to 64 characters, got {value}",
        "必须是 1 到 64 个字符的订单号，实际是 {value}",
    ),
    "sched.repeated": ("names an order twice: {value}", "同一个订单出现了两次：{value}"),
    "sched.choice": ("must be one of {choices}, got {value}", "必须是 {choices} 之一，实际是 {value}"),
    "sched.not_used": ("is not a setting of a {kind} step, got {value}", "{kind} 步骤没有这个设置，实际是 {value}"),
    "sched.int": ("must be a whole number, got {value}", "必须是整数，实际是 {value}"),
    "sched.str": ("must be a string, got {value}", "必须是字符串，实际是 {value}"),
    "sched.range": ("must be from {low} to {high}, got {value}", "必须在 {low} 到 {high} 之间，实际是 {value}"),
    "sched.order": (
        "must be an order of the schedule ({orders}), got {value}",
        "必须是剧本里的订单（{orders}），实际是 {value}",
    ),
    "sched.missing": ("must not be empty, got {value}", "不能为空，实际是 {value}"),
    "sched.needs_tx": (
        "a {kind} step needs a schedule whose producer is transaction, got {value}",
        "{kind} 步骤要求剧本的 producer 是 transaction，实际是 {value}",
    ),
}
