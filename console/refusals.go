package console

import (
	"strconv"
	"strings"

	"github.com/cxflow/cxflow/validate"
)

// An operation refuses with a code (the page's status), the field it is
// about (named in the page's words, fieldLabel) and, for an input check,
// the rule that failed with its bounds (app.Error). Pages word the rule in
// their language; the operation's English message is the detail only where
// no rule names the check (a case's state, a rule of one procedure), and on
// English pages, whose words it already is.

func init() {
	addMessages(map[string]string{
		"rule.required": "必须填写。", "rule.required_max": "必须填写，且不超过 {max} 个字。",
		"rule.too_long": "不能超过 {max} 个字。", "rule.encoding": "含有无法识别的字符。",
		"rule.future": "必须晚于现在。", "rule.one_of": "不是可以选择的值。",
		"rule.range": "必须是 {min} 到 {max} 之间的整数。", "rule.bool": "只能是“是”或“否”。",
		"rule.email": "不是有效的电子邮箱地址。", "rule.mobile": "不是有效的手机号码。",
	}, map[string]string{
		"rule.required": "is required.", "rule.required_max": "is required (at most {max} characters).",
		"rule.too_long": "must be at most {max} characters.", "rule.encoding": "is not valid UTF-8.",
		"rule.future": "must be in the future.", "rule.one_of": "is not one of the values it takes.",
		"rule.range": "must be a whole number from {min} to {max}.", "rule.bool": "must be true or false.",
		"rule.email": "is not an e-mail address.", "rule.mobile": "is not a mobile number.",
	})
}

// words is the refusal's detail in the page's language.
func (r *Refusal) words(lang string) string {
	if lang != "zh" || r.Rule == "" {
		return strings.TrimSpace(r.Message)
	}
	key := "rule." + string(r.Rule)
	if r.Rule == validate.RuleRequired && r.Max > 0 {
		key = "rule.required_max"
	}
	if _, ok := lookup(lang, key); !ok {
		return strings.TrimSpace(r.Message)
	}
	return strings.NewReplacer("{min}", strconv.Itoa(r.Min), "{max}", strconv.Itoa(r.Max)).Replace(T(lang, key))
}
