package credfile

import "fmt"

// Kind says where a profile's credentials come from, in the AWS CLI's order of precedence.
type Kind int

const (
	KindStatic            Kind = iota // a static access key in the credentials file: rotatable
	KindMissing                       // no such profile in either file
	KindTemporary                     // aws_session_token beside the key: temporary credentials
	KindAssumeRole                    // role_arn: credentials come from sts:AssumeRole
	KindWebIdentity                   // role_arn with web_identity_token_file
	KindSSO                           // IAM Identity Center (sso_session, sso_start_url, sso_account_id, ...)
	KindLogin                         // login_session: console sign-in credentials
	KindCredentialProcess             // credential_process: an external program supplies them
	KindStaticInConfig                // a static key, but kept in the config file
	KindIncomplete                    // only one of aws_access_key_id and aws_secret_access_key
	KindNoCredentials                 // the profile exists but holds no credentials
)

var kindNames = map[Kind]string{
	KindStatic: "static", KindMissing: "missing", KindTemporary: "temporary",
	KindAssumeRole: "assume-role", KindWebIdentity: "web-identity", KindSSO: "sso",
	KindLogin: "login", KindCredentialProcess: "credential-process",
	KindStaticInConfig: "static-in-config", KindIncomplete: "incomplete",
	KindNoCredentials: "no-credentials",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// RefusalError explains why keywarden will not rotate a profile.
type RefusalError struct {
	Profile string
	Kind    Kind
	Detail  string // what the profile is, e.g. "uses credential_process"
	Hint    string // what to do instead, if there is something
}

const onlyStatic = "keywarden can only rotate a static access key stored in the credentials file"

func (e *RefusalError) Error() string {
	msg := fmt.Sprintf("profile %q %s; %s", e.Profile, e.Detail, onlyStatic)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Classify tells whether profile is a static key in the credentials file, the only kind
// keywarden can rotate, and otherwise returns a *RefusalError saying what it is instead. It
// follows botocore's credential chain: a role, web identity or SSO in either file wins over a
// static key, a static key in the credentials file wins over login, credential_process and a
// key in the config file. Either file may be nil (absent).
func Classify(creds, config *File, profile string) (Kind, error) {
	var inCreds, inConfig Profile
	var okCreds, okConfig bool
	if creds != nil {
		inCreds, okCreds = creds.Profile(profile)
	}
	if config != nil {
		inConfig, okConfig = config.Profile(profile)
	}
	// botocore's full_config: config file profiles, overridden key by key by the credentials file.
	merged := map[string]bool{}
	for _, p := range []struct {
		Profile
		ok bool
	}{{inConfig, okConfig}, {inCreds, okCreds}} {
		if !p.ok {
			continue
		}
		for k := range p.Values {
			merged[k] = true
		}
	}
	refuse := func(k Kind, detail string) (Kind, error) {
		return k, &RefusalError{Profile: profile, Kind: k, Detail: detail}
	}

	switch {
	case !okCreds && !okConfig:
		return KindMissing, &RefusalError{Profile: profile, Kind: KindMissing,
			Detail: "is in neither the credentials file nor the config file", Hint: `create it with "aws configure --profile ` + profile + `"`}
	case merged["role_arn"] && merged["web_identity_token_file"]:
		return refuse(KindWebIdentity, "assumes a role with a web identity token (web_identity_token_file)")
	case merged["role_arn"]:
		if src := sourceProfile(inCreds, inConfig); src != "" {
			return KindAssumeRole, &RefusalError{Profile: profile, Kind: KindAssumeRole,
				Detail: "assumes a role (role_arn)", Hint: fmt.Sprintf("rotate its source profile %q instead", src)}
		}
		return refuse(KindAssumeRole, "assumes a role (role_arn)")
	case merged["sso_account_id"] || merged["sso_role_name"]:
		return refuse(KindSSO, "uses IAM Identity Center (SSO)")
	}

	if okCreds && (creds.has(profile, KeyAccessKeyID) || creds.has(profile, KeySecretAccessKey)) {
		switch {
		case inCreds.SessionToken != "" || inCreds.Values["aws_security_token"] != "":
			return refuse(KindTemporary, "holds temporary credentials (aws_session_token)")
		case inCreds.AccessKeyID == "":
			return refuse(KindIncomplete, "has no aws_access_key_id in the credentials file")
		case inCreds.SecretAccessKey == "":
			return refuse(KindIncomplete, "has no aws_secret_access_key in the credentials file")
		}
		return KindStatic, nil
	}

	switch {
	case merged["login_session"]:
		return refuse(KindLogin, "uses console sign-in credentials (login_session)")
	case merged["credential_process"]:
		return refuse(KindCredentialProcess, "uses credential_process")
	case okConfig && (inConfig.SessionToken != "" || inConfig.Values["aws_security_token"] != ""):
		return refuse(KindTemporary, "holds temporary credentials (aws_session_token) in the config file")
	case okConfig && (config.has(profile, KeyAccessKeyID) || config.has(profile, KeySecretAccessKey)):
		return KindStaticInConfig, &RefusalError{Profile: profile, Kind: KindStaticInConfig,
			Detail: "keeps its access key in the config file", Hint: "move the key to the credentials file first"}
	case merged["sso_session"] || merged["sso_start_url"]:
		return refuse(KindSSO, "uses IAM Identity Center (SSO)")
	}
	return refuse(KindNoCredentials, "has no access key, role, SSO or credential_process")
}

func sourceProfile(ps ...Profile) string {
	for _, p := range ps {
		if s := p.Values["source_profile"]; s != "" {
			return s
		}
	}
	return ""
}
