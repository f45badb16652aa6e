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
}
