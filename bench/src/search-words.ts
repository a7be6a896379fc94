/**
 * The word stock of the search corpus (search-corpus.ts): the head of each language's vocabulary,
 * in rough order of how often chat uses it, plus the syllables and characters from which the
 * generator grows a long tail of rarer words. Plain data, so the generator stays readable.
 */

/** English words of chat, most frequent first (rank 1 is the most common). */
export const ENGLISH_HEAD = `
i the you to it a is and that on for we in this of be can do it's not have so with just
what are but if at my was will me no yes ok all get it's up there now think about know
like one should how then out need go when see about thanks good let's time did any
they from by or some also still today build test deploy fix error server issue meeting
release branch merge review change code back work looks right new more make here why
sure use tomorrow which really data file check because would update team could working
morning maybe again week only well other been were people call later after before please
something night done doc email link config version client tests bug problem user users
logs database query cache index search page api design plan team's weekend lunch coffee
thing actually probably yeah yep nope cool great nice sorry help question answer idea
monday friday sprint ticket pull request staging production rollback latency memory disk
network timeout retry feature flag metrics alert dashboard chart report budget customer
launch demo slides notes agenda minutes schedule deadline estimate priority blocker
ship shipped broken works working failed passing green red yellow run running ran
`
  .split(/\s+/)
  .filter(Boolean);

/** Chinese function characters and particles: frequent, single code points, glue between words. */
export const CHINESE_PARTICLES = [
  "的",
  "了",
  "吗",
  "我",
  "你",
  "他",
  "是",
  "在",
  "有",
  "就",
  "也",
  "都",
  "还",
  "吧",
  "呢",
  "啊",
  "和",
  "不",
  "要",
  "说",
];

/** Two-character Chinese words of chat, most frequent first. */
export const CHINESE_TWO = `
今天 明天 我们 你们 他们 什么 怎么 没有 可以 现在 已经 一下 问题 测试 时间 知道 觉得
这个 那个 大家 需要 应该 因为 所以 但是 如果 还是 一起 开会 中午 晚上 早上 周末 项目
代码 上线 发布 版本 功能 修复 部署 合并 分支 提交 检查 日志 数据 文件 配置 用户 客户
页面 接口 设计 计划 进度 会议 文档 邮件 链接 报告 预算 需求 排期 评审 回滚 延迟 内存
磁盘 网络 超时 重试 监控 告警 指标 图表 缓存 索引 搜索 查询 服务 环境 生产 预发 本地
线上 线下 谢谢 辛苦 好的 收到 明白 同意 不错 厉害 加油 抱歉 麻烦 帮忙 看看 试试 马上
稍等 下午 昨天 后天 上周 下周 月底 年底 老板 同事 团队 部门 电脑 手机 电话 咖啡 午饭
吃饭 下班 上班 加班 请假 出差 开心 着急 简单 复杂 重要 紧急 顺利 失败 成功 正常 异常
`
  .split(/\s+/)
  .filter(Boolean);

/** Three-character Chinese words and set phrases, most frequent first. */
export const CHINESE_THREE = `
服务器 数据库 没问题 为什么 怎么样 不知道 差不多 有意思 没关系 不好意思 测试环境 生产环境
负载均衡 前端页面 后端接口 工程师 产品经理 设计稿 需求文档 会议室 周报表 代码库 单元测试
集成测试 性能测试 压力测试 发布会 上线了 搞定了 修好了 看一下 试一下 等一下 来不及 下班了
吃饭了 开会了 好消息 坏消息 小问题 大问题 新版本 旧版本 用户量 访问量 响应时间 错误率
浏览器 客户端 服务端 操作系统 虚拟机 容器化 微服务 消息队列 分布式 高可用 热更新 灰度发布
`
  .split(/\s+/)
  .filter((word) => [...word].length === 3);

/** Common Han characters the generator pairs into rarer two-character words (the long tail). */
export const CHINESE_TAIL_CHARS = [
  ..."山水火木金土日月星云风雨雪花草树林石田川江河湖海天地人心手口目耳足身头面色光声音书画诗歌舞剑刀弓马牛羊鸡犬鱼鸟虫龙虎豹熊狼猫鹿象春夏秋冬东西南北左右前后上下内外高低长短大小多少新旧明暗冷热轻重快慢远近深浅红黄蓝绿白黑紫灰金银铜铁玉珠宝钱财米面茶酒肉菜果瓜豆",
];

/** Syllables the generator strings into rarer English-looking words and into names. */
export const LATIN_SYLLABLES = `
ka ri to mo ne sa lu vi de ra zo pe qu an el or in um ex al ber cor dan fel gar hol jun
kel lim mar nor pol ros sil tan ven wyn xar yol zan bri cla dro fli gro pla sta tre vor
`
  .split(/\s+/)
  .filter(Boolean);

/** Chinese surnames and given-name characters for authors' names. */
export const CHINESE_SURNAMES = [
  ..."王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
];
export const CHINESE_GIVEN = [
  ..."伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲芬燕彬鑫斌宇浩凯健俊帆帅旭宁龙林欢阳晨雪琳晶颖婷倩",
];
