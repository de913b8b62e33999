package s3err

// InvalidVersionID answers a version ID that is not one this service could
// have issued, as S3 does (versity/versitygw#1698, #1811): InvalidArgument
// naming the argument and echoing it.
func InvalidVersionID(argument, value string) *Error {
	return InvalidArgument.With("Invalid version id specified").ForArgument(argument, value)
}
