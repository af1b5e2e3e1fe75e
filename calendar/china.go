package calendar

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// cnHolidays is China's statutory holidays and make-up working days as the
// State Council published them. New years arrive through the API (the notice
// comes out each November or December); this file seeds the default calendar.
//
//go:embed data/cn-holidays.json
var cnHolidays []byte

// shipped is the holiday data this build carries.
type shipped struct {
	Release string `json:"release"`
	Years   []Year `json:"years"`
}

func readShipped() shipped {
	var f shipped
	if err := json.Unmarshal(cnHolidays, &f); err != nil {
		panic(fmt.Sprintf("calendar: shipped holiday data is corrupt: %v", err))
	}
	return f
}

// ChinaYears returns the shipped holiday years.
func ChinaYears() []Year { return readShipped().Years }

// ShippedRelease names the release of the shipped holiday data (e.g.
// "2026-12"), recorded as the author of the calendar versions it adds.
func ShippedRelease() string { return readShipped().Release }

// Default is the calendar complaints use unless configured otherwise:
// Asia/Shanghai, Monday to Friday 08:30–12:00 and 13:30–17:30, with China's
// statutory holidays and make-up working days.
func Default() Calendar {
	day := []Period{{8*60 + 30, 12 * 60}, {13*60 + 30, 17*60 + 30}}
	return Calendar{
		Name:     DefaultName,
		TimeZone: "Asia/Shanghai",
		Week: Week{
			"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day,
		},
		Years:   ChinaYears(),
		Version: 1,
	}
}
