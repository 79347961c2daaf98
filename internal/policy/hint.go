package policy

import (
	"strings"
)

// closest returns the candidate a typo most likely meant, or "" when none is close. Case is
// ignored; a key that is a whole word of the other ("unused" for "unused_for") counts.
func closest(got string, candidates []string) string {
	g := strings.ToLower(got)
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if len(g) >= 4 && (strings.HasPrefix(lc, g+"_") || strings.HasPrefix(g, lc+"_")) {
			return c
		}
		if d := editDistance(g, lc); d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 2
	if len(g) <= 4 {
		limit = 1
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, counted in bytes (keys and zone
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// zoneAbbreviations maps abbreviations people write for an IANA name; LoadLocation rejects
// most of them, and the ones it accepts (EST, MST) ignore daylight saving.
var zoneAbbreviations = map[string]string{
	"JST": "Asia/Tokyo", "KST": "Asia/Seoul", "IST": "Asia/Kolkata", "SGT": "Asia/Singapore",
	"HKT": "Asia/Hong_Kong", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
	"BST": "Europe/London", "CEST": "Europe/Berlin", "PST": "America/Los_Angeles",
	"PDT": "America/Los_Angeles", "EDT": "America/New_York", "CDT": "America/Chicago",
	"JAPAN": "Asia/Tokyo",
}

// commonZones feeds "did you mean" for misspelt zone names. It is not a whitelist: any name
// time.LoadLocation knows is accepted.
var commonZones = []string{
	"UTC", "Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei",
	"Asia/Singapore", "Asia/Kolkata", "Asia/Calcutta", "Asia/Dubai", "Asia/Jakarta", "Asia/Bangkok",
	"Asia/Manila", "Asia/Ho_Chi_Minh", "Asia/Karachi", "Asia/Dhaka", "Asia/Tehran", "Asia/Jerusalem",
	"Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Vienna",
	"Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Europe/Warsaw",
	"Europe/Prague", "Europe/Lisbon", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow",
	"Europe/Kyiv", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "America/Toronto", "America/Vancouver",
	"America/Mexico_City", "America/Sao_Paulo", "America/Buenos_Aires", "America/Bogota",
	"America/Lima", "America/Santiago", "Pacific/Honolulu", "Pacific/Auckland",
	"Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth",
	"Australia/Adelaide", "Africa/Johannesburg", "Africa/Cairo", "Africa/Lagos", "Africa/Nairobi",
}

// zoneHint suggests a zone name for one LoadLocation refused.
func zoneHint(name string) string {
	if z, ok := zoneAbbreviations[strings.ToUpper(name)]; ok {
		return "use an IANA name like " + z
	}
	if z := closest(strings.ReplaceAll(name, " ", "_"), commonZones); z != "" {
		return "did you mean " + z + "?"
	}
	return "use an IANA name like Asia/Tokyo"
}
