"""The catalogue of diagnostic codes: every code the product gives, with its one meaning.

Each entry is one `Code`: the message as the user sees it (placeholders in braces), how to
fix it, and an example that sets it off. `docs/errors.md` is generated from this table
(`policy errors`), and tests/test_codes.py holds the source to it: every code a module raises
is here, with the same message, and every example gives its code.

To add a code: add one line to `CODES` under its prefix, `Code("C070", "message", "help")`,
the message as the call site writes it (an f-string's `{…}` parts as placeholders), then
an example if you can, and `policy errors > docs/errors.md`. A new prefix also takes a line
in `PREFIXES`. A code has one meaning: a different problem gets a new code, never a second
message under an old one (`also` is only for the same problem worded for another file).

An example is run as `how` says, in a folder holding `example.policy` (`BASE`),
`sources/doc.txt` (`SOURCE`), `facts.json` and `facts.jsonl` (`FACTS`): `check` appends it to
`BASE` and checks it as `example.policy`; `file` checks it as a whole file; `fmt` formats it
appended to `BASE`; `facts` decides it as a facts file against `BASE`; `registry` reads it
as a registry CSV whose categories are 零售药店 and 诊所; `cli` runs it as a `policy` command;
an empty `how` shows it as written, without running it.
"""
from __future__ import annotations

from dsl.dataclass_cache import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    message: str  # the message template: what the user reads, `{…}` where the call site fills in
    help: str  # how to fix it
    example: str = ""  # what sets it off (see `how`); without one, nothing is run
    how: str = "check"  # check | file | fmt | facts | registry | cli | "" (shown, not run)
    also: tuple[str, ...] = ()  # the same meaning worded for another file or place

    @property
    def prefix(self) -> str:
        return self.code[0]

    @property
    def severity(self) -> str:
        return "warning" if self.prefix == "W" else "error"

    @property
    def templates(self) -> tuple[str, ...]:
        return (self.message, *self.also)


PREFIXES = {
    "P": "parser and formatter: the text of a `.policy` file (P1xx: `policy fmt`)",
    "C": "checker: names, types and units, rules and decisions, citations, quotes, coverage, the registry declaration",
    "W": "checker warnings: the plan is usable, but something in it is probably a mistake (exit 0)",
    "F": "facts and context files: reading, JSON, the values against the plan's declared inputs",
    "T": "the `expect` block of a facts file (`policy test`)",
    "A": "plan lookup: `--plan` or the facts file's `plan` names no plan",
    "R": "registry CSV of designated institutions (`--registry`)",
    "E": "evaluation: facts that are well-formed but cannot be computed with",
    "O": "output: a file the command was asked to write",
    "X": "internal error: a bug of ours, not of the input: reported for one batch line while the others go on, "
         "or for the command (exit 2; POLICY_TRACEBACK=1 shows the traceback)",
    "L": "limits: a plan, a JSON Lines line or a registry larger or deeper than the engine takes (see Limits below)",
    "V": "decision records: `explain --record`, `eval --records` and `policy verify` (docs/records.md)",
}

# The plan the `check`, `fmt` and `facts` examples are run against: clean but for W004.
BASE = """\
plan "example"
  title "示例规划"
  version "1"

article 一 "一、基金出现赤字时，暂停新增定点。"
article 二 "二、人员配备不足的，不予纳入。"
article 三 informative "三、组织实施。"

input city.deficit : bool as 赤字
input applicant.beds : count as 床位数
input applicant.staff : count as 人员数

define 每床人员 cites 二 = 人员数 / 床位数

rule 暂停 : gate cites 一
  when 赤字
  then paused

rule 配备不足 : exclusion cites 二
  when 每床人员 < 0.5
  then excluded

decision 准入 {
  precedence 暂停 > 配备不足
  otherwise eligible
}
"""

# The source document `sources/doc.txt` of the examples that name one.
SOURCE = "一、基金出现赤字时，暂停新增定点。\n二、人员配备不足的，不予纳入。\n三、组织实施。\n"

# A facts file that decides cleanly against `BASE` (`facts.json`, and one line of `facts.jsonl`).
FACTS = '{"city": {"deficit": false}, "applicant": {"id": "A-1", "beds": 10, "staff": 8}}'

_HEAD = 'plan "example"\n  title "示例规划"\n  version "1"\n  source "sources/doc.txt"\n'
_CSV = "id,name,category,lat,lon\n"

_REG = """\
enum 类别 { pharmacy "零售药店" clinic "诊所" }
input applicant.category : 类别 as 申请类别
input applicant.location : { lat: number deg, lon: number deg }
"""

_QUOTA = """\
enum 类别 { pharmacy "零售药店" }
input applicant.category : 类别 as 申请类别
enum 区 { 东区 西区 }
input applicant.district : 区 as 所在区
"""
_Q1 = "quota 名额 cites 一\n  for 零售药店 per 所在区 unit institution\n"

CODES: dict[str, Code] = {c.code: c for c in (
    # ---- P: parser
    Code("P000", "cannot read `{path}`: {reason}", "check the path, and that the file is UTF-8 text", "policy check nosuch.policy", "cli",
         also=("cannot read {what} file `{path}`: {reason}",)),
    Code("P001", "unexpected character `{char}`", "delete the character; strings use straight double quotes \"…\"", "define 比率 = 5 ¥"),
    Code("P002", "unexpected `{token}`", "the help line lists what may stand there; the item before it may be incomplete", "rule 缺少 : gate cites 一\n  when 赤字\n  paused"),
    Code("P003", "the file ends in the middle of an item", "finish the last item; the help line lists what may come next", "rule 未完 : gate cites 一\n  when"),
    Code("P004", "`{date}` is not a calendar date", "write an existing date as YYYY-MM-DD", "define 截止 = 2025-02-30"),
    Code("P005", "this string is not closed on its line", "end it with \" on the same line; write a long text as several strings", "article 四 \"四、未闭合的文本。"),
    # ---- P1xx: the formatter
    Code("P101", "this comment cannot keep its place: the formatter puts the code around it on one line", "move the comment above the item or to the end of its line", "define 合计 cites 一 = (床位数 +  # 注\n  人员数) * 2", "fmt"),
    Code("P102", "decision `{name}` gives `{clause}` twice; only the last one counts", "merge them into one clause: the formatter will not drop either (`policy check` says C088)", "decision 其他 {\n  precedence 暂停\n  precedence 配备不足\n  otherwise eligible\n}", "fmt"),
    Code("P103", "formatting would change what this item means", "a bug in the formatter: report it with the file; the file is left as it was", "", ""),
    Code("P104", "formatting would lose or change a comment", "a bug in the formatter: report it with the file; the file is left as it was", "", ""),
    Code("P105", "the formatted text would not parse", "a bug in the formatter: report it with the file; the file is left as it was", "", ""),
    Code("P106", "cannot lay this item out", "a bug in the formatter: report it with the file; the file is left as it was", "", ""),
    # ---- C: declarations
    Code("C001", "`{name}` is declared twice", "give each enum, zone, definition, rule and decision its own name", "define 每床人员 = 1"),
    Code("C002", "a policy file has one `plan` header", "delete the second header; one file is one plan version", "# a second header\nplan \"again\"\n  title \"再\"\n  version \"2\""),
    Code("C089", "the `plan` header gives `{field}` twice", "keep one line of each field: only the first would count", "plan \"example\"\n  title \"示例\"\n  version \"1\"\n  version \"2\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C080", "the file has no `plan` header", "start the file with `plan \"<id>\" title \"…\" version \"…\"`", "article 一 \"一、条款。\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C003", "article `{id}` is declared twice", "give each article its own id, as the source numbers it", "article 一 \"一、重复的条款。\""),
    Code("C004", "`{name}` names two members of `{enum}`", "give each member its own code and label", "enum 等级 { one \"一级\" two \"一级\" }"),
    Code("C005", "`{district}` is in two zones of `{zones}`", "a district belongs to one zone", "zones 区域 of 区县 {\n  主城区: 和平区, 沈河区\n  郊区: 沈河区\n}"),
    Code("C006", "only `number` takes a unit, not `{type}`", "write `number yuan/bed`", "input applicant.name2 : text m"),
    Code("C007", "unknown type `{type}`", "use bool, text, date, number <unit>, fraction, money, metres, count or an enum", "input applicant.level : 等级"),
    Code("C008", "input `{path}` is declared twice", "delete one of the declarations", "input city.deficit : bool"),
    Code("C081", "input `{path}` overlaps input `{other}`", "declare either the record or its fields, not both", "input city : { deficit: bool }"),
    # ---- C01x-C02x: names, types and units in expressions
    Code("C010", "unknown name `{name}`", "declare it as an input or a definition, or correct it (the help suggests close names)", "define 两倍 = 床位 * 2"),
    Code("C011", "`{type}` has no field `{name}`", "use one of the record's declared fields", "input applicant.place : { lat: number deg }\ndefine 经度 = applicant.place.lon"),
    Code("C012", "`{name}` is not a member of `{enum}`", "use one of the enum's members (code or label)", "enum 类别 { pharmacy \"零售药店\" }\ninput applicant.category : 类别 as 类\ndefine 是医院 = 类 = 医院"),
    Code("C013", "only a map can be indexed, not `{type}`", "index a `map` input: `床位[区县]`", "define 第一 = 床位数[赤字]"),
    Code("C082", "a map key is a name, not `{type}`", "index with an enum value: `床位[区县]`", "input city.regions : map of { beds: count }\ndefine 某区 = city.regions[床位数].beds"),
    Code("C014", "`sum(… for {var} in …)` needs a list, not `{type}`", "sum over a list input: `sum(g.n for g in 年龄段)`", "define 合计 = sum(x for x in 床位数)"),
    Code("C015", "expected a condition (bool), found `{type}`", "compare it: `x > 0`", "rule 条件 : gate cites 一\n  when 床位数\n  then paused"),
    Code("C016", "expected a number, found `{type}`", "arithmetic takes numbers; a condition is not one", "define 错 = 床位数 + 赤字"),
    Code("C017", "the two branches differ: `{then}` and `{else}`", "give both branches of `if … then … else …` one type and unit", "define 分支 = if 赤字 then 1 else 赤字"),
    Code("C018", "cannot {add or subtract} `{right}` {to or from} `{left}`", "add and subtract numbers of one unit", "define 混合 = 1 m + 1 yuan"),
    Code("C019", "cannot compare `{left}` with `{right}`", "compare values of one type and unit; write the unit after a number, as in `800 m`", "define 比较 = 1 m < 1"),
    Code("C020", "definitions depend on each other in a cycle: {hops}", "one of the definitions must be computed without the others", "define 甲 = 乙 + 1\ndefine 乙 = 甲 + 1"),
    Code("C021", "`in` tests a name, not `{type}`", "test an enum value: `区县 in 主城区`", "define 在内 = 床位数 in {一级}"),
    Code("C022", "`{name}` is not a zone of `{enum}`", "name one of the zones declared for that enum", "enum 区 { a \"甲区\" }\ninput applicant.area : 区 as 所在区\ndefine 在 = 所在区 in 主城区"),
    Code("C120", "`{name}` is neither an enum nor the registry", "a set holds members of an enum: `set 门诊类 of 机构类别 = {门诊部}`", "set 门诊类 of 类别 = {门诊部}"),
    Code("C121", "`{member}` is listed twice in set `{name}`", "list each member once", "enum 类别 { 门诊部 个体诊所 }\nset 门诊类 of 类别 = {门诊部, 门诊部}"),
    Code("C122", "`{name}` is a set of `{enum}`, not of `{other}`", "test a value of the set's enum, or declare a set of the other enum", "enum 类别 { 门诊部 个体诊所 }\nenum 区 { 甲区 }\ninput applicant.area : 区 as 所在区\nset 门诊类 of 类别 = {门诊部}\ndefine 在 = 所在区 in 门诊类"),
    Code("C123", "`{name}` is not a category of registry `{registry}`", "name a registry category, or a `set … of` the registry", _REG + "registry 名录 { categories 零售药店, 诊所\n  same_type pharmacy: 零售药店 }\ndefine 数 = count_within(名录, 800 m, 零售药房)"),
    Code("C124", "`{function}` takes a registry and {a category or one or two categories}", "write `count_all(定点医药机构, 门慢药店)` or `share(定点医药机构, 门慢药店, 药店类)`", _REG + "registry 名录 { same_type pharmacy: 零售药店 }\ndefine 比 = share(名录)"),
    Code("C023", "`{function}` takes {a registry or a registry and a radius}", "write `nearest(定点医药机构)` or `count_within(定点医药机构, 800 m)`", "define 最近 = nearest(名录, 800 m)"),
    Code("C083", "`first_known` takes two or more values", "`first_known(a, b)` is a when a is known, else b", "define 已知 = first_known(床位数)"),
    Code("C084", "`{zones}(…)` takes one `{enum}`", "pass one value of the zones' member enum: `区域(区县)`", "zones 区域 of 区县 { 主城区: 和平区 }\ndefine 所在 = 区域(床位数)"),
    Code("C085", "`{function}` takes one number", "`floor`, `ceil`, `round` and `abs` take one number", "define 取整 = floor(床位数, 人员数)"),
    Code("C086", "`{function}` takes two or more numbers of one unit", "`min` and `max` take two or more numbers of one unit", "define 最大 = max(床位数)"),
    Code("C024", "unknown function `{function}`", "the functions are floor, ceil, round, abs, min, max, first_known, nearest, count_within and each zones name", "define 平方 = sqrt(床位数)"),
    Code("C099", "this expression is not supported here", "rewrite it with the expressions docs/grammar.md lists", "", ""),
    Code("C025", "a duration is a whole number of {unit}, not `{value}`", "write `6 months` or `180 days`, never a fraction of a month", "define 期限 = 1.5 months"),
    Code("C026", "cannot {multiply or divide} `{left}` by `{right}`", "dates and durations are added and subtracted, never multiplied: write `1 year`, not `12 × 1 month`", "input applicant.since : date as 起始\ndefine 加倍 = 起始 × 2"),
    Code("C027", "`{function}(… for … in …)` is not a function over a list", "over a list: any, all, count, min, max, and sum", "define 某些 = some(x > 0 for x in 床位数)"),
    Code("C028", "`{function}(… for {var} in …)` needs a list, not `{type}`", "read a list input: `any(v.severity = severe for v in 违规记录)`", "define 任一 = any(x > 0 for x in 床位数)"),
    Code("C029", "`{function}` over a list takes numbers or dates, not `{type}`", "`min` and `max` over a list give the least or greatest number or date; `any` and `count` take conditions", "input city.groups : list of { on: bool }\ndefine 最小 = min(g.on for g in city.groups)"),
    Code("C094", "`known` takes one value", "`known(trial.assessment.result)` is true when the value can be computed from the facts", "define 已知 = known(床位数, 人员数)"),
    # ---- C03x: rules and decisions
    Code("C030", "unknown kind of rule `{kind}`", "the kinds are gate, exemption, exclusion, spacing, ratio, admission, referral and priority", "rule 新 : gates cites 一\n  when 赤字\n  then paused"),
    Code("C031", "a {kind} rule concludes {outcomes}, not `{outcome}`", "conclude one of the outcomes the message names, or change the rule's kind", "rule 门 : gate cites 一\n  when 赤字\n  then excluded"),
    Code("C032", "unknown rule `{name}`", "name a rule declared in the file", "decision 其他 {\n  precedence 无此规则\n  otherwise eligible\n}"),
    Code("C033", "rule `{name}` is listed twice", "a rule stands in one place of one decision", "decision 其他 {\n  precedence 暂停\n  otherwise eligible\n}"),
    Code("C034", "`notes` lists priority and steering rules; `{name}` is a {kind} rule", "move it to `precedence`", "rule 门二 : gate cites 一\n  when 赤字\n  then paused\n\ndecision 其他 {\n  notes 门二\n  otherwise eligible\n}"),
    Code("C087", "{kind} rule `{name}` cannot decide; list it under `notes`", "priority rules are shown with an eligible outcome, steering rules with any; they never decide", "rule 优先 : priority cites 一\n  when 赤字\n  then priority\n\ndecision 其他 {\n  precedence 优先\n  otherwise eligible\n}"),
    Code("C035", "decision `{name}` has no `otherwise` outcome", "say what holds when no rule applies, e.g. `otherwise needs_review \"…\"`", "decision 其他 {\n}"),
    Code("C036", "unknown outcome `{outcome}`", "use one of the outcomes the help lists", "decision 其他 {\n  otherwise needs_reveiw\n}"),
    Code("C037", "the file has no `decision`", "list the rules by precedence: `decision 准入 { precedence a > b otherwise … }`", "plan \"example\"\n  title \"示例\"\n  version \"1\"\n\narticle 一 \"一、条款。\"", "file"),
    Code("C038", "outcome `{name}` is declared twice", "declare each outcome once", "decision 其他 {\n  outcomes a, a\n  otherwise a\n}"),
    Code("C095", "`{name}` is an outcome every decision may give; do not declare it", "referrals (needs_review, needs_approval) and undetermined need no declaring", "decision 其他 {\n  outcomes a, needs_review\n  otherwise a\n}"),
    Code("C039", "status rule `{name}` stands in decision `{decision}`, which declares no `outcomes`", "a status rule concludes one of its decision's own outcomes: declare them with `outcomes a, b, …`", "rule 状态 : status cites 一\n  when 赤字\n  then a\n\ndecision 其他 {\n  precedence 状态\n  otherwise eligible\n}"),
    Code("C096", "decision `{name}` has its own outcomes; a rule of kind `{kind}` cannot stand in it", "write it as a `status` rule concluding one of the decision's outcomes, or a `referral`", "rule 门二 : gate cites 一\n  when 赤字\n  then paused\n\ndecision 其他 {\n  outcomes a\n  precedence 门二\n  otherwise a\n}"),
    Code("C097", "`{outcome}` is not an outcome of decision `{name}`", "conclude one of the outcomes the decision declares (the help lists them)", "rule 状态 : status cites 一\n  when 赤字\n  then b\n\ndecision 其他 {\n  outcomes a\n  precedence 状态\n  otherwise a\n}"),
    Code("C088", "decision `{name}` gives `{clause}` twice", "merge them into one clause: only the last one would count", "decision 其他 {\n  otherwise eligible\n  otherwise needs_review\n}"),
    # ---- C04x: citations
    Code("C040", "article `{id}` is cited but not declared", "declare the article, or cite one that is", "define 两倍 cites 九 = 床位数 * 2", also=("article `{id}` is interpreted but not declared",)),
    Code("C041", "article `{id}` is {status}, so no rule may cite it", "cite the operative article the rule encodes, or declare this one operative", "define 两倍 cites 三 = 床位数 * 2"),
    Code("C125", "`{cited}` names no sentence of article `{id}`, whose text has {count} sentence(s)", "count the sentences of the article's text (each ends at 。, ！ or ？), or cite the article whole", "define 两倍 cites 一第2句 = 床位数 * 2"),
    Code("C126", "the sentences of article `{id}` cannot be counted up to `{cited}`: its text elides (`…`) before that sentence ends", "quote the article whole up to that sentence, or cite the article whole", "article 四 \"四、基金…赤字。暂停新增。\"\ndefine 两倍 cites 四第2句 = 床位数 * 2"),
    # ---- C05x: the source document
    Code("C050", "source document `{path}` is outside the policy's folder", "keep the source beside the plan, e.g. in `sources/`", "plan \"outside\"\n  title \"外\"\n  version \"1\"\n  source \"../doc.txt\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C051", "cannot read source document `{path}`: {reason}", "check the `source` path, relative to the policy file", "plan \"missing\"\n  title \"缺\"\n  version \"1\"\n  source \"sources/nosuch.txt\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C052", "source document `{path}` has changed: its sha256 is `{digest}`", "re-read the quotes against the new text, then update the header's `sha256`", _HEAD + "  sha256 \"0000000000000000000000000000000000000000000000000000000000000000\"\n\narticle 一 \"一、基金出现赤字时，暂停新增定点。\"\narticle 二 informative \"二、人员配备不足的，不予纳入。\"\narticle 三 informative \"三、组织实施。\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C053", "the text quoted for article `{id}` is not in the source document", "quote the source exactly (whitespace and Markdown emphasis are ignored; `…` elides)", _HEAD + "\narticle 一 informative \"一、源文件中没有的文字。\"\narticle 二 informative \"二、人员配备不足的，不予纳入。\"\narticle 三 informative \"三、组织实施。\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C054", "article `{id}` of the source is not accounted for", "declare it operative, informative, or deferred \"reason\"", _HEAD + "\narticle 一 informative \"一、基金出现赤字时，暂停新增定点。\"\narticle 二 informative \"二、人员配备不足的，不予纳入。\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    # ---- a plan that extends another (`extends`, engine/compile/extends.py)
    Code("C127", "{what} `{name}` is declared both here and in `{plan}`, which this plan extends", "rename one of them: a plan adds to the plan it extends and never overrides it; give the extended plan's articles a prefix with `cite_as \"省\"`", "# guidance.policy declares `input applicant.beds` too\nplan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  extends \"guidance.policy\"\n\ninput applicant.beds : count as 床位数\n\ndecision 准入 {\n  otherwise needs_review\n}", ""),
    Code("C128", "plans extend each other in a cycle: {chain}", "a plan cannot build on itself, directly or through another", "plan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  extends \"example.policy\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C129", "`{plan}` extends `{other}` in turn: a plan extends one plan, and that one extends none", "copy what the plan needs from the grandparent into the parent, or extend it directly", "# city-guidance.policy says: extends \"province.policy\"\nplan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  extends \"city-guidance.policy\"\n\ndecision 准入 {\n  otherwise needs_review\n}", ""),
    Code("C130", "the plan `{plan}` this plan extends is outside its folder", "keep the plan it builds on beside it, e.g. `extends \"guidance.policy\"`", "plan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  extends \"../guidance.policy\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C131", "cannot read the plan `{plan}` this plan extends: {reason}", "give a .policy file beside this plan, or the id of a plan in its folder", "plan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  extends \"no-such-guidance.policy\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C132", "`cite_as \"{prefix}\"` cannot begin an article id", "give Chinese characters, e.g. `cite_as \"省\"` for the ids 省一, 省二", "plan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  extends \"example.policy\"\n  cite_as \"P-\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C133", "`cite_as` names the articles of the plan this one extends, and it extends none", "add `extends \"<plan>.policy\"`, or delete `cite_as`", "plan \"city\"\n  title \"示例市规划\"\n  version \"1\"\n  cite_as \"省\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    # ---- C06x: the registry declaration
    Code("C060", "a plan declares one registry", "`--registry` gives one file: put every `same_type` line in one `registry` block", _REG + "registry 甲 { same_type pharmacy: 零售药店 }\nregistry 乙 { same_type clinic: 诊所 }"),
    Code("C061", "a registry needs the applicant's category, declared as an enum", "declare `input applicant.category : <enum>`; `same_type` lines name its members", "registry 名录 { same_type pharmacy: 零售药店 }"),
    Code("C062", "a registry needs the applicant's location", "declare `input applicant.location : { lat: number deg, lon: number deg }`", "enum 类别 { pharmacy \"零售药店\" }\ninput applicant.category : 类别 as 申请类别\nregistry 名录 { same_type pharmacy: 零售药店 }"),
    Code("C063", "`same_type {member}` is given twice", "list every registry category of one type on one line", _REG + "registry 名录 {\n  same_type pharmacy: 零售药店\n  same_type pharmacy: 药店\n}"),
    Code("C064", "`{name}` is not one of the registry's `categories`", "add it to the `categories` line, or correct it", _REG + "registry 名录 {\n  categories 零售药店\n  same_type pharmacy: 药店\n}"),
    Code("C065", "`{name}` is listed twice in `{where}`", "list each registry category once", _REG + "registry 名录 { same_type pharmacy: 零售药店, 零售药店 }"),
    Code("C066", "`{name}` is not a registry", "name the plan's registry, or declare one: `registry 定点医药机构 { same_type pharmacy: 零售药店 }`", "define 最近 = nearest(名录)", also=("`{function}` asks a registry",)),
    Code("C067", "a radius is in metres, not `{type}`", "write the unit after the number, as in `800 m`", _REG + "registry 名录 { same_type pharmacy: 零售药店 }\ndefine 近处 = count_within(名录, 800)"),
    Code("C098", "`effective \"{date}\"` is not a date", "write the date the plan takes effect as YYYY-MM-DD", "plan \"example\"\n  effective \"soon\"\n\ndecision 准入 {\n  otherwise needs_review\n}", "file"),
    Code("C068", "`first_known` takes values of one type, not `{first}` and `{other}`", "each value stands in for the one before it, so all share the first one's type", "define 已知 = first_known(床位数, 赤字)"),
    # ---- C069-C079: quotas and the ranking (engine/compile/quotadecl.py)
    Code("C069", "`{name}` is not an input of an enum type, so its members cannot make up the regions", "write `per REGION of DISTRICT`, DISTRICT an input such as `applicant.district : 区县 as 所在区县`", _QUOTA + "input applicant.label : text as 名称\nquota 名额 cites 一\n  for 零售药店 per 名称 unit institution\n  otherwise none"),
    Code("C070", "quota `{name}` cites no article", "cite the article that sets the number: `quota 名称 cites 三（一） for …`", _QUOTA + "quota 名额\n  for 零售药店 per 所在区 unit institution\n  otherwise none", also=("ranking `{name}` cites no article",)),
    Code("C071", "a quota is set per category: declare `applicant.category` as an enum", "declare `input applicant.category : <enum>` and list its members after `for`", "quota 名额 cites 一\n  for 住院 per 床位数 unit bed\n  otherwise none"),
    Code("C072", "a ranking orders by a number, not `{type}`", "rank by a score, as in `by 择优评分` (applicant.score : number)", "ranking 择优 cites 一 by 赤字"),
    Code("C073", "`{name}` is not a priority rule", "ties are broken by priority rules (同等条件优先纳入)", "ranking 择优 cites 一 by 床位数 ties 暂停"),
    Code("C074", "quota `{name}` is in `{unit}`, but this number is in `{other}`", "a quota's numbers carry its unit, or none (a count)", _QUOTA + _Q1 + "  otherwise 5 m"),
    Code("C075", "`per` names a region, not `{type}`", "name the definition or the input that gives an applicant's region", _QUOTA + "quota 名额 cites 一\n  for 零售药店 per 床位数 unit institution\n  otherwise none"),
    Code("C076", "quota `{name}` reads `{path}`, a fact of the applicant", "a quota is the same for every applicant of a region: read city statistics only", _QUOTA + _Q1 + "  when 赤字 then 床位数\n  otherwise none"),
    Code("C077", "quota `{name}` has no branch", "say what the number is: `when … then …`, `otherwise none \"…\"`", _QUOTA + _Q1.rstrip()),
    Code("C078", "a plan declares one ranking", "every quota is competed for the same way: keep one `ranking`", "ranking 甲 cites 一 by 床位数\nranking 乙 cites 一 by 人员数"),
    Code("C079", "category `{name}` has its quota in `{quota}` already", "a category has one quota: merge the two, or give each its own categories", _QUOTA + _Q1 + "  otherwise none\nquota 又一 cites 一\n  for 零售药店 per 所在区 unit institution\n  otherwise none"),
    # ---- C090-C093: populations and aggregates
    Code("C090", "rule `{rule}` reads aggregate `{aggregate}` of population `{population}`, but decision `{decision}` is not over a population", "aggregates exist only over a population: add `over NAME` to the decision, or keep the rule in a decision over it", "population 人群 { 数 = count(true) }\nrule 多 : gate cites 一\n  when 数 > 10\n  then paused\n\ndecision 其他 {\n  precedence 多\n  otherwise eligible\n}",
         also=("rule `{rule}` reads aggregate `{aggregate}` of population `{population}`, but decision `{decision}` is over `{other}`",)),
    Code("C091", "aggregate `{name}` uses aggregate `{other}`", "an aggregate's argument is a value of one line, computed before any aggregate", "population 人群 {\n  排名 = rank(床位数)\n  再排 = rank(排名)\n}",
         also=("aggregate `{name}` depends on itself",)),
    Code("C092", "unknown population `{name}`", "declare it: `population NAME { 考核排名 = rank(考核评分) }`", "decision 其他 {\n  over 人群\n  otherwise eligible\n}"),
    Code("C093", "unknown aggregate `{function}`", "the aggregates are count, sum, share, min, max, rank and percentile", "population 人群 { 中位 = median(床位数) }"),
    # ---- W: warnings
    Code("W001", "rule `{name}` is in no decision, so it never applies", "list it in a decision's `precedence` or `notes`", "rule 闲置 : gate cites 一\n  when 赤字\n  then paused"),
    Code("W002", "definition `{name}` is never used", "use it in a rule, or delete it", "define 闲置 cites 二 = 床位数 * 2"),
    Code("W003", "operative article `{id}` is cited by no rule", "encode it, or declare it informative or deferred \"reason\"", "article 四 \"四、未编码的条款。\""),
    Code("W004", "the plan names no source document, so quotes are not checked", "add `source \"sources/<file>.txt\" sha256 \"<hash>\"` to the header", BASE.rstrip("\n"), "file"),
    Code("W005", "registry `{name}` is asked by no definition or rule", "ask it with `nearest(…)` or `count_within(…)`, or delete it", _REG + "registry 名录 { same_type pharmacy: 零售药店 }"),
    Code("W006", "the plan has quotas but no `ranking`, so `policy allocate` cannot rank applicants", "declare one: `ranking 择优 cites 三 by 择优评分`", _QUOTA + _Q1 + "  otherwise none"),
    Code("W007", "the reading of `{id}` has no Chinese text", 'give it after the English text: `zh "…"`, in the same meaning',
         BASE + 'interpretation 一 "「合理」 is read as within the quota."'),
    # W1xx: the solver's lints (engine/solver/lints.py), each with a witness facts file on its help line
    Code("W101", "rule `{name}` can never apply: no applicant meets its condition", "no facts within the declared ranges satisfy `when`; check its comparisons",
         "a rule `when 距离 < 0 m` (a distance in metres is never below 0)", "",
         also=("rule `{name}` can never decide: whenever it applies, {the rule above} applies first",)),
    Code("W102", "exemption `{name}` is shadowed by {the rule above}", "move it above that rule in the precedence, or drop it",
         "precedence 暂停 > 村卫生室不受限   (暂停: when 赤字; 村卫生室不受限: when 村卫生室 and 赤字)", ""),
    Code("W103", "tiers `{a}` and `{b}` overlap: an applicant can meet both, and `{b}` is then overridden by `{a}`",
         "make the conditions exclusive (> and <=), or say in a reading why the higher tier wins",
         "precedence 药店高比率 > 药店   (药店高比率: 申请类别 = 零售药店 and 比率 > 10%; 药店: 申请类别 = 零售药店)", ""),
    Code("W104", "{who} can meet no rule of decision `{name}`: only its `otherwise` ({outcome}) decides them",
         "if the plan means to send them there, a reading of the article should say so",
         "a category no rule of the decision names (沈阳: 口腔门诊, 门诊慢特病)", ""),
    # ---- F: facts and context files
    Code("F000", "cannot read {what} file `{path}`: {reason}", "check the path, and that the file is UTF-8 text", "policy explain nosuch.json --plan example.policy", "cli",
         also=("cannot read facts file `{path}`: {reason}", "cannot read population file `{path}`: {reason}",
               "cannot read population file `{path}`: not UTF-8 text ({reason})")),
    Code("F001", "invalid JSON: {what is wrong}", "check the brackets, commas and quotes around the place shown", "{\"applicant\": {\"beds\": 10,}}", "facts",
         also=("a {what} file is one JSON object {…}", "empty line: expected one JSON object",
               "not UTF-8 text: {reason} at byte {offset}",
               "a string holds a lone surrogate U+{code point}, which is not text",
               "the line holds a lone surrogate {code point} (a `\\u` escape of half a character), which is not text")),
    Code("F002", "expected {what}, got `{value}`", "write the value the plan declares for that input (the help line says how)", "{\"applicant\": {\"beds\": \"十\"}}", "facts",
         also=("expected a plan id in quotes", "expected a CSV file name in quotes", "expected a JSON file name in quotes",
               "`{name}` is not a file name")),
    Code("F020", "{context or registry} `{path}` is outside the facts file's folder", "with POLICY_CONFINE_FACTS=1, keep the file beside the facts file, or give it with --context/--registry", "", ""),
    Code("F003", "no plan named", "give `--plan ID` or `\"plan\": \"<id>\"` in the facts file", "policy explain facts.json", "cli"),
    Code("F010", "this line has no value for {aggregates} of population `{population}`", "every line of a population needs it: a line without it would make every rank and share wrong", "", ""),
    Code("F011", "{count} line(s) of the population cannot be aggregated, so no line is decided{more}", "correct the lines named above and run again: the ranks depend on every line", "", ""),
    Code("F040", "applicant.id: `{id}` is also on line {line}", "an applicant applies once in a round (`policy allocate`); give each line its own id", "", ""),
    Code("F004", "{what} file is not valid UTF-8 (byte 0x{byte})", "save the file as UTF-8, with or without BOM (the help names a GBK/GB18030 file as such)", "", ""),
    Code("F005", "an integer of {n} digits is too long to hold", "write a plain decimal number such as 120 or 0.05", "{\"applicant\": {\"beds\": 1e400}}", "facts",
         also=("`{text}` is too large to hold", "`{text}` is not a number JSON allows")),
    Code("F006", "the JSON is nested more than {n} levels deep", "a facts file nests objects a few levels deep; check the brackets", "", "",
         also=("the JSON is nested too deep",)),
    Code("F007", "a lone surrogate (`\\u` escape of half a character) in a string", "write the character itself, or both halves of its \\u escape pair", "{\"applicant\": {\"name\": \"\\ud800\"}}", "facts"),
    Code("F008", "`{key}` is not a fact {plan} declares", "a warning (an error with --strict): correct the key (the help gives the nearest declared name), or start a field of your own with `_` or `x-`", "", ""),
    Code("F009", "the facts give none of the facts {plan} declares about the applicant", "a warning (an error with --strict): see `policy schema PLAN` or docs/facts.md for the names", "", ""),
    # ---- T: expectations
    Code("T001", "an object with at least `outcome`", "write `\"expect\": {\"outcome\": \"eligible\", …}` with objects and lists where shown", "{\"expect\": {\"rule\": \"暂停\"}}", "facts",
         also=("expected an object {name: value}", "expected a list […]")),
    Code("T002", "unknown expectation", "the expectations are outcome, rule, article, terms, values, missing, priorities, and for a population line rank and population", "{\"expect\": {\"outcome\": \"paused\", \"reason\": \"…\"}}", "facts"),
    # ---- A: plan lookup
    Code("A001", "no policy file `{path}`", "give a path to a .policy file or a plan id", "policy explain facts.json --plan nosuch.policy", "cli"),
    Code("A002", "unknown plan `{id}`", "name a plan of `policies/` (the help lists them)", "policy explain facts.json --plan no-such-plan", "cli"),
    Code("A003", "plan id `{id}` is declared by {n} files: {files}", "give the plan by its path, or give the copy a plan id of its own", "", "",
         also=("plan id `{id}` is also declared by {files}",)),
    Code("A020", "plan `{id}` declares no quota", "`policy quota` and `policy allocate` need `quota` declarations (docs/grammar.md); `policy eval` decides applicants one by one", "policy quota --plan example.policy", "cli"),
    Code("A010", "plan `{plan}` has no decision `{name}`", "name one of the plan's decisions (the help lists them)", "policy explain facts.json --plan example.policy --decision 无此决定", "cli"),
    Code("A011", "decision `{name}` is decided over the population `{population}`, not one file", "run `policy eval --decision NAME POPULATION.jsonl`, one line per member", "", ""),
    Code("A012", "decision `{name}` reads its population twice, so it needs a file", "write the lines to a file and pass its name instead of -", "", ""),
    Code("A013", "this line is judged under plan `{plan}`, the population under `{other}`", "a population is ranked under one plan: give --plan, or the same \"plan\" on every line", "", ""),
    # ---- R: registry CSV
    Code("R001", "cannot read registry `{path}`: {reason}", "check the `--registry` path", "policy explain facts.json --plan example.policy --registry nosuch.csv", "cli"),
    Code("R002", "registry is not valid UTF-8 (byte 0x{byte})", "save the CSV as UTF-8", "", ""),
    Code("R003", "registry is empty", "the first line is the header `id,name,category,lat,lon`", "\n", "registry"),
    Code("R004", "registry header lacks column `{column}`", "the header needs id, name, category, lat and lon", "id,name,lat,lon\nH1,医院,41.8,123.4", "registry"),
    Code("R005", "duplicate column `{column}` in header", "name each column once", "id,name,category,lat,lon,lat\nH1,医院,诊所,41.8,123.4,41.8", "registry"),
    Code("R006", "expected {n} fields, found {m}", "give every row as many fields as the header", _CSV + "H1,医院,诊所,41.8", "registry"),
    Code("R007", "unterminated quoted field", "close every quote on its line; write a quote inside a quoted field as `\"\"`", _CSV + "H1,\"医院,诊所,41.8,123.4", "registry", also=("unexpected text after a closing quote",)),
    Code("R008", "empty institution id", "every row needs an `id`", _CSV + ",医院,诊所,41.8,123.4", "registry"),
    Code("R009", "duplicate institution id `{id}`", "give each institution its own id", _CSV + "H1,甲,诊所,41.8,123.4\nH1,乙,诊所,41.9,123.5", "registry"),
    Code("R010", "empty category", "every row needs a `category` (the help lists the plan's)", _CSV + "H1,医院,,41.8,123.4", "registry"),
    Code("R011", "unknown category `{category}`", "use one of the registry's categories the plan declares", _CSV + "H1,医院,医馆,41.8,123.4", "registry"),
    Code("R012", "missing {lat or lon}", "give the location in decimal degrees", _CSV + "H1,医院,诊所,,123.4", "registry"),
    Code("R013", "{lat or lon} `{value}` is not a number", "write decimal degrees, such as 41.8", _CSV + "H1,医院,诊所,北纬41.8,123.4", "registry",
         also=("{lat or lon} `{value}` is not a finite number",)),
    Code("R014", "{lat or lon} `{value}` is outside [-{limit}, {limit}]", "latitudes lie in [-90, 90], longitudes in [-180, 180]; lat and lon may be swapped", _CSV + "H1,医院,诊所,123.4,41.8", "registry"),
    Code("R015", "the registry has no {categories} institution, the type of a `{category}` applicant: no spacing rule can find a neighbour",
         "a warning in the decision (an error with --strict): check that the registry is complete, and its `category` column", "", ""),
    Code("R020", "the registry holds no {categories}, so a share of it is undefined", "check the registry file given with --registry", "", ""),
    # ---- E: evaluation
    Code("E001", "division by zero: the divisor is 0 for these facts", "check the facts the divisor reads, or guard it with `if … then … else …`", "{\"city\": {\"deficit\": false}, \"applicant\": {\"beds\": 0, \"staff\": 3}}", "facts",
         also=("division by zero: the divisor is 0 for these facts ({paths it came from, `= 0` where zero})",)),
    Code("E002", "the radius is negative ({radius} m) for these facts", "check the facts the radius reads", "", ""),
    Code("E004", "the date {date} {op} {duration} is past the calendar (year 9999)", "check the dates in the facts", "", ""),
    Code("E003", "`{value}` is outside [-{limit}, {limit}]", "give the applicant's location in decimal degrees (did you swap lat and lon?)", "{\"applicant\": {\"location\": {\"lat\": 123.4, \"lon\": 41.8}}}", ""),
    Code("E010", "quota `{name}` of `{region}` is {value} {unit}: {formula} with {figures}", "a quota is a number of 0 or more: check the city statistics it reads (the message names them)", "", ""),
    Code("E011", "quota `{name}` cannot be split: total {total} {unit} by {weight}, weights summing to {sum}", "a split needs a total of 0 or more and weights of 0 or more that do not all vanish: check the city statistics", "", ""),
    Code("E006", "a distance to no institution of the type cannot be computed with", "compare nearest(...) with a distance; do not add to or scale it", "", ""),
    # ---- O: output
    Code("O001", "cannot write `{path}`: {reason}", "check that its folder exists and is writable; the target is left as it was", "policy eval --plan example.policy facts.jsonl -o nosuch/out.jsonl", "cli"),
    Code("O002", "cannot write the site into `{out}`: {reason}", "give a folder you may write to", "", ""),
    # ---- L: limits (dsl/limits.py; the table under Limits gives each default and how to raise it)
    Code("L001", "the plan is larger than {limit} bytes", "split the plan, or raise the limit: `policy --limit plan-bytes=N`", "", ""),
    Code("L002", "line {line} is {length} characters long, longer than {limit}", "break the line (long texts as several strings), or `policy --limit line-chars=N`", "", ""),
    Code("L003", "a name or number of {length} characters, longer than {limit}", "shorten it, or `policy --limit token-chars=N`", "", ""),
    Code("L004", "an expression or type nested more than {limit} levels deep", "name parts of it with `define`, or `policy --limit nesting=N`", "", ""),
    Code("L005", "a chain of {n} definitions, more than {limit}: {first} -> … -> {last}", "shorten the chain, or `policy --limit chain=N`", "", ""),
    Code("L006", "{definition or rule} `{name}` nests {n} levels deep counted through the definitions it uses, more than {limit}", "flatten the definitions it uses, or `policy --limit depth=N`", "", ""),
    Code("L007", "the plan's expressions have {n} parts, so one decision could take more than {limit} evaluation steps", "split the plan, or `policy --limit steps=N`", "", ""),
    Code("L008", "line {n} is {length} bytes long, longer than {limit}", "one applicant per line; or `policy --limit jsonl-line-bytes=N`", "", ""),
    Code("L009", "the registry has {n} rows, more than {limit}", "split the registry by city, or `policy --limit registry-rows=N`", "", ""),
    # ---- V: decision records
    Code("V001", "cannot read decision record `{path}`: {reason}", "give the file `explain --record` or `eval --records` wrote", "", "",
         also=("`{path}` is not a decision record",)),
    Code("V002", "--record takes one facts file, named by its path", "record each applicant on its own, or use `policy eval --records DIR`", "", "",
         also=("--records needs the facts as a file, not standard input",)),
    # ---- X: internal
    Code("X000", "internal error: {exception type}: {what it says}", "please report the line; the other lines are decided", "", ""),
)}


def lookup(code: str) -> Code | None:
    return CODES.get(code.upper())
