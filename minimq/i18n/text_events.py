"""One sentence per trace event, in both languages (see ``minimq.i18n.describe``)."""

EVENTS: dict[str, tuple[str, str]] = {
    "ev.SendAttempted": (
        "sends {msg} to {queue} (attempt {attempt})",
        "发送 {msg} 到 {queue}（第 {attempt} 次尝试）",
    ),
    "ev.SendFailed": ("attempt {attempt} failed: {error}", "第 {attempt} 次尝试失败：{error}"),
    "ev.SendSucceeded": (
        "got SEND_OK for {msg} at offset {offset}",
        "SEND_OK：{msg} 的队列位点（queueOffset）为 {offset}",
    ),
    "ev.SendGaveUp": ("send() raised {error}", "send() 抛出异常：{error}"),
    "ev.MessageStored": (
        "stored {msg} at {where} as copy {copy}",
        "把 {msg} 存到 {where}，offsetMsgId（物理位点 ID）为 {copy}",
    ),
    "ev.MessageStored.retry": (
        "stored retry {times} of {msg} at {where}",
        "把 {msg} 的第 {times} 次重试存进重试队列 {where}",
    ),
    "ev.MessageStored.dlq": ("stored {msg} in the dead-letter queue at {where}", "把 {msg} 存进死信队列 {where}"),
    "ev.FaultInjected": ("FAULT: {detail}", "注入故障：{detail}"),
    "ev.OffsetPersisted": (
        "{group} offset {queue} = {offset} persisted ({via})",
        "{group} 的消费位点 {queue} = {offset} 已持久化（{via}）",
    ),
    "ev.OffsetPersisted.local": (
        "{group} offset {queue} = {offset} written to the local offsets file ({via})",
        "{group} 的消费位点 {queue} = {offset} 已写入本地的消费位点文件（{via}）",
    ),
    "ev.OffsetReset": (
        "operator reset {group} offset {queue} to {offset} (was {previous}): first message stored at or after {time}",
        "运维把 {group} 的消费位点 {queue} 重置为 {offset}（原为 {previous}）：即 {time} 及之后存入的第一条消息",
    ),
    "ev.PullOffsetMoved": (
        "pull of {queue} from {pull_offset} answered OFFSET_MOVED: drops the queue, pulls again from {offset}",
        "从队列位点 {pull_offset} 拉取 {queue}，Broker 回复 OFFSET_MOVED（消费位点被重置或越界）：丢弃这个队列，"
        "从 {offset} 重新拉取",
    ),
    "ev.BrokerCrashed.process": (
        "{broker} CRASHED (the process died): unreachable; offsets last flushed at {offsets}, "
        "delay progress at {delay}",
        "{broker} 进程崩溃：Broker 不可达；消费位点上次刷盘在 {offsets}，延迟消息进度上次刷盘在 {delay}",
    ),
    "ev.BrokerCrashed.os": (
        "{broker} CRASHED with its machine: unreachable, and the commit log's unflushed tail is lost; offsets "
        "last flushed at {offsets}, delay progress at {delay}",
        "{broker} 所在机器宕机：Broker 不可达，CommitLog 还没刷盘的部分丢失；消费位点上次刷盘在 {offsets}，"
        "延迟消息进度上次刷盘在 {delay}",
    ),
    "ev.BrokerRestarted": (
        "{broker} restarted after {down}: loads offsets and delay progress from disk, knows no consumer yet",
        "{broker} 停了 {down} 后重启：从磁盘加载消费位点和延迟消息进度，还不认识任何消费者",
    ),
    "ev.CommitLogTruncated": (
        "the commit log ends at its last flush ({flushed}): {lost} stored messages and {scheduled} delayed "
        "retries acknowledged since are gone",
        "CommitLog 只恢复到上次刷盘（{flushed}）：之后确认过的 {lost} 条消息和 {scheduled} 条延迟重试消息丢失",
    ),
    "ev.OffsetRestored": (
        "{group} offset {queue} back to {offset} as flushed at {flushed} (was {previous})",
        "{group} 的消费位点 {queue} 回退到 {flushed} 刷盘时的 {offset}（原为 {previous}）",
    ),
    "ev.ScheduleProgressRestored": (
        "delay level {level} back to offset {offset} as flushed at {flushed} (was {previous}): {again} retry "
        "copies will be stored again",
        "延迟级别 {level} 的投递进度回退到 {flushed} 刷盘时的 {offset}（原为 {previous}）：{again} 条已投递的"
        "重试消息会再投递一次",
    ),
    "ev.OffsetCorrected": (
        "{group} read {queue} from {pull_offset}, past its max offset: the broker corrected it to {offset}",
        "{group} 从 {pull_offset} 读取 {queue}，超出最大位点：Broker 纠正为 {offset}",
    ),
    "ev.PullFlowControlled.span": (
        "WARN the queue's messages, span too long, so do flow control, minOffset={min}, maxOffset={max}, "
        "maxSpan={value} ({queue}, consumeConcurrentlyMaxSpan={threshold}, flowControlTimes={times}): "
        "the next pull waits 50 ms",
        "跨度流控：{queue} 处理中的消息跨度 {value} 超过 consumeConcurrentlyMaxSpan={threshold}，下次拉取推迟 "
        "50 毫秒（客户端 WARN 日志：the queue's messages, span too long, so do flow control, minOffset={min}, "
        "maxOffset={max}, maxSpan={value}, flowControlTimes={times}）",
    ),
    "ev.PullFlowControlled.count": (
        "WARN the cached message count exceeds the threshold {threshold}, so do flow control, minOffset={min}, "
        "maxOffset={max}, count={value} ({queue}, flowControlTimes={times}): the next pull waits 50 ms",
        "数量流控：{queue} 本地缓存 {value} 条，超过 pullThresholdForQueue={threshold}，下次拉取推迟 50 毫秒（客户端 "
        "WARN 日志：the cached message count exceeds the threshold {threshold}, so do flow control, "
        "minOffset={min}, maxOffset={max}, count={value}, flowControlTimes={times}）",
    ),
    "ev.MessageSentBack": (
        "takes {msg} back for {group}: retry at {due}",
        "收到 {group} 发回的 {msg}，放进重试队列 %RETRY%{group}，{due} 重新投递",
    ),
    "ev.MessageDeadLettered": (
        "dead-letters {msg} for {group} after {n} deliveries",
        "{msg} 投递 {n} 次仍失败，进入死信队列 %DLQ%{group}",
    ),
    "ev.MessageDelivered": ("handler called with {msg} from {where}", "调用消费逻辑处理 {msg}（来自 {where}）"),
    "ev.MessageDelivered.retry": (
        "handler called with {msg} from {where} (retry {times})",
        "调用消费逻辑处理 {msg}（来自 {where}，第 {times} 次重试）",
    ),
    "ev.MessageConsumed": ("handler returned {status} for {msg}", "消费逻辑处理完 {msg}，返回 {status}"),
    "ev.note_raised": ("raised {error}", "抛出异常 {error}"),
    "ev.MessageConsumed.note": (
        "handler returned {status} for {msg} ({note})",
        "消费逻辑处理完 {msg}，返回 {status}（{note}）",
    ),
    "ev.BatchConsumed.all": (
        "handler returned {status} for a batch of {n} from {queue}: all {n} consumed",
        "消费逻辑批量处理完 {queue} 的 {n} 条消息，返回 {status}：{n} 条全部消费成功",
    ),
    "ev.BatchConsumed.part": (
        "handler returned {status} for a batch of {n} from {queue} with ackIndex = {ack}: "
        "the first {ok} consumed, the other {failed} count as failed",
        "消费逻辑批量处理完 {queue} 的 {n} 条消息，返回 {status}，ackIndex = {ack}：前 {ok} 条消费成功，"
        "后 {failed} 条按消费失败处理",
    ),
    "ev.BatchConsumed.none": (
        "handler returned {status} for a batch of {n} from {queue}: the whole batch counts as failed, "
        "the messages it did finish included",
        "消费逻辑批量处理完 {queue} 的 {n} 条消息，返回 {status}：整批 {n} 条都按消费失败处理，已经处理成功的也算在内",
    ),
    "ev.BatchConsumed.none.note": (
        "handler returned {status} for a batch of {n} from {queue} ({note}): the whole batch counts as failed, "
        "the messages it did finish included",
        "消费逻辑批量处理完 {queue} 的 {n} 条消息，返回 {status}（{note}）：整批 {n} 条都按消费失败处理，"
        "已经处理成功的也算在内",
    ),
    "ev.note_past_ack_index": (
        "after ackIndex = {index}: counts as failed",
        "排在 ackIndex = {index} 之后：按消费失败处理",
    ),
    "ev.ConsumeResultDiscarded": (
        "result for {msg} discarded: its queue was taken away by a rebalance",
        "{msg} 的消费结果被丢弃：这个队列已在重平衡中分给了别的消费者",
    ),
    "ev.ConsumeFailureDropped": (
        "broadcasting: {msg} failed and is dropped: no retry, the offset moves on",
        "{msg} 消费失败：广播消费直接丢弃，不会重试",
    ),
    "ev.ConsumeTimedOut": (
        "{msg} has run {ran} (since {started}), past consumeTimeout = 15 min: sent back with delay level 3 "
        "and removed from the process queue; its handler runs on",
        "{msg} 跑了 {ran}（{started} 起），超过 consumeTimeout = 15 分钟：按延迟级别 3 发回重试、"
        "移出 ProcessQueue，消费逻辑仍在跑",
    ),
    "ev.SendBackFailed": (
        "sending {msg} back failed ({error}): sends it to %RETRY%{group} as a normal message instead",
        "{msg} 发回 Broker 失败（{error}）：改由内部生产者把它作为普通消息发到重试队列 %RETRY%{group}",
    ),
    "ev.SendBackFailed.normal": (
        "sending {msg} to %RETRY%{group} failed, try {attempt} ({error})",
        "把 {msg} 作为普通消息发到重试队列 %RETRY%{group} 失败，第 {attempt} 次（{error}）",
    ),
    "ev.RetriedLocally": (
        "will consume {msg} again locally in {delay} ms",
        "{delay} 毫秒后在本地重新消费 {msg}",
    ),
    "ev.OffsetCommittedLocally": (
        "local offset {queue} = {offset} (not on the broker yet)",
        "本地消费位点 {queue} = {offset}（只在内存里，还没持久化到 Broker）",
    ),
    "ev.Rebalanced": (
        "rebalanced {topic}: queues {before} -> {after}",
        "{topic} 重平衡（Rebalance）：队列 {before} -> {after}",
    ),
    "ev.ConsumerStarted": ("started in group {group}", "启动，加入消费组 {group}"),
    "ev.ConsumerStarted.restart": ("restarted in group {group}", "重启，重新加入消费组 {group}"),
    "ev.ConsumerCrashed": (
        "KILLED ({point}): nothing persisted",
        "进程被杀（{point}）：内存里的消费位点一个都没持久化",
    ),
    "ev.ConsumerShutdown": (
        "shut down gracefully: listeners interrupted, offsets persisted",
        "优雅停机：打断正在跑的消费逻辑，持久化消费位点",
    ),
    "ev.EffectApplied": ("committed a row for {key}", "为 {key} 写入一行（事务已提交）"),
    "ev.PullFailed": ("pull of {queue} failed: {error}", "拉取 {queue} 失败：{error}"),
    "ev.ConsumerRegistered": (
        "heartbeat from {client}: joins {group} as {client_id}; {members}, each told to rebalance",
        "收到 {client} 的心跳：以 {client_id} 加入消费组 {group}；{members}，每个成员都被通知重平衡",
    ),
    "ev.ConsumerRegistered.quiet": (
        "heartbeat from {client}: joins {group} as {client_id}; {members}",
        "收到 {client} 的心跳：以 {client_id} 加入消费组 {group}；{members}",
    ),
    "ev.ConsumerUnregistered": (
        "{client} ({client_id}) leaves {group}: {via}; {members} left, each told to rebalance",
        "{client}（{client_id}）离开消费组 {group}：{via}；剩 {members}，每个成员都被通知重平衡",
    ),
    "ev.ConsumerUnregistered.quiet": (
        "{client} ({client_id}) leaves {group}: {via}; {members} left",
        "{client}（{client_id}）离开消费组 {group}：{via}；剩 {members}",
    ),
    "ev.QueueLocked": ("locked {queue} for {client}", "为 {client} 锁定 {queue}"),
    "ev.QueueUnlocked": ("unlocked {queue} for {client}", "为 {client} 解锁 {queue}"),
    # application events (minimq.apps)
    "app.callback_sent": (
        "calls the order system: {order} is paid (attempt {attempt})",
        "回调订单系统：{order} 已支付（第 {attempt} 次）",
    ),
    "app.callback_timeout": (
        "no answer within {ms} ms: will call again",
        "{ms} 毫秒没等到应答，准备再调一次",
    ),
    "app.callback_answered": ("order system answered OK (attempt {attempt})", "订单系统应答成功（第 {attempt} 次）"),
    "app.marked_paid": (
        "UPDATE orders SET status='PAID' for {order} (call {attempt})",
        "UPDATE orders SET status='PAID'，订单 {order}（第 {attempt} 次回调）",
    ),
    "app.already_paid": (
        "{order} is already PAID: 0 rows changed, no message sent (call {attempt})",
        "{order} 已经是 PAID：影响行数为 0，不再发消息（第 {attempt} 次回调）",
    ),
    "app.send_raised": (
        "send() raised {error}: the retry loop tries again",
        "send() 抛出 {error}：业务重试循环再发一次",
    ),
    "app.send_ok": (
        "'order paid' for {order} sent: msg id {msg}",
        "{order} 的消息已发出，msgId（客户端生成的 UNIQ_KEY）为 {msg}",
    ),
    "app.db_constraint": ("refused an insert: {error}", "违反约束，拒绝插入：{error}"),
    "app.db_rolled_back": (
        "rolled back the open transaction of {by} (connection dropped)",
        "连接断开，回滚了 {by} 还没提交的事务",
    ),
    # a handler's own statements (``minimq.apps.session`` with ``trace_as``), in its lane
    "app.marketing": (
        "{msg}: asks the marketing service what coupon the order earns ({ms} ms)",
        "{msg}：去问营销服务这单该发什么券（{ms} 毫秒）",
    ),
    "app.marketing_gave_up": (
        "{msg}: no answer from the marketing service after {ms} ms: skips the order, no coupon",
        "{msg}：营销服务 {ms} 毫秒没有应答，跳过这个订单，不发券",
    ),
    "app.notify": ("{msg}: notifies the user ({ms} ms)", "{msg}：给用户发到账通知（{ms} 毫秒）"),
    "app.notify_failed": (
        "{msg}: the SMS gateway rejects the phone number (HTTP 400): the handler throws",
        "{msg}：短信网关拒绝了这个手机号（HTTP 400），消费逻辑抛出异常",
    ),
    "app.sms": (
        "{msg}: sends the SMS to {user} for {order}, waits up to {ms} ms",
        "{msg}：给 {user} 发 {order} 的到账短信，最多等 {ms} 毫秒",
    ),
    "app.sms_keyed": (
        "{msg}: sends the SMS to {user} for {order} with idempotency key {key}, waits up to {ms} ms",
        "{msg}：给 {user} 发 {order} 的到账短信，带幂等键 {key}，最多等 {ms} 毫秒",
    ),
    "app.sms_timeout": (
        "{msg}: no answer from the SMS gateway in {ms} ms: raises SmsTimeout",
        "{msg}：短信网关 {ms} 毫秒没应答，抛出 SmsTimeout",
    ),
    "app.sms_key_seen": (
        "key {key} already sent at {at}: answers OK, sends nothing",
        "幂等键 {key} 在 {at} 已经发过：直接应答成功，不再下发",
    ),
    "app.sms_late_answer": (
        "answers OK for {order}, {late} ms after the caller gave up",
        "对 {order} 的请求应答成功，可调用方 {late} 毫秒前就不等了",
    ),
    "ev.EffectApplied.SMS": ("SMS for {key} handed to the carrier", "{key} 的短信已下发给运营商"),
    "app.db_read": ("{msg}: {statement} → {rows} row(s)", "{msg}：{statement} → {rows} 行"),
    "app.db_write": ("{msg}: {statement} → {changed} row(s) changed", "{msg}：{statement} → 影响 {changed} 行"),
    "app.db_statement": ("{msg}: {statement}", "{msg}：{statement}"),
    "app.db_commit": ("{msg}: COMMIT", "{msg}：COMMIT（事务提交）"),
    "app.db_failed": ("{msg}: {statement} failed: {error}", "{msg}：{statement} 失败：{error}"),
    "app.redis_command": ("{msg}: Redis {command} → {result}", "{msg}：Redis {command} → {result}"),
}

# Short forms for timeline cells (``describe(..., brief=True)``); a missing one falls back
# to the full sentence.
EVENTS.update(
    {
        "evb.SendAttempted": ("send {msg}", "发送 {msg}"),
        "evb.SendFailed": ("try {attempt} failed", "第 {attempt} 次失败"),
        "evb.SendSucceeded": ("SEND_OK {msg}", "SEND_OK {msg}"),
        "evb.SendGaveUp": ("send() raised", "send() 抛异常"),
        "evb.MessageStored": ("stored {msg} at {where}", "{msg} 存入 {where}"),
        "evb.MessageStored.retry": ("retry {times} of {msg} at {where}", "{msg} 第 {times} 次重试存入 {where}"),
        "evb.MessageStored.dlq": ("{msg} into {where}", "{msg} 存入 {where}"),
        "evb.FaultInjected": ("FAULT: {detail}", "故障：{detail}"),
        "evb.OffsetPersisted": ("{group} offset {queue} = {offset}", "{group} 消费位点 {queue} = {offset}"),
        "evb.OffsetPersisted.local": ("offsets file: {queue} = {offset}", "消费位点文件：{queue} = {offset}"),
        "evb.OffsetReset": ("{group} offset {queue} reset to {offset}", "{group} 消费位点 {queue} 重置为 {offset}"),
        "evb.PullOffsetMoved": ("{queue} moved to {offset}", "{queue} 消费位点移到 {offset}"),
        "evb.BrokerCrashed.process": ("{broker} CRASHED", "{broker} 崩溃"),
        "evb.BrokerCrashed.os": ("{broker} machine down", "{broker} 机器宕机"),
        "evb.BrokerRestarted": ("{broker} restarted", "{broker} 重启"),
        "evb.CommitLogTruncated": ("{lost} messages lost", "丢失 {lost} 条消息"),
        "evb.OffsetRestored": ("{group} offset {queue} back to {offset}", "{group} 消费位点 {queue} 回退到 {offset}"),
        "evb.ScheduleProgressRestored": (
            "delay level {level} back to {offset}",
            "延迟级别 {level} 进度回退到 {offset}",
        ),
        "evb.OffsetCorrected": ("{queue} corrected to {offset}", "{queue} 纠正为 {offset}"),
        "evb.PullFlowControlled.span": (
            "flow control: span {value} > {threshold}",
            "跨度流控：{value} > {threshold}",
        ),
        "evb.PullFlowControlled.count": (
            "flow control: {value} cached > {threshold}",
            "数量流控：缓存 {value} > {threshold}",
        ),
        "evb.MessageSentBack": ("{msg} back to retry", "{msg} 进重试队列"),
        "evb.MessageDeadLettered": ("{msg} to DLQ", "{msg} 进死信队列"),
        "evb.MessageDelivered": ("got {msg}", "收到 {msg}"),
        "evb.MessageDelivered.retry": ("got {msg} (retry {times})", "收到 {msg}（第 {times} 次重试）"),
        "evb.MessageConsumed": ("{msg} {status}", "{msg} {status}"),
        "evb.MessageConsumed.note": ("{msg} {status}", "{msg} {status}"),
        "evb.SendBackFailed": ("send-back of {msg} failed", "{msg} 发回失败"),
        "evb.SendBackFailed.normal": (
            "{msg} to %RETRY%: try {attempt} failed",
            "{msg} 发往重试队列第 {attempt} 次失败",
        ),
        "evb.BatchConsumed.all": ("batch of {n}: {status}", "一批 {n} 条：{status}"),
        "evb.BatchConsumed.part": (
            "batch of {n}: ackIndex = {ack}, {failed} failed",
            "一批 {n} 条：ackIndex = {ack}，{failed} 条失败",
        ),
        "evb.BatchConsumed.none": ("batch of {n}: {status}, all {n} failed", "一批 {n} 条：{status}，整批失败"),
        "evb.BatchConsumed.none.note": ("batch of {n}: {status}, all {n} failed", "一批 {n} 条：{status}，整批失败"),
        "evb.ConsumeResultDiscarded": ("{msg} result discarded", "{msg} 消费结果作废"),
        "evb.ConsumeTimedOut": ("{msg}: consume timeout, sent back", "{msg}：消费超时，发回重试"),
        "evb.ConsumeFailureDropped": ("{msg} DROPPED, no retry", "{msg} 被丢弃，不重试"),
        "evb.Rebalanced": ("queues {after}", "分到队列 {after}"),
        "evb.ConsumerRegistered": ("{client} joins", "{client} 加入"),
        "evb.ConsumerRegistered.quiet": ("{client} joins", "{client} 加入"),
        "evb.ConsumerUnregistered": ("{client} leaves", "{client} 离开"),
        "evb.ConsumerUnregistered.quiet": ("{client} leaves", "{client} 离开"),
        "evb.ConsumerStarted": ("started", "启动"),
        "evb.ConsumerStarted.restart": ("restarted", "重启"),
        "evb.ConsumerCrashed": ("KILLED", "进程被杀"),
        "evb.ConsumerShutdown": ("shut down, offsets saved", "优雅停机，消费位点已持久化"),
        "evb.EffectApplied": ("row for {key}", "{key} 写入一行"),
        "appb.callback_sent": ("callback #{attempt}", "第 {attempt} 次回调"),
        "appb.callback_timeout": ("timeout after {ms} ms", "{ms} 毫秒超时"),
        "appb.callback_answered": ("answer #{attempt}: OK", "第 {attempt} 次应答：成功"),
        "appb.marked_paid": ("UPDATE → PAID (call {attempt})", "UPDATE → PAID（第 {attempt} 次）"),
        "appb.already_paid": ("0 rows: already PAID", "影响 0 行：已是 PAID"),
        "appb.send_raised": ("{error}: send again", "{error}：再发一次"),
        "appb.send_ok": ("sent {msg}", "已发出 {msg}"),
        "appb.db_constraint": ("UNIQUE refused a 2nd row", "唯一键冲突，第二行被拒"),
        "appb.db_rolled_back": ("rolled back", "已回滚"),
        "appb.db_commit": ("{msg}: COMMIT", "{msg}：COMMIT"),
        "appb.marketing": ("{msg}: marketing {ms} ms", "{msg}：问营销 {ms} 毫秒"),
        "appb.marketing_gave_up": ("{msg}: timeout {ms} ms, skipped", "{msg}：{ms} 毫秒超时，跳过"),
        "appb.notify": ("{msg}: notify {ms} ms", "{msg}：通知 {ms} 毫秒"),
        "appb.notify_failed": ("{msg}: SMS refused, throws", "{msg}：短信被拒，抛异常"),
        "appb.sms": ("{msg}: SMS", "{msg}：发短信"),
        "appb.sms_keyed": ("{msg}: SMS, key {key}", "{msg}：发短信，幂等键 {key}"),
        "appb.sms_timeout": ("{msg}: SMS timeout", "{msg}：短信超时"),
        "appb.sms_key_seen": ("key {key} seen: sends nothing", "幂等键 {key} 已发过：不再下发"),
        "appb.sms_late_answer": ("late answer: OK", "迟到的应答：成功"),
        "evb.EffectApplied.SMS": ("SMS for {key}", "{key} 短信已下发"),
        "appb.db_read": ("{msg}: {statement} → {rows}", "{msg}：{statement} → {rows} 行"),
        "appb.db_write": ("{msg}: {statement} → {changed}", "{msg}：{statement} → {changed} 行"),
        "appb.redis_command": ("{msg}: {command} → {result}", "{msg}：{command} → {result}"),
        "appb.db_failed": ("{msg}: {statement} failed", "{msg}：{statement} 失败"),
        "app.design": ("runs the coupon design {design}", "运行发券方案 {design}"),
        "appb.design": ("design: {design}", "方案 {design}"),
        "appb.deploy_kill": ("deploy: kill -9", "发布：kill -9"),
        "appb.deploy_graceful": ("deploy: graceful shutdown", "发布：优雅停机"),
        "app.deploy_kill": ("deploy: the process is killed (kill -9)", "发布：直接杀掉进程（kill -9）"),
        "app.deploy_graceful": ("deploy: graceful shutdown", "发布：优雅停机"),
        "app.scale_out": ("deploy: a second coupon process starts (scale-out)", "发布：扩容，再起一个优惠券进程"),
        "appb.scale_out": ("deploy: scale-out", "发布：扩容"),
        "app.scale_in": ("deploy: this process is removed (scale-in), gracefully", "发布：缩容，优雅停掉这个进程"),
        "appb.scale_in": ("deploy: scale-in", "发布：缩容"),
        "fault.lose_send_reply": ("the reply to {target} is lost", "{target} 的发送应答丢了"),
        "fault.lose_send_back_reply": (
            "the reply to the send-back of {target} is lost",
            "{target} 发回 Broker 的应答丢了",
        ),
        "fault.broker_outage": ("broker unreachable", "Broker 不可达"),
        "flushed.never": ("never", "从未刷盘"),
        "fault.lose_offset_persist": ("an offset update is lost", "一次消费位点上报丢了"),
        "fault.crash_consumer": ("{target} crashes", "{target} 崩溃"),
        "fault.slow_handler": ("handler slowed down", "消费逻辑变慢"),
        "fault.slow_sms": ("the SMS gateway answers late", "短信网关应答变慢"),
    }
)

EVENTS.update(
    {
        "via.timer": ("every 5 s", "每 5 秒定时"),
        "via.pull": ("with a pull", "随拉取请求上报"),
        "via.rebalance": ("queue given up in a rebalance", "重平衡让出队列"),
        "via.shutdown": ("shutdown", "优雅停机"),
        "via.timer_every": ("every {every}", "每 {every}一次"),
        "via.offset moved": (
            "the broker's new offset, after OFFSET_MOVED",
            "收到 OFFSET_MOVED 后上报 Broker 给的新位点",
        ),
        "left.unregister": ("unregistered at shutdown", "停机时注销"),
        "left.channel closed": ("its connection closed", "连接已断开"),
        "left.channel expired": ("no heartbeat for 120 s", "120 秒没有心跳"),
        "members.n": ("{n} member(s)", "{n} 个成员"),
        "members.twice": (", {id} listed {times} times", "，{id} 出现了 {times} 次"),
        "members.none": ("no member", "0 个成员"),
    }
)

# a batch job's lock and the coupon calls that wait for it (``minimq.apps.wallet_lock``, lesson 7)
EVENTS.update(
    {
        "app.lock_taken": ("takes the lock {lock}", "拿到锁 {lock}"),
        "app.lock_released": ("releases the lock {lock}, held for {held}", "释放锁 {lock}，一共持有了 {held}"),
        "app.lock_wait": (
            "{msg}: waits for the lock {lock}, which the batch job holds (lock() has no wait limit)",
            "{msg}：等锁，锁 {lock} 在批处理任务手里（lock() 不设等待上限）",
        ),
        "app.lock_free": (
            "{msg}: waited {waited}; the lock {lock} is free, it goes on",
            "{msg}：等了 {waited}，锁 {lock} 释放了，接着往下走",
        ),
        "appb.lock_wait": ("{msg}: waits for {lock}", "{msg}：等锁 {lock}"),
        "appb.lock_free": ("{msg}: lock free after {waited}", "{msg}：等了 {waited}，锁释放"),
    }
)

# POP (5.x SimpleConsumer and push consumer; ``minimq.events.pop``, lesson 12)
EVENTS.update(
    {
        "ev.MessagePopped": (
            "pops {msg} from {where} for {client}: invisible to {group} for {invisible}, until {visible}",
            "为 {client} POP 出 {msg}（来自 {where}）：对消费组 {group} 不可见 {invisible}，到 {visible} 为止",
        ),
        "ev.MessagePopped.retry": (
            "pops {msg} from {where} for {client} (attempt {attempt}): invisible to {group} for {invisible}, until {visible}",
            "为 {client} POP 出 {msg}（来自 {where}，第 {attempt} 次投递）：对消费组 {group} 不可见 {invisible}，到 {visible} 为止",
        ),
        "ev.MessageAcked": (
            "ack of {msg} from {client}: its checkpoint is done, it will not come back",
            "收到 {client} 对 {msg} 的 ack：检查点（checkpoint）完成，不会再投递",
        ),
        "ev.MessageAcked.stale": (
            "ack of {msg} from {client} answers OK but acks nothing: that handle's checkpoint is gone",
            "收到 {client} 对 {msg} 的 ack：应答成功，但什么也没确认，这个句柄（ReceiptHandle）对应的检查点已经不在了",
        ),
        "ev.MessageAcked.dlq": (
            "acks {msg} for {group}: the proxy moved it to the dead-letter queue",
            "替 {group} ack 掉 {msg}：Proxy 已把它转进死信队列",
        ),
        "ev.AckRejected": (
            "{request} of {msg} rejected: INVALID_RECEIPT_HANDLE, receipt handle is expired (since {visible})",
            "{msg} 的 {request} 被拒：INVALID_RECEIPT_HANDLE，句柄已过期（{visible} 起）",
        ),
        "ev.InvisibleTimeChanged.client": (
            "{client} makes {msg} invisible for {invisible} more, until {visible}: a new checkpoint and handle",
            "{client} 把 {msg} 的不可见时间改成 {invisible}，到 {visible} 为止：新的检查点和句柄",
        ),
        "ev.InvisibleTimeChanged.client.stale": (
            "{client} changes {msg} with an old handle: another checkpoint, until {visible}, revived on its own",
            "{client} 用旧句柄修改 {msg} 的不可见时间：又多了一个检查点（到 {visible}），到期会单独再投递一次",
        ),
        "ev.InvisibleTimeChanged.renew": (
            "auto-renew: {msg} of {client} invisible for {invisible} more, until {visible}",
            "自动续期：{client} 手里的 {msg} 再不可见 {invisible}，到 {visible} 为止",
        ),
        "ev.InvisibleTimeChanged.stop_renew": (
            "3 h of renewals are over: the proxy nacks {msg} of {client}, visible again at {visible}",
            "续期满 3 小时：Proxy 替 {client} nack 掉 {msg}，{visible} 重新可见",
        ),
        "ev.InvisibleTimeChanged.client_gone": (
            "{client} is gone: {msg} becomes visible again after {invisible}",
            "{client} 已下线：{msg} {invisible} 后重新可见",
        ),
        "ev.MessageRevived": (
            "{msg} popped by {client} was not acked by {visible}: revived into {retry} as retry {times}",
            "{client} POP 出的 {msg} 到 {visible} 还没 ack：重新投递到 {retry}，第 {times} 次重试",
        ),
        "evb.MessagePopped": ("POP {msg} for {client}", "为 {client} POP {msg}"),
        "evb.MessagePopped.retry": ("POP {msg} (attempt {attempt})", "POP {msg}（第 {attempt} 次投递）"),
        "evb.MessageAcked": ("ack {msg}: done", "{msg} ack 完成"),
        "evb.MessageAcked.stale": ("ack {msg}: nothing acked", "{msg} ack 落空"),
        "evb.MessageAcked.dlq": ("{msg} acked after the DLQ", "{msg} 进死信后 ack"),
        "evb.AckRejected": ("{request} rejected: handle expired", "{request} 被拒：句柄已过期"),
        "evb.InvisibleTimeChanged.client": ("{msg} invisible until {visible}", "{msg} 不可见到 {visible}"),
        "evb.InvisibleTimeChanged.client.stale": ("{msg}: old handle, extra checkpoint", "{msg}：旧句柄，多一个检查点"),
        "evb.InvisibleTimeChanged.renew": ("renew {msg} until {visible}", "{msg} 续期到 {visible}"),
        "evb.InvisibleTimeChanged.stop_renew": ("stop renew: nack {msg}", "停止续期：nack {msg}"),
        "evb.InvisibleTimeChanged.client_gone": ("{client} gone: {msg} visible", "{client} 下线：{msg} 重新可见"),
        "evb.MessageRevived": ("{msg} not acked: retry {times}", "{msg} 未 ack：第 {times} 次重试"),
        "via.pop": ("moved at pop time", "POP 时即前移"),
    }
)

# transactional messages: half messages, their end, the broker's check-back (path P16)
EVENTS.update(
    {
        "ev.ProducerRegistered": (
            "producer {producer} of group {group} registered: the broker's check-backs go to it",
            "生产者 {producer}（生产者组 {group}）已注册，Broker 的事务回查会发给它",
        ),
        "ev.ProducerUnregistered": (
            "producer {producer} of group {group} unregistered",
            "生产者 {producer}（生产者组 {group}）已注销",
        ),
        "ev.HalfMessageStored": (
            "stored half message {msg} at RMQ_SYS_TRANS_HALF_TOPIC@{offset}, bound for {queue}: consumers cannot see it until a COMMIT",
            "把半消息 {msg} 存到 RMQ_SYS_TRANS_HALF_TOPIC@{offset}（目标队列 {queue}）：COMMIT 之前消费者看不到它",
        ),
        "ev.TransactionEnded": (
            "local transaction answered {state} for {msg}: END_TRANSACTION sent oneway",
            "本地事务对 {msg} 返回 {state}，单向（oneway）发出 END_TRANSACTION",
        ),
        "ev.TransactionEnded.note": (
            "local transaction for {msg} {note}: {state}, END_TRANSACTION sent oneway",
            "{msg} 的本地事务{note}：按 {state} 处理，单向（oneway）发出 END_TRANSACTION",
        ),
        "ev.TransactionEnded.check": (
            "check listener answered {state} for {msg} (half @{offset}): END_TRANSACTION sent oneway",
            "回查监听器（checkLocalTransaction）对 {msg}（半消息 @{offset}）返回 {state}，单向发出 END_TRANSACTION",
        ),
        "ev.TransactionEnded.check.note": (
            "check listener for {msg} (half @{offset}) {note}: {state}, END_TRANSACTION sent oneway",
            "回查监听器（checkLocalTransaction）处理 {msg}（半消息 @{offset}）时{note}：按 {state} 处理，单向发出 END_TRANSACTION",
        ),
        "ev.TransactionChecked": (
            "check-back #{times}: half {msg} @{offset} is still open; written back as @{copy}, asks {producer}",
            "第 {times} 次事务回查：半消息 {msg} @{offset} 还没有结果，重新写入半消息队列 @{copy}，向 {producer} 回查",
        ),
        "ev.TransactionChecked.nobody": (
            "check-back #{times}: half {msg} @{offset} is still open; written back as @{copy}, no producer of {group} online to ask",
            "第 {times} 次事务回查：半消息 {msg} @{offset} 还没有结果，重新写入半消息队列 @{copy}；生产者组 {group} 没有在线的生产者可问",
        ),
        "ev.HalfMessageCommitted": (
            "COMMIT: half {msg} @{offset} copied into {where}, where consumers get it",
            "COMMIT：半消息 {msg} @{offset} 写入 {where}，消费者从这里拿到它",
        ),
        "ev.HalfMessageCommitted.again": (
            "COMMIT again: half {msg} @{offset} copied into {where}: COMMIT {n} of this msg id, and nothing checks (#5574)",
            "又一次 COMMIT：半消息 {msg} @{offset} 写入 {where}，这个 msgId 已经第 {n} 次 COMMIT，Broker 不做去重（#5574）",
        ),
        "ev.HalfMessageRolledBack": (
            "ROLLBACK: half {msg} @{offset} is done, never delivered",
            "ROLLBACK：半消息 {msg} @{offset} 回滚，不会投递",
        ),
        "ev.HalfMessageDiscarded": (
            "half {msg} @{offset} checked {times} times (transactionCheckMax): moved to TRANS_CHECK_MAX_TIME_TOPIC, never delivered",
            "半消息 {msg} @{offset} 已回查 {times} 次（transactionCheckMax）：移入 TRANS_CHECK_MAX_TIME_TOPIC，不会投递，等同回滚",
        ),
        "ev.OpMessageWritten": (
            "op message written: {offsets} marked done in the half queue, skipped by every later check-back",
            "写入 Op 消息：半消息队列中的 {offsets} 标记为已结束，之后的事务回查都会跳过",
        ),
        "ev.OpRecordsLost": (
            "op records of {offsets} lost with the process (queued, not written yet): the check-back will ask about them again",
            "{offsets} 的 Op 消息还在内存里排队、没写进去，随进程一起丢了：重启后事务回查会再问一遍",
        ),
        "evb.ProducerRegistered": ("{producer} registered", "{producer} 已注册"),
        "evb.ProducerUnregistered": ("{producer} unregistered", "{producer} 已注销"),
        "evb.HalfMessageStored": ("half {msg} @{offset}", "半消息 {msg} @{offset}"),
        "evb.TransactionEnded": ("END {state} {msg}", "END {state} {msg}"),
        "evb.TransactionEnded.note": ("END {state} {msg}", "END {state} {msg}"),
        "evb.TransactionEnded.check": ("check: END {state} {msg}", "回查：END {state} {msg}"),
        "evb.TransactionEnded.check.note": ("check: END {state} {msg}", "回查：END {state} {msg}"),
        "evb.TransactionChecked": (
            "check #{times}: {msg} @{offset} → @{copy}",
            "第 {times} 次回查 {msg} @{offset} → @{copy}",
        ),
        "evb.TransactionChecked.nobody": ("check #{times}: nobody to ask", "第 {times} 次回查：无人可问"),
        "evb.HalfMessageCommitted": ("COMMIT {msg} → {where}", "COMMIT {msg} → {where}"),
        "evb.HalfMessageCommitted.again": ("COMMIT {n} of {msg} → {where}", "第 {n} 次 COMMIT {msg} → {where}"),
        "evb.HalfMessageRolledBack": ("ROLLBACK {msg} @{offset}", "ROLLBACK {msg} @{offset}"),
        "evb.HalfMessageDiscarded": ("{msg} discarded after {times} checks", "{msg} 回查 {times} 次后丢弃"),
        "evb.OpMessageWritten": ("op: {offsets} done", "Op 消息：{offsets} 已结束"),
        "evb.OpRecordsLost": ("op of {offsets} lost", "{offsets} 的 Op 消息丢失"),
        "fault.lose_end_transaction": ("the END_TRANSACTION of {target} is lost", "{target} 的 END_TRANSACTION 丢了"),
        # the order system's transactional message (``minimq.apps.order_tx``, lesson 13)
        "app.tx_update": (
            "local transaction for {order}: UPDATE orders SET status='PAID' (not committed yet), then the invoicing call ({invoice})",
            "{order} 的本地事务：UPDATE orders SET status='PAID'（还没提交），接着调用开票服务（{invoice}）",
        ),
        "appb.tx_update": ("{order}: UPDATE → PAID, invoicing {invoice}", "{order}：UPDATE → PAID，开票 {invoice}"),
        "app.tx_commit": (
            "local transaction for {order}: the invoice is done; COMMIT, the order is PAID",
            "{order} 的本地事务：发票开好了，事务提交（COMMIT），订单状态为 PAID",
        ),
        "appb.tx_commit": ("{order}: COMMIT, PAID", "{order}：事务提交，PAID"),
        "app.tx_check": (
            "check listener reads {order}: {status} → {answer}",
            "回查监听器查订单 {order}：状态 {status} → 返回 {answer}",
        ),
        "appb.tx_check": ("check: {order} {status} → {answer}", "回查：{order} {status} → {answer}"),
    }
)

# a broker name with a master and a slave (``minimq.runtime.replication``, path P14, lesson 16)
EVENTS.update(
    {
        "ev.OffsetPersisted.slave": (
            "{group} offset {queue} = {offset} persisted on the slave ({via})",
            "{group} 的消费位点 {queue} = {offset} 已持久化到 Slave（{via}）",
        ),
        "evb.OffsetPersisted.slave": (
            "slave: {group} offset {queue} = {offset}",
            "Slave：{group} 消费位点 {queue} = {offset}",
        ),
        "ev.RouteChanged.register": (
            "name server: {who} registered; the route of {broker} is now {route}",
            "NameServer：{who} 完成注册，{broker} 的路由现在是 {route}",
        ),
        "ev.RouteChanged.channel closed": (
            "name server: the connection of {who} closed; the route of {broker} is now {route}",
            "NameServer：{who} 的连接断开，{broker} 的路由现在是 {route}",
        ),
        "evb.RouteChanged.register": ("route of {broker}: {route}", "{broker} 路由：{route}"),
        "evb.RouteChanged.channel closed": ("route of {broker}: {route}", "{broker} 路由：{route}"),
        "ev.RouteRefreshed": (
            "fetched the route of {broker} from the name server ({via}): now {route}",
            "从 NameServer 拉取 {broker} 的路由（{via}）：现在是 {route}",
        ),
        "evb.RouteRefreshed": ("route of {broker}: {route}", "{broker} 路由：{route}"),
        "route.master": ("{address} (master)", "{address}（Master）"),
        "route.slave": ("{address} (slave)", "{address}（Slave）"),
        "route.empty": ("no broker", "没有 Broker"),
        "route.via.poll": ("every 30 s", "每 30 秒定时"),
        "route.via.other": ("no address for {what}", "{what} 找不到地址"),
        "ev.MessagesReplicated": (
            "{slave} copied {count} message(s) from {master} (asynchronous replication)",
            "{slave} 从 {master} 复制了 {count} 条消息（异步复制）",
        ),
        "evb.MessagesReplicated": ("{slave} copied {count}", "{slave} 复制 {count} 条"),
        "ev.ReplicationLagged": (
            "{master} died before {slave} had copied its last {n} message(s): they wait on {master}'s disk",
            "{master} 挂掉时 {slave} 还有 {n} 条消息没复制过来：它们还在 {master} 的磁盘上",
        ),
        "ev.ReplicationLagged.lost": (
            "{master} is lost with its disk: the {n} message(s) {slave} had not copied are gone for good",
            "{master} 连同磁盘一起损毁：{slave} 还没复制的 {n} 条消息永久丢失",
        ),
        "evb.ReplicationLagged": ("{slave} lacks {n}", "{slave} 缺 {n} 条"),
        "evb.ReplicationLagged.lost": ("{n} lost with {master}", "{n} 条随 {master} 丢失"),
        "ev.OffsetSyncedFromMaster": (
            "{slave} synced {group} offset {queue} from {master}: {offset} (was {previous})",
            "{slave} 从 {master} 同步 {group} 的消费位点 {queue}：{offset}（原为 {previous}）",
        ),
        "ev.OffsetSyncedFromMaster.back": (
            "{slave} synced {group} offset {queue} from {master}: back to {offset} (was {previous})",
            "{slave} 从 {master} 同步 {group} 的消费位点 {queue}：回退到 {offset}（原为 {previous}）",
        ),
        "evb.OffsetSyncedFromMaster": (
            "slave ← master: {group} offset {queue} = {offset}",
            "Slave ← Master：{group} 消费位点 {queue} = {offset}",
        ),
        "evb.OffsetSyncedFromMaster.back": (
            "slave ← master: {group} offset {queue} back to {offset}",
            "Slave ← Master：{group} 消费位点 {queue} 回退到 {offset}",
        ),
    }
)
