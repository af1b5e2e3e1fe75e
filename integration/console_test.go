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
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
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

	// Each console action leaves one audit row, under the API route it went through.
	ar := as(t, "auditor", http.MethodGet, "/api/v1/audit?target="+c.ID, nil)
	require.Equal(t, http.StatusOK, ar.status, "%s", ar.body)
	var audit struct {
		Items []struct {
			Username string `json:"username"`
			Route    string `json:"route"`
			Outcome  string `json:"outcome"`
		} `json:"items"`
	}
	ar.json(t, &audit)
	require.Len(t, audit.Items, 3, "create, validation, refused second validation")
	require.Equal(t, "/api/v1/complaints/:id/validation", audit.Items[0].Route)
	require.Equal(t, "market", audit.Items[0].Username)
	require.Equal(t, "rejected", audit.Items[0].Outcome)
	require.Equal(t, "allowed", audit.Items[1].Outcome)

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

// chromeTab opens a headless Chromium tab of the given viewport, closed at
// the test's end, and names the screenshot directory: docs/screenshots/ with
// CXFLOW_SCREENSHOTS=1, a temporary directory otherwise. It skips the test
// where no Chromium is installed.
func chromeTab(t *testing.T, width, height int, extra ...chromedp.ExecAllocatorOption) (context.Context, string) {
	t.Helper()
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium on this machine (scripts/ensure-chromium installs it)")
	}
	dir := t.TempDir()
	if os.Getenv("CXFLOW_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "docs", "screenshots")
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(width, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx, dir
}

// signIn signs the browser tab in as the demo user (replacing any earlier
// session) and waits for 我的待办.
func signIn(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(stack.api.URL+"/login"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, username),
		chromedp.SendKeys(`input[name=password]`, demo.Password),
		chromedp.Submit(`input[name=password]`),
		// Only signed-in pages name the user; the login page has a heading too.
		chromedp.WaitVisible(`header .who`),
	))
}

// shot saves a full-page screenshot of the tab as dir/name.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
}

// A real browser signs in and sees its work and a complaint. The screenshots
// go to docs/screenshots/ with CXFLOW_SCREENSHOTS=1, to a temporary directory
// otherwise.
func TestConsoleInABrowser(t *testing.T) {
	ctx, dir := chromeTab(t, 1280, 900)
	c := create(t, intake(1_000))

	signIn(t, ctx, "market")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(`table.list`)))
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

// The clerk records a complaint through the console's 投诉登记 form.
func TestConsoleIntakeForm(t *testing.T) {
	clerk := browser(t, "clerk")
	code, work := page(t, clerk, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, work, `href="/complaints/new"`)

	code, form := page(t, clerk, http.MethodGet, "/complaints/new", nil)
	require.Equal(t, http.StatusOK, code, form)
	require.Contains(t, form, "投诉登记")
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(form)
	require.Len(t, key, 2, form)

	subject := "控制柜门锁损坏 " + key[1][:8]
	values := url.Values{
		"customer.name": {"赵敏"}, "customer.organisation": {"华东电气"}, "customer.contact": {""},
		"channel": {"phone"}, "category": {"service_quality"}, "subject": {subject},
		"description": {"安装后第二天门锁脱落。"}, "estimated_loss": {"0"}, "idempotency_key": {key[1]},
	}

	// The contact is missing: the API's refusal shows next to that field, and
	// what was typed stays.
	code, refused := page(t, clerk, http.MethodPost, "/complaints/new", values)
	require.Equal(t, http.StatusBadRequest, code, refused)
	require.Regexp(t, `name="customer.contact"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="customer.contact"`, refused)
	require.Contains(t, refused, `value="`+subject+`"`)
	require.Contains(t, refused, "联系方式")

	// Complete: the console lands on the new complaint's page.
	values.Set("customer.contact", "139 1111 2222")
	noFollow := &http.Client{Jar: clerk.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	submit := func() string {
		req, err := http.NewRequest(http.MethodPost, stack.api.URL+"/complaints/new", strings.NewReader(values.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", stack.api.URL)
		resp, err := noFollow.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, string(b))
		return resp.Header.Get("Location")
	}
	loc := submit()
	require.True(t, strings.HasPrefix(loc, "/complaints/"), loc)
	code, detail := page(t, clerk, http.MethodGet, loc, nil)
	require.Equal(t, http.StatusOK, code, detail)
	require.Regexp(t, `TS-\d{4}-\d+`, detail)
	require.Contains(t, detail, subject)
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/complaints/")
	c := get(t, id)
	require.Equal(t, complaint.StepValidation, c.Status)
	require.Equal(t, "139 1111 2222", c.Customer.Contact)

	// The same form posted again (a double submit) records nothing new.
	require.Equal(t, loc, submit())
	recorded, cursor := 0, ""
	for range 50 {
		r := as(t, "market", http.MethodGet, "/api/v1/complaints?status=validation&limit=100&cursor="+url.QueryEscape(cursor), nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var list struct {
			Items      []complaint.Complaint `json:"items"`
			NextCursor string                `json:"next_cursor"`
		}
		r.json(t, &list)
		for _, it := range list.Items {
			if it.Subject == subject {
				recorded++
			}
		}
		if cursor = list.NextCursor; cursor == "" {
			break
		}
	}
	require.Equal(t, 1, recorded, "one complaint for the double submit")

	// The engineer may not record: no link, and a refusal in plain words.
	engineer := browser(t, "engineer")
	_, work = page(t, engineer, http.MethodGet, "/", nil)
	require.NotContains(t, work, `href="/complaints/new"`)
	code, body := page(t, engineer, http.MethodGet, "/complaints/new", nil)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "您没有权限")
	require.NotContains(t, body, `action="/complaints/new"`)
}

// 投诉查询 finds a complaint by its number or customer, within what the user
// may read.
func TestConsoleFindComplaints(t *testing.T) {
	body := intake(1_000)
	body["customer"] = map[string]any{"name": "欧阳娜娜", "organisation": "洛阳重工", "contact": "1"}
	c := create(t, body)
	market := browser(t, "market")
	code, page1 := page(t, market, http.MethodGet, "/complaints?q="+url.QueryEscape(c.Number), nil)
	require.Equal(t, http.StatusOK, code, page1)
	require.Contains(t, page1, `href="/complaints/`+c.ID+`"`)
	_, byName := page(t, market, http.MethodGet, "/complaints?q="+url.QueryEscape("欧阳娜娜"), nil)
	require.Contains(t, byName, c.Number)
	require.Contains(t, byName, "洛阳重工")

	// Not yet assigned: the engineering department does not see it.
	_, hidden := page(t, browser(t, "engineer"), http.MethodGet, "/complaints?q="+url.QueryEscape(c.Number), nil)
	require.NotContains(t, hidden, `href="/complaints/`+c.ID+`"`)
	require.Contains(t, hidden, "没有符合条件的投诉")

	code, bad := page(t, market, http.MethodGet, "/complaints?status=nonsense", nil)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, bad, "不是可以选择的值", "the API's check in Chinese")
}

// 我的待办 lists improvement-action steps beside complaint steps, for the
// department the action belongs to.
func TestConsoleMyWorkHasImprovementActions(t *testing.T) {
	body := actionBody("after-sales", time.Now().Add(30*24*time.Hour))
	body["title"] = "售后回访流程改进 " + time.Now().Format("150405.000")
	a, _ := openAs(t, "market", body)

	_, work := page(t, browser(t, "service"), http.MethodGet, "/", nil)
	require.Contains(t, work, `href="/improvements/`+a.ID+`#form"`)
	require.Contains(t, work, body["title"])
	require.Contains(t, work, "改进措施")

	// Another department's member does not see it.
	_, other := page(t, browser(t, "sales"), http.MethodGet, "/", nil)
	require.NotContains(t, other, a.ID)
}

// The market department opens an improvement action from a complaint's page;
// the complaint lists it and the responsible department finds it in 我的待办.
func TestConsoleOpenActionFromComplaint(t *testing.T) {
	c := create(t, intake(2_000))
	for _, s := range steps[:3] { // validated, assigned to engineering, root cause in
		step(t, c.ID, s.path, s.body)
	}
	market := browser(t, "market")
	_, detail := page(t, market, http.MethodGet, "/complaints/"+c.ID, nil)
	require.Contains(t, detail, `href="/improvements/new?complaint=`+c.ID+`"`)

	code, form := page(t, market, http.MethodGet, "/improvements/new?complaint="+c.ID, nil)
	require.Equal(t, http.StatusOK, code, form)
	require.Contains(t, form, `value="`+c.Number+` `+c.Subject+`"`, "the title starts from the complaint")
	require.Contains(t, form, "来料抽检", "the description from its root cause")
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(form)[1]

	values := url.Values{"idempotency_key": {key}, "complaint": {c.ID}, "title": {"电容来料检验 " + key[:6]},
		"description": {"增加来料抽检"}, "department": {"engineering"}, "due_at": {"2001-01-01"}}
	code, refused := page(t, market, http.MethodPost, "/improvements/new", values)
	require.Equal(t, http.StatusBadRequest, code, refused)
	require.Contains(t, refused, `data-field="due_at"`, "a past deadline is refused next to the field")

	values.Set("due_at", time.Now().AddDate(0, 1, 0).Format("2006-01-02"))
	code, opened := page(t, market, http.MethodPost, "/improvements/new", values)
	require.Equal(t, http.StatusOK, code, opened)
	require.Contains(t, opened, "改进措施已开立")
	// The same form again (a double submit) opens nothing new.
	page(t, market, http.MethodPost, "/improvements/new", values)
	r := as(t, "market", http.MethodGet, "/api/v1/improvement-actions?complaint_id="+c.ID, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, 1, strings.Count(string(r.body), `"title":"电容来料检验 `+key[:6]+`"`))

	_, detail = page(t, market, http.MethodGet, "/complaints/"+c.ID, nil)
	require.Contains(t, detail, "电容来料检验 "+key[:6])
	_, work := page(t, browser(t, "engineer"), http.MethodGet, "/", nil)
	require.Contains(t, work, "电容来料检验 "+key[:6])

	code, body := page(t, browser(t, "engineer"), http.MethodGet, "/improvements/new", nil)
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "改进措施由市场部、品质部开立")
}

// Staff pages on a phone: the page never gets wider than the screen (wide
// tables scroll inside their card).
func TestConsoleStaffPagesOnAPhone(t *testing.T) {
	c := create(t, intake(1_000))
	ctx, dir := chromeTab(t, 390, 844)
	require.NoError(t, chromedp.Do(ctx, chromedp.Emulate(device.IPhone13)))
	signIn(t, ctx, "gm")
	for _, p := range []string{"/", "/complaints/" + c.ID, "/complaints", "/dashboard", "/reports/complaints"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(stack.api.URL+p), chromedp.WaitVisible(`main h1`)))
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		require.NoError(t, err)
		require.False(t, wide, "%s is wider than the phone", p)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(stack.api.URL+"/dashboard"), chromedp.WaitVisible(`.dash-tiles`)))
	shot(t, ctx, dir, "console-phone-dashboard.png")

	// The measure itself: a page made too wide is caught.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const d = document.createElement("div");
		d.style.width = "2000px"; d.style.height = "1px"; document.body.appendChild(d);
		return document.documentElement.scrollWidth > window.innerWidth + 1 })()`))
	require.NoError(t, err)
	require.True(t, wide)
}
