package kind

import "strings"

// Profile is profile:NAME[@FILE], a profile of a shared credentials file (internal/sink's
// Profile delivers); without @FILE, the credentials file the command would use.
var Profile = add(&Kind{
	Name:    "profile",
	Syntax:  "profile:NAME[@FILE]",
	Help:    "profile:NAME[@FILE] (the profile's key in a shared credentials file)",
	Example: "profile:ci-{user}",
	Problem: func(rest string) string {
		name, file, found := strings.Cut(rest, "@")
		if name == "" || strings.ContainsAny(name, "[]\n") || found && file == "" {
			return "want profile:NAME[@FILE]"
		}
		return ""
	},
	WithUser: func(rest string) string {
		name, file, found := strings.Cut(rest, "@")
		if found {
			return name + "-{user}@" + file
		}
		return name + "-{user}"
	},
	Readable: true,
	Local:    "writes a local credentials file",
})
