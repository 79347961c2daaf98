package schedule

// Fields are the values a parsed expression matches, for code that must say the same
// schedule in another language (deploy writes them for EventBridge Scheduler) instead of
// parsing the text a second time.
type Fields struct {
	Minutes     []int // 0-59, ascending
	Hours       []int // 0-23
	DaysOfMonth []int // 1-31
	Months      []int // 1-12
	DaysOfWeek  []int // 0-6 from Sunday; 7 is already folded onto 0
	// DomStar and DowStar say the field's text began with * or ?. As in crontab(5), when
	// either does, a day must match both day fields; when neither does, either is enough.
	// "*/2" begins with *, so "0 0 */2 * MON" means odd-dated Mondays.
	DomStar, DowStar bool
}

// Either reports whether a day fires when it matches either day field (both restricted
// and neither beginning with * or ?); otherwise it must match both.
func (f Fields) Either() bool { return !f.DomStar && !f.DowStar }

// Fields returns the expression's values.
func (s *Schedule) Fields() Fields {
	return Fields{
		Minutes:     append([]int(nil), s.minutes...),
		Hours:       append([]int(nil), s.hours...),
		DaysOfMonth: setBits(s.dom, 1, 31),
		Months:      setBits(s.month, 1, 12),
		DaysOfWeek:  setBits(s.dow, 0, 6),
		DomStar:     s.domStar,
		DowStar:     s.dowStar,
	}
}
