"""What the marketing dashboard (``minimq.apps.dashboard``) and the marketing service's
outage (``minimq.apps.coupons.CouponTiming.marketing_down``) say in the trace, English and
Chinese side by side: the ``app.*`` lines of the step events, the ``appb.*`` cells of the
timeline. Lesson 10 tells them.
"""

DASHBOARD: dict[str, tuple[str, str]] = {
    "app.dashboard_added": (
        "{order} added to its cache: the screen shows {shown} orders",
        "把 {order} 写进缓存，看板显示 {shown} 单",
    ),
    "appb.dashboard_added": ("+{order}: shows {shown}", "+{order}，显示 {shown}"),
    "app.dashboard_again": (
        "{order} added to its cache again: counted twice, the screen shows {shown} orders",
        "又把 {order} 写进缓存：算了两次，看板显示 {shown} 单",
    ),
    "appb.dashboard_again": ("+{order} AGAIN: shows {shown}", "又 +{order}，显示 {shown}"),
    "app.dashboard_known": (
        "{order} already in its cache: the screen still shows {shown}",
        "缓存里已有 {order}，看板仍显示 {shown} 单",
    ),
    "appb.dashboard_known": ("{order} already there: {shown}", "{order} 已有，仍是 {shown}"),
    "app.marketing_down": (
        "{msg}: the marketing service answers 503 (it is down)",
        "{msg}：营销服务返回 503（服务不可用）",
    ),
    "appb.marketing_down": ("{msg}: marketing 503", "{msg}：营销 503"),
}
