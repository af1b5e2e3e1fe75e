package app

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/overlay"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// StoredPolicy is one stored SLA policy version.
type StoredPolicy = store.StoredPolicy

// Policies lists every stored policy version, newest first.
func (a *App) Policies(ctx context.Context) ([]StoredPolicy, error) {
	list, err := a.Store.Policies(ctx)
	if list == nil && err == nil {
		list = []StoredPolicy{}
	}
	return list, err
}

// ActivePolicy is the policy new complaints start under: the active stored
// version, or the configured policy (Policy; the built-in defaults when
// unset) while none is stored.
func (a *App) ActivePolicy(ctx context.Context) (complaint.Policy, error) {
	p, err := a.Store.ActivePolicy(ctx)
	if errors.Is(err, store.ErrNotFound) {
		if a.Policy.Version == "" {
			return complaint.DefaultPolicy(), nil
		}
		return a.Policy, nil
	}
	return p, err
}

// AddPolicy stores a new policy version and activates it: new complaints
// start under it, running ones keep theirs.
func (a *App) AddPolicy(ctx context.Context, by complaint.Actor, p complaint.Policy) (StoredPolicy, error) {
	if err := Authorize(by, OpAddPolicy); err != nil {
		return StoredPolicy{}, err
	}
	if p.Version == "" {
		return StoredPolicy{}, Refuse(Invalid, "version", "version is required: name this policy version")
	}
	if err := p.Validate(); err != nil {
		return StoredPolicy{}, Refuse(Invalid, PolicyErrorField(err.Error()), "%s", err.Error())
	}
	sp, err := a.Store.AddPolicy(ctx, p, by.ID)
	if errors.Is(err, store.ErrExists) {
		return sp, Refuse(Conflict, "version", "policy version %s already exists; versions are immutable, give the new one another name", p.Version)
	}
	return sp, err
}

// AddPolicyJSON is AddPolicy for a policy as JSON (the console's editor
// builds it): fields it leaves out take the built-in defaults, unknown
// fields are refused.
func (a *App) AddPolicyJSON(ctx context.Context, by complaint.Actor, body []byte) (StoredPolicy, error) {
	if err := Authorize(by, OpAddPolicy); err != nil {
		return StoredPolicy{}, err
	}
	p := complaint.DefaultPolicy()
	p.Version = ""
	if err := overlay.Decode(body, &p); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return StoredPolicy{}, Refuse(Invalid, name, "unknown field %q", name)
		}
		return StoredPolicy{}, Refuse(Invalid, "", "body: %s", err.Error())
	}
	return a.AddPolicy(ctx, by, p)
}

// policyPath is a field path as the policy's validation errors begin:
// "sla[1]", "step_limits", "escalation[0]".
var policyPath = regexp.MustCompile(`^[a-z_]+(\[[0-9]+\])?(\.[a-z_]+(\[[0-9]+\])?)*$`)

// PolicyErrorField is the field a policy validation error names: the path
// before its first ": " (without a parenthesised note), or the subject of
// "x is required".
func PolicyErrorField(msg string) string {
	head, _, found := strings.Cut(msg, ": ")
	if !found {
		head, _, found = strings.Cut(msg, " is required")
		if !found {
			return ""
		}
	}
	head, _, _ = strings.Cut(head, " (")
	if policyPath.MatchString(head) {
		return head
	}
	return ""
}

// MigratePolicy moves a running complaint to another stored policy version:
// by default a complaint keeps the policy it started under. It is a step
// (TakeComplaintStep): with a key a retry never applies it twice.
func (a *App) MigratePolicy(ctx context.Context, by complaint.Actor, id, version, key string) (ComplaintStepped, error) {
	if err := Authorize(by, OpMigratePolicy); err != nil {
		return ComplaintStepped{}, err
	}
	if version == "" {
		return ComplaintStepped{}, Refuse(Invalid, "version", "version is required")
	}
	p, err := a.Store.Policy(ctx, version)
	if errors.Is(err, store.ErrNotFound) {
		return ComplaintStepped{}, Refuse(Invalid, "version", "no stored policy has version %s", version)
	}
	if err != nil {
		return ComplaintStepped{}, err
	}
	return a.TakeComplaintStep(ctx, by, id, workflows.UpdatePolicy, complaint.Submission[complaint.Policy]{Actor: by, Input: p}, key)
}
