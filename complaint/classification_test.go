package complaint

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeverityFromDirectLoss(t *testing.T) {
	th := DefaultPolicy().SeverityThresholds
	for _, tc := range []struct {
		loss float64
		want Severity
	}{
		{0, SeverityNone},
		{999.99, SeverityNone},
		{1_000, SeveritySlight},
		{9_999, SeveritySlight},
		{10_000, SeverityMinor},
		{50_000, SeverityGeneral},
		{99_999, SeverityGeneral},
		{100_000, SeveritySerious},
		{500_000, SeverityMajor},
		{999_999, SeverityMajor},
		{1_000_000, SeverityExtraordinary},
		{5e9, SeverityExtraordinary},
	} {
		require.Equal(t, tc.want, SeverityFor(tc.loss, th), "loss %v", tc.loss)
	}
	require.Equal(t, "特别重大", SeverityExtraordinary.Label())
}

func TestRequiredApprovals(t *testing.T) {
	r := DefaultPolicy().Approval
	dh, md, gm := LevelDepartmentHead, LevelMarketDepartment, LevelGeneralManager
	for _, tc := range []struct {
		sev    Severity
		branch string
		want   []Level
	}{
		{SeverityNone, "", []Level{dh}},
		{SeverityMinor, "", []Level{dh}},
		{SeverityMinor, "郑州分公司", []Level{dh, md}}, // a branch's case is reported to HQ
		{SeverityGeneral, "", []Level{dh, md}},    // 一般 or worse goes to HQ market department
		{SeveritySerious, "", []Level{dh, md}},
		{SeverityMajor, "", []Level{dh, md, gm}}, // 重大 or worse also needs the general manager
		{SeverityExtraordinary, "郑州分公司", []Level{dh, md, gm}},
	} {
		require.Equal(t, tc.want, r.RequiredApprovals(tc.sev, tc.branch), "%s %q", tc.sev, tc.branch)
	}
}
