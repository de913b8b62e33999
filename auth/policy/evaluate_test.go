package policy

import "testing"

const publicRead = `{"Version":"2012-10-17","Statement":[
	{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}`

func TestPublicRead(t *testing.T) {
	p := mustParse(t, "photos", publicRead)
	obj := ResourceARN("photos", "2026/cat.jpg")
	bucket := ResourceARN("photos", "")
	for _, c := range []struct {
		principal, action, resource string
		want                        Decision
	}{
		{"", "s3:GetObject", obj, Allow},
		{"alice", "s3:GetObject", obj, Allow},
		{"", "s3:PutObject", obj, NoOpinion},
		{"", "s3:DeleteObject", obj, NoOpinion},
		{"", "s3:ListBucket", bucket, NoOpinion},
		// The object pattern does not cover the bucket itself.
		{"", "s3:GetObject", bucket, NoOpinion},
	} {
		if got := p.Evaluate(c.principal, c.action, c.resource, nil); got != c.want {
			t.Errorf("Evaluate(%q, %s, %s) = %v, want %v", c.principal, c.action, c.resource, got, c.want)
		}
	}
	// The same through Authorize, as the handler uses it.
	if !Authorize("owner", "", p, ActionGetObject, "photos", "a/b.jpg", nil) {
		t.Error("anonymous GetObject denied")
	}
	if Authorize("owner", "", p, ActionPutObject, "photos", "a/b.jpg", nil) {
		t.Error("anonymous PutObject allowed")
	}
	if Authorize("owner", "", p, ActionListBucket, "photos", "", nil) {
		t.Error("anonymous ListBucket allowed")
	}
}

func TestPrefixGrant(t *testing.T) {
	p := mustParse(t, "b", stmt(`"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/public/*"`))
	for key, want := range map[string]Decision{
		"public/a.txt":      Allow,
		"public/deep/a.txt": Allow, // '*' crosses '/', as in AWS
		"public/":           Allow,
		"public":            NoOpinion,
		"publicity/a.txt":   NoOpinion,
		"private/a.txt":     NoOpinion,
		"x/public/a.txt":    NoOpinion,
		"Public/a.txt":      NoOpinion, // keys are case-sensitive
	} {
		if got := p.Evaluate("alice", "s3:GetObject", ResourceARN("b", key), nil); got != want {
			t.Errorf("key %q: %v, want %v", key, got, want)
		}
	}
	if got := p.Evaluate("bob", "s3:GetObject", ResourceARN("b", "public/a.txt"), nil); got != NoOpinion {
		t.Errorf("unnamed user: %v", got)
	}
	if got := p.Evaluate("", "s3:GetObject", ResourceARN("b", "public/a.txt"), nil); got != NoOpinion {
		t.Errorf("anonymous matched a named principal: %v", got)
	}
}

func TestDenyBeatsAllow(t *testing.T) {
	// The Deny comes first and last, so statement order cannot matter.
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
			{"Effect":"Deny","Principal":{"AWS":"mallory"},"Action":"s3:Put*","Resource":"arn:aws:s3:::b/*"}]}`,
		`{"Version":"2012-10-17","Statement":[
			{"Effect":"Deny","Principal":{"AWS":"mallory"},"Action":"s3:Put*","Resource":"arn:aws:s3:::b/*"},
			{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`,
	} {
		p := mustParse(t, "b", doc)
		obj := ResourceARN("b", "k")
		if got := p.Evaluate("mallory", "s3:PutObject", obj, nil); got != Deny {
			t.Errorf("mallory PutObject: %v", got)
		}
		if got := p.Evaluate("mallory", "s3:GetObject", obj, nil); got != Allow {
			t.Errorf("mallory GetObject: %v", got)
		}
		if got := p.Evaluate("alice", "s3:PutObject", obj, nil); got != Allow {
			t.Errorf("alice PutObject: %v", got)
		}
	}
}

func TestActionMatching(t *testing.T) {
	p := mustParse(t, "b", stmt(`"Effect":"Allow","Principal":"*","Action":["s3:Get*","s3:List?ucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]`))
	for _, c := range []struct {
		action string
		want   Decision
	}{
		{"s3:GetObject", Allow},
		{"S3:GETOBJECT", Allow}, // action names are case-insensitive
		{"s3:GetBucketLocation", Allow},
		{"s3:ListBucket", Allow},
		{"s3:ListBucketVersions", NoOpinion}, // '?' is exactly one character
		{"s3:PutObject", NoOpinion},
	} {
		res := ResourceARN("b", "k")
		if c.action == "s3:ListBucket" || c.action == "s3:ListBucketVersions" {
			res = ResourceARN("b", "")
		}
		if got := p.Evaluate("", c.action, res, nil); got != c.want {
			t.Errorf("%s: %v, want %v", c.action, got, c.want)
		}
	}
}

func TestPrincipalForms(t *testing.T) {
	p := mustParse(t, "b", stmt(`"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","bob"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`))
	obj := ResourceARN("b", "k")
	for principal, want := range map[string]Decision{"alice": Allow, "bob": Allow, "carol": NoOpinion, "": NoOpinion} {
		if got := p.Evaluate(principal, "s3:GetObject", obj, nil); got != want {
			t.Errorf("%q: %v, want %v", principal, got, want)
		}
	}
	anyone := mustParse(t, "b", stmt(`"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`))
	if got := anyone.Evaluate("", "s3:GetObject", obj, nil); got != Allow {
		t.Errorf(`{"AWS":"*"} does not cover anonymous: %v`, got)
	}
}

func TestNilPolicy(t *testing.T) {
	var p *Policy
	if got := p.Evaluate("alice", "s3:GetObject", ResourceARN("b", "k"), nil); got != NoOpinion {
		t.Errorf("nil policy: %v", got)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{Allow: "Allow", Deny: "Deny", NoOpinion: "NoOpinion"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q", d, d.String())
		}
	}
}
