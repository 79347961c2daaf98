package schedule_test

import (
	"fmt"
	"time"

	"github.com/keywarden/keywarden/internal/schedule"
)

func Example() {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	curfew, err := schedule.Parse("0 0 * * *", tokyo)
	if err != nil {
		fmt.Println(err)
		return
	}
	next := curfew.Next(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	fmt.Println(next, "=", next.UTC())

	_, err = schedule.Parse("0 0 * *", tokyo)
	fmt.Println(err)
	// Output:
	// 2026-11-24 00:00:00 +0900 JST = 2026-11-23 15:00:00 +0000 UTC
	// cron "0 0 * *": want 5 fields (minute hour day-of-month month day-of-week), got 4
}
