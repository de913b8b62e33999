// Package strictxml decodes XML documents as encoding/xml does, but refuses
// elements the target type does not declare, and a second occurrence of an
// element it declares once.
//
// encoding/xml drops elements it has no field for, and of an element given
// twice for a single field keeps the last. S3 validates request documents
// against its published schema and answers MalformedXML for an element the
// schema does not have, or has once, so a misspelt element (a lifecycle
// filter's <Prefx>, say) or a repeated one (a second, empty <Prefix>) is
// refused rather than turning into a rule that applies to every object. The standard library has no option for this and
// no well-kept library adds one over encoding/xml's struct tags, so the
// check is written here: it walks the document once more, guided by the
// same tags Unmarshal reads.
package strictxml

import (
	"bytes"
	"encoding"
	"encoding/xml"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// UnknownElementError names an element the target type has no place for.
type UnknownElementError struct {
	// Path is the element's ancestry from the root, e.g.
	// "LifecycleConfiguration>Rule>Filter>Prefx".
	Path string
}

func (e *UnknownElementError) Error() string {
	return fmt.Sprintf("element %s is not part of the document's schema", e.Path)
}

// RepeatedElementError names the second occurrence of an element the target
// type declares once (a field that is not a slice, or an element of a
// field's "a>b" path).
type RepeatedElementError struct {
	Path string
}

func (e *RepeatedElementError) Error() string {
	return fmt.Sprintf("element %s may appear only once", e.Path)
}

// Unmarshal parses data into v (a pointer) with encoding/xml, then checks
// that every element of the document has a field of v's type to go to, and
// that only a slice field's element repeats. An element is accepted below a
// field whose type unmarshals itself (xml.Unmarshaler), takes its raw
// content (",innerxml") or takes any element (",any").
func Unmarshal(data []byte, v any) error {
	if err := xml.Unmarshal(data, v); err != nil {
		return err
	}
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return errors.New("strictxml: Unmarshal needs a pointer")
	}
	c := checker{d: xml.NewDecoder(bytes.NewReader(data)), schemas: map[reflect.Type]*schema{}}
	for {
		tok, err := c.d.Token()
		if err != nil {
			return fmt.Errorf("strictxml: %w", err) // Unmarshal read a root, so there is one
		}
		if start, ok := tok.(xml.StartElement); ok {
			return c.checkContent(t.Elem(), start.Name.Local)
		}
	}
}

// checker walks one document. Request documents are small and rare, so
// the schemas are built afresh for each.
type checker struct {
	d       *xml.Decoder
	schemas map[reflect.Type]*schema
}

// checkContent reads the content of the element just started, up to and
// including its end, checking each child against t.
func (c *checker) checkContent(t reflect.Type, path string) error {
	s := c.schemaOf(t)
	if s.anything {
		return c.d.Skip()
	}
	return c.checkNode(s, &s.node, path)
}

// checkNode checks the children of an element against n, a level of s
// (the type's own level, or an intermediate element of an "a>b" path).
func (c *checker) checkNode(s *schema, n *node, path string) error {
	d := c.d
	var seen map[*node]bool // children met that may appear once
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("strictxml: %w", err)
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			childPath := path + ">" + tok.Name.Local
			if child, ok := n.children[tok.Name.Local]; ok {
				if !child.repeats {
					if seen[child] {
						return &RepeatedElementError{Path: childPath}
					}
					if seen == nil {
						seen = map[*node]bool{}
					}
					seen[child] = true
				}
				var err error
				if child.field != nil {
					err = c.checkContent(child.field, childPath)
				} else {
					err = c.checkNode(s, child, childPath)
				}
				if err != nil {
					return err
				}
				continue
			}
			if s.anyElement && n == &s.node {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			return &UnknownElementError{Path: childPath}
		}
	}
}

// schema is what encoding/xml accepts inside an element of one Go type.
type schema struct {
	// anything: the type takes any content (it unmarshals itself or
	// keeps its inner XML).
	anything bool
	// anyElement: a ",any" field takes children no other field names.
	anyElement bool
	node       node
}

// node is one level of element names. A name leads to a field (whose
// type describes the element's content) or, for a path "a>b", to a
// further level.
type node struct {
	children map[string]*node
	field    reflect.Type // set on the last element of a field's path
	repeats  bool         // the field is a slice: its element may repeat
}

// schemaOf builds (once per document) the schema of t.
func (c *checker) schemaOf(t reflect.Type) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := c.schemas[t]; ok {
		return s
	}
	s := newSchema(t)
	c.schemas[t] = s
	return s
}

var (
	unmarshalerType     = reflect.TypeFor[xml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func newSchema(t reflect.Type) *schema {
	s := &schema{node: node{children: map[string]*node{}}}
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(unmarshalerType), t.Implements(unmarshalerType):
		s.anything = true
	case t.Kind() != reflect.Struct:
		// Text only, and encoding/xml skips elements inside text; S3's
		// schema has no element inside a simple value either, so these
		// are checked as a struct without fields would be.
	case pt.Implements(textUnmarshalerType), t.Implements(textUnmarshalerType):
	default:
		addFields(s, t)
	}
	return s
}

// addFields adds t's fields (and those of its embedded structs, which
// encoding/xml promotes) to s.
func addFields(s *schema, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && flags == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				addFields(s, et)
				continue
			}
		}
		if f.Name == "XMLName" {
			continue // the element's own name, checked by Unmarshal
		}
		switch {
		case hasFlag(flags, "innerxml"):
			s.anything = true
			continue
		case hasFlag(flags, "any"):
			s.anyElement = true
			continue
		case hasFlag(flags, "attr"), hasFlag(flags, "chardata"), hasFlag(flags, "cdata"), hasFlag(flags, "comment"):
			continue
		}
		if name == "" {
			name = typeElementName(f.Type)
		}
		if name == "" {
			name = f.Name
		}
		if _, local, ok := strings.Cut(name, " "); ok {
			name = local // "namespace local": S3 documents are matched by local name
		}
		n := &s.node
		parts := strings.Split(name, ">")
		for _, p := range parts[:len(parts)-1] {
			next, ok := n.children[p]
			if !ok {
				next = &node{children: map[string]*node{}}
				n.children[p] = next
			}
			n = next
		}
		n.children[parts[len(parts)-1]] = &node{field: elemType(f.Type), repeats: isList(f.Type)}
	}
}

// typeElementName is the element name a struct type's XMLName field
// declares, which encoding/xml gives a field tagged with no name; "" if
// none.
func typeElementName(t reflect.Type) string {
	t = elemType(t)
	if t.Kind() != reflect.Struct {
		return ""
	}
	f, ok := t.FieldByName("XMLName")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("xml"), ",")
	return name
}

// isList reports whether a field of type t takes its element any number of
// times: a slice other than []byte, through pointers.
func isList(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
}

// elemType is the type one element of a field of type t decodes into: a
// slice's element, through pointers; []byte is text.
func elemType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		t = t.Elem()
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	return t
}

func hasFlag(flags, want string) bool {
	for f := range strings.SplitSeq(flags, ",") {
		if f == want {
			return true
		}
	}
	return false
}

// Unchecked is the type of an element a document's type declares only to
// tell it is there (typically to refuse it): its content is neither
// checked nor read.
type Unchecked struct {
	Inner []byte `xml:",innerxml"`
}
