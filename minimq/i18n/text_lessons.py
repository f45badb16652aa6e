"""What every lesson's narration shares: the setting of the shop, English and Chinese.

Each lesson's own lines are in ``text_lesson<N>.py``.

Numbers in the text are the lesson world's: payment callback timeout 1000 ms, marketing
service 1200 ms, user notification 300 ms, and RocketMQ's defaults (sendMsgTimeout
3000 ms, offsets persisted every 5 s, the first time 10 s after start).
"""

LESSONS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- shared setting
    "setting.world": (
        "The payment system calls the order system's payment callback. The order system marks the order "
        'PAID in its database and sends "order paid" to topic order-paid (4 queues). Two consumer groups '
        "read that topic: coupon-system issues one coupon per paid order into the coupon database (SQLite, "
        "table coupons), red-packet-system pays one red packet. Every database is a real SQLite file; a "
        "restart keeps the file and loses the process's memory.",
        "支付系统回调订单系统的支付回调接口；订单系统在自己的库里把订单改成 PAID，然后往主题 order-paid"
        "（4 个队列）发一条“订单支付成功”消息。两个消费组订阅这个主题：coupon-system 每个已支付订单发一张券，"
        "写进优惠券库（SQLite 的 coupons 表）；red-packet-system 发一个红包。每个库都是真实的 SQLite 文件，"
        "系统重启后库还在，进程内存没了。",
    ),
}
