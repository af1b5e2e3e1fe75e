package console

import (
	"regexp"
	"strings"
)

// The API words its refusals in English for every client. Chinese pages put
// the common ones — the checks every form shares — in Chinese; the field
// itself is named beside them in the page's words. A message no pattern
// knows is shown as the API wrote it.

var apiPhrases = []struct {
	re *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`\bis required \(at most (\d+) characters\)`), "必须填写，且不超过 $1 个字。"},
	{regexp.MustCompile(`\bis required\b`), "必须填写。"},
	{regexp.MustCompile(`\bmust be at most (\d+) characters\b`), "不能超过 $1 个字。"},
	{regexp.MustCompile(`\bmust be in the future\b`), "必须晚于现在。"},
	{regexp.MustCompile(`\bis not valid UTF-8\b`), "含有无法识别的字符。"},
	{regexp.MustCompile(`\bmust be true or false\b`), "只能是“是”或“否”。"},
	{regexp.MustCompile(`\bmust be a whole number from (\d+) to (\d+)\b`), "必须是 $1 到 $2 之间的整数。"},
	{regexp.MustCompile(`\bmust be one of [a-z0-9_, ]+$`), "不是可以选择的值。"},
}

// apiWords is the API's message in the page's language.
func apiWords(lang, msg string) string {
	if lang != "zh" || msg == "" {
		return msg
	}
	for _, p := range apiPhrases {
		if m := p.re.FindStringSubmatchIndex(msg); m != nil {
			return string(p.re.ExpandString(nil, p.zh, msg, m))
		}
	}
	return strings.TrimSpace(msg)
}
