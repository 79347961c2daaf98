// Package emu runs the AWS peer of keywarden's integration tests: a real
// moto_server (pip install "moto[server]") on a loopback port, and a fault
// proxy in front of it that makes moto behave more like IAM.
//
// One moto per test binary, shared by the package's tests, each starting
// clean:
//
//	var srv *emu.Server
//
//	func TestMain(m *testing.M) {
//		s, stop, err := emu.Launch()
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		srv = s
//		code := m.Run()
//		stop()
//		os.Exit(code)
//	}
//
//	func TestAuditPages(t *testing.T) {
//		srv.Reset(t)                          // empty moto, auth off
//		admin := srv.EnableAuth(t)            // signatures and IAM policies checked from now on
//		p := srv.Proxy(t)                     // pages ListUsers by 100, counts calls
//		p.FailNext("ListAccessKeys", 1, emu.Throttle)
//		cfg := p.Config(admin.AccessKeyID, admin.SecretAccessKey) // aws.Config for the SDK
//		... run the code under test with cfg ...
//		if n := p.Count("ListUsers"); n != 3 { t.Fatalf(...) }
//
//		cmd := exec.Command(emu.Binary(t), "audit") // the real binary
//		cmd.Env = p.Env(admin.AccessKeyID, admin.SecretAccessKey)
//	}
//
// Start(t) runs a moto of the test's own instead, stopped at cleanup.
//
// What differs from bare moto, and why:
//   - Server.URL is moto behind a thin front that rewrites moto's
//     authentication error shape, which aws-sdk-go-v2 would read as
//     UnknownError (see fixErrorShape). Server.MotoURL is moto itself.
//   - A Proxy pages ListUsers (100 a page, MaxItems up to 1000, opaque
//     Marker); moto returns all users at once.
//   - A Proxy can refuse a new key for a Window, as IAM's eventual
//     consistency does; moto accepts it at once.
//   - Faults (Throttle, ServerError, Unavailable, ResetBefore, ResetAfter)
//     are injected per action with FailNext or FailWhen. The SDK retries
//     throttling, 5xx and resets by default: use a Config whose Retryer is
//     aws.NopRetryer to see a fault itself, and Count to see the retries. A
//     retried ResetAfter on CreateAccessKey creates a second key, which is
//     exactly what keywarden must never do blindly.
//
// Gaps that remain: moto does not refuse an Inactive key (and the proxy does
// not fake it), a deleted key stops working at once, and IAM's tag limits are
// not enforced. Don't build tests on those.
//
// moto's auth switch and state are global to the process: tests sharing a
// Server must not run in parallel. A Proxy is per test and safe for
// concurrent use.
package emu
