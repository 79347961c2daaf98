// Package schedule evaluates standard 5-field cron expressions in a named
// time zone, with an explicit contract for daylight-saving changes.
//
// An expression has five fields: minute (0-59), hour (0-23), day of month
// (1-31), month (1-12 or JAN-DEC) and day of week (0-7 or SUN-SAT, 0 and 7
// are Sunday). A field is *, a number or name, a range a-b, a step */n, a-b/n or
// a/n, or a comma-separated list of these. The descriptors @yearly,
// @annually, @monthly, @weekly, @daily, @midnight and @hourly are accepted.
// A seconds field, @every, and a TZ= or CRON_TZ= prefix are rejected: the
// time zone is the loc given to Parse.
//
// Day matching follows crontab(5): when both day of month and day of week are
// restricted (neither begins with * or ?), a day matches if either does;
// otherwise both must match. Parse rejects an expression that can never fire,
// such as "0 0 31 2 *".
//
// Wall times are matched in loc. Daylight-saving and other offset changes
// follow these rules, which are the package's contract:
//
//   - Gap (spring forward). A matching wall time that does not exist that day,
//     such as 02:30 in America/New_York on 2026-03-08, fires once at the first
//     instant after the gap (03:00 local). It is never skipped. Several missing
//     wall times that land on the same instant fire once.
//   - Overlap (fall back), fixed-time jobs. A matching wall time that occurs
//     twice, such as 01:30 in America/New_York on 2026-11-01, fires once, at
//     its first occurrence. A job whose hour field names particular hours
//     therefore fires exactly once per matching day and wall time.
//   - Overlap, interval jobs. When the hour field matches every hour (*, 0-23,
//     */1), the job is an interval job such as "*/15 * * * *" or "0 * * * *":
//     it fires at every instant whose wall clock matches, so during a repeated
//     hour it fires in both passes, as Vixie cron runs its wildcard jobs. This
//     keeps its runs evenly spaced in real time: "*/15 * * * *" fires every 15
//     minutes through the change, 100 times on a 25-hour day and 92 times on a
//     23-hour day.
package schedule
