package s3api

import (
	"encoding/xml"
	"strings"

	"github.com/terngate/terngate/s3err"
)

// Limits of a CORS configuration: "You can add up to 100 rules to the
// configuration" (API_CORSConfiguration) and a document of at most 64 KB
// (AWS user guide, "Elements of a CORS configuration").
const (
	maxCORSRules = 100
	maxCORSBody  = 64 << 10
)

// corsConfiguration is the CORSConfiguration document of PutBucketCors and
// GetBucketCors.
type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

// corsRule is one CORSRule (API_CORSRule).
type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// corsMethods are the only methods a rule may allow (API_CORSRule:
// "Valid values are GET, PUT, HEAD, POST, and DELETE").
var corsMethods = map[string]bool{"GET": true, "PUT": true, "HEAD": true, "POST": true, "DELETE": true}

// parseCORS decodes and validates a CORSConfiguration as PutBucketCors
// does.
func parseCORS(data []byte) (*corsConfiguration, error) {
	return parseCORSWith(decodeXML, data)
}

// parseStoredCORS re-parses a stored configuration, on every CORS request.
func parseStoredCORS(data []byte) (*corsConfiguration, error) {
	return parseCORSWith(decodeStoredXML, data)
}

func parseCORSWith(decode func([]byte, any) error, data []byte) (*corsConfiguration, error) {
	if len(data) > maxCORSBody {
		return nil, s3err.MalformedXML
	}
	var cfg corsConfiguration
	if err := decode(data, &cfg); err != nil {
		return nil, err
	}
	if len(cfg.Rules) == 0 || len(cfg.Rules) > maxCORSRules {
		return nil, s3err.MalformedXML
	}
	for _, rule := range cfg.Rules {
		if err := rule.validate(); err != nil {
			return nil, err
		}
	}
	return &cfg, nil
}

func (rule *corsRule) validate() error {
	if len(rule.AllowedOrigins) == 0 || len(rule.AllowedMethods) == 0 {
		return s3err.MalformedXML
	}
	for _, m := range rule.AllowedMethods {
		if !corsMethods[m] {
			return s3err.InvalidRequest.With("Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
		}
	}
	for _, o := range rule.AllowedOrigins {
		if strings.Count(o, "*") > 1 {
			return s3err.InvalidRequest.With("AllowedOrigin \"%s\" can not have more than one wildcard.", o)
		}
	}
	for _, h := range rule.AllowedHeaders {
		if strings.Count(h, "*") > 1 {
			return s3err.InvalidRequest.With("AllowedHeader \"%s\" can not have more than one wildcard.", h)
		}
	}
	if rule.MaxAgeSeconds != nil && *rule.MaxAgeSeconds < 0 {
		return s3err.MalformedXML
	}
	return nil
}

// match returns the first rule allowing origin, method and every one of
// headers (lower-cased names); S3 applies the first matching rule only.
func (cfg *corsConfiguration) match(origin, method string, headers []string) (*corsRule, bool) {
	for i := range cfg.Rules {
		rule := &cfg.Rules[i]
		if rule.allows(origin, method, headers) {
			return rule, true
		}
	}
	return nil, false
}

func (rule *corsRule) allows(origin, method string, headers []string) bool {
	if !anyWildcardMatch(rule.AllowedOrigins, origin, false) {
		return false
	}
	if !rule.allowsMethod(method) {
		return false
	}
	for _, h := range headers {
		if !anyWildcardMatch(rule.AllowedHeaders, h, true) {
			return false
		}
	}
	return true
}

func (rule *corsRule) allowsMethod(method string) bool {
	for _, m := range rule.AllowedMethods {
		if m == method {
			return true
		}
	}
	return false
}

// allowsAnyOrigin reports whether the rule's matching origin is the bare
// "*": S3 then answers Access-Control-Allow-Origin: * without credentials.
func (rule *corsRule) allowsAnyOrigin() bool {
	for _, o := range rule.AllowedOrigins {
		if o == "*" {
			return true
		}
	}
	return false
}

// anyWildcardMatch reports whether value matches one of patterns, each
// holding at most one '*' that stands for any run of characters. Header
// names compare without regard to case; origins exactly.
func anyWildcardMatch(patterns []string, value string, foldCase bool) bool {
	if foldCase {
		value = strings.ToLower(value)
	}
	for _, p := range patterns {
		if foldCase {
			p = strings.ToLower(p)
		}
		if wildcardMatch(p, value) {
			return true
		}
	}
	return false
}

func wildcardMatch(pattern, value string) bool {
	prefix, suffix, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == value
	}
	return len(value) >= len(prefix)+len(suffix) &&
		strings.HasPrefix(value, prefix) && strings.HasSuffix(value, suffix)
}
