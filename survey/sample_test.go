package survey

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// population builds n customers with IDs prefix-01… and the given volume and flags.
func population(prefix string, n int, volume float64, years int, potential, representative bool) []Customer {
	out := make([]Customer, n)
	for i := range out {
		out[i] = Customer{ID: fmt.Sprintf("%s-%02d", prefix, i+1), Name: prefix, AnnualVolume: volume,
			YearsAsCustomer: years, Potential: potential, Representative: representative}
	}
	return out
}

func byID(sel []Selection) map[string]Selection {
	m := map[string]Selection{}
	for _, s := range sel {
		m[s.CustomerID] = s
	}
	return m
}

func chosenIDs(sel []Selection) []string {
	var out []string
	for _, s := range sel {
		if s.Chosen {
			out = append(out, s.CustomerID)
		}
	}
	return out
}

func TestSampleFollowsCoverageRules(t *testing.T) {
	var customers []Customer
	customers = append(customers, population("key", 10, 1_200_000, 1, false, false)...) // all 10
	customers = append(customers, population("large", 10, 800_000, 1, false, false)...) // ceil(0.9×10) = 9
	customers = append(customers, population("loyal", 7, 200_000, 3, false, false)...)  // ceil(0.8×7) = ceil(5.6) = 6
	customers = append(customers, population("hopeful", 1, 50_000, 0, true, false)...)  // ceil(0.8×1) = 1
	customers = append(customers, population("new", 3, 200_000, 1, false, false)...)    // no rule: 0
	customers = append(customers, population("showcase", 2, 30_000, 0, false, true)...) // representative: 2

	sel := Sample(customers, DefaultCoverage(), "cycle-2026-Q1")
	require.Len(t, sel, len(customers), "every customer comes back, chosen or not")

	type count struct{ stratum, chosen int }
	got := map[string]count{}
	for _, s := range sel {
		prefix := s.CustomerID[:strings.IndexByte(s.CustomerID, '-')]
		c := got[prefix+"/"+s.Rule]
		c.stratum++
		if s.Chosen {
			c.chosen++
		}
		got[prefix+"/"+s.Rule] = c
	}
	require.Equal(t, map[string]count{
		"key/volume_1m":              {10, 10},
		"large/volume_500k":          {10, 9},
		"loyal/loyal_or_potential":   {7, 6},
		"hopeful/loyal_or_potential": {1, 1},
		"new/":                       {3, 0},
		"showcase/representative":    {2, 2},
	}, got)

	// Output order: rules in order, by rank within a rule, then the rest by ID.
	require.Equal(t, "volume_1m", sel[0].Rule)
	require.Equal(t, "new-01", sel[len(sel)-3].CustomerID)
	for i := 1; i < len(sel); i++ {
		if sel[i].Rule == sel[i-1].Rule && sel[i].Rule != "" {
			require.Equal(t, sel[i-1].Rank+1, sel[i].Rank)
		}
	}
}

func TestSampleReasons(t *testing.T) {
	customers := []Customer{
		{ID: "K", AnnualVolume: 1_200_000},
		{ID: "R", AnnualVolume: 30_000, Representative: true},
		{ID: "P", AnnualVolume: 85_000, Potential: true},
		{ID: "N", AnnualVolume: 5_000, YearsAsCustomer: 1},
	}
	customers = append(customers, population("L", 10, 600_000, 1, false, false)...)
	sel := byID(Sample(customers, DefaultCoverage(), "cycle-1"))

	require.Equal(t, "年采购额 120万元 ≥ 100万元: 全部调查", sel["K"].Reason)
	require.Equal(t, "代表性项目: 全部调查", sel["R"].Reason)
	require.Equal(t, "年采购额 8.5万元 < 50万元，有潜力客户: 抽取 80%（1 户中抽 1 户），抽签第 1 位，入选", sel["P"].Reason)
	require.Equal(t, "年采购额 5000元，合作 1 年，无潜力，非代表性项目: 不符合任何调查范围规则，不调查", sel["N"].Reason)
	require.False(t, sel["N"].Chosen)
	require.Empty(t, sel["N"].Rule)

	var out Selection
	for _, s := range sel {
		if s.Rule == "volume_500k" && !s.Chosen {
			out = s
		}
	}
	require.Equal(t, 10, out.Rank, "the one left out of 10 is last in the draw")
	require.Equal(t, "年采购额 60万元 在 50万元–100万元 之间: 抽取 90%（10 户中抽 9 户），抽签第 10 位，未入选", out.Reason)

	loyal := Sample([]Customer{{ID: "Y", AnnualVolume: 100_000, YearsAsCustomer: 4}}, DefaultCoverage(), "c")
	require.Equal(t, "年采购额 10万元 < 50万元，连续合作 4 年 ≥ 2 年: 抽取 80%（1 户中抽 1 户），抽签第 1 位，入选", loyal[0].Reason)
}

func TestSampleIsDeterministic(t *testing.T) {
	half := []CoverageRule{{Name: "half", Share: 0.5}}
	customers := population("c", 20, 100_000, 1, false, false)

	first := Sample(customers, half, "cycle-2026-Q1")
	require.Len(t, chosenIDs(first), 10)
	require.Equal(t, first, Sample(customers, half, "cycle-2026-Q1"), "same seed, same sample")

	// The population's order does not matter: reversed and interleaved lists
	// draw the same customers in the same ranks.
	reversed := make([]Customer, len(customers))
	for i, c := range customers {
		reversed[len(customers)-1-i] = c
	}
	var interleaved []Customer
	for i := 0; i < len(customers); i += 2 {
		interleaved = append(interleaved, customers[i])
	}
	for i := 1; i < len(customers); i += 2 {
		interleaved = append(interleaved, customers[i])
	}
	require.Equal(t, first, Sample(reversed, half, "cycle-2026-Q1"))
	require.Equal(t, first, Sample(interleaved, half, "cycle-2026-Q1"))

	// Another cycle draws another half; neither is the first ten listed.
	second := Sample(customers, half, "cycle-2026-Q2")
	require.NotEqual(t, chosenIDs(first), chosenIDs(second))
	var firstTen []string
	for _, c := range customers[:10] {
		firstTen = append(firstTen, c.ID)
	}
	require.NotEqual(t, firstTen, chosenIDs(first))
}

func TestQuota(t *testing.T) {
	for _, tc := range []struct {
		share float64
		n     int
		want  int
	}{
		{1, 10, 10},
		{0.9, 10, 9},
		{0.9, 11, 10}, // 9.9 rounds up
		{0.8, 7, 6},   // 5.6 rounds up
		{0.8, 1, 1},
		{0.55, 100, 55}, // not 56: floating point says 55.00000000000001
		{0.28, 25, 7},   // 7.000000000000001
		{0.5, 0, 0},
		{0, 10, 0},
	} {
		require.Equal(t, tc.want, Quota(tc.share, tc.n), "%v × %d", tc.share, tc.n)
	}
}

func TestYuanAndPercent(t *testing.T) {
	for v, want := range map[float64]string{
		1_200_000: "120万元", 855_000: "85.5万元", 12_345: "1.2345万元", 10_000: "1万元", 5_000: "5000元", 0: "0元",
	} {
		require.Equal(t, want, yuan(v))
	}
	require.Equal(t, "90%", percent(0.9))
	require.Equal(t, "85.5%", percent(0.855))
}
