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
        "{design}：这个剧本下每个已支付订单都恰好一张券，每条消息都被正确确认。",
    ),
    "check.replay_fail": (
        "{design}: the stored schedule still breaks the design.",
        "{design}：存下来的这个剧本仍然能让方案出错。",
    ),
    "check.h_schedule": ("The minimal schedule", "最小反例剧本"),
    "check.h_wrong": ("What went wrong", "哪里出了问题"),
    "check.h_messages": ("Messages", "消息"),
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
    "check.stats.absorbed": ("duplicates absorbed (still one coupon)", "被幂等挡住的重复（仍只发一张券）"),
    "check.stats.retries": ("retries (RECONSUME_LATER, consume timeout)", "重试（RECONSUME_LATER、消费超时）"),
    "check.stats.dead_letters": ("dead letters", "死信"),
    "check.stats.crashes": ("consumer crashes", "消费者崩溃"),
    "check.stats.rebalances": ("rebalances that moved a queue", "挪动了队列的重平衡"),
    "check.stats.faults": ("faults injected", "注入的故障"),
    "check.stats.virtual_ms": ("virtual time covered", "覆盖的模拟时长"),
    "check.stats.path": ("schedules with path {path}", "含 {path} 路径的剧本"),
    # -- the schedule, step by step -----------------------------------------------------------
    "step.pay": ("the order system sends 'order paid' for {order}", "订单系统发出 {order} 的支付成功消息"),
    "step.upstream_retry": (
        "the payment system calls back again: a second, new message for {order}",
        "支付系统再次回调：订单系统为 {order} 又发了一条新消息（新的 msgId）",
    ),
    "step.lost_reply.fast_fail": (
        "'order paid' for {order} is stored but its reply is lost (the channel closes): the producer retries "
        "at once by itself",
        "{order} 的消息已存进 Broker，但应答丢了（连接断开）：生产者立刻自动重试",
    ),
    "step.lost_reply.same": (
        "'order paid' for {order} is stored but its reply is lost: send() times out and the order system sends "
        "the same Message again",
        "{order} 的消息已存进 Broker，但应答丢了：send() 发送超时，订单系统把同一个 Message 对象再发一次",
    ),
    "step.lost_reply.new": (
        "'order paid' for {order} is stored but its reply is lost: send() times out and the order system sends "
        "a new Message",
        "{order} 的消息已存进 Broker，但应答丢了：send() 发送超时，订单系统新建一个 Message 再发一次",
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
        "{order} 的前 {times} 次投递里，第 {statement} 条语句执行完后连接断开：活已经干了，消费逻辑却收到异常",
    ),
    "step.slow": (
        "the handler of {order} is held {held} before it starts, past the 15 min consume timeout",
        "{order} 的消费逻辑开始前被卡住 {held}，超过了 15 分钟的消费超时",
    ),
    "step.slow_mid": (
        "the handler of {order} is held {held} before database statement {statement}, past the 15 min consume timeout",
        "{order} 的消费逻辑在第 {statement} 条数据库语句前被卡住 {held}，超过了 15 分钟的消费超时",
    ),
    "step.outage": (
        "the coupon database and Redis are down for {duration}: every statement fails, and failed messages climb "
        "the retry ladder",
        "优惠券库和 Redis 宕机 {duration}：所有语句都失败，失败的消息沿着重试阶梯越退越晚",
    ),
    "step.reset": (
        "an operator resets coupon-system's offsets back to {when} (mqadmin resetOffsetByTime)",
        "运维把 coupon-system 的消费位点重置回 {when}（mqadmin resetOffsetByTime）",
    ),
    "where.BEFORE_HANDLER": ("before the handler runs", "调用消费逻辑之前"),
    "where.IN_HANDLER": ("inside the handler, at its next statement", "消费逻辑内部、下一条语句处"),
    "where.AFTER_HANDLER": (
        "after the handler returned, before the result was processed",
        "消费逻辑返回之后、处理结果之前",
    ),
    "where.AFTER_LOCAL_COMMIT": (
        "after the offset moved locally, before it was persisted",
        "本地位点已前移、还没持久化的时候",
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
    "verdict.retried_after_effect": (
        "{client} answered {msg} of {order} with {answer} at {at}, although the coupon of {order} had been "
        "committed at {committed}: RocketMQ retries such a message (after 10 s, 30 s, 1 min, ..., 16 times over "
        "4 h 45 min 40 s, then into the dead-letter queue).",
        "{at} {client} 对 {order} 的 {msg} 返回了 {answer}，可 {order} 的券在 {committed} 就已经提交了：RocketMQ "
        "会重试这条消息（10 秒、30 秒、1 分钟……共 16 次、历时 4 小时 45 分 40 秒，之后进死信队列）。",
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
    "verdict.did_not_return.nowhere": ("a line outside the design", "设计文件之外的某一行"),
    "verdict.did_not_return.more": (
        "{n} later deliveries of it did not return either.",
        "之后又有 {n} 次投递也没有返回。",
    ),
    "hint.did_not_return": (
        "RocketMQ sends such a message back after the 15 min consume timeout and delivers it again, while the "
        "stuck thread stays lost to the pool of 20 consume threads.",
        "RocketMQ 会在 15 分钟消费超时后把消息送回重投，而卡住的线程一直占着 20 个消费线程中的一个。",
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
    # -- a design that cannot be used (exit 2) ---------------------------------------------------
    "design.not_found": (
        "design file not found: {path} (or name a shipped design: {names})",
        "找不到方案文件：{path}（也可以直接写内置方案的名字：{names}）",
    ),
    "design.unreadable": ("cannot read {path}: {error}", "读取 {path} 失败：{error}"),
    "design.syntax": ("syntax error in {path}, line {line}: {error}", "{path} 第 {line} 行有语法错误：{error}"),
    "design.syntax_noline": ("syntax error in {path}: {error}", "{path} 有语法错误：{error}"),
    "design.no_handle": (
        "{path} defines no handle(msg, db): write `async def handle(msg, db):`",
        "{path} 没有定义 handle(msg, db)：请写 `async def handle(msg, db):`",
    ),
    "design.handle_kind": ("{path}: handle is a {kind}, not a function", "{path}：handle 是 {kind}，不是函数"),
    "design.handle_signature": (
        "{path}: handle must take exactly (msg, db), but its signature is handle{signature}",
        "{path}：handle 的参数必须正好是 (msg, db)，现在是 handle{signature}",
    ),
    "design.setup_signature": (
        "{path}: setup must be a plain `def setup(db):` taking one argument",
        "{path}：setup 必须是只接收一个参数的普通函数 `def setup(db):`",
    ),
    "design.raised": ("{at}: {doing} raised {error}", "{at}：{doing}时抛出了 {error}"),
    "design.thread": (
        "{at}: handle(msg, db) starts a thread ({what}): a thread runs on the wall clock, outside the virtual "
        "time, so two runs with the same seed could differ and minimq cannot judge the design. Call the "
        "function directly, or make it a coroutine and await it",
        "{at}：handle(msg, db) 启动了线程（{what}）：线程跑在真实时钟上、在模拟时间之外，同一个 seed "
        "两次运行的结果可能不同，minimq 无法评判这个方案。请直接调用该函数，或把它写成协程再 await",
    ),
    "design.sleep": (
        "{at}: an async def handle calls time.sleep({seconds}): it would block every handler in wall time and "
        "take no virtual time. Write await asyncio.sleep({seconds}) (or make handle a plain def: there "
        "time.sleep sleeps in virtual time, like a consume thread)",
        "{at}：async def 的 handle 调用了 time.sleep({seconds})：它会在真实时间里卡住所有消费逻辑，却不占用模拟"
        "时间。请写 await asyncio.sleep({seconds})（或者把 handle 改成普通 def：那里的 time.sleep 会像消费线程"
        "一样在模拟时间里睡眠）",
    ),
    "design.import_timeout": (
        "importing {path} did not finish within {seconds} s{stuck}",
        "导入 {path} 超过 {seconds} 秒还没结束{stuck}",
    ),
    "design.setup_timeout": (
        "{path}: setup(db) did not return within {seconds} s{stuck}",
        "{path}：setup(db) 超过 {seconds} 秒还没返回{stuck}",
    ),
    "design.stuck_at": (" (stuck at {where}: {code})", "（卡在 {where}：{code}）"),
    "design.worker_died": (
        "a worker process running the design ended by itself (exit code {code}): the design ended its own "
        "process (os._exit, os.kill) or crashed the interpreter",
        "运行方案的工作进程自己退出了（退出码 {code}）：方案自己结束了进程（os._exit、os.kill），或者让解释器崩溃了",
    ),
    "design.worker_silent": (
        "the design stopped answering for more than {seconds} s and could not be interrupted (stuck inside C "
        "code, or blocking signals): its worker process was killed",
        "方案超过 {seconds} 秒没有响应，而且无法打断（卡在 C 代码里，或者屏蔽了信号）：已杀掉它的工作进程",
    ),
    "design.worker_hung": (
        "the design kept running at {spot} after the watchdog stopped it, and swallowed every interrupt",
        "看门狗叫停之后，方案仍在 {spot} 继续运行，并吞掉了每一次中断",
    ),
    "doing.import": ("importing {path}", "导入 {path} "),
    "doing.setup": ("setup(db)", "执行 setup(db) "),
    "doing.restart": ("importing the design again at a restart", "重启后重新导入方案"),
    "doing.handle": ("handle(msg, db)", "执行 handle(msg, db) "),
    "err.schedule": ("--replay: {problem}", "--replay：{problem}"),
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
    "err.hypothesis": (
        "minimq check needs {module} (pip install 'minimq[test]')",
        "minimq check 需要 {module}（pip install 'minimq[test]'）",
    ),
}
