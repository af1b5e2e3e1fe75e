package integration

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/demo"
)

// hrefs are the same-site page links of a page (downloads of the API's
// files and the language switch left out: they are not pages).
var hrefs = regexp.MustCompile(`href="(/[^"]*)"`)

// Every demo user follows every link the console shows them, in Chinese and
// in English: each page opens (no refusal, no failure) and none shows an
// untranslated string.
func TestConsoleEveryLinkForEveryUser(t *testing.T) {
	// Something to look at on the detail, survey and report pages.
	c := create(t, intake(3_000))
	step(t, c.ID, steps[0].path, steps[0].body)

	for _, u := range demo.Usernames() {
		t.Run(u, func(t *testing.T) {
			b := browser(t, u)
			for _, lang := range []string{"zh", "en"} {
				code, _ := page(t, b, http.MethodGet, "/?lang="+lang, nil)
				require.Equal(t, http.StatusOK, code)
				crawl(t, b, u, lang)
			}
		})
	}
}

// crawl visits the pages reachable from / breadth-first, up to a bound, and
// checks each.
func crawl(t *testing.T, b *http.Client, user, lang string) {
	t.Helper()
	seen := map[string]bool{}
	queue := []string{"/"}
	statuses := map[int]int{}
	for len(queue) > 0 && len(seen) < 120 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		code, body := page(t, b, http.MethodGet, p, nil)
		statuses[code]++
		// A link the console shows leads somewhere the user may go.
		require.Equal(t, http.StatusOK, code, "%s %s %s: %d\n%s", user, lang, p, code, body)
		require.NotContains(t, body, console.Missing, "%s %s %s", user, lang, p)
		if !strings.Contains(body, "<!doctype html>") {
			continue // a download
		}
		for _, m := range hrefs.FindAllStringSubmatch(body, -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			u, err := url.Parse(link)
			require.NoError(t, err, link)
			switch {
			case strings.HasPrefix(u.Path, "/api/"), strings.HasPrefix(u.Path, "/static/"),
				u.Query().Has("lang"), u.Path == "/logout":
				continue
			}
			if !seen[link] {
				queue = append(queue, link)
			}
		}
	}
	var summary []string
	for code, n := range statuses {
		summary = append(summary, strconv.Itoa(code)+"×"+strconv.Itoa(n))
	}
	sort.Strings(summary)
	t.Logf("%s %s: %d pages (%s)", user, lang, len(seen), strings.Join(summary, ", "))
}
