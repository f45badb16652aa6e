"""The lesson site's own words (``minimq site``): the player's buttons and headings, the
index, and the command's messages, English and Chinese. The lessons' words are the
lessons' own entries; a page reuses ``ui.*`` where the terminal already says it.
"""

SITE: dict[str, tuple[str, str]] = {
    "site.index_title": ("minimq lessons: duplicate delivery in RocketMQ", "minimq 课程：RocketMQ 的重复投递"),
    "site.index_intro": (
        "Each lesson runs the shop with one seed, the naive design first and the fix last, step by step. "
        "Open a lesson and use the arrow keys or the space bar; the address names the step, so a link opens it.",
        "每一课用同一个 seed 把商城跑几遍：先跑朴素方案，最后跑修复方案，一步一步来。"
        "打开一课，用方向键或空格翻页；地址栏里写着当前是第几步，把链接发给别人就能直接打开那一步。",
    ),
    "site.col_lesson": ("lesson", "课"),
    "site.col_title": ("title", "标题"),
    "site.col_paths": ("paths", "路径"),
    "site.col_moral": ("what goes wrong", "哪里出了问题"),
    "site.col_fix": ("the fix", "修复方案"),
    "site.col_minutes": ("minutes", "分钟"),
    "site.minutes": ("about {n} min", "约 {n} 分钟"),
    "site.index": ("All lessons", "全部课程"),
    "site.prev": ("◀ Back", "◀ 上一步"),
    "site.next": ("Next ▶", "下一步 ▶"),
    "site.present": ("Presenter mode", "演示模式"),
    "site.print": ("Print handout", "打印讲义"),
    "site.other_lang": ("中文", "English"),
    "site.keys": (
        "→ or space: next · ←: back · Home/End: first/last · l: picture or list · f: presenter mode"
        " · n: speaker notes · s: speaker window",
        "→ 或空格：下一步 · ←：上一步 · Home/End：第一步/最后一步 · l：图或列表 · f：演示模式"
        " · n：讲者备注 · s：讲者窗口",
    ),
    "site.handout_meta": (
        "Duplication paths: {paths}. To see it step by step: {command}",
        "重复路径：{paths}。想一步一步看，运行：{command}",
    ),
    "site.upstream": ("upstream, before the broker", "上游，消息到 Broker 之前"),
    "site.handout_runs": ("What each run shows", "每一轮说明了什么"),
    "site.handout_fix": ("The fix", "修复方案"),
    "site.notes": ("Speaker notes", "讲者备注"),
    "site.no_notes": ("(no note for this slide)", "（这一页没有备注）"),
    "site.as_list": ("as a list", "看列表"),
    "site.as_picture": ("as a picture", "看图"),
    "site.setting": ("The setting", "场景"),
    "site.opening": ("The ticket", "工单"),
    "site.legend": ("How to read ids and offsets", "怎么读 id 和位点"),
    "site.narration": ("Narration", "讲解"),
    "site.state": ("State after this step", "这一步之后的状态"),
    "site.no_state": ("(no table for this step)", "（这一步没有状态表）"),
    "site.moral": ("What this run shows", "这一轮说明了什么"),
    "site.diagnosis": ("Diagnosis", "诊断"),
    "site.limits": ("What the fix does not cover", "修复覆盖不到的地方"),
    "site.mark.duplicate": ("duplicate", "重复投递"),
    "site.mark.retry": ("retry", "重试"),
    "site.mark.effect": ("duplicate effect", "重复发放"),
    "site.slide_of": ("{n} / {total}", "{n} / {total}"),
    "site.matrix_legend": ("What a cell means", "格子的含义"),
    "site.written": ("Wrote {n} pages; open {path}", "已写出 {n} 个页面，请打开 {path}"),
    "site.bad_out_dir": (
        "cannot write the site to {path}: {problem}",
        "无法把站点写到 {path}：{problem}",
    ),
    "site.not_a_dir": ("it is a file, not a folder", "这是一个文件，不是文件夹"),
    "site.no_parent": ("its parent folder does not exist", "它的上级文件夹不存在"),
    "site.not_writable": ("no permission to write there", "没有写入权限"),
    # the command line
    "cli.cmd_site": (
        "write every lesson as an offline web page (a step-by-step player), with an index and the fix matrix",
        "把每一课写成可离线打开的网页（逐步播放），附带目录页和修复矩阵",
    ),
    "cli.site_out": ("the folder to write into (created if missing)", "写入的文件夹（不存在就创建）"),
    "cli.site_lang": (
        "the languages to build: en, zh or both (default both)",
        "生成哪种语言：en、zh 或 both（默认 both）",
    ),
}
