package policy

// Benchmark is the CIS benchmark version keywarden's finding ids and CIS numbers come from.
// Later versions renumber the IAM items (v7.0.0 moves them to section 2, as 2.11/2.12), so
// every place that names a CIS number names this version with it.
const Benchmark = "CIS AWS Foundations Benchmark v3.0.0"

// Check describes one finding id for the tools that read findings: SARIF rules, Security Hub
// findings and the HTML report all take their words from here, so they cannot drift apart.
type Check struct {
	ID string
	// Name is a short CamelCase name (SARIF's reportingDescriptor.name).
	Name string
	// Title is one line saying what is wrong.
	Title string
	// Help says why it matters and what to do, naming the benchmark version.
	Help string
	// HelpURI is the page that explains the control.
	HelpURI string
	// Severity is Security Hub's label for the control: LOW, MEDIUM, HIGH or CRITICAL.
	Severity string
	// CIS is the benchmark item: "1.14" in Benchmark.
	CIS string
}

var checks = []Check{
	{
		ID: "IAM.3", Name: "AccessKeyRotated", CIS: "1.14", Severity: "MEDIUM",
		Title: "IAM users' access keys should be rotated every 90 days or less",
		Help: "An active access key is older than the limit (--max-age, 90 days by default). " +
			"Security Hub control IAM.3; " + Benchmark + " item 1.14. An old key has had longer to leak; " +
			"rotate it (keywarden rotate) and retire the old one.",
		HelpURI: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3",
	},
	{
		ID: "IAM.22", Name: "UnusedCredentials", CIS: "1.12", Severity: "MEDIUM",
		Title: "IAM user credentials unused for 45 days should be removed",
		Help: "An active access key has not been used for the limit (--max-unused, 45 days by default); " +
			"a never-used key counts from its creation, after the --grace-new period if one is set. " +
			"Security Hub control IAM.22; " + Benchmark + " item 1.12. An unused key is risk without use; " +
			"deactivate it (keywarden deactivate) and delete it later.",
		HelpURI: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-22",
	},
	{
		ID: "CIS.1.13", Name: "OneActiveAccessKey", CIS: "1.13", Severity: "LOW",
		Title: "There should be only one active access key for any single IAM user",
		Help: "The user has more than one active access key. Security Hub has no control for this; it is " +
			Benchmark + " item 1.13. Two keys are normal for a moment during a rotation; otherwise " +
			"deactivate the one no longer in use.",
		HelpURI: "https://www.cisecurity.org/benchmark/amazon_web_services",
	},
}

// Checks lists every finding id keywarden can report, in a fixed order.
func Checks() []Check { return append([]Check(nil), checks...) }

// CheckOf describes one finding id.
func CheckOf(id string) (Check, bool) {
	for _, c := range checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
