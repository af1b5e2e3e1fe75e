package survey

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cxflow/cxflow/validate"
)

// Tier is the customer's CRM grade (004 §5.4.3). It weights nothing in
// sampling — volume, years and flags do (000) — but the statistics break down
// by it, because a programme that pleases C customers and loses A ones fails.
type Tier string

const (
	TierA Tier = "A" // 重点客户 · 潜力客户: key or potential
	TierB Tier = "B" // 维持客户: maintain
	TierC Tier = "C" // 低价值客户 · 信用差: low value or poor credit
)

// Tiers lists the valid tiers.
var Tiers = []Tier{TierA, TierB, TierC}

// Label is the Chinese name used in the procedures.
func (t Tier) Label() string {
	return map[Tier]string{TierA: "重点/潜力客户", TierB: "维持客户", TierC: "低价值客户"}[t]
}

// Contact is someone at the customer who can be asked (联系人).
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Customer is one customer in a programme's population (客户).
type Customer struct {
	ID   string `json:"id" doc:"The customer's number in the CRM (客户编号)."` // 客户编号, as the CRM knows it
	Name string `json:"name" doc:"客户名称."`                                  // 客户名称
	// Tier is empty for a customer the CRM has not graded yet.
	Tier Tier `json:"tier,omitempty" doc:"Absent while the CRM has not graded the customer."`
	// AnnualVolume is last year's purchases in RMB (年采购额); coverage rules
	// grade on it (000).
	AnnualVolume float64 `json:"annual_volume" doc:"Last year's purchases in RMB (年采购额); the coverage rules grade on it."`
	// YearsAsCustomer counts consecutive years of business (合作年限).
	YearsAsCustomer int `json:"years_as_customer" doc:"Consecutive years of business (合作年限)."`
	// Potential marks a customer worth surveying before it is big (有潜力).
	Potential bool `json:"potential,omitempty" doc:"Marks a customer worth surveying before it is big (有潜力)."`
	// Representative marks a representative project (代表性项目), surveyed in full (000, 003).
	Representative bool `json:"representative,omitempty" doc:"Marks a representative project (代表性项目)."`
	// Segment is the customer's line of business, e.g. "device" or
	// "engineering" (类别); statistics break down by it.
	Segment  string    `json:"segment,omitempty" doc:"The customer's line of business (类别), e.g. device; statistics break down by it."`
	Contacts []Contact `json:"contacts,omitempty"`
}

// Bounds that keep a typo (an extra zero row of digits, a year for a count)
// from passing as data.
const (
	maxIDLen    = 64
	maxVolume   = 1e12
	maxYears    = 200
	maxContacts = 20
)

// Validate checks a customer, naming the first field at fault.
func (c Customer) Validate() error { return firstErr(c.problems()...) }

// problems lists every field at fault, so an import can report a row once
// with all that is wrong in it.
func (c Customer) problems() []*FieldError {
	var out []*FieldError
	add := func(e *FieldError) {
		if e != nil {
			out = append(out, e)
		}
	}
	add(required("id", c.ID, maxIDLen))
	if c.ID != strings.TrimSpace(c.ID) {
		add(fieldErr("id", "must not start or end with spaces"))
	}
	add(required("name", c.Name, maxShortText))
	if c.Tier != "" && !slices.Contains(Tiers, c.Tier) {
		add(validate.Choice("tier", Tiers))
	}
	if math.IsNaN(c.AnnualVolume) || c.AnnualVolume < 0 || c.AnnualVolume > maxVolume {
		add(fieldErr("annual_volume", "must be between 0 and %.0f (RMB)", float64(maxVolume)))
	}
	if c.YearsAsCustomer < 0 || c.YearsAsCustomer > maxYears {
		add(fieldErr("years_as_customer", "must be between 0 and %d", maxYears))
	}
	add(optional("segment", c.Segment, maxShortText))
	if len(c.Contacts) > maxContacts {
		add(fieldErr("contacts", "must be at most %d", maxContacts))
	}
	for i, ct := range c.Contacts {
		for _, e := range ct.problems() {
			add(&FieldError{Field: fmt.Sprintf("contacts[%d].%s", i, e.Field), Message: e.Message})
		}
	}
	return out
}

func (ct Contact) problems() []*FieldError {
	var out []*FieldError
	for _, e := range []*FieldError{
		optional("name", ct.Name, maxShortText),
		optional("phone", ct.Phone, 40),
		optional("email", ct.Email, maxShortText),
	} {
		if e != nil {
			out = append(out, e)
		}
	}
	phone, email := strings.TrimSpace(ct.Phone), strings.TrimSpace(ct.Email)
	// A contact nobody can reach cannot be sent a questionnaire.
	if phone == "" && email == "" {
		out = append(out, fieldErr("phone", "a phone or an email is required"))
	}
	if phone != "" && digits(phone) < 5 {
		out = append(out, fieldErr("phone", "must have at least 5 digits"))
	}
	if email != "" && !plausibleEmail(email) {
		out = append(out, fieldErr("email", "must look like name@example.com"))
	}
	return out
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// plausibleEmail catches the common slips (a phone in the email column, a
// missing domain); only sending mail proves an address.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t,;<>") {
		return false
	}
	return strings.Contains(s[at+1:], ".")
}
