//go:build race

package emu

// raceEnabled: the tests run with -race, so the binary is built with it too. It then shares
// the compile cache of the test build (a cold build of the SDK costs a minute otherwise) and
// the real binary is checked for data races as well.
const raceEnabled = true
