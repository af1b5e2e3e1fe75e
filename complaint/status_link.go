package complaint

import (
	"strings"
	"time"

	"github.com/cxflow/cxflow/auth"
)

// LinkPurposeStatus marks the signed links that let a customer follow their
// complaint (/public/status/{token}).
const LinkPurposeStatus = "status"

// StatusLinkTTL bounds a status link's life from when it is made; the page
// also refuses it once the complaint has been closed for StatusAfterClose.
const (
	StatusLinkTTL    = 400 * 24 * time.Hour
	StatusAfterClose = 90 * 24 * time.Hour
)

// StatusLink is the customer's link to follow complaint id, made at now.
func StatusLink(l *auth.Links, publicURL, id string, now time.Time) string {
	return strings.TrimSuffix(publicURL, "/") + "/public/status/" + l.Sign(LinkPurposeStatus, id, now.Add(StatusLinkTTL))
}
