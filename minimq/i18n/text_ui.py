"""Labels, headings and prompts shared by every lesson."""

UI: dict[str, tuple[str, str]] = {
    "ui.step_prompt": (
        "page {n}/{total} · Enter: next · b: back · 1-{total}: go to · q: quit › ",
        "第 {n}/{total} 页 · 回车：下一页 · b：上一页 · 1-{total}：跳到该页 · q：退出 › ",
    ),
    "ui.step_keys": (
        "Type Enter, b, a page number from 1 to {total}, or q.",
        "请按回车，或输入 b、1 到 {total} 的页码、q。",
    ),
    "ui.step_quit": ("Stopped at page {n} of {total}.", "已退出，停在第 {n}/{total} 页。"),
    "ui.step": ("Step {n}", "第 {n} 步"),
    "ui.run": ("Run {n} of {total}: {title}", "第 {n}/{total} 轮：{title}"),
    "ui.happened": ("What happened", "发生了什么"),
    "ui.nothing_happened": ("(nothing new)", "（没有新动静）"),
    "ui.timeline": ("Timeline of run {n} ({title}), seed {seed}", "第 {n} 轮时间线（{title}），seed {seed}"),
    "ui.t": ("t", "时间"),
    "ui.queue": ("queue", "队列"),
    "ui.max_offset": ("max offset", "队列\n最大位点"),
    "ui.committed_on_broker": ("{group}\noffset on broker", "{group}\nBroker 上的\n消费位点"),
    "ui.local_offset": ("{client}\nlocal offset", "{client}\n本地\n消费位点"),
    "ui.in_flight": ("{client}\nin flight", "{client}\n处理中的\n队列位点"),
    "ui.coupon_group": ("coupon", "优惠券组"),
    "ui.red_packet_group": ("red packet", "红包组"),
    "ui.queues_title": (
        "Broker: topic {topic}, queues q0..q{last}, offsets side by side",
        "Broker：主题 {topic} 的队列 q0..q{last}，队列位点与各组消费位点",
    ),
    "ui.disk_title": ("Broker's disk (flushed {when})", "Broker 磁盘（{when} 刷盘）"),
    "ui.disk_when": ("{time}", "{time}"),
    "ui.disk_never": ("never", "从未"),
    "ui.on_disk": ("{group}\noffset on disk", "{group}\n磁盘上的\n消费位点"),
    "ui.retries_title": (
        "Broker: what {group} sent back (retry topic)",
        "Broker：{group} 发回的消息（重试队列）",
    ),
    "ui.taken_back_at": ("taken back at", "Broker 收下\n的时间"),
    "ui.retry_no": ("retry", "第几次\n重试"),
    "ui.due_at": ("due at", "到期\n投递时间"),
    "ui.stored_at": ("stored at", "存放位置"),
    "ui.waiting": ("(waiting for its delay)", "（延迟未到）"),
    "ui.dead_letter": ("DLQ", "死信"),
    "ui.coupons_title": ("Coupon DB: table coupons", "优惠券库：coupons 表"),
    "ui.coupon_id": ("id", "id"),
    "ui.order": ("order", "订单"),
    "ui.user": ("user", "用户"),
    "ui.msg_id": ("msg id", "msgId"),
    "ui.issued_at": ("issued at", "发放时间"),
    "ui.no_rows": ("(no rows)", "（空）"),
    "ui.verdict": ("Verdict", "结论"),
    "ui.verdict_dup": (
        "{order}: {coupons} coupons for one paid order. Duplicate coupons: {dups}.",
        "{order}：一个已支付订单发了 {coupons} 张券，重复发放了 {dups} 张。",
    ),
    "ui.verdict_ok": (
        "{order}: exactly one coupon. No duplicate, nothing lost.",
        "{order}：恰好一张券，没有重复发放，也没有漏发。",
    ),
    "ui.verdict_lost": ("{order}: no coupon at all: a lost effect.", "{order}：一张券都没发，漏发了。"),
    "ui.red_packets": ("Red packets paid for {order}: {n}.", "{order} 发出的红包：{n} 个。"),
    "ui.verdict_orders": ("Coupons for the {n} paid orders: {counts}.", "{n} 个已支付订单各发的券：{counts}。"),
    "ui.order_count": ("{order} {n}", "{order} {n} 张"),
    "ui.verdict_orders_dup": ("Duplicate coupons: {dups}.", "重复发放 {dups} 张。"),
    "ui.verdict_orders_lost": (
        "{n} order(s) with no coupon at all: {orders}.",
        "{n} 个订单一张券都没拿到：{orders}。",
    ),
    "ui.verdict_orders_ok": (
        "Exactly one each: no duplicate, nothing lost.",
        "每单恰好一张：没有重复发放，也没有漏发。",
    ),
    "ui.red_packets_orders": ("Red packets: {n} for {orders} orders.", "红包：{orders} 个订单共发 {n} 个。"),
    "ui.red_packets_orders_dup": (
        "Red packets: {n} for {orders} orders, {dups} too many: the red-packet group got every duplicate too, "
        "and is not idempotent either.",
        "红包：{orders} 个订单共发 {n} 个，多发了 {dups} 个。红包组同样收到了每一条重复消息，它也没做幂等。",
    ),
    "ui.red_packets_dup": (
        "{order}: {n} red packets, {dups} too many: the red-packet group got every duplicate too, and is not idempotent either.",
        "{order}：发了 {n} 个红包，多发了 {dups} 个。红包组同样收到了每一条重复消息，它也没做幂等。",
    ),
    "ui.dup_deliveries_all": ("extra deliveries\n(both groups)", "重复投递\n两组合计"),
    "ui.dup_red_packets": ("extra red\npackets", "多发的红包"),
    "ui.lost_all": ("lost coupons or\nred packets", "漏发的券\n或红包"),
    "ui.summary_title": ("Lesson {n} in one table", "第 {n} 课一览"),
    "ui.summary_point": (
        "A fix row still counts extra deliveries: idempotency does not stop a duplicate from arriving, it makes "
        "it harmless.",
        "修好的那几行照样有重复投递：幂等挡不住重复消息送上门，它只是让重复变得无害。",
    ),
    "ui.events_not_listed": (
        "({n} events, not listed; the timeline of the run starts after them)",
        "（共 {n} 个事件，不逐条列出；本轮的时间线也从它们之后画起）",
    ),
    "ui.events_not_listed_others": (
        "({n} other events, not listed; the timeline of the run starts after them)",
        "（其余 {n} 个事件不逐条列出；本轮的时间线也从它们之后画起）",
    ),
    "ui.events_not_drawn": (
        "({n} events, not listed nor drawn in the timeline: the tables sum them up)",
        "（共 {n} 个事件，不逐条列出，时间线也略去，结果看下面的表）",
    ),
    "ui.events_not_drawn_others": (
        "({n} other events, not listed nor drawn in the timeline: the tables sum them up)",
        "（其余 {n} 个事件不逐条列出，时间线也略去，结果看下面的表）",
    ),
    "ui.timeline_gap": ("… {n} events not drawn", "……略去 {n} 个事件"),
    "ui.coupons_left_out": (
        "Not listed: {n} more orders with one coupon each.",
        "另有 {n} 个订单各一张券，未列出。",
    ),
    "ui.no_coupon": ("no coupon", "没有券"),
    "ui.list_sep": (", ", "、"),
    "ui.others_dup_coupons": (
        "{n} other paid orders got more than one coupon ({orders}): {extra} duplicate coupons.",
        "另有 {n} 个已支付订单不止一张券（{orders}），重复发放了 {extra} 张。",
    ),
    "ui.others_lost_coupons": (
        "{n} other paid orders got no coupon ({orders}).",
        "另有 {n} 个已支付订单一张券都没拿到（{orders}）。",
    ),
    "ui.others_dup_red_packets": (
        "{n} other paid orders got more than one red packet ({orders}): {extra} too many.",
        "另有 {n} 个已支付订单不止一个红包（{orders}），多发了 {extra} 个。",
    ),
    "ui.others_lost_red_packets": (
        "{n} other paid orders got no red packet ({orders}).",
        "另有 {n} 个已支付订单一个红包都没拿到（{orders}）。",
    ),
    "ui.as_in_run_1": ("… {n} lines as in run 1", "……（{n} 行与第 1 轮相同，略）"),
    "ui.ticket": ("Customer service", "客服工单"),
    "ui.legend_title": ("How to read the tables", "表格怎么看"),
    "ui.legend": (
        "order-paid#0@0 is topic order-paid, queue 0, queue offset 0. An id such as …43C60 is the end of a msgId: the "
        "producer writes it into a Message object once (UNIQ_KEY), so every copy sent from that object carries "
        "it, and a new object gets a new one. The broker gives each stored copy an offsetMsgId of its own "
        "(where the copy is stored). The message key is the order id (setKeys): the one identity every copy "
        "of one payment shares, whichever object or call sent it, which is why a consumer deduplicates on it "
        "and not on the msgId. In flight: the queue offsets a consumer has pulled and not finished; the "
        "consumer offset it commits cannot pass the smallest of them.",
        "order-paid#0@0 表示主题 order-paid 的 0 号队列、队列位点（queueOffset）0。形如 …43C60 的是 msgId 的末尾几位："
        "生产者只在 Message 对象第一次发送时写入一次（UNIQ_KEY），所以同一个对象发出的每一条都带着它，新建的对象"
        "就换一个新的。Broker 给存下的每一条消息另配一个 offsetMsgId（物理位点 ID，记录它存在哪儿）。消息 Key 是"
        "订单号（setKeys 设置的业务唯一标识）：同一笔支付的每条消息，不管是哪个对象、哪次调用发出来的，都带着"
        "同一个订单号，所以消费端按它去重，而不是按 msgId。处理中：消费者已经拉到、还没消费完的队列位点；"
        "它提交的消费位点不能越过其中最小的那个。",
    ),
    "ui.design": ("design", "方案"),
    "ui.dup_deliveries": ("extra deliveries\n(coupon group)", "重复投递\n（优惠券组）"),
    "ui.dup_effects": ("extra coupons", "重复发放"),
    "ui.lost_effects": ("lost coupons", "漏发"),
    "ui.virtual_time": ("virtual time", "模拟时长"),
    "ui.lessons_title": ("minimq lessons", "minimq 课程"),
    "ui.lessons_hint": (
        "Run one with `minimq lesson <number|name>`. `minimq tour` runs the short route (the lessons marked *), "
        "`minimq tour --all` every lesson. P1 .. P20 are the duplication paths of docs/semantics.md.",
        "用 `minimq lesson <编号|名称>` 运行一课。`minimq tour` 走短路线（标 * 的几课），`minimq tour --all` "
        "走完所有课程。P1 .. P20 是 docs/semantics.md 里编号的重复投递路径。",
    ),
    "ui.unknown_lesson": ("unknown lesson {name!r}; the lessons are:", "没有这一课：{name!r}。现有课程："),
    "ui.bad_width": (
        "the width must be a whole number of columns, at least {least}; got {value!r}",
        "宽度必须是整数列数，至少 {least} 列；收到的是 {value!r}",
    ),
    "ui.export_suffix": (
        "--export must end in .svg, .html or .txt; got {path!r}",
        "--export 的文件名必须以 .svg、.html 或 .txt 结尾；收到的是 {path!r}",
    ),
    "ui.export_dir": (
        "--export: cannot create the folder {path!r} (a file of that name, or no permission)",
        "--export：无法创建目录 {path!r}（已有同名文件，或没有权限）",
    ),
    "ui.json_and_export": (
        "--json prints the summary and --export writes the narration: choose one",
        "--json 输出摘要，--export 导出讲解内容：二者只能选一个",
    ),
    "ui.script_needs_install": (
        "minimq needs its dependencies ({module} is missing): run python3 -m venv .venv && "
        ".venv/bin/pip install -e . once, then .venv/bin/python lessons/{script}",
        "minimq 的依赖没有装（缺少 {module}）：先运行一次 python3 -m venv .venv && .venv/bin/pip install -e .，"
        "再用 .venv/bin/python lessons/{script} 运行",
    ),
    "ui.exported": ("Wrote {path}", "已导出 {path}"),
    "ui.tour_done": (
        "That was the short tour: the three ways of the incident, one payment and two coupons, and the fix "
        "matrix. The fix that closes all three: in every consumer group, a UNIQUE key on the order id, written in "
        "the same transaction as the coupon or the red packet. The duplicates still arrive; they no longer do "
        "harm. minimq tour --all adds the other {more} lessons.",
        "短路线到此结束：事故里的三条路径（一次支付、两张券），加上修复方案对照表。能把三条路都堵住的修复是：每个"
        "消费组都在订单号上建唯一索引，和发券、发红包写在同一个事务里。重复消息照样会来，只是再也造不成损失。"
        "其余 {more} 课，用 minimq tour --all 一起走完。",
    ),
    "ui.tour_done_all": (
        "That was the whole tour: {n} lessons, and every way they showed ends the same. Duplicates are routine, "
        "not an accident: a deploy, a slow call, a timeout or a misconfigured client is enough. So every "
        "consumer group makes each of its effects idempotent on its own, keyed by the business id and written "
        "with the effect; it answers a duplicate with SUCCESS; and it keeps the settings that decide how many "
        "duplicates arrive (instance name, consume timeout, retries) deliberate.",
        "完整路线到此结束：一共 {n} 课，每条路径的结论都一样。重复消息是常态，不是意外：一次发布、一次慢调用、"
        "一次超时、一个配错的客户端，就足以产生重复。所以每个消费组都要让自己的每个副作用各自幂等：以业务唯一标识"
        "为键，和副作用写在同一个事务里；收到重复消息时返回 SUCCESS；决定重复有多少的那些配置（实例名、消费超时、"
        "重试次数），也要有意识地设置。",
    ),
    "ui.dup_mark": ("DUPLICATE: ", "重复："),
    "ui.dup_effect_mark": ("DUPLICATE EFFECT: ", "重复发放："),
    "lane.payment": ("payment", "支付系统"),
    "lane.order": ("order", "订单系统"),
    "lane.broker": ("broker", "Broker"),
    "lane.coupon": ("coupon", "优惠券系统"),
    "lane.coupon_n": ("coupon-{n}", "coupon-{n}"),  # the processes' own names: the narration uses them
    "ui.pq_max": ("max\noffset", "队列\n最大\n位点"),
    "ui.pq_group": ("coupon\non broker", "优惠券组\nBroker 上\n消费位点"),
    "ui.pq_local": ("{client}\nlocal", "{client}\n本地\n消费位点"),
    "ui.pq_flight": ("{client}\nin flight", "{client}\n处理中的\n队列位点"),
    "lane.red_packet": ("red packet", "红包系统"),
    "lane.coupon_db": ("coupon DB", "优惠券库"),
    "lane.batch": ("batch job", "批处理任务"),
    "lane.sms": ("SMS outbox", "短信发件箱"),
}
