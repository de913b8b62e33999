package s3api

import (
	"github.com/terngate/terngate/s3err"
	"github.com/terngate/terngate/store/objects"
)

// standardClass is the class of an object that was given none; the record
// leaves it out, and GET and HEAD do not name it ("Amazon S3 returns this
// header for all objects except for S3 Standard storage class objects",
// API_HeadObject x-amz-storage-class).
const standardClass = "STANDARD"

// The storage class only labels an object: it is recorded and reported,
// while TernFS's directory policies, not the class, decide where the
// bytes are placed (README, "Storage classes").
var (
	// storageClasses are the classes of API_PutObject's StorageClass enum
	// that a general purpose bucket takes.
	storageClasses = map[string]bool{
		standardClass: true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
		"INTELLIGENT_TIERING": true, "GLACIER_IR": true, "GLACIER": true, "DEEP_ARCHIVE": true,
	}
	// archiveClasses are the classes whose objects can be read only once
	// restored (restore.go).
	archiveClasses = map[string]bool{"GLACIER": true, "DEEP_ARCHIVE": true}
	// otherBucketClasses are the enum's classes of other kinds of bucket
	// (directory buckets: EXPRESS_ONEZONE; Outposts: OUTPOSTS; Snow
	// devices: SNOW; FSx access points: FSX_OPENZFS, FSX_ONTAP), which a
	// general purpose bucket refuses as an unknown class.
)

// errInvalidStorageClass is ErrorResponses' InvalidStorageClass: "The
// storage class you specified is not valid", 400.
var errInvalidStorageClass = s3err.InvalidStorageClass

// checkStorageClassValue judges a requested class (header or form field).
func checkStorageClassValue(value string) error {
	switch {
	case value == "" || storageClasses[value]:
		return nil
	}
	return errInvalidStorageClass
}

// requestStorageClass is the class a write asks for, as the record keeps
// it: "" for STANDARD. The header's value was checked with the other
// headers (refuseStorageClass).
func requestStorageClass(r *request) string {
	return recordedClass(r.header("x-amz-storage-class"))
}

func recordedClass(class string) string {
	if class == standardClass {
		return ""
	}
	return class
}

// storageClassOf is the class to report for an object.
func storageClassOf(md objects.Metadata) string {
	if md.StorageClass == "" {
		return standardClass
	}
	return md.StorageClass
}

// setStorageClassHeader sends x-amz-storage-class on GET and HEAD, for
// every class but STANDARD.
func setStorageClassHeader(r *request, md objects.Metadata) {
	if md.StorageClass != "" {
		r.setHeader("x-amz-storage-class", md.StorageClass)
	}
	setRestoreHeader(r, md)
}
