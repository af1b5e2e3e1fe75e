package integration

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
)

// surveyCycleFor starts a cycle of a new programme for n new customers, each
// with an e-mail address, and returns the cycle and each customer's link
// (path only) as the outbox holds it. The cycle takes answers for window.
func surveyCycleFor(t *testing.T, n int, window string) (cycleID string, customers []string, links map[string]string) {
	t.Helper()
	tag := uuid.NewString()[:6]
	csv := "客户编号,客户名称,等级,年采购额,合作年限,有潜力,代表性项目,类别,联系人,电话,邮箱\n"
	for i := range n {
		id := fmt.Sprintf("CS%d-%s", i+1, tag)
		customers = append(customers, id)
		csv += fmt.Sprintf("%s,客户%d,A,1200000,3,否,否,device,联系人%d,,%s@example.cn\n", id, i+1, i+1, strings.ToLower(id))
	}
	r := postCSV(t, csv)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	programme := shortProgramme(t, "控制柜客户满意度调查 "+tag, window, nil)
	r = as(t, "market", http.MethodPost, "/api/v1/survey-programmes/"+programme+"/cycles", map[string]any{"customer_ids": customers})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	cycleID = r.field(t, "cycle_id").(string)
	waitCycle(t, cycleID, "open", 15*time.Second)

	var outbox struct {
		Items []store.Notification `json:"items"`
	}
	require.Eventually(t, func() bool {
		r := as(t, "market", http.MethodGet, "/api/v1/notifications?limit=1000&related=survey-cycle:"+cycleID, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &outbox)
		return len(outbox.Items) >= n
	}, 10*time.Second, 200*time.Millisecond)
	links = map[string]string{}
	for _, m := range outbox.Items {
		for _, c := range customers {
			if m.Channel == "email" && m.Recipient == strings.ToLower(c)+"@example.cn" {
				require.True(t, strings.HasPrefix(m.Link, "http://cxflow.test/public/survey/"), m.Link)
				links[c] = strings.TrimPrefix(m.Link, "http://cxflow.test")
			}
		}
	}
	require.Len(t, links, n)
	return cycleID, customers, links
}

// customer is a phone's browser without a session: HTML pages, no redirects followed.
func customerPage(t *testing.T, method, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, stack.api.URL+path, body)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", stack.api.URL)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func cycleOf(t *testing.T, id string) store.Cycle {
	t.Helper()
	var cy store.Cycle
	r := as(t, "market", http.MethodGet, "/api/v1/survey-cycles/"+id, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &cy)
	return cy
}

// Customers answer through the HTML form at their link, staff enter a phone
// answer, and a forged or closed link is explained.
func TestConsoleSurveyAnswerForms(t *testing.T) {
	cycleID, customers, links := surveyCycleFor(t, 3, "14s")
	first, second, third := links[customers[0]], links[customers[1]], links[customers[2]]

	// The link opens the form, in Chinese, with no menu.
	code, _, form := customerPage(t, http.MethodGet, first, nil)
	require.Equal(t, http.StatusOK, code, form)
	require.Contains(t, form, "控制柜客户满意度调查")
	require.Contains(t, form, `name="ratings.product_quality" value="very_satisfied"`)
	require.Contains(t, form, "很不满意")
	require.Contains(t, form, `name="recommend" value="10"`)
	require.NotContains(t, form, `action="/logout"`)
	require.NotContains(t, form, `href="/surveys"`)
	// API clients still get JSON at the same address.
	r := anonymous(t, http.MethodGet, first, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, false, r.field(t, "answered"))

	// A level the scale does not have: refused next to the field, values kept, nothing counted.
	code, _, bad := customerPage(t, http.MethodPost, first, url.Values{"ratings.product_quality": {"satisfied"}, "ratings.service": {"great"}, "comment": {"门锁松动"}})
	require.Equal(t, http.StatusBadRequest, code, bad)
	require.Regexp(t, `(?s)id="q-service">.*?<span class="field-error" data-field="ratings.service"`, bad)
	require.Contains(t, bad, `value="satisfied" checked`)
	require.Contains(t, bad, ">门锁松动</textarea>")
	code, _, empty := customerPage(t, http.MethodPost, first, url.Values{"comment": {"只写意见"}})
	require.Equal(t, http.StatusBadRequest, code, empty)
	require.Contains(t, empty, "请至少评价一项")
	require.Equal(t, 0, cycleOf(t, cycleID).Returned)

	// The answer: a redirect to the thanks, which says until when it may change.
	answer := url.Values{"ratings.product_quality": {"dissatisfied"}, "ratings.service": {"satisfied"}, "ratings.price": {"neutral"},
		"recommend": {"8"}, "comment": {"交货后一周出现故障"}}
	code, h, _ := customerPage(t, http.MethodPost, first, answer)
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, first+"/thanks", h.Get("Location"))
	code, _, thanks := customerPage(t, http.MethodGet, h.Get("Location"), nil)
	require.Equal(t, http.StatusOK, code, thanks)
	require.Contains(t, thanks, "感谢您的评价")
	require.Contains(t, thanks, cycleOf(t, cycleID).ClosesAt.In(mustLocation("Asia/Shanghai")).Format("2006-01-02 15:04"), "until when it may change")
	require.Equal(t, 1, cycleOf(t, cycleID).Returned)

	// Opened again: "you answered already"; answering again replaces it.
	_, _, again := customerPage(t, http.MethodGet, first, nil)
	require.Contains(t, again, "您已经提交过问卷")
	// …with the earlier answer filled in, to change rather than retype.
	require.Regexp(t, `name="ratings.product_quality" value="dissatisfied" checked`, again)
	require.Regexp(t, `name="recommend" value="8" checked`, again)
	require.Contains(t, again, ">交货后一周出现故障</textarea>")
	answer.Set("ratings.service", "very_satisfied")
	code, _, _ = customerPage(t, http.MethodPost, first, answer)
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, 1, cycleOf(t, cycleID).Returned, "a changed answer is still one answer")

	// The second customer answers in English.
	code, _, en := customerPage(t, http.MethodGet, second+"?lang=en", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, en, "Product quality")
	require.Contains(t, en, "Very satisfied")
	require.NotContains(t, en, "⟦missing")
	code, _, _ = customerPage(t, http.MethodPost, second, url.Values{"ratings.product_quality": {"very_satisfied"}, "ratings.delivery_time": {"satisfied"}})
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, 2, cycleOf(t, cycleID).Returned)

	// A forged link is refused in words; nothing is counted.
	forged := first[:len(first)-4] + "AAAA"
	code, _, refused := customerPage(t, http.MethodGet, forged, nil)
	require.Equal(t, http.StatusForbidden, code, refused)
	require.Contains(t, refused, "链接无效或已过期")
	code, _, _ = customerPage(t, http.MethodPost, forged, answer)
	require.Equal(t, http.StatusForbidden, code)

	// Customer service enters the third customer's phone answer.
	clerk := browser(t, "clerk")
	code, entry := page(t, clerk, http.MethodGet, "/surveys/cycles/"+cycleID+"/answer", nil)
	require.Equal(t, http.StatusOK, code, entry)
	require.Contains(t, entry, `<option value="`+customers[2]+`">未答卷</option>`)
	code, missing := page(t, clerk, http.MethodPost, "/surveys/cycles/"+cycleID+"/answer", url.Values{
		"customer_id": {customers[2]}, "channel": {"phone"}, "respondent": {""}, "ratings.service": {"very_dissatisfied"}})
	require.Equal(t, http.StatusBadRequest, code, missing)
	require.Regexp(t, `name="respondent" value=""[^>]*aria-invalid="true">\s*<span class="field-error" data-field="respondent"`, missing)
	code, saved := page(t, clerk, http.MethodPost, "/surveys/cycles/"+cycleID+"/answer", url.Values{
		"customer_id": {customers[2]}, "channel": {"phone"}, "respondent": {"设备部 刘工"}, "ratings.service": {"very_dissatisfied"},
		"comment": {"售后电话打不通"}})
	require.Equal(t, http.StatusOK, code, saved)
	require.Contains(t, saved, "答卷已保存")
	require.Equal(t, 3, cycleOf(t, cycleID).Returned)
	var invs struct {
		Items []store.Invitation `json:"items"`
	}
	as(t, "market", http.MethodGet, "/api/v1/survey-cycles/"+cycleID+"/invitations", nil).json(t, &invs)
	for _, iv := range invs.Items {
		require.NotNil(t, iv.AnsweredAt, "%s answered", iv.CustomerID)
	}
	// The quality department reads cycles but does not enter answers.
	quality := browser(t, "quality")
	code, body := page(t, quality, http.MethodGet, "/surveys/cycles/"+cycleID+"/answer", nil)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "只有客服或市场部")

	// Closed: the link explains it; the answers are counted in the statistics.
	cy := waitCycle(t, cycleID, "closed", 30*time.Second)
	code, _, closed := customerPage(t, http.MethodGet, third, nil)
	require.Equal(t, http.StatusGone, code, closed)
	require.Contains(t, closed, "调查已结束")
	code, _, closed = customerPage(t, http.MethodPost, third, answer)
	require.Equal(t, http.StatusGone, code, closed)
	require.NotNil(t, cy.Stats)
	require.Equal(t, 3, cy.Stats.Answers)
	require.Len(t, cy.Stats.Dissatisfied, 2, "quality 不满意 by link, service 很不满意 by phone")

	// The cycle page shows the counts, the dissatisfied answers and the actions opened from them.
	require.Eventually(t, func() bool { return cycleOf(t, cycleID).Actions == 2 }, 20*time.Second, 200*time.Millisecond)
	market := browser(t, "market")
	code, cyc := page(t, market, http.MethodGet, "/surveys/cycles/"+cycleID, nil)
	require.Equal(t, http.StatusOK, code, cyc)
	require.Contains(t, cyc, "已结束")
	require.Contains(t, cyc, `<span class="badge survey-met">100.0%</span> (目标 70.0%)`)
	require.Contains(t, cyc, "交货后一周出现故障")
	require.Contains(t, cyc, "售后电话打不通")
	actions := regexp.MustCompile(`href="/improvements/([0-9a-f-]{36})"`).FindAllStringSubmatch(cyc, -1)
	require.NotEmpty(t, actions, cyc)
	code, detail := page(t, market, http.MethodGet, "/improvements/"+actions[0][1], nil)
	require.Equal(t, http.StatusOK, code, detail)
	require.Contains(t, detail, `href="/surveys/cycles/`+cycleID+`"`)
}

// Only those the survey API lets in see the menu entry; others are refused in words.
func TestConsoleSurveyMenu(t *testing.T) {
	for _, user := range []string{"clerk", "market", "engineer", "head", "quality", "gm", "auditor", "admin", "branch"} {
		b := browser(t, user)
		_, home := page(t, b, http.MethodGet, "/", nil)
		allowed := as(t, user, http.MethodGet, "/api/v1/survey-programmes", nil).status == http.StatusOK
		require.Equal(t, allowed, strings.Contains(home, `href="/surveys"`), user)
		code, body := page(t, b, http.MethodGet, "/surveys", nil)
		if allowed {
			require.Equal(t, http.StatusOK, code, "%s: %s", user, body)
			require.Contains(t, body, "满意度调查")
		} else {
			require.Equal(t, http.StatusForbidden, code, "%s: %s", user, body)
			require.Contains(t, body, "您没有权限")
		}
	}
}

// An improvement action goes round PDCA through the console's forms.
func TestConsoleImprovementSteps(t *testing.T) {
	due := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	body := actionBody("engineering", due)
	body["title"] = "售后响应慢 " + uuid.NewString()[:6]
	a, _ := openAs(t, "market", body)

	engineer := browser(t, "engineer")
	code, list := page(t, engineer, http.MethodGet, "/improvements?department=engineering&status=plan", nil)
	require.Equal(t, http.StatusOK, code, list)
	require.Contains(t, list, `href="/improvements/`+a.ID+`"`)
	code, detail := page(t, engineer, http.MethodGet, "/improvements/"+a.ID, nil)
	require.Equal(t, http.StatusOK, code, detail)
	require.Contains(t, detail, `action="/improvements/`+a.ID+`/plan"`)

	// The market department verifies; it does not plan.
	market := browser(t, "market")
	_, mdetail := page(t, market, http.MethodGet, "/improvements/"+a.ID, nil)
	require.NotContains(t, mdetail, `/plan"`)

	late := due.Add(48 * time.Hour).In(mustLocation("Asia/Shanghai")).Format("2006-01-02T15:04")
	code, refused := page(t, engineer, http.MethodPost, "/improvements/"+a.ID+"/plan", url.Values{"plan": {"增加夜班值守"}, "due_at": {late}})
	require.Equal(t, http.StatusBadRequest, code, refused)
	require.Regexp(t, `value="`+late+`" aria-invalid="true">\s*<span class="field-error" data-field="due_at"`, refused)
	require.Contains(t, refused, ">增加夜班值守</textarea>")

	code, planned := page(t, engineer, http.MethodPost, "/improvements/"+a.ID+"/plan", url.Values{"plan": {"增加夜班值守"}})
	require.Equal(t, http.StatusOK, code, planned)
	require.Contains(t, planned, "改进计划已提交")
	require.Contains(t, planned, `action="/improvements/`+a.ID+`/completion"`)
	code, done := page(t, engineer, http.MethodPost, "/improvements/"+a.ID+"/completion", url.Values{"result": {"夜班已排班"}})
	require.Equal(t, http.StatusOK, code, done)
	require.NotContains(t, done, `/verification"`, "whoever completes does not verify")

	code, noReason := page(t, market, http.MethodPost, "/improvements/"+a.ID+"/verification", url.Values{"effective": {"false"}})
	require.Equal(t, http.StatusBadRequest, code, noReason)
	require.Contains(t, noReason, `data-field="comment"`)
	code, closed := page(t, market, http.MethodPost, "/improvements/"+a.ID+"/verification", url.Values{"effective": {"true"}, "comment": {"回访满意"}})
	require.Equal(t, http.StatusOK, code, closed)
	require.Contains(t, closed, "效果验证已提交")
	require.Equal(t, improvement.StepClosed, readAs(t, "market", a.ID).Status)

	// A department not concerned neither reads nor acts.
	clerk := browser(t, "clerk")
	code, body2 := page(t, clerk, http.MethodGet, "/improvements/"+a.ID, nil)
	require.Equal(t, http.StatusForbidden, code, body2)
}

// A customer answers on a phone: an iPhone-sized viewport with its user agent.
func TestConsoleSurveyOnAPhone(t *testing.T) {
	cycleID, customers, links := surveyCycleFor(t, 1, "10m")
	ctx, dir := chromeTab(t, 390, 844)
	link := stack.api.URL + links[customers[0]]
	// An iPhone 13 (its size, user agent, touch), at twice the CSS pixels
	// rather than its three, so the screenshot stays small.
	phone := device.IPhone13.Device()
	phone.Scale = 2
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Emulate(phone),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`form.survey-form`)),
	))
	eval := func(js string) float64 {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
		require.NoError(t, err, js)
		return v
	}
	ua, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
	require.NoError(t, err)
	require.Contains(t, ua, "iPhone")
	require.Equal(t, 390.0, eval(`window.innerWidth`))
	// The page fits the phone's width: nothing scrolls sideways.
	require.LessOrEqual(t, eval(`document.documentElement.scrollWidth`), 390.0, "the form scrolls sideways on a phone")
	// The choices are big enough to tap (44 px, Apple's guideline), the
	// scale one per line, the 0–10 points in two rows.
	require.GreaterOrEqual(t, eval(`Math.min(...[...document.querySelectorAll('label.survey-choice')].map(l => l.getBoundingClientRect().height))`), 44.0)
	require.GreaterOrEqual(t, eval(`document.querySelector('label.survey-choice').getBoundingClientRect().width`), 300.0)
	require.Equal(t, 2.0, eval(`new Set([...document.querySelectorAll('label.survey-point')].map(l => Math.round(l.getBoundingClientRect().top))).size`))

	choose := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(fmt.Sprintf(`label.survey-choice:has(input[name=%q][value=%q])`, name, value)))
	}
	require.NoError(t, chromedp.Do(ctx,
		choose("ratings.product_quality", "very_satisfied"),
		choose("ratings.delivery_time", "satisfied"),
		choose("ratings.service", "satisfied"),
		choose("ratings.after_sales", "neutral"),
		choose("ratings.price", "dissatisfied"),
		choose("ratings.cooperation", "very_satisfied"),
		choose("recommend", "9"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=comment]`), "价格偏高，其他都很好。"),
	))
	require.Equal(t, 1.0, eval(`document.querySelectorAll('input[name="recommend"]:checked').length`))
	shot(t, ctx, dir, "console-survey-phone.png")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button.survey-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`.survey-note-thanks`)),
	))
	thanks, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	require.NoError(t, err)
	require.Equal(t, "感谢您的评价！", thanks)

	cy := cycleOf(t, cycleID)
	require.Equal(t, 1, cy.Returned)

	// The header's switch puts the form in English, and says the answer may change.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`form.survey-form`)),
		chromedp.Click(chromedp.CSS(`header .lang a`)),
		chromedp.WaitVisible(chromedp.CSS(`button.survey-submit`)),
	))
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return s
	}
	require.Equal(t, "Please rate each of the following", text(`main .survey-questions h2`))
	require.Contains(t, text(`main p.notice`), "You have answered already. You may change your answer until")
	require.Equal(t, "Send my answers", text(`button.survey-submit`))
	require.Equal(t, "Very satisfied", text(`label.survey-choice span`))
}

// Staff read a closed cycle: counts against targets, results per dimension,
// the dissatisfied answers and the improvement actions opened from them.
func TestConsoleSurveyCycleInABrowser(t *testing.T) {
	cycleID, customers, links := surveyCycleFor(t, 3, "8s")
	for i, levels := range []map[string]string{
		{"product_quality": "very_satisfied", "service": "satisfied", "price": "dissatisfied", "delivery_time": "satisfied"},
		{"product_quality": "satisfied", "service": "very_satisfied", "price": "neutral", "after_sales": "very_dissatisfied"},
	} {
		r := anonymous(t, http.MethodPost, links[customers[i]], map[string]any{"ratings": levels, "recommend": 9 - 3*i, "comment": "第" + fmt.Sprint(i+1) + "位客户的意见"})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	}
	waitCycle(t, cycleID, "closed", 30*time.Second)
	require.Eventually(t, func() bool { return cycleOf(t, cycleID).Actions == 2 }, 20*time.Second, 200*time.Millisecond)

	ctx, dir := chromeTab(t, 1280, 900)
	signIn(t, ctx, "market")
	require.NoError(t, chromedp.Do(ctx,
		// Signed in once the menu shows (the login page has none).
		chromedp.WaitVisible(chromedp.CSS(`header.top nav a[href="/surveys"]`)),
		chromedp.Navigate(stack.api.URL+"/surveys/cycles/"+cycleID),
		chromedp.WaitVisible(chromedp.CSS(`table.survey-dims`)),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.survey-status-closed`)))
	require.NoError(t, err)
	require.Equal(t, "已结束", status)
	progress, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main section.card dl.grid`)))
	require.NoError(t, err)
	require.Contains(t, progress, "66.7%")
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`table.survey-dissatisfied tbody tr`)))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	links2, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`table.survey-dissatisfied a[href^="/improvements/"]`)))
	require.NoError(t, err)
	require.Len(t, links2, 2, "each dissatisfied answer links its improvement action")
	shot(t, ctx, dir, "console-survey-cycle.png")

	// From the cycle to its programme, and to the actions the surveys opened.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`p.crumbs a[href^="/surveys/programmes/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.survey-cycles`)),
	))
	shot(t, ctx, dir, "console-survey-programme.png")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(stack.api.URL+"/improvements?source=survey"),
		chromedp.WaitVisible(chromedp.CSS(`table.survey-actions-list`)),
	))
	shot(t, ctx, dir, "console-improvements.png")
}
