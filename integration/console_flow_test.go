package integration

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
)

// fill types into a form's text fields and picks its selects and radios;
// keys are CSS selectors.
func fill(form string, text map[string]string, choose map[string]string, radios ...string) []chromedp.Action[chromedp.Void] {
	var out []chromedp.Action[chromedp.Void]
	for sel, v := range text {
		out = append(out, chromedp.SendKeys(form+" "+sel, v))
	}
	for sel, v := range choose {
		out = append(out, chromedp.SetValue(form+" "+sel, v))
	}
	for _, r := range radios {
		out = append(out, chromedp.Click(form+" "+r))
	}
	return out
}

// act opens the complaint as the signed-in user, fills the step's form and
// submits it; it waits for the page that follows.
func act(t *testing.T, ctx context.Context, id, form string, text, choose map[string]string, radios ...string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(stack.api.URL + "/complaints/" + id),
		chromedp.WaitVisible(form),
	}
	steps = append(steps, fill(form, text, choose, radios...)...)
	steps = append(steps, chromedp.Click(form+` button[type=submit]`), chromedp.WaitVisible(`p.notice`))
	require.NoError(t, chromedp.Do(ctx, steps...), "%s on %s", form, id)
}

// dashboardOpen opens 管理看板 from the menu and reads its open-complaints tile.
func dashboardOpen(t *testing.T, ctx context.Context) int {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`header nav a[href="/dashboard"]`),
		chromedp.WaitVisible(`.dash-tiles`),
	))
	v, err := chromedp.Run(ctx, chromedp.Text(`.dash-tiles > :first-child .dash-tile-value`))
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	require.NoError(t, err, "open tile %q", v)
	return n
}

// A complaint carried from intake to closed in the browser, each step by the
// person whose step it is, in Chinese; the customer answers the callback on a
// phone; the English switch changes the page.
func TestConsoleComplaintFromIntakeToClosed(t *testing.T) {
	ctx, dir := chromeTab(t, 1280, 900)

	// The clerk records it.
	signIn(t, ctx, "clerk")
	subject := "冷水机组噪音过大"
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(stack.api.URL + "/complaints/new"),
		chromedp.WaitVisible(`form.intake`),
	}
	steps = append(steps, fill("form.intake", map[string]string{
		`input[name="customer.name"]`: "钱女士", `input[name="customer.organisation"]`: "苏州精密机械",
		`input[name="customer.contact"]`: "0512 6666 8888", `input[name=subject]`: subject,
		`textarea[name=description]`: "调试后机组运行噪音超过合同约定值。", `input[name=estimated_loss]`: "2000",
	}, map[string]string{`select[name=channel]`: "phone", `select[name=category]`: "service_quality"})...)
	require.NoError(t, chromedp.Do(ctx, steps...))
	shot(t, ctx, dir, "console-intake.png")
	// Submitted through the form element: a click right after the full-page
	// screenshot has been seen to miss the button.
	require.NoError(t, chromedp.Do(ctx, chromedp.Submit(`form.intake button[type=submit]`), chromedp.WaitVisible(`#current`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	id := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(loc, stack.api.URL), "?", 2)[0], "/complaints/")
	require.Equal(t, complaint.StepValidation, get(t, id).Status, loc)

	// The market department validates and assigns.
	signIn(t, ctx, "market")
	act(t, ctx, id, "form.step-validation", map[string]string{`textarea[name=reason]`: "噪音实测超标，投诉成立"}, nil, `input[name=founded][value=true]`)
	act(t, ctx, id, "form.step-assignment", map[string]string{`input[name=handler]`: "张伟"}, map[string]string{`select[name=department]`: "engineering"})
	require.Equal(t, complaint.StepRootCause, get(t, id).Status)

	// The responsible department analyses the cause and proposes a plan.
	signIn(t, ctx, "engineer")
	act(t, ctx, id, "form.step-root_cause", map[string]string{
		`textarea[name=cause]`: "减振垫安装错位", `input[name=responsible_person]`: "张伟",
		`textarea[name=corrective_action]`: "重新安装减振垫", `textarea[name=preventive_action]`: "安装检查表增加减振项",
	}, map[string]string{`select[name=cause_type]`: "chance"})
	act(t, ctx, id, "form.step-plan", map[string]string{`textarea[name=plan]`: "两日内上门重新安装并复测噪音"}, nil)
	c := get(t, id)
	require.Equal(t, complaint.StepApproval, c.Status)

	// The general manager sees it among the open complaints on 管理看板.
	signIn(t, ctx, "gm")
	openBefore := dashboardOpen(t, ctx)
	require.GreaterOrEqual(t, openBefore, 1)

	// Every approval the complaint needs, each by the person of that level.
	approvers := map[complaint.Level]string{complaint.LevelDepartmentHead: "head",
		complaint.LevelMarketDepartment: "market", complaint.LevelGeneralManager: "gm"}
	for _, level := range c.ApprovalsRequired {
		signIn(t, ctx, approvers[level])
		act(t, ctx, id, "form.step-approval", map[string]string{`textarea[name=comment]`: "同意"}, nil, `input[name=approved][value=true]`)
	}
	require.Equal(t, complaint.StepExecution, get(t, id).Status)

	signIn(t, ctx, "engineer")
	act(t, ctx, id, "form.step-execution", map[string]string{`textarea[name=result]`: "已重新安装，复测噪音 62 dB，符合合同"}, nil, `input[name=customer_notified][value=true]`)
	require.Equal(t, complaint.StepCallback, get(t, id).Status)

	// Customer service makes the callback link…
	signIn(t, ctx, "clerk")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(stack.api.URL+"/complaints/"+id),
		chromedp.Click(`form.control-callback-link button`),
		chromedp.WaitVisible(`a.link-url`),
	))
	link, err := chromedp.Run(ctx, chromedp.Text(`a.link-url`))
	require.NoError(t, err)
	require.Contains(t, link, "/public/callback/")

	// …and the customer answers it on a phone, not signed in.
	token := strings.SplitN(link, "/public/callback/", 2)[1]
	// One address: JSON for an API client, the page (and only the page) for a browser.
	code, body := page(t, &http.Client{}, http.MethodGet, "/public/callback/"+token, nil)
	require.Equal(t, http.StatusOK, code, body)
	require.True(t, strings.HasPrefix(body, "{"), body)
	req, err := http.NewRequest(http.MethodGet, stack.api.URL+"/public/callback/"+token, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(string(html), "<!doctype html>"), "%s", html)
	require.Contains(t, string(html), `class="step callback-answer"`)
	phone, _ := chromeTab(t, 390, 844)
	require.NoError(t, chromedp.Do(phone,
		chromedp.Emulate(device.IPhone13),
		// The stack's public address is not this test server's.
		chromedp.Navigate(stack.api.URL+"/public/callback/"+token),
		chromedp.WaitVisible(`form.callback-answer`),
	))
	shown, err := chromedp.Run(phone, chromedp.Text(`main`))
	require.NoError(t, err)
	require.Contains(t, shown, subject)
	require.Contains(t, shown, "复测噪音 62 dB")
	require.NoError(t, chromedp.Do(phone,
		chromedp.Click(`input[name=satisfied][value=true]`),
		chromedp.SendKeys(`textarea[name=comment]`, "安静多了，谢谢"),
	))
	shot(t, phone, dir, "console-callback-phone.png")
	require.NoError(t, chromedp.Do(phone, chromedp.Click(`form.callback-answer button[type=submit]`), chromedp.WaitVisible(`p.notice`)))
	thanks, err := chromedp.Run(phone, chromedp.Text(`p.notice`))
	require.NoError(t, err)
	require.Contains(t, thanks, "谢谢您的反馈")
	require.Equal(t, complaint.StepReview, get(t, id).Status)

	// The market department reviews and closes it.
	signIn(t, ctx, "market")
	act(t, ctx, id, "form.step-review", map[string]string{
		`textarea[name=summary]`: "安装质量问题，已整改", `textarea[name=lessons]`: "安装检查表补充减振项",
	}, map[string]string{`select[name=cause_type]`: "chance"})
	c = get(t, id)
	require.Equal(t, complaint.StepClosed, c.Status)
	current, err := chromedp.Run(ctx, chromedp.Text(`#current dd`))
	require.NoError(t, err)
	require.Contains(t, current, "已关闭")
	shot(t, ctx, dir, "console-closed.png")

	// Closed: one open complaint fewer on the general manager's dashboard.
	signIn(t, ctx, "gm")
	require.Equal(t, openBefore-1, dashboardOpen(t, ctx))
	signIn(t, ctx, "market")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(stack.api.URL+"/complaints/"+id), chromedp.WaitVisible(`#current`)))

	// The English switch.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(`span.lang a`), chromedp.WaitVisible(`#current`)))
	current, err = chromedp.Run(ctx, chromedp.Text(`#current dd`))
	require.NoError(t, err)
	require.Contains(t, current, "Closed")
	heading, err := chromedp.Run(ctx, chromedp.Text(`#current h2`))
	require.NoError(t, err)
	require.Equal(t, "Current step", heading)
}
