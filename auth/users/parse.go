package users

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// entry is one user as written in the file, before validation.
type entry struct {
	line       int
	name       string
	accessKey  string
	secret     secret
	secretFile string
}

// where names an entry in errors: its line, and its user once known.
func (e entry) where() string {
	if e.name == "" {
		return fmt.Sprintf("line %d", e.line)
	}
	return fmt.Sprintf("line %d: user %q", e.line, e.name)
}

// parseEntries walks the YAML node tree by hand rather than unmarshalling
// into structs: yaml.v3's type errors quote the offending value, which could
// be a secret, and the nodes give every error a line number.
func parseEntries(data []byte) ([]entry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("the file is empty")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: expected a mapping with a \"users\" list", root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if key.Value != "users" {
			return nil, fmt.Errorf("line %d: unknown key %q (expected \"users\")", key.Line, key.Value)
		}
		list = value
	}
	if list == nil {
		return nil, fmt.Errorf("line %d: missing the \"users\" list", root.Line)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: \"users\" must be a list", list.Line)
	}
	entries := make([]entry, 0, len(list.Content))
	for _, item := range list.Content {
		e, err := parseEntry(item)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func parseEntry(node *yaml.Node) (entry, error) {
	e := entry{line: node.Line}
	if node.Kind != yaml.MappingNode {
		return e, fmt.Errorf("line %d: each user must be a mapping of name, access_key and secret_key", node.Line)
	}
	// Read the name first so that every later error can say whose it is.
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		fields[key.Value] = value
	}
	if v, ok := fields["name"]; ok && v.Kind == yaml.ScalarNode {
		e.name = v.Value
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		if value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
			return e, fmt.Errorf("%s: %s must be a string (line %d)", e.where(), key.Value, value.Line)
		}
		switch key.Value {
		case "name":
		case "access_key":
			e.accessKey = value.Value
		case "secret_key":
			e.secret = newSecret(value.Value)
		case "secret_key_file":
			e.secretFile = value.Value
		default:
			return e, fmt.Errorf("%s: unknown key %q (line %d; expected name, access_key, secret_key or secret_key_file)", e.where(), key.Value, key.Line)
		}
	}
	return e, nil
}
