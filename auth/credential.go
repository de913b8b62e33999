package auth

import (
	"strings"
	"time"

	"github.com/terngate/terngate/s3err"
)

// credential is the parsed "AK/yyyymmdd/region/s3/aws4_request" value.
type credential struct {
	accessKey string
	date      string // yyyymmdd
	region    string
	service   string
}

func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + scopeTerminal
}

// credentialErrors carries the error and message prefix to use for a
// credential problem: the header and query forms report it differently.
type credentialErrors struct {
	base   *s3err.Error
	prefix string
}

var (
	headerCredentialErrors = credentialErrors{s3err.AuthorizationHeaderMalformed, "The authorization header is malformed"}
	queryCredentialErrors  = credentialErrors{s3err.AuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter"}
)

// parseCredential checks the scope against what this endpoint serves. An
// empty region accepts whatever region the client signed for.
func parseCredential(value, region string, errs credentialErrors) (credential, error) {
	parts := strings.Split(value, "/")
	if len(parts) != 5 {
		return credential{}, errs.base.With("%s; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".", errs.prefix)
	}
	if parts[0] == "" {
		return credential{}, errs.base.With("%s; a non-empty Access Key (AKID) must be provided in the credential.", errs.prefix)
	}
	c := credential{accessKey: parts[0], date: parts[1], region: parts[2], service: parts[3]}
	if _, err := time.Parse(scopeDate, c.date); err != nil {
		return credential{}, errs.base.With("%s; incorrect date format \"%s\". This date in the credential must be in the format \"yyyyMMdd\".", errs.prefix, c.date)
	}
	if region != "" && c.region != region {
		return credential{}, s3err.WrongRegion(errs.base, errs.prefix, c.region, region)
	}
	if c.service != serviceS3 {
		return credential{}, errs.base.With("%s; incorrect service \"%s\". This endpoint belongs to \"%s\".", errs.prefix, c.service, serviceS3)
	}
	if parts[4] != scopeTerminal {
		return credential{}, errs.base.With("%s; incorrect terminal \"%s\". This endpoint uses \"%s\".", errs.prefix, parts[4], scopeTerminal)
	}
	return c, nil
}
