package reports

import (
	"fmt"
	"time"
)

// KindComplaints is the complaint analysis report (季度客户投诉分析报告), the
// kind of report whose versions are kept.
const KindComplaints = "complaints"

// Version is one kept version of a generated report (without its bytes).
type Version struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Period    string    `json:"period"`
	Branch    string    `json:"branch,omitempty"`
	Version   int       `json:"version"`
	Format    string    `json:"format"`
	Size      int       `json:"size"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Filename is the name the version downloads as.
func (v Version) Filename() string {
	name := fmt.Sprintf("%s-%s", v.Kind, v.Period)
	if v.Branch != "" {
		name += "-" + v.Branch
	}
	return fmt.Sprintf("%s-v%d.%s", name, v.Version, v.Format)
}
