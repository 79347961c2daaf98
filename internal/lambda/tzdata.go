package lambda

// The provided.al2023 runtime and distroless/scratch images may lack /usr/share/zoneinfo, and
// every job's timezone: is loaded when the config is, so the zone database travels in the
// binary (about 450 KB).
import _ "time/tzdata"
