package survey

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDefaultProgrammeIsValid(t *testing.T) {
	p := DefaultProgramme()
	require.NoError(t, p.Validate())
	require.Equal(t, Targets{IssueRate: 0.8, ReturnRate: 0.7}, p.Targets, "004 5.3.1.2")
}

func TestDefaultCoverageRules(t *testing.T) {
	rules := DefaultCoverage()
	for _, tc := range []struct {
		name string
		c    Customer
		rule string // "" = no rule: not surveyed
	}{
		{"1M exactly", Customer{AnnualVolume: 1_000_000}, "volume_1m"},
		{"just below 1M", Customer{AnnualVolume: 999_999.99}, "volume_500k"},
		{"500k exactly", Customer{AnnualVolume: 500_000}, "volume_500k"},
		{"small, two years", Customer{AnnualVolume: 100_000, YearsAsCustomer: 2}, "loyal_or_potential"},
		{"small, potential", Customer{AnnualVolume: 100_000, Potential: true}, "loyal_or_potential"},
		{"small, one year", Customer{AnnualVolume: 100_000, YearsAsCustomer: 1}, ""},
		{"small, representative", Customer{AnnualVolume: 10_000, Representative: true}, "representative"},
		{"large and representative", Customer{AnnualVolume: 2_000_000, Representative: true}, "volume_1m"},
		{"mid and representative", Customer{AnnualVolume: 600_000, Representative: true}, "representative"},
	} {
		got := ""
		if i := RuleFor(tc.c, rules); i >= 0 {
			got = rules[i].Name
		}
		require.Equal(t, tc.rule, got, tc.name)
	}
}

func TestProgrammeValidationNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		field  string
		mutate func(*Programme)
	}{
		{"coverage", func(p *Programme) { p.Coverage = nil }},
		{"coverage[0].name", func(p *Programme) { p.Coverage[0].Name = "" }},
		{"coverage[1].name", func(p *Programme) { p.Coverage[1].Name = p.Coverage[0].Name }},
		{"coverage[2].min_volume", func(p *Programme) { p.Coverage[2].MinVolume = -1 }},
		{"coverage[2].max_volume", func(p *Programme) { p.Coverage[2].MaxVolume = 400_000 }},
		{"coverage[3].require_years", func(p *Programme) { p.Coverage[3].RequireYears = -1 }},
		{"coverage[3].share", func(p *Programme) { p.Coverage[3].Share = 1.2 }},
		{"targets.issue_rate", func(p *Programme) { p.Targets.IssueRate = 80 }},
		{"targets.return_rate", func(p *Programme) { p.Targets.ReturnRate = -0.1 }},
		{"questionnaire.dimensions", func(p *Programme) { p.Questionnaire.Dimensions = nil }},
		{"questionnaire.scale.satisfied_top", func(p *Programme) { p.Questionnaire.Scale.SatisfiedTop = 0 }},
	} {
		p := DefaultProgramme()
		tc.mutate(&p)
		requireField(t, p.Validate(), tc.field)
	}
	requireField(t, ValidateCoverage([]CoverageRule{{Name: "all", Share: 2}}), "rules[0].share")
}

func TestPopulationNarrowsTheProgramme(t *testing.T) {
	p := Population{Segments: []string{"device"}, Tiers: []Tier{TierA, TierB}}
	cs := []Customer{
		{ID: "1", Segment: "device", Tier: TierA},
		{ID: "2", Segment: "engineering", Tier: TierA},
		{ID: "3", Segment: "device", Tier: TierC},
	}
	got := p.Filter(cs)
	require.Len(t, got, 1)
	require.Equal(t, "1", got[0].ID)
	require.Len(t, Population{}.Filter(cs), 3, "an empty population is every customer")
	prog := DefaultProgramme()
	prog.Population.Tiers = []Tier{"Z"}
	requireField(t, prog.Validate(), "population.tiers")
}
