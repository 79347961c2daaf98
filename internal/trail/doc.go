// Package trail reads what an access key did from CloudTrail's event history
// (LookupEvents with AttributeKey=AccessKeyId), and falls back to IAM's
// GetAccessKeyLastUsed when CloudTrail has nothing.
//
// Event history is per region: an event is kept in the region where the call was made, and
// calls to global services (IAM, STS's global endpoint) in us-east-1. A Source therefore holds a
// client per region; NewSource searches the regions it is given, or else the configuration's
// own region and us-east-1, so that a key's IAM and STS calls are always seen.
//
// trail talks to CloudTrail (and IAM for the fallback) only; it never writes, and the clock is
// an argument (since, until).
package trail
