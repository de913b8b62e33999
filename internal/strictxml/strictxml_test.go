package strictxml

import (
	"encoding/xml"
	"errors"
	"reflect"
	"testing"
	"time"
)

type filter struct {
	Prefix *string `xml:"Prefix"`
	Tags   []tag   `xml:"Tag"`
	And    *filter `xml:"And"`
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type rule struct {
	ID      string    `xml:"ID"`
	Filter  *filter   `xml:"Filter"`
	Days    *int      `xml:"Expiration>Days"`
	Date    time.Time `xml:"Expiration>Date"`
	Raw     []rawXML  `xml:"Transition"`
	Custom  custom    `xml:"Custom"`
	Ignored string    `xml:"-"`
}

type rawXML struct {
	Inner string `xml:",innerxml"`
}

// custom unmarshals itself: whatever it holds is its own business.
type custom struct{ n int }

func (c *custom) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	c.n++
	return d.Skip()
}

type common struct {
	Owner string `xml:"Owner"`
}

// named takes its element name from its XMLName, for a field tagged with
// no name.
type named struct {
	XMLName xml.Name `xml:"Named"`
	Value   string   `xml:"Value"`
}

type document struct {
	XMLName xml.Name `xml:"Configuration"`
	common
	Xmlns string `xml:"xmlns,attr"`
	Rules []rule `xml:"Rule"`
	Quiet bool   // untagged: its own name
	N     *named `xml:",omitempty"`
}

type withAny struct {
	XMLName xml.Name `xml:"Doc"`
	Known   string   `xml:"Known"`
	Rest    []rawXML `xml:",any"`
}

func TestAcceptsEverythingTheTypeDeclares(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<Configuration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner>o</Owner>
  <Quiet>true</Quiet>
  <Named><Value>v</Value></Named>
  <Rule>
    <ID>r1</ID>
    <Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter>
    <Expiration><Days>3</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>
    <Transition><Days>1</Days><Anything><Deep/></Anything></Transition>
    <Custom><Whatever>1</Whatever></Custom>
  </Rule>
  <Rule><ID>r2</ID></Rule>
</Configuration>`
	var d document
	if err := Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if len(d.Rules) != 2 || d.Owner != "o" || !d.Quiet || *d.Rules[0].Days != 3 || d.Rules[0].Custom.n != 1 ||
		len(d.Rules[0].Filter.And.Tags) != 2 || d.Rules[0].Raw[0].Inner == "" || d.N == nil || d.N.Value != "v" {
		t.Fatalf("decoded %+v", d)
	}
}

func TestRefusesElementsTheTypeDoesNotDeclare(t *testing.T) {
	for _, tc := range []struct {
		name, doc, path string
	}{
		{"top level", `<Configuration><Rules/></Configuration>`, "Configuration>Rules"},
		{"misspelt in a nested struct", `<Configuration><Rule><Filter><Prefx>a</Prefx></Filter></Rule></Configuration>`, "Configuration>Rule>Filter>Prefx"},
		{"case matters", `<Configuration><Rule><filter/></Rule></Configuration>`, "Configuration>Rule>filter"},
		{"inside a recursive type", `<Configuration><Rule><Filter><And><And><Size>1</Size></And></And></Filter></Rule></Configuration>`, "Configuration>Rule>Filter>And>And>Size"},
		{"inside a path's intermediate element", `<Configuration><Rule><Expiration><Days>1</Days><Weeks>1</Weeks></Expiration></Rule></Configuration>`, "Configuration>Rule>Expiration>Weeks"},
		{"inside a slice element", `<Configuration><Rule><Filter><Tag><Key>k</Key><Value>v</Value><Colour/></Tag></Filter></Rule></Configuration>`, "Configuration>Rule>Filter>Tag>Colour"},
		{"inside a text value", `<Configuration><Rule><ID>a<B/></ID></Rule></Configuration>`, "Configuration>Rule>ID>B"},
		{"inside a time", `<Configuration><Rule><Expiration><Date>2030-01-01T00:00:00Z<Y/></Date></Expiration></Rule></Configuration>`, "Configuration>Rule>Expiration>Date>Y"},
		{"a field tagged -", `<Configuration><Rule><Ignored>x</Ignored></Rule></Configuration>`, "Configuration>Rule>Ignored"},
		{"an attribute field's name as an element", `<Configuration><xmlns>x</xmlns></Configuration>`, "Configuration>xmlns"},
		{"a field named by its type's XMLName, under the field's name", `<Configuration><N/></Configuration>`, "Configuration>N"},
		{"XMLName as a child", `<Configuration><Configuration/></Configuration>`, "Configuration>Configuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d document
			err := Unmarshal([]byte(tc.doc), &d)
			var unknown *UnknownElementError
			if !errors.As(err, &unknown) {
				t.Fatalf("Unmarshal = %v, want an UnknownElementError", err)
			}
			if unknown.Path != tc.path {
				t.Fatalf("path %q, want %q", unknown.Path, tc.path)
			}
		})
	}
}

func TestRefusesASecondOccurrenceOfASingleElement(t *testing.T) {
	for _, tc := range []struct {
		name, doc, path string
	}{
		{"a text field", `<Configuration><Rule><ID>a</ID><ID>b</ID></Rule></Configuration>`, "Configuration>Rule>ID"},
		{"a pointer to a struct", `<Configuration><Rule><Filter><Prefix>a/</Prefix></Filter><Filter/></Rule></Configuration>`, "Configuration>Rule>Filter"},
		{"a pointer to text (an empty second Prefix)", `<Configuration><Rule><Filter><Prefix>a/</Prefix><Prefix></Prefix></Filter></Rule></Configuration>`, "Configuration>Rule>Filter>Prefix"},
		{"a path's intermediate element", `<Configuration><Rule><Expiration><Days>1</Days></Expiration><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></Configuration>`, "Configuration>Rule>Expiration"},
		{"an untagged field", `<Configuration><Quiet>true</Quiet><Quiet>false</Quiet></Configuration>`, "Configuration>Quiet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d document
			err := Unmarshal([]byte(tc.doc), &d)
			var repeated *RepeatedElementError
			if !errors.As(err, &repeated) {
				t.Fatalf("Unmarshal = %v, want a RepeatedElementError", err)
			}
			if repeated.Path != tc.path {
				t.Fatalf("path %q, want %q", repeated.Path, tc.path)
			}
		})
	}
	// A slice's element repeats, in each parent afresh.
	const ok = `<Configuration><Rule><ID>a</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></Filter>` +
		`<Transition/><Transition/></Rule><Rule><ID>b</ID></Rule></Configuration>`
	var d document
	if err := Unmarshal([]byte(ok), &d); err != nil {
		t.Fatalf("repeated slice elements: %v", err)
	}
}

func TestAnyFieldTakesUnnamedChildren(t *testing.T) {
	var d withAny
	if err := Unmarshal([]byte(`<Doc><Known>k</Known><Other><X/></Other></Doc>`), &d); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if d.Known != "k" || len(d.Rest) != 1 {
		t.Fatalf("decoded %+v", d)
	}
}

func TestSyntaxAndRootErrorsAreEncodingXMLs(t *testing.T) {
	var d document
	var syntax *xml.SyntaxError
	if err := Unmarshal([]byte(`<Configuration><Rule>`), &d); !errors.As(err, &syntax) {
		t.Fatalf("truncated document: %v", err)
	}
	var unknown *UnknownElementError
	if err := Unmarshal([]byte(`<Other/>`), &d); err == nil || errors.As(err, &unknown) {
		t.Fatalf("wrong root: %v", err)
	}
}

// Unmarshal never panics, and whatever it accepts encoding/xml accepts too,
// with the same result: the check only ever refuses.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`<Configuration><Rule><ID>r</ID><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter></Rule></Configuration>`))
	f.Add([]byte(`<Configuration><Rule><Transition><X/></Transition><Custom><Y/></Custom></Rule><Unknown/></Configuration>`))
	f.Add([]byte(`<Configuration><Rule><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></Configuration>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var strict, loose document
		if err := Unmarshal(data, &strict); err != nil {
			return
		}
		if err := xml.Unmarshal(data, &loose); err != nil {
			t.Fatalf("strictxml accepted what encoding/xml refuses: %v", err)
		}
		if !reflect.DeepEqual(strict, loose) {
			t.Fatalf("results differ:\n%+v\n%+v", strict, loose)
		}
	})
}
