package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// An op is one timed call: an HTTP request, a workflow start or an Update.
type op struct {
	name string
	// path is appended to /api/v1/complaints (create) or /api/v1/complaints/{id}.
	path string
	body []byte
	// want is the HTTP status and then the complaint status the answer must carry.
	wantHTTP   int
	wantStatus string
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// lifecycle is one complaint from intake to closed. An estimated loss of 5000
// RMB grades it "slight", so the plan needs only the department head's
// approval and the path has exactly eight steps after the intake.
var lifecycle = []op{
	{name: "create", body: mustJSON(map[string]any{
		"customer":       map[string]string{"name": "王伟", "organisation": "华东电气", "contact": "138 0000 0000"},
		"channel":        "phone",
		"category":       "service_product",
		"subject":        "变频器返修后仍故障",
		"description":    "第二次返修后一周内再次停机。",
		"request":        "更换新机",
		"estimated_loss": 5000,
	}), wantHTTP: http.StatusCreated, wantStatus: "validation"},
	{name: "validation", path: "validation", body: mustJSON(map[string]any{
		"founded": true, "reason": "返修记录证实故障重复出现",
	}), wantHTTP: http.StatusOK, wantStatus: "assignment"},
	{name: "assignment", path: "assignment", body: mustJSON(map[string]any{
		"department": benchDepartment, "handler": "李娜",
	}), wantHTTP: http.StatusOK, wantStatus: "root_cause"},
	{name: "root-cause", path: "root-cause", body: mustJSON(map[string]any{
		"cause": "批次电容失效", "cause_type": "mechanism", "responsible_person": "张三",
		"corrective_action": "更换电容批次", "preventive_action": "来料抽检",
	}), wantHTTP: http.StatusOK, wantStatus: "plan"},
	{name: "plan", path: "plan", body: mustJSON(map[string]any{
		"plan": "更换整机并延长保修一年",
	}), wantHTTP: http.StatusOK, wantStatus: "approval"},
	{name: "approval", path: "approval", body: mustJSON(map[string]any{
		"approved": true, "level": "department_head", "comment": "同意",
	}), wantHTTP: http.StatusOK, wantStatus: "execution"},
	{name: "execution", path: "execution", body: mustJSON(map[string]any{
		"result": "已更换新机", "customer_notified": true,
	}), wantHTTP: http.StatusOK, wantStatus: "callback"},
	{name: "callback", path: "callback", body: mustJSON(map[string]any{
		"satisfied": true, "comment": "运行正常",
	}), wantHTTP: http.StatusOK, wantStatus: "review"},
	{name: "review", path: "review", body: mustJSON(map[string]any{
		"summary": "来料问题", "cause_type": "mechanism", "lessons": "加强来料检验",
	}), wantHTTP: http.StatusOK, wantStatus: "closed"},
}

// httpDriver runs lifecycles against the API, signed in as the bench user.
type httpDriver struct {
	base   string // .../api/v1/complaints
	auth   string // "Bearer <token>"
	client *http.Client
}

func newHTTPDriver(apiURL, token string, conc int) *httpDriver {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * conc
	tr.MaxIdleConnsPerHost = 2 * conc
	return &httpDriver{
		base:   apiURL + "/api/v1/complaints",
		auth:   "Bearer " + token,
		client: &http.Client{Transport: tr, Timeout: time.Minute},
	}
}

// run drives one complaint through the lifecycle, recording each call's
// latency into rec (indexed like lifecycle). It stops at the first failure and
// returns the complaint ID (if created) and that failure.
func (d *httpDriver) run(ctx context.Context, rec [][]time.Duration) (string, error) {
	id := ""
	for i, o := range lifecycle {
		url := d.base
		if o.path != "" {
			url += "/" + id + "/" + o.path
		}
		began := time.Now()
		code, body, err := d.post(ctx, url, o.body)
		took := time.Since(began)
		if err != nil {
			return id, fmt.Errorf("%s: %w", o.name, err)
		}
		if code != o.wantHTTP {
			return id, fmt.Errorf("%s: HTTP %d, want %d: %s", o.name, code, o.wantHTTP, snippet(body))
		}
		var got struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			return id, fmt.Errorf("%s: decode answer: %w", o.name, err)
		}
		if i == 0 {
			id = got.ID
		}
		if got.Status != o.wantStatus {
			return id, fmt.Errorf("%s: complaint %s has status %q, want %q", o.name, id, got.Status, o.wantStatus)
		}
		rec[i] = append(rec[i], took)
	}
	return id, nil
}

func (d *httpDriver) post(ctx context.Context, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", d.auth)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func snippet(b []byte) string {
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
