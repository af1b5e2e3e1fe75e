package integration

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/demo"
)

// browser is a signed-in console user: a client with a cookie jar.
func browser(t *testing.T, username string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := &http.Client{Jar: jar}
	code, body := page(t, b, http.MethodGet, "/login", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "登录")
	code, body = page(t, b, http.MethodPost, "/login", url.Values{"username": {username}, "password": {demo.Password}})
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "我的待办")
	return b
}

func page(t *testing.T, b *http.Client, method, path string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, stack.api.URL+path, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", stack.api.URL)
	}
	resp, err := b.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(out)
}

func TestConsoleMyWorkAndValidation(t *testing.T) {
	r := as(t, "clerk", http.MethodPost, "/api/v1/complaints", intake(1_000))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)

	// Signed out: the console sends you to sign in.
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := anon.Get(stack.api.URL + "/complaints/" + c.ID)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/login"))

	market := browser(t, "market")
	code, work := page(t, market, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, work, c.Number)
	require.Contains(t, work, "/complaints/"+c.ID)

	code, detail := page(t, market, http.MethodGet, "/complaints/"+c.ID, nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, detail, "判定投诉")
	require.Contains(t, detail, `action="/complaints/`+c.ID+`/validation"`)
	require.Contains(t, detail, "王芳", "the timeline names the clerk who recorded it")

	code, after := page(t, market, http.MethodPost, "/complaints/"+c.ID+"/validation", url.Values{"founded": {"true"}, "reason": {"属实"}})
	require.Equal(t, http.StatusOK, code, after)
	require.Contains(t, after, "已提交")
	require.Contains(t, after, "确定责任部门")
	require.Contains(t, after, `action="/complaints/`+c.ID+`/assignment"`)
	require.Equal(t, complaint.StepAssignment, get(t, c.ID).Status)

	// A second validation is refused by the workflow, in plain words.
	code, refused := page(t, market, http.MethodPost, "/complaints/"+c.ID+"/validation", url.Values{"founded": {"true"}, "reason": {"again"}})
	require.Equal(t, http.StatusConflict, code, refused)
	require.Contains(t, refused, "投诉当前的状态不允许此操作")

	// English on request.
	code, en := page(t, market, http.MethodGet, "/complaints/"+c.ID+"?lang=en", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, en, "Assignment")
	require.NotContains(t, en, "⟦missing")

	// The engineer may take no validation: no form, nothing in his work list.
	c2 := create(t, intake(1_000))
	engineer := browser(t, "engineer")
	_, work = page(t, engineer, http.MethodGet, "/", nil)
	require.NotContains(t, work, c2.Number)
	_, detail = page(t, engineer, http.MethodGet, "/complaints/"+c2.ID, nil)
	require.NotContains(t, detail, `/validation"`)
	code, refused = page(t, engineer, http.MethodPost, "/complaints/"+c2.ID+"/validation", url.Values{"founded": {"true"}})
	require.Equal(t, http.StatusForbidden, code, refused)
	require.Contains(t, refused, "您没有权限")
	require.Equal(t, complaint.StepValidation, get(t, c2.ID).Status)

	// Signing out ends the session.
	code, body := page(t, engineer, http.MethodPost, "/logout", url.Values{})
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `name="password"`)
}

// chromium finds a Chromium or Chrome binary (scripts/ensure-chromium installs one).
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// A real browser signs in and sees its work and a complaint. The screenshots
// go to docs/screenshots/ with CXFLOW_SCREENSHOTS=1, to a temporary directory
// otherwise.
func TestConsoleInABrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium on this machine (scripts/ensure-chromium installs it)")
	}
	dir := t.TempDir()
	if os.Getenv("CXFLOW_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "docs", "screenshots")
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	c := create(t, intake(1_000))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(stack.api.URL+"/"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "market"),
		chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`table.list`),
	))
	heading, err := chromedp.Run(ctx, chromedp.Text(`main h1`))
	require.NoError(t, err)
	work, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(stack.api.URL+"/complaints/"+c.ID),
		chromedp.WaitVisible(`form.step-validation`),
	))
	number, err := chromedp.Run(ctx, chromedp.Text(`main h1`))
	require.NoError(t, err)
	detail, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.Equal(t, "我的待办", heading)
	require.Contains(t, number, c.Number)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "console-my-work.png"), work, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "console-complaint.png"), detail, 0o644))
}
