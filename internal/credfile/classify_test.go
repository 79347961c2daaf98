package credfile

import (
	"errors"
	"testing"
)

func TestClassify(t *testing.T) {
	const static = "aws_access_key_id = AKIA1\naws_secret_access_key = " + fakeSecret + "\n"
	tests := []struct {
		name          string
		creds, config string // "-" for an absent file
		profile       string
		want          Kind
		wantErr       string
	}{
		{name: "static key", creds: "[dev]\n" + static, config: "-", profile: "dev", want: KindStatic},
		{name: "static key, region in config", creds: "[dev]\n" + static, config: "[profile dev]\nregion = r\n", profile: "dev", want: KindStatic},
		{name: "static default", creds: "[default]\n" + static, config: "[default]\nregion = r\n", profile: "default", want: KindStatic},
		{name: "static key wins over credential_process", creds: "[dev]\n" + static, config: "[profile dev]\ncredential_process = x\n", profile: "dev", want: KindStatic},
		{
			name: "missing", creds: "[other]\n" + static, config: "-", profile: "dev", want: KindMissing,
			wantErr: `profile "dev" is in neither the credentials file nor the config file; keywarden can only rotate a static access key stored in the credentials file; create it with "aws configure --profile dev"`,
		},
		{name: "no files at all", creds: "-", config: "-", profile: "dev", want: KindMissing},
		{
			name: "session token", creds: "[dev]\n" + static + "aws_session_token = tok\n", config: "-", profile: "dev", want: KindTemporary,
			wantErr: `profile "dev" holds temporary credentials (aws_session_token); keywarden can only rotate a static access key stored in the credentials file`,
		},
		{name: "legacy security token", creds: "[dev]\n" + static + "aws_security_token = tok\n", config: "-", profile: "dev", want: KindTemporary},
		{
			name: "credential_process", creds: "-", config: "[profile dev]\ncredential_process = /bin/get-creds\n", profile: "dev", want: KindCredentialProcess,
			wantErr: `profile "dev" uses credential_process; keywarden can only rotate a static access key stored in the credentials file`,
		},
		{name: "credential_process in credentials file", creds: "[dev]\ncredential_process = x\n", config: "-", profile: "dev", want: KindCredentialProcess},
		{
			name: "sso session", creds: "-", config: "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = u\n", profile: "dev", want: KindSSO,
			wantErr: `profile "dev" uses IAM Identity Center (SSO); keywarden can only rotate a static access key stored in the credentials file`,
		},
		{name: "legacy sso", creds: "-", config: "[default]\nsso_start_url = u\nsso_region = r\nsso_account_id = 1\nsso_role_name = r\n", profile: "default", want: KindSSO},
		{name: "sso wins over static key", creds: "[dev]\n" + static, config: "[profile dev]\nsso_account_id = 1\nsso_role_name = r\n", profile: "dev", want: KindSSO},
		{name: "half-configured sso, nothing else", creds: "-", config: "[profile dev]\nsso_session = corp\n", profile: "dev", want: KindSSO},
		{
			name: "assume role with source profile", creds: "[base]\n" + static, config: "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n", profile: "dev", want: KindAssumeRole,
			wantErr: `profile "dev" assumes a role (role_arn); keywarden can only rotate a static access key stored in the credentials file; rotate its source profile "base" instead`,
		},
		{name: "role_arn wins over static key in the same profile", creds: "[dev]\n" + static + "role_arn = arn:aws:iam::1:role/r\n", config: "-", profile: "dev", want: KindAssumeRole},
		{name: "web identity", creds: "-", config: "[profile dev]\nrole_arn = arn\nweb_identity_token_file = /t\n", profile: "dev", want: KindWebIdentity},
		{name: "login session", creds: "-", config: "[profile dev]\nlogin_session = arn\n", profile: "dev", want: KindLogin},
		{
			name: "static key in config file", creds: "-", config: "[profile dev]\n" + static, profile: "dev", want: KindStaticInConfig,
			wantErr: `profile "dev" keeps its access key in the config file; keywarden can only rotate a static access key stored in the credentials file; move the key to the credentials file first`,
		},
		{name: "[dev] in config is not profile dev", creds: "-", config: "[dev]\n" + static, profile: "dev", want: KindMissing},
		{name: "key id without secret", creds: "[dev]\naws_access_key_id = AKIA1\n", config: "-", profile: "dev", want: KindIncomplete},
		{name: "secret without key id", creds: "[dev]\naws_secret_access_key = s\n", config: "-", profile: "dev", want: KindIncomplete},
		{
			name: "profile with only a region", creds: "-", config: "[profile dev]\nregion = r\n", profile: "dev", want: KindNoCredentials,
			wantErr: `profile "dev" has no access key, role, SSO or credential_process; keywarden can only rotate a static access key stored in the credentials file`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var creds, config *File
			var err error
			if tt.creds != "-" {
				if creds, err = Parse([]byte(tt.creds)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.config != "-" {
				if config, err = ParseConfig([]byte(tt.config)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Classify(creds, config, tt.profile)
			if got != tt.want {
				t.Errorf("kind = %v, want %v (err %v)", got, tt.want, err)
			}
			if tt.want == KindStatic {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			var re *RefusalError
			if !errors.As(err, &re) || re.Kind != tt.want || re.Profile != tt.profile {
				t.Fatalf("err = %#v, want a *RefusalError of kind %v", err, tt.want)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("err =\n%s\nwant\n%s", err, tt.wantErr)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k := KindStatic; k <= KindNoCredentials; k++ {
		if s := k.String(); s == "" || s[0] == 'K' {
			t.Errorf("kind %d has no name: %q", int(k), s)
		}
	}
}
