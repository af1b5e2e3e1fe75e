package survey

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"sort"
)

// Selection is one customer's place in a cycle's sample: whether it was
// chosen, under which rule, and why, so a cycle can show who was left out as
// plainly as who was asked.
type Selection struct {
	CustomerID string `json:"customer_id"`
	// Rule names the coverage rule the customer fell in; empty when none did.
	Rule   string `json:"rule,omitempty" doc:"The coverage rule the customer fell in; absent when none matched."`
	Reason string `json:"reason" doc:"Why the customer was or was not chosen, e.g. 年采购额 120万元 ≥ 100万元: 全部调查."`
	Chosen bool   `json:"chosen"`
	// Rank is the customer's place in its stratum's draw, from 1; the first
	// Quota ranks are chosen. A chosen customer who cannot be reached is
	// replaced by the first unchosen rank, which keeps the sample random.
	Rank int `json:"rank,omitempty" doc:"The customer's place in its stratum's draw, from 1."`
	// Stratum is how many customers the rule matched, Quota how many of them
	// are surveyed.
	Stratum int `json:"stratum,omitempty"`
	Quota   int `json:"quota,omitempty"`
}

// Sample plans a cycle: each customer falls in the first rule it matches, and
// from each rule's stratum of n customers ceil(share × n) are chosen. The
// draw orders a stratum by a hash of the seed (the cycle ID) and the customer
// ID: the same cycle always draws the same customers, whatever order the
// population was listed in, and nobody is favoured for where they stood in a
// spreadsheet. Every customer comes back, chosen or not, in the rules' order,
// by rank within a rule, then those no rule matched by ID. Customer IDs are
// expected to be unique, as ParseCSV and Customer.Validate make them.
func Sample(customers []Customer, rules []CoverageRule, seed string) []Selection {
	strata := make([][]Customer, len(rules))
	var outside []Customer
	for _, c := range customers {
		if i := RuleFor(c, rules); i >= 0 {
			strata[i] = append(strata[i], c)
		} else {
			outside = append(outside, c)
		}
	}

	out := make([]Selection, 0, len(customers))
	for i, stratum := range strata {
		r := rules[i]
		keys := make(map[string]uint64, len(stratum))
		for _, c := range stratum {
			keys[c.ID] = drawKey(seed, c.ID)
		}
		sort.SliceStable(stratum, func(a, b int) bool {
			ka, kb := keys[stratum[a].ID], keys[stratum[b].ID]
			if ka != kb {
				return ka < kb
			}
			return stratum[a].ID < stratum[b].ID
		})
		quota := Quota(r.Share, len(stratum))
		for rank, c := range stratum {
			chosen := rank < quota
			out = append(out, Selection{
				CustomerID: c.ID,
				Rule:       r.Name,
				Reason:     chosenReason(r, c, rank+1, len(stratum), quota, chosen),
				Chosen:     chosen,
				Rank:       rank + 1,
				Stratum:    len(stratum),
				Quota:      quota,
			})
		}
	}
	sort.SliceStable(outside, func(a, b int) bool { return outside[a].ID < outside[b].ID })
	for _, c := range outside {
		out = append(out, Selection{CustomerID: c.ID, Reason: outsideReason(c)})
	}
	return out
}

// Quota is how many of n customers a share surveys: ceil(share × n), so 90 %
// of 10 is 9 and 80 % of 3 is 3 — the procedures set minimums (≥ 90 %).
func Quota(share float64, n int) int {
	// The tolerance keeps 0.55 × 100, which is 55.00000000000001 in floating
	// point, from becoming 56.
	q := int(math.Ceil(share*float64(n) - 1e-9))
	return max(0, min(q, n))
}

// drawKey is the customer's lot in the cycle's draw: the first 8 bytes of
// SHA-256 over the seed and the ID, uniform and independent of every other
// customer's.
func drawKey(seed, id string) uint64 {
	h := sha256.New()
	h.Write([]byte(seed))
	h.Write([]byte{0}) // so seed "a"+id "bc" differs from seed "ab"+id "c"
	h.Write([]byte(id))
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}
