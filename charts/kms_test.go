package charts

import (
	"strings"
	"testing"
)

// SSE-KMS in the chart: a static key ring from an existing Secret mounted
// as the file --kms-key-file reads, or an external KMS whose secret key
// comes from an existing Secret; never both, and never key material in
// values.
func TestEncryptionKMS(t *testing.T) {
	if env := renderObjects(t, "").env(t); env["TERNGATE_KMS_KEY_FILE"] != "" || env["TERNGATE_KMS_DEFAULT_KEY"] != "" {
		t.Fatalf("default values configure a KMS: %v", env)
	}

	o := renderObjects(t, "encryption:\n  kms:\n    existingSecret: terngate-kms\n")
	if got := o.env(t)["TERNGATE_KMS_KEY_FILE"]; got != "/etc/terngate/kms/kms-keys" {
		t.Fatalf("TERNGATE_KMS_KEY_FILE = %q", got)
	}
	d, c := o.gateway(t)
	mounted := false
	for _, m := range c.VolumeMounts {
		if m.Name == "kms-keys" && m.MountPath == "/etc/terngate/kms" && m.ReadOnly {
			mounted = true
		}
	}
	var secret string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "kms-keys" && v.Secret != nil {
			secret = v.Secret.SecretName
		}
	}
	if !mounted || secret != "terngate-kms" {
		t.Fatalf("KMS keys: mounted %v, from Secret %q", mounted, secret)
	}

	env := renderObjects(t, "encryption:\n  kms:\n    endpoint: https://kms.example:4443\n    region: eu-west-1\n    defaultKey: alias/s3\n    accessKey: AKIAKMS\n    credentialsSecret: kms-creds\n").env(t)
	for name, want := range map[string]string{
		"TERNGATE_KMS_ENDPOINT":    "https://kms.example:4443",
		"TERNGATE_KMS_REGION":      "eu-west-1",
		"TERNGATE_KMS_DEFAULT_KEY": "alias/s3",
		"TERNGATE_KMS_ACCESS_KEY":  "AKIAKMS",
		"TERNGATE_KMS_SECRET_KEY":  "secret:kms-creds/secret-key",
	} {
		if env[name] != want {
			t.Errorf("%s = %q, want %q", name, env[name], want)
		}
	}

	for _, tc := range []struct{ values, want string }{
		{"encryption:\n  kms:\n    existingSecret: k\n    defaultKey: alias/s3\n", "not both"},
		{"encryption:\n  kms:\n    endpoint: http://kms:8080\n", "needs encryption.kms.defaultKey"},
	} {
		_, _, err := render(t, parseValues(t, tc.values))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.values, err, tc.want)
		}
	}
}
