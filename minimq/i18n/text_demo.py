"""``minimq demo``: the setting, the live feed, the tables and the verdict (``minimq.render.demo_view``).

The English lines are the demo's since its first version, byte for byte (a golden
transcript pins them), hard line breaks included. The Chinese breaks only between
sentences: rich wraps Chinese by display width.
"""

DEMO: dict[str, tuple[str, str]] = {
    "demo.title": ("minimq demo: one payment, two coupons", "minimq demo：一次支付，两张券"),
    "demo.setting": (
        "The payment system has told the order system that [bold]{order}[/] is paid.\n"
        "The order system sends an 'order paid' message to topic [bold]{topic}[/] and, so that no\n"
        "message is ever lost, sends it again whenever send() raises.\n"
        "Two consumer groups read the topic: [bold]{coupon}[/] gives one coupon per paid order,\n"
        "[bold]{red}[/] gives a red packet. Neither checks for duplicates.\n"
        "Fault armed: the broker will store the first send, but its reply will be lost.",
        "支付系统通知订单系统：[bold]{order}[/] 已支付。\n"
        "订单系统向 topic [bold]{topic}[/] 发一条“订单已支付”消息；为了一条消息都不丢，send() 一抛异常就再发一次。\n"
        "两个消费组订阅这个 topic：[bold]{coupon}[/] 给每个已支付订单发一张券，[bold]{red}[/] 发一个红包。"
        "两边都不做去重。\n"
        "已布置的故障：Broker 会存下第一次发送的消息，但它的应答会丢失。",
    ),
    "demo.timeline": ("What happened (virtual time, seed {seed})", "发生了什么（虚拟时间，seed {seed}）"),
    "demo.live": (
        "What happens, as it happens: virtual time at {speed}x the wall clock, seed {seed} (Ctrl-C stops)",
        "现场回放：虚拟时间按真实时间的 {speed} 倍推进，seed {seed}（按 Ctrl-C 停止）",
    ),
    "demo.live_end": (
        "{at}  the simulated minute is over",
        "{at}  模拟的一分钟结束",
    ),
    # -- the coupon table ----------------------------------------------------------------
    "demo.coupons": ("Coupon system: coupons issued", "优惠券系统：已发的券"),
    "demo.col_order": ("order", "订单"),
    "demo.col_msg_id": ("from msg id", "来自 msgId"),
    "demo.col_at": ("at", "时间"),
    # -- the broker's queues (``minimq.render.state.queues_table``) ----------------------
    "state.queues": ("Broker: topic {topic}", "Broker：topic {topic}"),
    "state.queue": ("queue", "队列"),
    "state.max_offset": ("max offset", "队列最大位点"),
    "state.committed": ("{group}\ncommitted", "{group}\n已提交的消费位点"),
    # -- the verdict ---------------------------------------------------------------------
    "demo.verdict": ("Verdict", "结论"),
    "demo.sends": ("Send attempts by the order system: {attempts}.", "订单系统的发送记录：{attempts}。"),
    "demo.sends_sep": ("; ", "；"),
    "demo.send_ok": ("attempt {attempt}: {status} offset {offset}", "第 {attempt} 次：{status}，队列位点 {offset}"),
    "demo.send_raised": ("attempt {attempt}: {error}", "第 {attempt} 次：send() 抛出 {error}"),
    "demo.send_timeout": (
        "attempt {attempt}: {error}",
        "第 {attempt} 次：发送超时（{error}；Java 报 RemotingTooMuchRequestException: sendDefaultImpl call timeout）",
    ),
    "demo.copies": (
        "The broker holds {n} copies of the message for {order}: msg id {ids} (the same object was re-sent), "
        "offset msg ids {offset_ids}.",
        "Broker 上存着 {order} 的 {n} 条消息：msgId（客户端生成的 UNIQ_KEY）都是 {ids}（重发的是同一个 Message 对象），"
        "offsetMsgId（物理位点 ID）分别是 {offset_ids}。",
    ),
    "demo.ids_sep": (", ", "、"),
    "demo.coupon_count": (
        "Coupons issued for {order}: {n}. Duplicate effects: {dup}; lost effects: {lost}.",
        "{order} 发出的券：{n} 张。重复发放：{dup} 次；漏发：{lost} 次。",
    ),
    "demo.why": (
        "Why: RocketMQ delivers at least once. The reply was lost after the broker stored the message,\n"
        "so the producer could not know, and sending again stored a second copy. Every consumer with a\n"
        "side effect must be idempotent; the lessons show how (minimq tour).",
        "原因：RocketMQ 的投递是至少一次（At Least Once）。Broker 存下消息之后应答才丢，生产者无从知道，"
        "再发一次就存下了第二条消息。凡是有副作用的消费逻辑（MessageListener）都必须幂等；"
        "怎么做，见各课（minimq tour）。",
    ),
}
