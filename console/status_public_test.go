package console

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// The customer's status page says where the complaint stands in plain
// words, in either language, with the steps so far; a bad link is one
// plain sentence.
func TestPublicStatusPage(t *testing.T) {
	f := &fake{api: map[string]Answer{
		"GET /public/status/good": {Status: http.StatusOK, Body: []byte(`{"number":"TS-2026-000007","subject":"空调不制冷",
			"received_at":"2026-03-02T01:00:00Z","stage":"fixing","next_answer_by":"2026-03-06T09:00:00Z","closed":false,"founded":true}`)},
		"GET /public/status/closed": {Status: http.StatusOK, Body: []byte(`{"number":"TS-2026-000008","subject":"发票错误",
			"received_at":"2026-03-02T01:00:00Z","stage":"closed","closed":true,"closed_at":"2026-03-09T02:00:00Z","founded":false,"reply":"经核实，发票无误。"}`)},
		"GET /public/status/bad": {Status: http.StatusForbidden, Body: []byte(`{"error":"this link is not valid or has expired; please contact us"}`)},
	}}
	srv := serve(f)
	defer srv.Close()

	code, zh := get(t, srv, "/public/status/good", "zh")
	require.Equal(t, http.StatusOK, code, zh)
	for _, want := range []string{"投诉进度查询", "TS-2026-000007", "整改方案正在实施。", "2026-03-02 09:00", "2026-03-06 17:00",
		`<li class="done">核实</li>`, `<li class="current" aria-current="step">整改</li>`, `<li class="">回访</li>`} {
		require.Contains(t, zh, want)
	}
	require.NotContains(t, zh, `href="/logout"`, "no staff menu on a customer's page")
	_, en := get(t, srv, "/public/status/good", "en")
	require.Contains(t, en, "The remedy is being carried out.")
	require.NotContains(t, en, Missing)

	_, closed := get(t, srv, "/public/status/closed", "zh")
	for _, want := range []string{"您的投诉已办结。", "书面答复", "经核实，发票无误。", `<li class="done">核实</li><li class="skipped">安排</li>`, `<li class="done">办结</li>`} {
		require.Contains(t, closed, want)
	}

	code, bad := get(t, srv, "/public/status/bad", "zh")
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, bad, "此链接无效或已过期，请与我们联系。")
}
