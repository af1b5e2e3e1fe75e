package survey

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func validCustomer() Customer {
	return Customer{
		ID: "C001", Name: "华东机电有限公司", Tier: TierA, AnnualVolume: 1_200_000, YearsAsCustomer: 3,
		Segment:  "device",
		Contacts: []Contact{{Name: "王伟", Phone: "138 0013 8000", Email: "wang@example.com"}},
	}
}

func TestCustomerValidationNamesTheField(t *testing.T) {
	require.NoError(t, validCustomer().Validate())
	noContacts := validCustomer()
	noContacts.Contacts, noContacts.Tier = nil, ""
	require.NoError(t, noContacts.Validate(), "contacts and tier may come later")

	for _, tc := range []struct {
		field  string
		mutate func(*Customer)
	}{
		{"id", func(c *Customer) { c.ID = " " }},
		{"id", func(c *Customer) { c.ID = " C001" }},
		{"id", func(c *Customer) { c.ID = strings.Repeat("x", maxIDLen+1) }},
		{"name", func(c *Customer) { c.Name = "" }},
		{"tier", func(c *Customer) { c.Tier = "D" }},
		{"annual_volume", func(c *Customer) { c.AnnualVolume = -1 }},
		{"annual_volume", func(c *Customer) { c.AnnualVolume = math.NaN() }},
		{"annual_volume", func(c *Customer) { c.AnnualVolume = math.Inf(1) }},
		{"years_as_customer", func(c *Customer) { c.YearsAsCustomer = -2 }},
		{"segment", func(c *Customer) { c.Segment = strings.Repeat("类", maxShortText+1) }},
		{"contacts[0].phone", func(c *Customer) { c.Contacts[0].Phone, c.Contacts[0].Email = "", "" }},
		{"contacts[0].phone", func(c *Customer) { c.Contacts[0].Phone = "12-34" }},
		{"contacts[1].email", func(c *Customer) { c.Contacts = append(c.Contacts, Contact{Email: "13800138000"}) }},
		{"contacts[0].email", func(c *Customer) { c.Contacts[0].Email = "wang@localhost" }},
	} {
		c := validCustomer()
		c.Contacts = append([]Contact(nil), c.Contacts...)
		tc.mutate(&c)
		requireField(t, c.Validate(), tc.field)
	}
}

func TestTierLabels(t *testing.T) {
	require.Equal(t, "重点/潜力客户", TierA.Label())
	require.Equal(t, "低价值客户", TierC.Label())
	require.Empty(t, Tier("Z").Label())
}
