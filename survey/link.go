package survey

import (
	"strings"
	"time"

	"github.com/cxflow/cxflow/auth"
)

// LinkPurpose marks signed links that open a survey invitation.
const LinkPurpose = "survey"

// Link is the signed link to an invitation's online form; it works until a
// day after the cycle closes (the form then says it has closed).
func Link(links *auth.Links, publicURL, invitationID string, closesAt time.Time) string {
	return strings.TrimSuffix(publicURL, "/") + "/public/survey/" + links.Sign(LinkPurpose, invitationID, closesAt.Add(24*time.Hour))
}
