"""Every line of ``minimq check``: verdicts, the counterexample's story, figures, errors."""

CHECK: dict[str, tuple[str, str]] = {
    # -- the result --------------------------------------------------------------------
    "check.ok_word": ("OK", "通过"),
    "check.fail_word": ("FAIL", "未通过"),
    "check.ok": (
        "{design}: no violation in {examples} schedules (seed {seed}{distinct}): every paid order got exactly "
        "one coupon, and every message was acknowledged with CONSUME_SUCCESS.",
        "{design}：{examples} 个剧本里没有发现问题（seed {seed}{distinct}）：每个已支付订单都恰好发了一张券，"
        "每条消息最终都返回了 CONSUME_SUCCESS。",
    ),
    "check.ok_sms": (
        "{design}: no violation in {examples} schedules (seed {seed}{distinct}): every paid order got exactly "
        "one coupon and one SMS, and every message was acknowledged with CONSUME_SUCCESS.",
        "{design}：{examples} 个剧本里没有发现问题（seed {seed}{distinct}）：每个已支付订单都恰好发了一张券、"
        "一条短信，每条消息最终都返回了 CONSUME_SUCCESS。",
    ),
    "check.distinct": (", {runs} distinct", "，去重后 {runs} 个"),
    "check.paths_explored": ("Paths explored: {paths}.", "覆盖到的路径：{paths}。"),
    "check.none": ("none", "无"),
    "check.evidence": (
        "No violation in {examples} schedules is evidence, not proof: raise --examples and try other seeds "
        "before you trust a design.",
        "{examples} 个剧本没出问题只是证据，不是证明：真要信任一个方案，先加大 --examples、多换几个 seed 再跑。",
    ),
    "check.fail": (
        "{design}: a counterexample after {examples} schedule(s); shrunk in {shrink} more run(s).",
        "{design}：第 {examples} 个剧本出现反例，又跑了 {shrink} 次把它缩到最小。",
    ),
    "check.fail_hung": (
        "{design}: schedule {examples} got stuck; it is shown as it was, not shrunk (every try could take the "
        "whole timeout again).",
        "{design}：第 {examples} 个剧本卡住了；按原样展示，没有再缩小（每试一次都可能再卡满整个超时）。",
    ),
    "check.replay_ok": (
        "{design}: this schedule gives every paid order exactly one coupon, and every message was acknowledged.",
        "{design}：这个剧本下每个已支付订单都恰好发了一张券，每条消息最终都返回了 CONSUME_SUCCESS。",
    ),
    "check.replay_fail": (
        "{design}: the stored schedule still breaks the design.",
        "{design}：存下来的这个剧本仍然能让方案出错。",
    ),
    "check.h_schedule": ("The minimal schedule", "最小反例剧本"),
    "check.h_wrong": ("What went wrong", "哪里出了问题"),
    "check.h_messages": ("Messages", "消息（msgId：客户端生成的 UNIQ_KEY）"),
    "check.h_timeline": ("Timeline of the counterexample", "反例的时间线"),
    "check.h_replay": ("Replay it exactly", "原样重放"),
    "check.message": (
        "{name} = msgId {msg_id} ({order}; the broker stored it {copies} time(s))",
        "{name} = msgId {msg_id}（{order}；Broker 上存了 {copies} 条）",
    ),
    "check.folded": (
        "… {n} more deliveries of {msg}, {start} to {end} …",
        "……{msg} 又投递了 {n} 次，{start} 到 {end}……",
    ),
    # -- what the schedules did (a pass) ----------------------------------------------------
    "check.stats_title": ("What the schedules did", "这些剧本做了什么"),
    "check.stats_figure": ("figure", "指标"),
    "check.stats_total": ("total", "合计"),
    "check.stats.schedules": ("distinct schedules run", "实际运行的不同剧本"),
    "check.stats.deliveries": ("deliveries to the coupon consumer", "投递给优惠券消费者的次数"),
    "check.stats.duplicates": ("duplicates delivered", "收到的重复消息"),
    "check.stats.absorbed": ("duplicates absorbed (still one coupon)", "被幂等逻辑挡住的重复消息（仍只发一张券）"),
    "check.stats.sms_checked": ("paid orders whose SMS was counted", "核对过短信条数的已支付订单"),
    "check.stats.retries": ("retries (RECONSUME_LATER, consume timeout)", "重试（RECONSUME_LATER、消费超时）"),
    "check.stats.dead_letters": ("dead letters", "进死信队列的消息"),
    "check.stats.crashes": ("consumer crashes", "消费者进程崩溃"),
    "check.stats.rebalances": ("rebalances that moved a queue", "让队列换了消费者的重平衡"),
    "check.stats.faults": ("faults injected", "注入的故障"),
    "check.stats.revived": (
        "POP messages revived (not acked within their invisible duration)",
        "POP 消息被 revive（不可见时间内没有 ack）",
    ),
    "check.stats.acks_refused": (
        "acks refused (the receipt handle had expired)",
        "被拒绝的 ack（receipt handle 已过期）",
    ),
    "check.stats.checks": ("transaction check-backs", "事务回查"),
    "check.stats.commits_again": ("msg ids committed a second time (#5574)", "同一个 msgId 被再次提交（#5574）"),
    "check.stats.resets": ("offset resets by an operator", "运维重置消费位点"),
    "check.stats.broker_crashes": (
        "broker crashes (restarted from its flushes)",
        "Broker 崩溃（重启后从刷盘数据恢复）",
    ),
    "check.stats.offsets_back": (
        "queues whose offset the restarted broker put back",
        "Broker 重启后消费位点回退的队列",
    ),
    "check.stats.virtual_ms": ("virtual time covered", "覆盖的模拟时长"),
    "check.stats.path": ("schedules with path {path}", "含 {path} 路径的剧本"),
    "where.BEFORE_HANDLER": ("before the handler runs", "调用消费逻辑之前"),
    "where.IN_HANDLER": ("inside the handler, at its next statement", "消费逻辑内部、下一条语句处"),
    "where.AFTER_HANDLER": (
        "after the handler returned, before the result was processed",
        "消费逻辑返回之后、消费结果处理之前",
    ),
    "where.AFTER_LOCAL_COMMIT": (
        "after the offset moved locally, before it was persisted",
        "本地消费位点已前移、还没持久化的时候",
    ),
    "where.BEFORE_STATEMENT": ("before database statement {n}", "第 {n} 条数据库语句之前"),
    # -- what went wrong ---------------------------------------------------------------------
    "check.deliveries": (
        "{order}: delivered {n} time(s) to coupon-system: {list}.",
        "{order}：投递给 coupon-system {n} 次：{list}。",
    ),
    "check.delivery": ("{client} at {at} ({msg})", "{at} 给 {client}（{msg}）"),
    "check.delivery.retry": ("{client} at {at} ({msg}, retry {times})", "{at} 给 {client}（{msg}，第 {times} 次重试）"),
    "check.then": (", then ", "，然后 "),
    "check.and_more": ("… and {n} more", "……还有 {n} 次"),
    "verdict.duplicate": (
        "{order} got {coupons} coupons: a duplicate coupon.",
        "{order} 发了 {coupons} 张券：重复发放。",
    ),
    "verdict.lost": ("{order} got no coupon: a lost coupon.", "{order} 一张券都没发：漏发了。"),
    "verdict.duplicate_sms": (
        "{order} got {sms} rows in sms_outbox: the user is sent the same SMS {sms} times (a duplicate SMS).",
        "{order} 在 sms_outbox 里有 {sms} 行：同一条短信用户会收到 {sms} 次（短信重复发送）。",
    ),
    "verdict.lost_sms": (
        "{order} got no row in sms_outbox: the user is never told about the coupon (a lost SMS).",
        "{order} 在 sms_outbox 里一行都没有：用户永远收不到发券短信（短信漏发）。",
    ),
    "hint.lost_sms": (
        "A retry that finds the coupon already issued must still make sure the SMS is there: make each effect "
        "idempotent on its own, or write both in one transaction.",
        "重试时发现券已经发过了，也还得确认短信已经写进去：要么让每个操作各自幂等，要么把券和短信放进同一个事务。",
    ),
    "verdict.retried_after_effect": (
        "{client} answered {msg} of {order} with {answer} at {at}, although the coupon of {order} had been "
        "committed at {committed}: RocketMQ retries such a message (after 10 s, 30 s, 1 min, ..., 16 times over "
        "4 h 45 min 40 s, then into the dead-letter queue).",
        "{at} {client} 对 {order} 的 {msg} 返回了 {answer}，可 {order} 的券在 {committed} 就已经写入（事务已提交）：RocketMQ "
        "会重试这条消息（10 秒、30 秒、1 分钟……共 16 次、历时 4 小时 45 分 40 秒，之后进死信队列）。",
    ),
    "verdict.retried_after_effect.pop": (
        "{client} answered {msg} of {order} with {answer} at {at}, although the coupon of {order} had been "
        "committed at {committed}: on POP the message is then not acked, so the broker revives it when its "
        "invisible duration is over and delivers it again, up to 17 times, then into the dead-letter queue.",
        "{at} {client} 对 {order} 的 {msg} 返回了 {answer}，可 {order} 的券在 {committed} 就已经写入（事务已提交）：在 POP "
        "下这条消息就不会被 ack，不可见时间一到 Broker 就把它 revive 回来重新投递，最多 17 次，之后进死信队列。",
    ),
    "hint.retried_after_effect": (
        "A duplicate that the design recognises must be acknowledged with CONSUME_SUCCESS, never RECONSUME_LATER.",
        "识别出重复消息后要直接返回 CONSUME_SUCCESS，不能返回 RECONSUME_LATER。",
    ),
    "answer.failure": ("RECONSUME_LATER", "RECONSUME_LATER"),
    "answer.raised": ("an exception ({error})", "异常（{error}）"),
    "answer.value": ("{value}, which is not a ConsumeStatus", "{value}，而这不是 ConsumeStatus"),
    "verdict.not_a_status": (
        "handle returned {value} for {msg} of {order} at {at}: that is not a ConsumeStatus, so RocketMQ counts it "
        "as RECONSUME_LATER and retries the message.",
        "{at} handle 处理 {order} 的 {msg} 时返回了 {value}：这不是 ConsumeStatus，RocketMQ 会按 "
        "RECONSUME_LATER 处理，重试这条消息。",
    ),
    "hint.not_a_status": (
        "Return ConsumeStatus.SUCCESS, or RECONSUME_LATER for a failure that a retry can fix.",
        "请返回 ConsumeStatus.SUCCESS；只有重试能解决的失败才返回 RECONSUME_LATER。",
    ),
    "verdict.dead_lettered": (
        "{msg} of {order} went to the dead-letter queue %DLQ%coupon-system at {at}, after {retries} retries, "
        "{after} after its first delivery.",
        "{order} 的 {msg} 重试 {retries} 次后，在 {at} 进了死信队列 %DLQ%coupon-system，距第一次投递已过去 {after}。",
    ),
    "hint.dead_lettered": (
        "In production an alarm fires, and somebody has to look at the message and replay it by hand.",
        "线上会触发告警，还得有人去查这条消息、手工重新投递。",
    ),
    "verdict.did_not_return": (
        "the handler of {order} ({client}, {msg}), called at {since}, had not returned {waited} later: it waits "
        "at {where}{statement}.",
        "{since} 调用的 {order} 的消费逻辑（{client}，{msg}）过了 {waited} 还没返回：它停在 {where}{statement}。",
    ),
    "verdict.did_not_return.statement": (" on the statement {statement}", "，卡在语句 {statement} 上"),
    "verdict.did_not_return.nowhere": ("a line outside the design", "方案文件之外的某一行"),
    "verdict.did_not_return.more": (
        "{n} later deliveries of it did not return either.",
        "之后又有 {n} 次投递也没有返回。",
    ),
    "hint.did_not_return": (
        "RocketMQ sends such a message back after the 15 min consume timeout and delivers it again, while the "
        "stuck thread stays lost to the pool of 20 consume threads.",
        "RocketMQ 会在 15 分钟消费超时后把消息发回 Broker 重新投递，而卡住的线程一直占着 20 个消费线程中的一个。",
    ),
    "hint.did_not_return.pop": (
        "On POP there is no consume timeout: the message comes back each time its invisible duration is over and "
        "goes to another receive, while this call still holds its process's loop.",
        "POP 没有消费超时：不可见时间一到消息就回来，交给下一个来取的消费者，而这次调用还一直占着它所在进程的循环。",
    ),
    "verdict.escaped": (
        "handle raised {raised} at {where} while {client} handled {msg} of {order} at {at}.",
        "{at} {client} 处理 {order} 的 {msg} 时，handle 在 {where} 抛出了 {raised}。",
    ),
    "hint.escaped": (
        "In a real consumer this ends the process. Return a ConsumeStatus instead; raise an ordinary Exception "
        "to ask for a retry.",
        "在真实的消费者里这会直接结束进程。请返回 ConsumeStatus；想要重试就抛普通的 Exception。",
    ),
    "verdict.timed_out": (
        "the design ran for more than {seconds} s of wall-clock time at {where}{while_}: a busy loop or a "
        "blocking call (a socket read, a lock that never comes) holds the consume thread, and here the whole simulation.",
        "方案在 {where}{while_} 跑了超过 {seconds} 秒的真实时间：死循环或阻塞调用（读 socket、等一把永远拿不到的锁）占住了"
        "消费线程，在这里还卡住了整个模拟。",
    ),
    "verdict.timed_out.while": (" while {client} handled {order}", "（{client} 正在处理 {order}）"),
    "hint.timed_out": (
        "A blocking call takes no virtual time in a simulation; to wait, await asyncio.sleep(...) in an async def "
        "handler. Raise the limit with --timeout if the machine is just slow.",
        "阻塞调用在模拟里不占模拟时间；要等待，请在 async def 的 handle 里 await asyncio.sleep(...)。"
        "如果只是机器慢，用 --timeout 调大上限。",
    ),
    "at.where": ("{file}:{line} ({code})", "{file}:{line}（{code}）"),
    # -- progress ------------------------------------------------------------------------------
    "progress.exploring": ("exploring {design}", "正在探索 {design}"),
    "progress.schedules": ("{done}/{total} schedules", "{done}/{total} 个剧本"),
    "progress.replaying": ("replaying {design}", "正在重放 {design}"),
    # -- errors --------------------------------------------------------------------------------
    "err.prefix": ("minimq: error: {message}", "minimq：错误：{message}"),
    "err.interrupted": ("minimq: interrupted", "minimq：已中断"),
    "err.no_file": ("no such file: {path!r}", "文件不存在：{path!r}"),
    "err.not_allowed": ("permission denied: {path!r}", "没有权限：{path!r}"),
    "err.is_dir": ("{path!r} is a folder, not a file", "{path!r} 是目录，不是文件"),
    "err.os": ("{problem}: {path!r}", "{problem}：{path!r}"),
    "err.examples": (
        "--examples must be a whole number from 1 to {max}, got {value}",
        "--examples 必须是 1 到 {max} 之间的整数，实际是 {value}",
    ),
    "err.paths_empty": (
        "--paths names no path (got {value}); choose from {choices}",
        "--paths 里没有任何路径名（实际是 {value}）；可选：{choices}",
    ),
    "err.paths_unknown": (
        "unknown path(s) {unknown}; choose from {choices}",
        "不认识的路径 {unknown}；可选：{choices}",
    ),
    "err.width": ("--width must be at least {min} columns, got {value}", "--width 至少要 {min} 列，实际是 {value}"),
    "err.jobs": ("--jobs must be from 1 to {max}, got {value}", "--jobs 必须在 1 到 {max} 之间，实际是 {value}"),
    "err.timeout": (
        "--timeout must be a positive number of seconds, at most {max}, got {value}",
        "--timeout 必须是正的秒数，最多 {max}，实际是 {value}",
    ),
    "err.schedule": ("--replay: {problem}", "--replay：{problem}"),
    "err.hypothesis": (
        "minimq check needs {module} (pip install 'minimq[test]')",
        "minimq check 需要 {module}（pip install 'minimq[test]'）",
    ),
}
